// Bad input of every kind: each gets the right 4xx with an error JSON naming the culprit, the
// server keeps serving, and no job is created.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <iostream>

#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::RawBody;
using skiff::testing::RawExchange;
using skiff::testing::RawStatus;
using skiff::testing::ResidentKb;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServerOptions o;
    o.workers = 1;
    server_ = new TestServer(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->started());
    http_ = server_->Client();
  }
  void TearDown() override {
    ExpectStillServingAndNoJob();
    server_->DumpLogsIfFailed();
  }

  // The server answers /healthz and holds no job.
  void ExpectStillServingAndNoJob() {
    auto h = server_->Client()->Get("/healthz");
    ASSERT_TRUE(h.ok()) << "the server stopped answering: " << h.status().message();
    EXPECT_EQ(h->status, 200);
    EXPECT_TRUE(server_->Running());
    auto ids = server_->ListJobIds();
    ASSERT_TRUE(ids.ok()) << ids.status().message();
    EXPECT_TRUE(ids->empty()) << "a bad request created job " << ids->front();
  }

  // The answer is `status` with {"error": {"code": code, "message": "...needle..."}}.
  static void ExpectError(const Result<net::HttpResponse>& r, int status, const std::string& code,
                          const std::string& needle) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->status, status) << r->body;
    auto doc = ParseJson(r->body);
    ASSERT_TRUE(doc.ok()) << "not JSON: " << r->body;
    ASSERT_TRUE((*doc)["error"].is_object()) << r->body;
    EXPECT_EQ((*doc)["error"]["code"], code) << r->body;
    std::string message = (*doc)["error"].value("message", "");
    EXPECT_NE(message.find(needle), std::string::npos)
        << "the message does not name " << needle << ": " << message;
  }

  static TestServer* server_;
  std::unique_ptr<net::HttpClient> http_;
};

TestServer* BadInputTest::server_ = nullptr;

struct BodyCase {
  std::string body;
  int status;
  std::string needle;  // what the message must name
};

TEST_F(BadInputTest, SubmitBodiesAreCheckedStrictly) {
  const std::string big_name(201, 'n');
  const std::string big_cid(129, 'c');
  const std::vector<BodyCase> cases = {
      {"{", 400, "JSON"},
      {"", 400, "JSON"},
      {R"({"argv": ["true"]} trailing)", 400, "JSON"},
      {"[1, 2]", 400, "body"},
      {R"("a string")", 400, "body"},
      {"42", 400, "body"},
      {R"({"argv": ["true"], "bogus": 1})", 400, "bogus"},
      {R"({"argv": ["true"], "spec": {}})", 400, "spec"},
      {R"({"items": 2})", 400, "argv"},
      {R"({"argv": null})", 400, "argv"},
      {R"({"argv": []})", 400, "argv"},
      {R"({"argv": "true"})", 400, "argv"},
      {R"({"argv": ["true", 1]})", 400, "argv[1]"},
      {R"({"argv": ["true", null]})", 400, "argv[1]"},
      {R"({"argv": [""]})", 400, "argv[0]"},
      {R"({"argv": ["a\u0000b"]})", 400, "argv[0]"},
      {R"({"argv": ["true"], "timeout_s": "10"})", 400, "timeout_s"},
      {R"({"argv": ["true"], "timeout_s": 0})", 400, "timeout_s"},
      {R"({"argv": ["true"], "timeout_s": -1})", 400, "timeout_s"},
      {R"({"argv": ["true"], "timeout_s": 604801})", 400, "timeout_s"},
      {R"({"argv": ["true"], "max_attempts": "3"})", 400, "max_attempts"},
      {R"({"argv": ["true"], "max_attempts": 2.5})", 400, "max_attempts"},
      {R"({"argv": ["true"], "max_attempts": 0})", 400, "max_attempts"},
      {R"({"argv": ["true"], "max_attempts": 1000})", 400, "max_attempts"},
      {R"({"argv": ["true"], "max_attempts": true})", 400, "max_attempts"},
      {R"({"argv": ["true"], "backoff_ms": -1})", 400, "backoff_ms"},
      {R"({"argv": ["true"], "backoff_ms": 3600001})", 400, "backoff_ms"},
      {R"({"argv": ["true"], "items": "3"})", 400, "items"},
      {R"({"argv": ["true"], "items": 2.5})", 400, "items"},
      {R"({"argv": ["true"], "items": {"a": 1}})", 400, "items"},
      {R"({"argv": ["true"], "items": 0})", 400, "items"},
      {R"({"argv": ["true"], "items": -5})", 400, "items"},
      {R"({"argv": ["true"], "items": []})", 400, "items"},
      {R"({"argv": ["true"], "items": [1]})", 400, "items[0]"},
      {R"({"argv": ["true"], "items": [{"a": 1}, {"b": [1]}]})", 400, "items[1].b"},
      {R"({"argv": ["true"], "items": 100001})", 413, "items"},
      {R"({"argv": ["true"], "env": {"1X": "a"}})", 400, "env.1X"},
      {R"({"argv": ["true"], "env": {"A": 1}})", 400, "env.A"},
      {R"({"argv": ["true"], "env": ["A=1"]})", 400, "env"},
      {R"({"argv": ["true"], "params": {"p": {"x": 1}}})", 400, "params.p"},
      {R"({"argv": ["true"], "params": [1]})", 400, "params"},
      {R"({"argv": ["true"], "name": 5})", 400, "name"},
      {R"({"argv": ["true"], "name": ")" + big_name + R"("})", 400, "name"},
      {R"({"argv": ["true"], "correlation_id": ")" + big_cid + R"("})", 400, "correlation_id"},
      {R"({"argv": ["echo", "{{nope}}"]})", 400, "nope"},
      {R"({"argv": ["echo", "{{unterminated"]})", 400, "{{"},
      {R"({"argv": ["true"], "env": {"A": "{{missing}}"}})", 400, "missing"},
      {R"({"argv": ["echo", "{{a}}"], "items": [{"a": 1}, {"b": 2}]})", 400, "t-0002"},
      // Bytes that are not UTF-8 inside a string.
      {"{\"argv\": [\"echo\", \"\xff\xfe\"]}", 400, "UTF-8"},
      {"{\"argv\": [\"true\"], \"name\": \"\xc3\x28\"}", 400, "UTF-8"},
  };
  for (const BodyCase& c : cases) {
    SCOPED_TRACE("body: " + c.body.substr(0, 120));
    ExpectError(http_->Post("/v1/jobs", c.body), c.status,
                c.status == 413 ? "resource_exhausted" : "invalid_argument", c.needle);
  }
  // The items named in an unknown-placeholder error.
  auto r = http_->Post("/v1/jobs", R"({"argv": ["echo", "{{a}}"], "items": [{"a": 1}, {"b": 2}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("{{a}}"), std::string::npos) << r->body;
}

TEST_F(BadInputTest, SubmitHeadersAndQueryAreChecked) {
  const std::string body = R"({"argv": ["true"]})";
  ExpectError(http_->Post("/v1/jobs", body, {{"X-Correlation-Id", std::string(200, 'x')}}), 400,
              "invalid_argument", "X-Correlation-Id");
  ExpectError(http_->Post("/v1/jobs", body, {{"Idempotency-Key", std::string(300, 'k')}}), 400,
              "invalid_argument", "Idempotency-Key");
  ExpectError(http_->Post("/v1/jobs?dry_run=1", body), 400, "invalid_argument", "dry_run");
}

TEST_F(BadInputTest, ListAndGetQueryParametersAreChecked) {
  ExpectError(http_->Get("/v1/jobs?limit=0"), 400, "invalid_argument", "limit");
  ExpectError(http_->Get("/v1/jobs?limit=1001"), 400, "invalid_argument", "limit");
  ExpectError(http_->Get("/v1/jobs?limit=ten"), 400, "invalid_argument", "limit");
  ExpectError(http_->Get("/v1/jobs?limit="), 400, "invalid_argument", "limit");
  ExpectError(http_->Get("/v1/jobs?status=bogus"), 400, "invalid_argument", "status");
  ExpectError(http_->Get("/v1/jobs?bogus=1"), 400, "invalid_argument", "bogus");
  ExpectError(http_->Get("/v1/jobs?limit=%zz"), 400, "invalid_argument", "percent");
  ExpectError(http_->Get("/v1/jobs/job_00000000000000000000000000?tasks=2"), 400,
              "invalid_argument", "tasks");
}

TEST_F(BadInputTest, RoutesMethodsAndUnknownJobs) {
  ExpectError(http_->Get("/v1/nope"), 404, "not_found", "/v1/nope");
  ExpectError(http_->Get("/"), 404, "not_found", "/");
  ExpectError(http_->Get("/v1/jobs/a/b/c/d"), 404, "not_found", "/v1/jobs");
  ExpectError(http_->Delete("/v1/jobs"), 405, "method_not_allowed", "DELETE");
  ExpectError(http_->Get("/v1/jobs/job_x/cancel"), 405, "method_not_allowed", "GET");
  ExpectError(http_->Post("/v1/jobs/job_x", "{}"), 405, "method_not_allowed", "POST");
  ExpectError(http_->Get("/v1/worker/lease"), 405, "method_not_allowed", "GET");
  ExpectError(http_->Get("/v1/jobs/job_00000000000000000000000000"), 404, "not_found",
              "job_00000000000000000000000000");
  ExpectError(http_->Get("/v1/jobs/" + net::EscapeUrlComponent("../../etc/passwd")), 404,
              "not_found", "");
  ExpectError(http_->Post("/v1/jobs/job_00000000000000000000000000/cancel", ""), 404, "not_found",
              "job_00000000000000000000000000");
}

TEST_F(BadInputTest, AuthenticationIsRequired) {
  auto anonymous = server_->ClientWithKey("");
  ExpectError(anonymous->Get("/v1/jobs"), 401, "unauthenticated", "Authorization");
  ExpectError(anonymous->Post("/v1/jobs", R"({"argv": ["true"]})"), 401, "unauthenticated",
              "Authorization");
  ExpectError(anonymous->Post("/v1/worker/lease", "{}"), 401, "unauthenticated", "Authorization");
  auto wrong = server_->ClientWithKey("skf_thisIsNotTheKey");
  ExpectError(wrong->Get("/v1/jobs"), 401, "unauthenticated", "key");
  ExpectError(wrong->Post("/v1/jobs", R"({"argv": ["true"]})"), 401, "unauthenticated", "key");
  std::string key = server_->key();
  for (const std::string& header : std::vector<std::string>{
           "Basic " + key, "Bearer", "Bearer ", key, "Token " + key, "Bearer " + key + " extra",
        "Bearer " + key + "!", "Bearer skf_", "Bearer " + std::string(600, 'k')}) {
    SCOPED_TRACE("Authorization: " + header.substr(0, 60));
    ExpectError(anonymous->Post("/v1/jobs", R"({"argv": ["true"]})", {{"Authorization", header}}),
                401, "unauthenticated", "");
  }
  // /healthz and /readyz need no key.
  auto h = anonymous->Get("/readyz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

TEST_F(BadInputTest, WorkerProtocolBodiesAreCheckedStrictly) {
  const std::vector<std::pair<std::string, BodyCase>> cases = {
      {"/v1/worker/lease", {"not json", 400, "JSON"}},
      {"/v1/worker/lease", {"[]", 400, "body"}},
      {"/v1/worker/lease", {R"({"max": 0})", 400, "max"}},
      {"/v1/worker/lease", {R"({"max": 1001})", 400, "max"}},
      {"/v1/worker/lease", {R"({"max": "1"})", 400, "max"}},
      {"/v1/worker/lease", {R"({"wait_ms": 60001})", 400, "wait_ms"}},
      {"/v1/worker/lease", {R"({"wait_ms": -1})", 400, "wait_ms"}},
      {"/v1/worker/lease", {R"({"worker": 7})", 400, "worker"}},
      {"/v1/worker/lease", {R"({"bogus": 1})", 400, "bogus"}},
      {"/v1/worker/heartbeat", {"{", 400, "JSON"}},
      {"/v1/worker/heartbeat", {R"({"leases": "x"})", 400, "leases"}},
      {"/v1/worker/heartbeat", {R"({"leases": [1]})", 400, "leases[0]"}},
      {"/v1/worker/heartbeat", {R"({"leases": [], "extra": 1})", 400, "extra"}},
      {"/v1/worker/complete", {"", 400, "JSON"}},
      {"/v1/worker/complete", {R"({})", 400, "results"}},
      {"/v1/worker/complete", {R"({"results": "x"})", 400, "results"}},
      {"/v1/worker/complete", {R"({"results": [1]})", 400, "results[0]"}},
      {"/v1/worker/complete", {R"({"results": [{"lease": 1}]})", 400, "results[0].lease"}},
      {"/v1/worker/complete", {R"({"results": [{"exit": 0}]})", 400, "results[0].lease"}},
      {"/v1/worker/complete", {R"({"results": [{"lease": "a/1/1", "exit": 256}]})", 400,
                               "results[0].exit"}},
      {"/v1/worker/complete", {R"({"results": [{"lease": "a/1/1", "timed_out": 1}]})", 400,
                               "results[0].timed_out"}},
      {"/v1/worker/complete", {R"({"results": [{"lease": "a/1/1", "bogus": 1}]})", 400,
                               "results[0].bogus"}},
  };
  for (const auto& [path, c] : cases) {
    SCOPED_TRACE(path + " " + c.body);
    ExpectError(http_->Post(path, c.body), c.status, "invalid_argument", c.needle);
  }
  // Well-formed calls about leases that do not exist change nothing.
  auto r = http_->Post("/v1/worker/complete",
                       R"({"results": [{"lease": "job_x/1/1", "exit": 0}, {"lease": "junk"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  IT_ASSIGN_OR_FAIL(Json doc, ParseJson(r->body));
  EXPECT_EQ(doc["rejected"].size(), 2u);
}

TEST_F(BadInputTest, OversizedHeaderIs431) {
  std::string request = "GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        server_->key() + "\r\nX-Big: " + std::string(64 * 1024, 'h') +
                        "\r\nConnection: close\r\n\r\n";
  std::string response = RawExchange(server_->port(), request);
  EXPECT_EQ(RawStatus(response), 431) << response.substr(0, 300);
  EXPECT_NE(RawBody(response).find("resource_exhausted"), std::string::npos) << response;
}

// Sends the head of a POST whose body is `body_bytes` long (or chunked), waits briefly for an early
// answer, then streams the body (zeros) while reading; returns what the server answered.
std::string PostHugeBody(int port, const std::string& key, size_t body_bytes, bool chunked) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) ::close(fd);
    return "";
  }
  std::string head = "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
                     "\r\nContent-Type: application/json\r\n";
  head += chunked ? "Transfer-Encoding: chunked\r\n"
                  : "Content-Length: " + std::to_string(body_bytes) + "\r\n";
  head += "\r\n";
  std::string got;
  char buf[65536];
  auto read_some = [&](int wait_ms) {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    return n <= 0;  // closed
  };
  bool closed = ::send(fd, head.data(), head.size(), MSG_NOSIGNAL) < 0 || read_some(1000);
  const size_t kChunk = 1 << 20;
  std::string chunk = chunked ? "100000\r\n" + std::string(kChunk, '0') + "\r\n"
                              : std::string(kChunk, '0');
  auto end = Clock::now() + seconds(60);
  for (size_t sent = 0; !closed && got.empty() && sent < body_bytes && Clock::now() < end;
       sent += kChunk) {
    if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) break;
    closed = read_some(0);
  }
  if (chunked && !closed && got.empty()) ::send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
  while (!closed && Clock::now() < end) closed = read_some(200);
  ::close(fd);
  return got;
}

TEST_F(BadInputTest, GibibyteBodyIs413AndTheServerKeepsItsMemory) {
  long before = ResidentKb(server_->pid());
  ASSERT_GT(before, 0);
  const size_t kBody = size_t{1} << 30;  // announced (or streamed) in full; the server stops early
  std::string response = PostHugeBody(server_->port(), server_->key(), kBody, false);
  EXPECT_EQ(RawStatus(response), 413) << response.substr(0, 300);
  EXPECT_NE(RawBody(response).find("resource_exhausted"), std::string::npos) << response;
  long after = ResidentKb(server_->pid());
  std::cout << "RSS before " << before << " KiB, after a 1 GiB Content-Length body " << after
            << " KiB\n";
  EXPECT_LT(after - before, 16 * 1024) << "the server buffered the rejected body";

  // Chunked: no length up front, the server must stop reading at its limit (16 MiB) and answer
  // 413 (or cut the connection), and give the memory back.
  std::string chunked = PostHugeBody(server_->port(), server_->key(), kBody, true);
  EXPECT_TRUE(chunked.empty() || RawStatus(chunked) == 413) << chunked.substr(0, 300);
  long after_chunked = ResidentKb(server_->pid());
  std::cout << "RSS after a 1 GiB chunked body " << after_chunked << " KiB (answer: "
            << (chunked.empty() ? std::string("connection cut") : chunked.substr(0, 12)) << ")\n";
  EXPECT_LT(after_chunked - before, 80 * 1024) << "the server held on to the rejected body";
}

TEST_F(BadInputTest, BytesThatAreNotHttpAreRefusedAndTheServerStaysUp) {
  const std::vector<std::string> garbage = {
      std::string("\x00\x01\x02\x03garbage\r\n\r\n", 15),
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello's start
      "HELLO WORLD\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "GET " + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",
  };
  for (const std::string& g : garbage) {
    SCOPED_TRACE("sent: " + g.substr(0, 40));
    std::string response = RawExchange(server_->port(), g, seconds(5));
    int status = RawStatus(response);
    EXPECT_TRUE(response.empty() || status == 400 || status == 431 || status == 505)
        << response.substr(0, 200);
    auto h = server_->Client()->Get("/healthz");
    ASSERT_TRUE(h.ok()) << h.status().message();
    EXPECT_EQ(h->status, 200);
  }
  // A client that connects and sends half a request, then hangs up.
  RawExchange(server_->port(), "POST /v1/jobs HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"ar",
              milliseconds(200));
  // Random binary junk.
  std::string junk(4096, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919 + 13) & 0xff);
  RawExchange(server_->port(), junk, seconds(5));
}

}  // namespace
}  // namespace skiff::it

// S3Store against the project's S3TestServer: what the typed conformance suite does not reach:
// addressing styles, credentials, retries, timeouts, HeadObject, long listings, and the test
// server's own strictness (so a green conformance run means the signatures were checked).
#include "store/s3/s3_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "core/ids.h"
#include "net/http_client.h"
#include "store/open_store.h"
#include "store/s3/testing/s3_test_server.h"

namespace skiff::store::s3 {
namespace {

using testing::S3TestServer;
const GetEnv kNoEnv = [](const char*) -> const char* { return nullptr; };

std::unique_ptr<S3Store> OpenOrDie(const std::string& url) {
  auto o = ParseS3Url(url, kNoEnv);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  if (!o.ok()) return nullptr;
  auto s = S3Store::Open(*o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(S3StoreTest, OpenStoreUrlPutsUnderThePrefix) {
  S3TestServer server;
  auto store = OpenStore(server.StoreUrl("team/a"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Backend(), "s3");
  ASSERT_TRUE((*store)->Put("jobs/j1.json", "{}").ok());
  EXPECT_EQ(server.Keys(), std::vector<std::string>{"team/a/jobs/j1.json"});
  auto list = (*store)->List({"jobs/", "", 10});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->keys, std::vector<std::string>{"jobs/j1.json"});
}

TEST(S3StoreTest, VirtualHostedAddressing) {
  S3TestServer server;
  // curl resolves *.localhost to loopback, so bucket.localhost:port reaches the test server.
  std::string url = "s3://" + std::string("SKIFFTESTACCESSKEY:skiff%2Ftest%2Bsecret@") +
                    server.options().bucket + "/v?endpoint=http://localhost:" +
                    std::to_string(server.port()) + "&path_style=0";
  auto store = OpenOrDie(url);
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->options().path_style);
  auto etag = store->Put("a b+c", "bytes");
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(server.Keys(), std::vector<std::string>{"v/a b+c"});
  auto got = store->Get("a b+c");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->bytes, "bytes");
}

TEST(S3StoreTest, WrongSecretIsPermissionDeniedAtOpen) {
  S3TestServer server;
  auto o = ParseS3Url(server.StoreUrl("p"), kNoEnv);
  ASSERT_TRUE(o.ok());
  o->credentials.secret_access_key = "not-the-secret";
  auto s = S3Store::Open(*o);
  EXPECT_EQ(s.status().code(), Code::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find("SignatureDoesNotMatch"), std::string::npos);
  o->credentials.access_key_id = "SOMEONEELSE";
  s = S3Store::Open(*o);
  EXPECT_NE(s.status().message().find("InvalidAccessKeyId"), std::string::npos);
  EXPECT_GE(server.stats().rejected_signatures, 2u);
  EXPECT_TRUE(server.Keys().empty());
}

TEST(S3StoreTest, CredentialsAndSessionTokenFromTheEnvironment) {
  testing::S3TestServerOptions so;
  so.credentials.session_token = "FQoG/session+token==";
  S3TestServer server(so);
  std::map<std::string, std::string> vars = {
      {"AWS_ACCESS_KEY_ID", so.credentials.access_key_id},
      {"AWS_SECRET_ACCESS_KEY", so.credentials.secret_access_key},
      {"AWS_SESSION_TOKEN", so.credentials.session_token},
      {"AWS_ENDPOINT_URL", server.endpoint()}};
  GetEnv env = [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  auto o = ParseS3Url("s3://skiff-test/env", env);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto store = S3Store::Open(*o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->Put("k", "v").ok());
  EXPECT_EQ(server.Keys(), std::vector<std::string>{"env/k"});
  // The same key without its token is refused.
  vars.erase("AWS_SESSION_TOKEN");
  o = ParseS3Url("s3://skiff-test/env", env);
  ASSERT_TRUE(o.ok());
  auto no_token = S3Store::Open(*o);
  EXPECT_EQ(no_token.status().code(), Code::kPermissionDenied);
  EXPECT_NE(no_token.status().message().find("InvalidToken"), std::string::npos);
}

TEST(S3StoreTest, MissingBucketIsNotFoundAtOpen) {
  S3TestServer server;
  std::string url = server.StoreUrl("p");
  url.replace(url.find("@skiff-test"), 11, "@no-such-bucket");
  auto s = OpenStore(url);
  EXPECT_EQ(s.status().code(), Code::kNotFound) << s.status().ToString();
  EXPECT_NE(s.status().message().find("NoSuchBucket"), std::string::npos);
}

TEST(S3StoreTest, ThrottlingAndServerErrorsAreRetried) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p", "retries=3"));
  ASSERT_TRUE(store);
  uint64_t before = store->requests();
  server.FailNext(2, 503, "SlowDown");
  auto put = store->Put("k", "v", Precondition::IfAbsent());
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(store->requests() - before, 3u);
  server.FailNext(1, 500, "InternalError");
  EXPECT_TRUE(store->Get("k").ok());
  // More failures than retries: Unavailable, naming the last error.
  server.FailNext(10, 503, "SlowDown");
  auto get = store->Get("k");
  EXPECT_EQ(get.status().code(), Code::kUnavailable);
  EXPECT_NE(get.status().message().find("SlowDown"), std::string::npos) << get.status().message();
  EXPECT_NE(get.status().message().find("after 4 attempts"), std::string::npos);
  server.FailNext(0);
  // A client error is not retried.
  before = store->requests();
  server.FailNext(1, 400, "InvalidRequest");
  EXPECT_EQ(store->Get("k").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store->requests() - before, 1u);
}

TEST(S3StoreTest, ARetriedConditionalPutThatLandedIsNotReportedAsAConflict) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p", "retries=2&timeout_ms=300"));
  ASSERT_TRUE(store);
  // The first attempt is applied but answers after the client's timeout; the retry then gets a
  // 412 for the object it wrote itself, and reads it back to see that it won.
  server.SetPutLatency(std::chrono::milliseconds(600));
  std::thread reset([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server.SetPutLatency(std::chrono::milliseconds(0));
  });
  auto put = store->Put("claim", "mine", Precondition::IfAbsent());
  reset.join();
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  auto got = store->Get("claim");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->etag, *put);
  // Someone else's bytes are still a conflict.
  EXPECT_EQ(store->Put("claim", "theirs", Precondition::IfAbsent()).status().code(),
            Code::kFailedPrecondition);
}

TEST(S3StoreTest, SlowAnswersTimeOut) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p", "retries=0&timeout_ms=200"));
  ASSERT_TRUE(store);
  server.SetPutLatency(std::chrono::milliseconds(1000));
  auto start = std::chrono::steady_clock::now();
  auto put = store->Put("slow", "x");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(put.status().code(), Code::kUnavailable) << put.status().ToString();
  EXPECT_LT(took, std::chrono::milliseconds(900));
}

TEST(S3StoreTest, ConnectionsAreReused) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p"));
  ASSERT_TRUE(store);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store->Put("k" + std::to_string(i % 7), std::string(i, 'x')).ok());
    ASSERT_TRUE(store->Get("k" + std::to_string(i % 7)).ok());
  }
  // One thread at a time: one kept-alive connection carries all 201 requests (Open's check too).
  EXPECT_EQ(server.stats().connections, 1u);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(store->Get("k1").ok());
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(server.stats().connections, 5u);
}

TEST(S3StoreTest, HeadObject) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p"));
  ASSERT_TRUE(store);
  auto etag = store->Put("doc", "12345");
  ASSERT_TRUE(etag.ok());
  auto head = store->Head("doc");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->etag, *etag);
  EXPECT_EQ(head->size, 5u);
  EXPECT_EQ(store->Head("none").status().code(), Code::kNotFound);
  EXPECT_EQ(store->Head("../x").status().code(), Code::kInvalidArgument);
}

TEST(S3StoreTest, LongListingsFollowContinuationTokens) {
  S3TestServer server;
  auto store = OpenOrDie(server.StoreUrl("p"));
  ASSERT_TRUE(store);
  constexpr int kKeys = 2300;
  for (int i = 0; i < kKeys; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "logs/%05d", i);
    ASSERT_TRUE(store->Put(key, "").ok());
  }
  uint64_t lists = server.stats().list;
  auto all = store->List({"logs/", "", 100000});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->keys.size(), static_cast<size_t>(kKeys));
  EXPECT_FALSE(all->truncated);
  EXPECT_EQ(all->keys.back(), "logs/02299");
  EXPECT_EQ(server.stats().list - lists, 3u);  // 1000 + 1000 + 300
  auto some = store->List({"logs/", "logs/00999", 1200});
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->keys.size(), 1200u);
  EXPECT_EQ(some->keys.front(), "logs/01000");
  EXPECT_TRUE(some->truncated);
}

TEST(S3TestServerTest, RejectsUnsignedAndTamperedRequests) {
  S3TestServer server;
  net::HttpClient http(server.endpoint(), "");
  auto unsigned_get = http.Get("/skiff-test/p/doc");
  ASSERT_TRUE(unsigned_get.ok());
  EXPECT_EQ(unsigned_get->status, 403);
  EXPECT_NE(unsigned_get->body.find("AccessDenied"), std::string::npos);
  EXPECT_EQ(server.stats().rejected_signatures, 1u);

  // A properly signed PUT, then the same request with one thing changed after signing.
  const Credentials& creds = server.options().credentials;
  S3TestServer::Request req;
  req.method = "PUT";
  req.target = "/skiff-test/p/doc";
  req.body = "hello";
  SignInput in{"PUT", req.target, {}, {}, skiff::Sha256Hex(req.body), AmzDate(std::chrono::system_clock::now()),
               "us-east-1", "s3"};
  in.headers = {{"host", "127.0.0.1"}, {"x-amz-content-sha256", in.payload_sha256},
                {"x-amz-date", in.amz_date}};
  for (const auto& [n, v] : in.headers) req.headers[n] = v;
  req.headers["authorization"] = Sign(in, creds).authorization;
  EXPECT_EQ(server.Handle(req).status, 200);
  S3TestServer::Request body = req;
  body.body = "HELLO";
  EXPECT_NE(server.Handle(body).body.find("XAmzContentSHA256Mismatch"), std::string::npos);
  S3TestServer::Request unsigned_condition = req;
  unsigned_condition.headers["if-none-match"] = "*";
  EXPECT_NE(server.Handle(unsigned_condition).body.find("SignatureDoesNotMatch"),
            std::string::npos);
  S3TestServer::Request other_key = req;
  other_key.target = "/skiff-test/p/other";
  EXPECT_NE(server.Handle(other_key).body.find("SignatureDoesNotMatch"), std::string::npos);
  S3TestServer::Request old = req;
  in.amz_date = "20150830T123600Z";
  old.headers["x-amz-date"] = in.amz_date;
  old.headers["authorization"] = Sign(in, creds).authorization;
  EXPECT_NE(server.Handle(old).body.find("RequestTimeTooSkewed"), std::string::npos);
  EXPECT_EQ(server.Keys(), std::vector<std::string>{"p/doc"});
}

}  // namespace
}  // namespace skiff::store::s3

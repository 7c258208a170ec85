// Observability end to end: /metrics scraped by promtool and by a real Prometheus, the access log
// (fields, correlation ids, no secrets), and X-Correlation-Id / traceparent reaching the task.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/ids.h"
#include "it_util.h"
#include "net/http_client.h"

namespace skiff::it {
namespace {

using skiff::testing::ReadFileOrEmpty;
using skiff::testing::RunProcess;
using skiff::testing::Subprocess;
using skiff::testing::WriteFileOrDie;

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// The value of the sample line `series` ("name{labels}") in a text exposition, or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// Every JSON line of a log file.
std::vector<Json> LogLines(const std::string& path) {
  std::vector<Json> out;
  std::istringstream in(ReadFileOrEmpty(path));
  for (std::string line; std::getline(in, line);) {
    auto j = ParseJson(line);
    if (j.ok()) out.push_back(*j);
  }
  return out;
}

// The path of `name` on $PATH ("" when absent).
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.workers = 1;
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
    admin_ = server_->Client();
    ASSERT_EQ(admin_->Post("/v1/teams", R"({"name":"acme"})")->status, 201);
    auto k = admin_->Post("/v1/teams/acme/keys", R"({"role":"member"})");
    ASSERT_TRUE(k.ok());
    ASSERT_EQ(k->status, 201) << k->body;
    member_key_ = Json::parse(k->body)["key"];
    member_ = server_->ClientWithKey(member_key_);
  }

  // Submits as the acme member and waits for the job to finish.
  Json RunJob(const std::string& script, const net::HttpHeaders& headers = {}) {
    auto r = member_->Post("/v1/jobs", ShJob(script).dump(), headers);
    EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().message());
    if (!r.ok() || r->status != 201) return Json();
    last_response_ = *r;
    auto job = server_->WaitFinished(Json::parse(r->body)["id"], seconds(60));
    EXPECT_TRUE(job.ok()) << job.status().message();
    return job.ok() ? *job : Json();
  }

  std::string Scrape() {
    auto r = admin_->Get("/metrics");
    EXPECT_TRUE(r.ok() && r->status == 200);
    return r.ok() ? r->body : "";
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<net::HttpClient> admin_;
  std::unique_ptr<net::HttpClient> member_;
  std::string member_key_;
  net::HttpResponse last_response_;
};

TEST_F(ObservabilityTest, MetricsCountJobsTasksAndRequestsByTemplateAndPassPromtool) {
  Json ok = RunJob("echo fine");
  Json ko = RunJob("exit 3");
  ASSERT_EQ(ok["status"], "succeeded");
  ASSERT_EQ(ko["status"], "failed");
  std::string id = ok["id"];
  ASSERT_EQ(member_->Get("/v1/jobs/" + id)->status, 200);
  ASSERT_EQ(member_->Get("/v1/nowhere/" + id)->status, 404);

  // Events reach the listener on its own thread: wait for the finished jobs to be counted.
  std::string text;
  ASSERT_TRUE(WaitUntil(
      [&] {
        text = Scrape();
        return Sample(text, R"(skiff_jobs_finished_total{status="failed",team="acme"})") == 1;
      },
      seconds(10)));
  EXPECT_EQ(Sample(text, R"(skiff_jobs_created_total{team="acme"})"), 2);
  EXPECT_EQ(Sample(text, R"(skiff_jobs_finished_total{status="succeeded",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_tasks_finished_total{result="ok",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_tasks_finished_total{result="ko",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_task_attempts_total{result="failed",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, "skiff_leases_granted_total"), 2);
  EXPECT_EQ(Sample(text, "skiff_queue_ready_tasks"), 0);
  EXPECT_EQ(Sample(text, "skiff_queue_oldest_ready_age_seconds"), 0);
  EXPECT_EQ(Sample(text, R"(skiff_http_requests_total{code="201",method="POST",route="/v1/jobs"})"),
            2);
  EXPECT_GE(
      Sample(text, R"(skiff_http_requests_total{code="200",method="GET",route="/v1/jobs/{id}"})"),
      1);
  EXPECT_EQ(Sample(text, R"(skiff_http_requests_total{code="404",method="GET",route="unmatched"})"),
            1);
  EXPECT_GE(Sample(text, R"(skiff_http_request_duration_seconds_count{method="POST",)"
                         R"(route="/v1/jobs"})"),
            2);
  EXPECT_GE(Sample(text, "skiff_journal_commit_duration_seconds_count"), 1);
  EXPECT_GE(Sample(text, "skiff_journal_commit_records_sum"), 2);
  EXPECT_GE(Sample(text, R"(skiff_store_operation_duration_seconds_count{backend="fs",op="put"})"),
            1);
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(Sample(text, "process_open_fds"), 3);
  EXPECT_GE(Sample(text, "process_cpu_seconds_total"), 0);
  // No label carries an id: the raw job id never appears.
  EXPECT_EQ(text.find(id), std::string::npos);

  std::string path = server_->scratch() + "/metrics.txt";
  WriteFileOrDie(path, text);
  auto check =
      RunProcess({"/bin/sh", "-c", "promtool check metrics < " + path}, {}, server_->scratch());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(ObservabilityTest, MetricsNeedAnAdminKey) {
  auto anonymous = server_->ClientWithKey("");
  EXPECT_EQ(anonymous->Get("/metrics")->status, 401);
  EXPECT_EQ(member_->Get("/metrics")->status, 403);
  auto r = admin_->Get("/metrics");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(admin_->Get("/metrics?x=1")->status, 400);
}

TEST_F(ObservabilityTest, PrometheusScrapesSkiffAndAnswersQueries) {
  ASSERT_EQ(RunJob("true")["status"], "succeeded");
  std::string dir = server_->scratch() + "/prom";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  WriteFileOrDie(dir + "/key", server_->key());
  WriteFileOrDie(dir + "/prometheus.yml",
                 "global:\n  scrape_interval: 1s\n"
                 "scrape_configs:\n"
                 "  - job_name: skiff\n"
                 "    authorization:\n"
                 "      type: Bearer\n"
                 "      credentials_file: " + dir + "/key\n"
                 "    static_configs:\n"
                 "      - targets: ['127.0.0.1:" + std::to_string(server_->port()) + "']\n");
  int port = FreePort();
  std::string binary = FindOnPath("prometheus");
  ASSERT_FALSE(binary.empty()) << "prometheus is not installed (scripts/setup.sh installs it)";
  Subprocess prom({binary, "--config.file=" + dir + "/prometheus.yml",
                   "--storage.tsdb.path=" + dir + "/data",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                  {}, dir + "/prometheus.log", dir + "/prometheus.log");
  net::HttpClient client("http://127.0.0.1:" + std::to_string(port), "");
  Json result;
  bool found = WaitUntil(
      [&] {
        auto r = client.Get("/api/v1/query?query=skiff_jobs_created_total");
        if (!r.ok() || r->status != 200) return false;
        auto j = ParseJson(r->body);
        if (!j.ok() || !(*j)["data"]["result"].is_array() || (*j)["data"]["result"].empty()) {
          return false;
        }
        result = (*j)["data"]["result"][0];
        return true;
      },
      seconds(60), milliseconds(250));
  ASSERT_TRUE(found) << ReadFileOrEmpty(dir + "/prometheus.log");
  EXPECT_EQ(result["metric"]["team"], "acme");
  EXPECT_EQ(result["metric"]["job"], "skiff");
  EXPECT_EQ(result["value"][1], "1");
  auto up = client.Get("/api/v1/query?query=up");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(Json::parse(up->body)["data"]["result"][0]["value"][1], "1") << up->body;
  prom.Terminate(std::chrono::seconds(10));
}

TEST_F(ObservabilityTest, CorrelationIdAndTraceparentTravelWithTheJob) {
  Json job = RunJob("echo \"$SKIFF_CORRELATION_ID|$TRACEPARENT\"",
                    {{"X-Correlation-Id", "order-7"}, {"traceparent", kTraceparent}});
  ASSERT_EQ(job["status"], "succeeded");
  EXPECT_EQ(last_response_.Header("x-correlation-id"), "order-7");
  EXPECT_EQ(job["correlation_id"], "order-7");
  EXPECT_EQ(job["traceparent"], kTraceparent);
  EXPECT_EQ(job["attempts"]["t-0001"][0]["stdout_tail"],
            std::string("order-7|") + kTraceparent + "\n");

  // No header: the request's generated id is echoed and is the job's id. A malformed traceparent
  // is ignored (W3C), not an error.
  Json gen = RunJob("echo \"[$TRACEPARENT]\"", {{"traceparent", "00-zz-yy-01"}});
  ASSERT_EQ(gen["status"], "succeeded");
  std::string echoed = last_response_.Header("x-correlation-id");
  EXPECT_EQ(echoed.size(), 32u);
  EXPECT_EQ(gen["correlation_id"], echoed);
  EXPECT_FALSE(gen.contains("traceparent"));
  EXPECT_EQ(gen["attempts"]["t-0001"][0]["stdout_tail"], "[]\n");
  // Every answer carries one, errors too.
  auto missing = member_->Get("/v1/jobs/job_nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("x-correlation-id").size(), 32u);
}

TEST_F(ObservabilityTest, AccessLogHasOneLinePerRequestAndNoSecrets) {
  std::string wrong_key = "skf_" + RandomBase62(43);
  Json job = RunJob("true", {{"X-Correlation-Id", "log-me"}, {"traceparent", kTraceparent}});
  ASSERT_EQ(job["status"], "succeeded");
  EXPECT_EQ(server_->ClientWithKey(wrong_key)->Get("/v1/jobs")->status, 401);
  // A key in a query string or an odd header is never echoed into the log either.
  EXPECT_EQ(member_->Get("/v1/jobs?key=" + member_key_)->status, 400);
  EXPECT_EQ(member_->Post("/v1/jobs", "{", {{"X-Api-Key", member_key_}})->status, 400);

  std::vector<Json> access;
  ASSERT_TRUE(WaitUntil(
      [&] {
        access.clear();
        for (const Json& l : LogLines(server_->log_path())) {
          if (l.value("msg", "") == "access") access.push_back(l);
        }
        return access.size() >= 6;  // teams, key, submit, polls, 401, 400, 400
      },
      seconds(10)));
  const Json* submit = nullptr;
  for (const Json& l : access) {
    if (l.value("correlation_id", "") == "log-me") submit = &l;
  }
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ((*submit)["route"], "/v1/jobs");
  EXPECT_EQ((*submit)["method"], "POST");
  EXPECT_EQ((*submit)["status"], 201);
  EXPECT_EQ((*submit)["team"], "acme");
  EXPECT_EQ((*submit)["user_id"], Sha256Hex(member_key_));
  EXPECT_EQ((*submit)["traceparent"], kTraceparent);
  EXPECT_EQ((*submit)["level"], "info");
  EXPECT_TRUE((*submit)["latency_ms"].is_number());
  EXPECT_GT((*submit)["bytes"].get<int>(), 0);
  EXPECT_TRUE((*submit)["ts"].is_string());
  bool saw_401 = false;
  for (const Json& l : access) {
    saw_401 = saw_401 || (l["status"] == 401 && l["route"] == "/v1/jobs");
    EXPECT_TRUE(l["correlation_id"].is_string() && !l["correlation_id"].get<std::string>().empty());
  }
  EXPECT_TRUE(saw_401);

  std::string log = ReadFileOrEmpty(server_->log_path());
  EXPECT_EQ(log.find(member_key_), std::string::npos);
  EXPECT_EQ(log.find(server_->key()), std::string::npos);
  EXPECT_EQ(log.find(wrong_key), std::string::npos);
  EXPECT_EQ(log.find("skf_"), std::string::npos) << "something key-like reached the log";
}

}  // namespace
}  // namespace skiff::it

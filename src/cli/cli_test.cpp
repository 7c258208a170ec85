// The CLI end to end in-process, against canned HTTP answers (the real server's tests live in
// tests/integration).
#include "cli/cli.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli_test_fixture.h"
#include "testing/canned_http_server.h"
#include "testing/temp_dir.h"

namespace skiff::cli {
namespace {

using nlohmann::json;
using skiff::testing::CannedResponse;
using skiff::testing::RecordedRequest;
using skiff::testing::TestHttpServer;

const char* kJob = R"({"id": "job_1", "status": "running", "name": "demo",
  "created_at": "2026-11-22T10:00:00.000Z", "finished_at": null, "cancelled_at": null,
  "counts": {"total": 2, "pending": 1, "running": 1, "ok": 0, "ko": 0}})";

class CliTest : public CliFixture {};

TEST_F(CliTest, SubmitYamlPostsJsonAndPrintsTheId) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{201, kJob, {}}; });
  std::string file = WriteFile("job.yaml", "name: demo\nargv: [echo, '{{n}}']\nitems: 2\n");
  RunResult r = RunAt(server, {"job", "submit", file, "--idempotency-key", "abc"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "job_1\n");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/jobs");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer skf_k");
  EXPECT_EQ(requests[0].headers["idempotency-key"], "abc");
  EXPECT_EQ(json::parse(requests[0].body),
            json::parse(R"({"name": "demo", "argv": ["echo", "{{n}}"], "items": 2})"));
}

TEST_F(CliTest, SubmitFromStdinAndJsonOutputKeepsServerOrder) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{201, R"({"zeta": 1, "id": "job_1", "alpha": 2})", {}};
  });
  std::istringstream in("argv: [true]\n");
  std::streambuf* old = std::cin.rdbuf(in.rdbuf());
  RunResult r = RunAt(server, {"-o", "json", "job", "submit", "-"});
  std::cin.rdbuf(old);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\n  \"zeta\": 1,\n  \"id\": \"job_1\",\n  \"alpha\": 2\n}\n");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(json::parse(server.requests()[0].body), json::parse(R"({"argv": [true]})"));
}

TEST_F(CliTest, BadJobFilesAreUsageErrors) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{201, kJob, {}}; });
  std::string bad = WriteFile("bad.yaml", "argv: [a,\nenv: {\n");
  RunResult r = RunAt(server, {"job", "submit", bad});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err.rfind("skiff: " + bad + ":", 0), 0u) << r.err;

  std::string list = WriteFile("list.json", "[1, 2]");
  r = RunAt(server, {"job", "submit", list});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("a job must be an object"), std::string::npos) << r.err;

  r = RunAt(server, {"job", "submit", home_.path() + "/missing.yaml"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(CliTest, ServerErrorsPrintCodeAndMessage) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{404, R"({"error": {"code": "not_found", "message": "no job job_x"}})", {}};
  });
  RunResult r = RunAt(server, {"job", "get", "job_x"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err, "skiff: not_found: no job job_x\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, UnauthenticatedWithoutKeyGivesAHint) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{401, R"({"error": {"code": "unauthenticated", "message": "no key"}})", {}};
  });
  RunResult r = Run({"--server", server.url(), "job", "list"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_NE(r.err.find("skiff: unauthenticated: no key\n"), std::string::npos);
  EXPECT_NE(r.err.find("SKIFF_KEY"), std::string::npos);
}

TEST_F(CliTest, NetworkErrorIsExitThree) {
  std::string url = "http://127.0.0.1:" + std::to_string(testing::UnusedPort());
  RunResult r = Run({"--server", url, "--key", "skf_secret", "job", "get", "job_1"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err.rfind("skiff: unavailable: GET " + url + "/v1/jobs/job_1: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find("skf_secret"), std::string::npos);
}

TEST_F(CliTest, GetEscapesTheIdAndAcceptsGlobalOptionsAfterTheVerb) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, kJob, {}}; });
  RunResult r = RunAt(server, {"job", "get", "../x", "-o", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(kJob));
  EXPECT_EQ(server.requests()[0].target, "/v1/jobs/..%2Fx");

  r = RunAt(server, {"job", "get", "job_1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("status:    running\n"), std::string::npos) << r.out;
}

TEST_F(CliTest, ListFollowsCursorsWithAll) {
  TestHttpServer server([](const RecordedRequest& req) {
    json page;
    if (req.target.find("cursor=c2") != std::string::npos) {
      page = {{"jobs", {json::parse(kJob)}}, {"next_cursor", nullptr}};
    } else {
      json job = json::parse(kJob);
      job["id"] = "job_2";
      page = {{"jobs", {job}}, {"next_cursor", "c2"}};
    }
    return CannedResponse{200, page.dump(), {}};
  });
  RunResult r = RunAt(server, {"job", "list", "--status", "running", "--limit", "1", "--all"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/v1/jobs?status=running&limit=1");
  EXPECT_EQ(requests[1].target, "/v1/jobs?status=running&limit=1&cursor=c2");
  EXPECT_EQ(r.out.rfind("ID     STATUS   TOTAL  OK  KO  CREATED               NAME\n", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("job_2  running"), std::string::npos);
  EXPECT_NE(r.out.find("job_1  running"), std::string::npos);

  r = RunAt(server, {"job", "list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("--cursor c2"), std::string::npos) << r.err;

  r = RunAt(server, {"job", "list", "--status", "weird"});
  EXPECT_EQ(r.code, kExitUsage);
}

TEST_F(CliTest, CancelAndRetryPostToTheirPaths) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, kJob, {}}; });
  EXPECT_EQ(RunAt(server, {"job", "cancel", "job_1"}).code, 0);
  RunResult r = RunAt(server, {"job", "retry", "job_1"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "job_1 running  ok 0  ko 0  pending 1\n");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "POST /v1/jobs/job_1/cancel");
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "POST /v1/jobs/job_1/retry");
}

// Answers "running" `polls_before_done` times, then `final_status`.
TestHttpServer::Handler Progressing(std::string final_status, int polls_before_done) {
  auto polls = std::make_shared<std::atomic<int>>(0);
  return [=](const RecordedRequest&) {
    json job = json::parse(kJob);
    if ((*polls)++ >= polls_before_done) {
      job["status"] = final_status;
      bool ok = final_status == "succeeded";
      job["counts"] = {{"total", 2}, {"pending", 0}, {"running", 0}, {"ok", ok ? 2 : 1},
                       {"ko", ok ? 0 : 1}};
    }
    return CannedResponse{200, job.dump(), {}};
  };
}

TEST_F(CliTest, WatchExitsZeroWhenTheJobSucceeds) {
  TestHttpServer server(Progressing("succeeded", 1));
  RunResult r = RunAt(server, {"job", "watch", "job_1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("[..............."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("job_1 succeeded  total 2  ok 2  ko 0\n"), std::string::npos) << r.out;
  EXPECT_EQ(server.requests()[0].target, "/v1/jobs/job_1?tasks=0");
}

TEST_F(CliTest, WatchExitsOneWhenTheJobFails) {
  TestHttpServer server(Progressing("failed", 0));
  RunResult r = RunAt(server, {"job", "watch", "job_1"});
  EXPECT_EQ(r.code, kExitJobFailed);
  EXPECT_NE(r.out.find("job_1 failed  total 2  ok 1  ko 1"), std::string::npos) << r.out;
}

TEST_F(CliTest, SubmitWatchJsonPrintsOnlyTheFinalJob) {
  TestHttpServer server(Progressing("cancelled", 1));
  std::string file = WriteFile("job.json", R"({"argv": ["true"]})");
  RunResult r = RunAt(server, {"-o", "json", "job", "submit", file, "--watch"});
  EXPECT_EQ(r.code, kExitJobFailed);
  EXPECT_EQ(json::parse(r.out)["status"], "cancelled");
}

TEST_F(CliTest, UsageErrorsAndHelp) {
  EXPECT_EQ(Run({"job", "get"}).code, kExitUsage);
  EXPECT_EQ(Run({"job"}).code, kExitUsage);
  EXPECT_EQ(Run({}).code, kExitUsage);
  RunResult bad = Run({"--bogus", "job", "list"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_EQ(bad.err.rfind("skiff: ", 0), 0u) << bad.err;
  EXPECT_EQ(Run({"-o", "yaml", "job", "list"}).code, kExitUsage);
  RunResult help = Run({"job", "submit", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--idempotency-key"), std::string::npos) << help.out;
}

TEST_F(CliTest, RegisterMoreAddsVerbs) {
  bool ran = false;
  auto more = [&](CLI::App& app) {
    app.add_subcommand("up", "start everything")->callback([&] { ran = true; });
    app.add_subcommand("worker", "run a worker")->callback([] { throw CLI::RuntimeError(7); });
  };
  EXPECT_EQ(Run({"up"}, more).code, 0);
  EXPECT_TRUE(ran);
  EXPECT_EQ(Run({"worker"}, more).code, 7);
  EXPECT_NE(Run({"--help"}, more).out.find("worker"), std::string::npos);
}

}  // namespace
}  // namespace skiff::cli

// Jobs whose tasks are real processes (`sh -c ...`) run by `skiff up`'s in-process workers:
// results, retries, timeouts, placeholders, environment and captured output.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::ProcessAlive;
using skiff::testing::ReadFileOrEmpty;

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.workers = 4;
    o.lease_ms = 3000;
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
  }

  // Submits and returns the id, failing the test (id "") when the answer is not 201.
  std::string Submit(const Json& body, const net::HttpHeaders& headers = {}) {
    auto http = server_->Client();
    auto r = http->Post("/v1/jobs", body.dump(), headers);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 201) << r->body;
    auto job = ParseJson(r->body);
    if (r->status != 201 || !job.ok() || !job->contains("id")) return "";
    EXPECT_EQ(r->Header("location"), "/v1/jobs/" + (*job)["id"].get<std::string>());
    return (*job)["id"].get<std::string>();
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(JobsTest, TasksSucceedAndTheirOutputIsRecorded) {
  std::string id = Submit(ShJob("echo out-{{index}}", {{"name", "ok-job"}, {"items", 5}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["name"], "ok-job");
  EXPECT_EQ(job["counts"], Json({{"total", 5}, {"pending", 0}, {"running", 0}, {"ok", 5},
                                 {"ko", 0}}));
  EXPECT_TRUE(job["finished_at"].is_string());
  EXPECT_TRUE(job["cancelled_at"].is_null());
  EXPECT_GE(ParseTimeMs(job["finished_at"]), ParseTimeMs(job["created_at"]));
  ASSERT_EQ(job["tasks"].size(), 5u);
  for (int i = 0; i < 5; ++i) {
    std::string task = "t-000" + std::to_string(i + 1);
    SCOPED_TRACE(task);
    EXPECT_EQ(job["tasks"][task], "ok");
    Json attempts = AttemptsOf(job, task);
    ASSERT_EQ(attempts.size(), 1u);
    const Json& a = attempts[0];
    EXPECT_EQ(a["n"], 1);
    EXPECT_EQ(a["result"], "ok");
    EXPECT_EQ(a["exit"], 0);
    EXPECT_EQ(a["stdout_tail"], "out-" + std::to_string(i) + "\n");
    EXPECT_FALSE(a["worker"].get<std::string>().empty());
    EXPECT_GE(a["wall_ms"].get<int64_t>(), 0);
    int64_t started = ParseTimeMs(a["started_at"]), ended = ParseTimeMs(a["ended_at"]);
    EXPECT_GT(started, 0);
    EXPECT_GE(ended, started);
  }
}

TEST_F(JobsTest, FailingTasksEndKoAfterExactlyMaxAttempts) {
  std::string id = Submit(ShJob("echo try $SKIFF_ATTEMPT; exit 3",
                                {{"items", 2}, {"max_attempts", 3}, {"backoff_ms", 0}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  EXPECT_EQ(job["status"], "failed");
  EXPECT_EQ(Count(job, "ko"), 2);
  EXPECT_EQ(Count(job, "ok"), 0);
  for (const char* task : {"t-0001", "t-0002"}) {
    SCOPED_TRACE(task);
    EXPECT_EQ(job["tasks"][task], "ko");
    Json attempts = AttemptsOf(job, task);
    ASSERT_EQ(attempts.size(), 3u);
    for (int n = 1; n <= 3; ++n) {
      const Json& a = attempts[n - 1];
      EXPECT_EQ(a["n"], n);
      EXPECT_EQ(a["result"], "failed");
      EXPECT_EQ(a["exit"], 3);
      EXPECT_EQ(a["stdout_tail"], "try " + std::to_string(n) + "\n");
    }
  }
}

TEST_F(JobsTest, TimeoutKillsTheProcessAndEndsKo) {
  std::string pid_file = server_->scratch() + "/timeout.pid";
  auto t0 = Clock::now();
  std::string id = Submit(ShJob("echo $$ > " + pid_file + "; exec sleep 30",
                                {{"timeout_s", 1}, {"max_attempts", 1}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(25)));
  int64_t took = MsSince(t0);
  EXPECT_LT(took, 10000) << "a 1 s timeout took " << took << " ms";
  EXPECT_EQ(job["status"], "failed");
  EXPECT_EQ(job["tasks"]["t-0001"], "ko");
  Json attempts = AttemptsOf(job, "t-0001");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0]["result"], "timeout");
  EXPECT_GE(attempts[0]["wall_ms"].get<int64_t>(), 900);
  pid_t pid = std::atoi(ReadFileOrEmpty(pid_file).c_str());
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pid); }, seconds(5)))
      << "the timed-out process " << pid << " still runs";
}

TEST_F(JobsTest, TaskSucceedsOnItsSecondAttemptAfterTheBackoff) {
  // The first attempt of each task leaves a marker and fails; the second finds it and succeeds.
  std::string script =
      "if [ -e \"$MARKS/{{task}}\" ]; then echo second $SKIFF_ATTEMPT; exit 0; fi; "
      "touch \"$MARKS/{{task}}\"; echo first $SKIFF_ATTEMPT; exit 1";
  std::string id = Submit(ShJob(script, {{"items", 2},
                                         {"max_attempts", 3},
                                         {"backoff_ms", 300},
                                         {"env", {{"MARKS", server_->scratch()}}}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  EXPECT_EQ(job["status"], "succeeded");
  for (const char* task : {"t-0001", "t-0002"}) {
    SCOPED_TRACE(task);
    EXPECT_EQ(job["tasks"][task], "ok");
    Json attempts = AttemptsOf(job, task);
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0]["result"], "failed");
    EXPECT_EQ(attempts[0]["exit"], 1);
    EXPECT_EQ(attempts[0]["stdout_tail"], "first 1\n");
    EXPECT_EQ(attempts[1]["result"], "ok");
    EXPECT_EQ(attempts[1]["n"], 2);
    EXPECT_EQ(attempts[1]["stdout_tail"], "second 2\n");
    // backoff_ms 300 with +-20% jitter: the retry starts at least 240 ms after the failure.
    int64_t gap = ParseTimeMs(attempts[1]["started_at"]) - ParseTimeMs(attempts[0]["ended_at"]);
    EXPECT_GE(gap, 235) << "retried " << gap << " ms after the failure";
  }
}

TEST_F(JobsTest, PlaceholdersFromItemsParamsAndBuiltinsReachArgv) {
  Json body = {
      {"argv", {"sh", "-c", "printf '%s|' \"$@\"", "sh", "{{greet}}", "{{name}}", "{{n}}",
                "{{flag}}", "{{x}}", "{{job}}", "{{task}}", "{{index}}", "{{ name }}-lit"}},
      {"params", {{"greet", "hello"}, {"n", 7}, {"flag", true}}},
      {"items", {{{"name", "a b"}, {"x", 1.5}}, {{"name", "b"}, {"x", -2}, {"greet", "hi"}}}}};
  std::string id = Submit(body);
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0]["stdout_tail"],
            "hello|a b|7|true|1.5|" + id + "|t-0001|0|a b-lit|");
  EXPECT_EQ(AttemptsOf(job, "t-0002")[0]["stdout_tail"],
            "hi|b|7|true|-2|" + id + "|t-0002|1|b-lit|");
  EXPECT_EQ(job["items"], body["items"]);
  EXPECT_EQ(job["params"], body["params"]);
  EXPECT_EQ(job["spec"]["argv"], body["argv"]);
}

TEST_F(JobsTest, EnvBuiltinVariablesAndCorrelationIdReachTheProcess) {
  Json body = ShJob(
      "echo \"$GREETING|$SKIFF_JOB|$SKIFF_TASK|$SKIFF_ATTEMPT|$SKIFF_CORRELATION_ID|$LANG\"",
      {{"env", {{"GREETING", "hi-{{name}}"}, {"LANG", "C"}}}, {"items", {{{"name", "a"}}}}});
  std::string id = Submit(body, {{"X-Correlation-Id", "corr-it-42"}});
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["correlation_id"], "corr-it-42");
  EXPECT_EQ(job["spec"]["env"]["GREETING"], "hi-{{name}}");
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0]["stdout_tail"],
            "hi-a|" + id + "|t-0001|1|corr-it-42|C\n");

  // A correlation_id in the body wins over the header; with neither, one is generated.
  std::string id2 = Submit(ShJob("echo $SKIFF_CORRELATION_ID", {{"correlation_id", "from-body"}}),
                           {{"X-Correlation-Id", "from-header"}});
  std::string id3 = Submit(ShJob("echo $SKIFF_CORRELATION_ID"));
  ASSERT_FALSE(id2.empty());
  ASSERT_FALSE(id3.empty());
  IT_ASSIGN_OR_FAIL(Json job2, server_->WaitFinished(id2, seconds(60)));
  IT_ASSIGN_OR_FAIL(Json job3, server_->WaitFinished(id3, seconds(60)));
  EXPECT_EQ(job2["correlation_id"], "from-body");
  EXPECT_EQ(AttemptsOf(job2, "t-0001")[0]["stdout_tail"], "from-body\n");
  std::string generated = job3["correlation_id"].get<std::string>();
  EXPECT_FALSE(generated.empty());
  EXPECT_EQ(AttemptsOf(job3, "t-0001")[0]["stdout_tail"], generated + "\n");
}

TEST_F(JobsTest, StdoutAndStderrTailsAreCaptured) {
  std::string id = Submit(ShJob("seq 1 20000; echo err-line >&2; echo done >&2"));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(job["status"], "succeeded");
  Json a = AttemptsOf(job, "t-0001")[0];
  std::string out = a["stdout_tail"].get<std::string>();
  EXPECT_GE(out.size(), 100u);
  EXPECT_LE(out.size(), 64u * 1024) << "the tail is not a tail";
  EXPECT_EQ(out.substr(out.size() - 12), "19999\n20000\n");
  EXPECT_EQ(a["stderr_tail"], "err-line\ndone\n");
}

TEST_F(JobsTest, OutputThatIsNotUtf8IsStoredAsValidUtf8AndUtf8ArgvRoundTrips) {
  const std::string script = "printf '\\377\\376 raw\\n'; printf '%s\\n' \"$1\"";
  std::string id = Submit({{"argv", {"sh", "-c", script, "sh", "h\u00e9llo \u2713"}}});
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(job["status"], "succeeded");
  std::string out = AttemptsOf(job, "t-0001")[0]["stdout_tail"];
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos) << "no U+FFFD for the bad bytes: " << out;
  EXPECT_NE(out.find(" raw\nh\xC3\xA9llo \xE2\x9C\x93\n"), std::string::npos) << out;
}

TEST_F(JobsTest, ProgramThatCannotStartEndsFailedWithAnError) {
  std::string id = Submit({{"argv", {"/nonexistent/skiff-test-program", "x"}}, {"max_attempts", 2},
                           {"backoff_ms", 0}});
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  EXPECT_EQ(job["status"], "failed");
  Json attempts = AttemptsOf(job, "t-0001");
  ASSERT_EQ(attempts.size(), 2u);
  for (const Json& a : attempts) {
    EXPECT_EQ(a["result"], "failed");
    EXPECT_NE(a.value("error", "").find("skiff-test-program"), std::string::npos) << a.dump();
  }
}

TEST_F(JobsTest, BackgroundChildrenDoNotHoldTheTaskOpen) {
  std::string pid_file = server_->scratch() + "/bg.pid";
  auto t0 = Clock::now();
  std::string id = Submit(ShJob("sleep 30 & echo $! > " + pid_file + "; echo parent done"));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  EXPECT_LT(MsSince(t0), 10000) << "the task waited for its background child";
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0]["stdout_tail"], "parent done\n");
  pid_t pid = std::atoi(ReadFileOrEmpty(pid_file).c_str());
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pid); }, seconds(5)))
      << "the task's background child " << pid << " outlived it";
}

TEST_F(JobsTest, GetWithTasksZeroLeavesOutItemsTasksAndAttempts) {
  std::string id = Submit(ShJob("true", {{"items", {{{"k", 1}}, {{"k", 2}}}}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json full, server_->WaitFinished(id, seconds(60)));
  EXPECT_TRUE(full.contains("items"));
  EXPECT_TRUE(full.contains("tasks"));
  EXPECT_TRUE(full.contains("attempts"));
  for (const char* q : {"?tasks=0", "?tasks=false"}) {
    auto r = server_->Client()->Get("/v1/jobs/" + id + q);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    IT_ASSIGN_OR_FAIL(Json brief, ParseJson(r->body));
    EXPECT_FALSE(brief.contains("items")) << q;
    EXPECT_FALSE(brief.contains("tasks")) << q;
    EXPECT_FALSE(brief.contains("attempts")) << q;
    EXPECT_EQ(brief["id"], id);
    EXPECT_EQ(brief["status"], "succeeded");
    EXPECT_EQ(brief["counts"], full["counts"]);
    EXPECT_EQ(brief["spec"], full["spec"]);
  }
  auto r = server_->Client()->Get("/v1/jobs/" + id + "?tasks=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"attempts\""), std::string::npos);
}

// The acceptance case: 1,000 tasks failing at random, 3 attempts, no backoff. Every "ko"
// task has exactly 3 failed attempts; every other task is "ok" after at most 3.
TEST_F(JobsTest, ThousandTasksFailingAtRandomEndWithExactAttemptCounts) {
  std::string id = Submit(
      ShJob("test $(( $(od -An -N2 -tu2 /dev/urandom) % 3 )) -ne 0",
            {{"items", 1000}, {"max_attempts", 3}, {"backoff_ms", 0}, {"name", "acceptance"}}));
  ASSERT_FALSE(id.empty());
  auto t0 = Clock::now();
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(180)));
  int ok = 0, ko = 0, attempts_total = 0;
  ASSERT_EQ(job["tasks"].size(), 1000u);
  for (auto it = job["tasks"].begin(); it != job["tasks"].end(); ++it) {
    const std::string& task = it.key();
    Json attempts = AttemptsOf(job, task);
    attempts_total += static_cast<int>(attempts.size());
    ASSERT_FALSE(attempts.empty()) << task;
    for (size_t k = 0; k < attempts.size(); ++k) {
      EXPECT_EQ(attempts[k]["n"], k + 1) << task;
      if (k + 1 < attempts.size()) {
        EXPECT_EQ(attempts[k]["result"], "failed") << task << " attempt " << k + 1;
      }
    }
    if (*it == "ko") {
      ++ko;
      EXPECT_EQ(attempts.size(), 3u) << task << ": " << attempts.dump();
      EXPECT_EQ(attempts.back()["result"], "failed") << task;
    } else {
      ++ok;
      EXPECT_EQ(*it, "ok") << task;
      EXPECT_LE(attempts.size(), 3u) << task;
      EXPECT_EQ(attempts.back()["result"], "ok") << task;
    }
  }
  EXPECT_EQ(ok + ko, 1000);
  EXPECT_EQ(Count(job, "ok"), ok);
  EXPECT_EQ(Count(job, "ko"), ko);
  EXPECT_EQ(job["status"], ko > 0 ? "failed" : "succeeded");
  // P(fail) = 1/3 per attempt: about 1,500 attempts and 37 ko tasks; far outside means the
  // tasks did not really run.
  EXPECT_GT(attempts_total, 1200);
  EXPECT_LT(ko, 150);
  std::cout << "acceptance: ok " << ok << ", ko " << ko << ", attempts " << attempts_total
            << ", " << MsSince(t0) << " ms\n";
}

}  // namespace
}  // namespace skiff::it

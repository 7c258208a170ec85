// Listing, cancelling, retrying and idempotent submits; derived status and counts driven step by
// step through the worker protocol against a server without workers.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::ProcessAlive;
using skiff::testing::ReadFileOrEmpty;

class JobsControlTest : public ::testing::Test {
 protected:
  void Start(TestServerOptions o) {
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
    http_ = server_->Client();
  }
  void SetUp() override {
    TestServerOptions o;
    o.workers = 4;
    o.lease_ms = 1500;  // heartbeats every 500 ms: cancelled processes die quickly
    Start(o);
  }

  // POST and parse; the test fails (and the result is null) on a transport error.
  Json PostJson(const std::string& path, const std::string& body, int expect_status,
                const net::HttpHeaders& headers = {}) {
    auto r = http_->Post(path, body, headers);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return Json();
    EXPECT_EQ(r->status, expect_status) << path << " " << r->body;
    auto j = ParseJson(r->body);
    return j.ok() ? *j : Json();
  }
  Json GetJson(const std::string& path) {
    auto r = http_->Get(path);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return Json();
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    auto j = ParseJson(r->body);
    return j.ok() ? *j : Json();
  }
  std::string Submit(const Json& body, const net::HttpHeaders& headers = {}) {
    Json job = PostJson("/v1/jobs", body.dump(), 201, headers);
    return job.is_object() && job.contains("id") ? job["id"].get<std::string>() : "";
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<net::HttpClient> http_;
};

TEST_F(JobsControlTest, ListFiltersByStatusAndPagesWithCursors) {
  std::vector<std::string> ids;  // in submit order
  for (int i = 0; i < 5; ++i) {
    std::string name = "list-" + std::to_string(i);
    ids.push_back(Submit(ShJob(i == 2 ? "exit 1" : "true", {{"name", name}})));
    ASSERT_FALSE(ids.back().empty());
  }
  for (const auto& id : ids) ASSERT_TRUE(server_->WaitFinished(id, seconds(60)).ok());

  Json all = GetJson("/v1/jobs");
  ASSERT_EQ(all["jobs"].size(), 5u);
  EXPECT_TRUE(all["next_cursor"].is_null());
  std::vector<std::string> listed;
  for (const Json& j : all["jobs"]) {
    listed.push_back(j["id"]);
    EXPECT_FALSE(j.contains("tasks"));
    EXPECT_FALSE(j.contains("attempts"));
    EXPECT_FALSE(j.contains("items"));
    EXPECT_TRUE(j.contains("counts"));
  }
  EXPECT_EQ(listed, std::vector<std::string>(ids.rbegin(), ids.rend())) << "not newest first";

  Json failed = GetJson("/v1/jobs?status=failed");
  ASSERT_EQ(failed["jobs"].size(), 1u);
  EXPECT_EQ(failed["jobs"][0]["id"], ids[2]);
  EXPECT_EQ(GetJson("/v1/jobs?status=succeeded")["jobs"].size(), 4u);
  EXPECT_EQ(GetJson("/v1/jobs?status=running")["jobs"].size(), 0u);
  EXPECT_EQ(GetJson("/v1/jobs?status=cancelled")["jobs"].size(), 0u);

  // limit=2: pages of 2, 2 and 1 in the same order, the last without a cursor.
  std::vector<std::string> paged;
  std::vector<size_t> sizes;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    Json p = GetJson("/v1/jobs?limit=2" +
                     (cursor.empty() ? "" : "&cursor=" + net::EscapeUrlComponent(cursor)));
    sizes.push_back(p["jobs"].size());
    for (const Json& j : p["jobs"]) paged.push_back(j["id"]);
    if (!p["next_cursor"].is_string()) break;
    cursor = p["next_cursor"];
  }
  EXPECT_EQ(sizes, std::vector<size_t>({2, 2, 1}));
  EXPECT_EQ(paged, listed);
  // A filter and a limit together.
  Json one = GetJson("/v1/jobs?status=succeeded&limit=3");
  EXPECT_EQ(one["jobs"].size(), 3u);
  EXPECT_TRUE(one["next_cursor"].is_string());
}

TEST_F(JobsControlTest, ListIsNewestFirstForBackToBackSubmits) {
  std::vector<std::string> ids;
  // Sequential submits take about a millisecond each, so many share a millisecond.
  for (int i = 0; i < 100; ++i) {
    ids.push_back(Submit({{"argv", {"true"}}}));
    ASSERT_FALSE(ids.back().empty());
  }
  Json all = GetJson("/v1/jobs?limit=1000");
  std::vector<std::string> listed;
  for (const Json& j : all["jobs"]) listed.push_back(j["id"]);
  EXPECT_EQ(listed, std::vector<std::string>(ids.rbegin(), ids.rend()))
      << "jobs submitted one after the other are not listed newest first";
}

TEST_F(JobsControlTest, CancelRunningJobKillsItsProcesses) {
  std::string dir = server_->scratch();
  std::string id = Submit(
      ShJob("echo $$ > " + dir + "/{{task}}.pid; exec sleep 30", {{"items", 3}}));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const char* t : {"t-0001", "t-0002", "t-0003"}) {
          if (ReadFileOrEmpty(dir + "/" + t + ".pid").empty()) return false;
        }
        return true;
      },
      seconds(20)))
      << "the three tasks did not start";
  std::vector<pid_t> pids;
  for (const char* t : {"t-0001", "t-0002", "t-0003"}) {
    pids.push_back(std::atoi(ReadFileOrEmpty(dir + "/" + t + ".pid").c_str()));
    ASSERT_TRUE(ProcessAlive(pids.back()));
  }
  // Retrying a running job is refused.
  Json refused = PostJson("/v1/jobs/" + id + "/retry", "", 409);
  EXPECT_EQ(refused["error"]["code"], "failed_precondition");

  Json cancelled = PostJson("/v1/jobs/" + id + "/cancel", "", 200);
  EXPECT_EQ(cancelled["status"], "cancelled");
  EXPECT_TRUE(cancelled["cancelled_at"].is_string());
  EXPECT_EQ(Count(cancelled, "ko"), 3);
  Json job = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(job["status"], "cancelled");
  for (const char* t : {"t-0001", "t-0002", "t-0003"}) {
    EXPECT_EQ(job["tasks"][t], "ko") << t;
    Json attempts = AttemptsOf(job, t);
    ASSERT_EQ(attempts.size(), 1u) << t;
    EXPECT_EQ(attempts[0]["result"], "cancelled") << t;
  }
  auto cancelled_at = Clock::now();
  // Killed at the worker's next heartbeat (every 500 ms here; up to 10 s while the worker's
  // first heartbeat is late, see HeartbeatsKeepAShortLeaseAliveFromTheWorkersStart).
  for (pid_t pid : pids) {
    EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pid); }, seconds(15)))
        << "process " << pid << " of the cancelled job still runs";
  }
  std::cout << "the cancelled job's processes were gone " << MsSince(cancelled_at)
            << " ms after the cancel\n";
  // The job stays cancelled (a late report changes nothing); cancelling again is a 409.
  std::this_thread::sleep_for(milliseconds(500));
  Json later = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(later["status"], "cancelled");
  EXPECT_EQ(later["attempts"], job["attempts"]);
  Json again = PostJson("/v1/jobs/" + id + "/cancel", "", 409);
  EXPECT_EQ(again["error"]["code"], "failed_precondition");
}

TEST_F(JobsControlTest, CancelOfFinishedOrUnknownJobIsRefused) {
  std::string id = Submit(ShJob("true"));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json job, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(job["status"], "succeeded");
  Json r = PostJson("/v1/jobs/" + id + "/cancel", "", 409);
  EXPECT_EQ(r["error"]["code"], "failed_precondition");
  EXPECT_EQ(GetJson("/v1/jobs/" + id)["status"], "succeeded");
  PostJson("/v1/jobs/job_00000000000000000000000000/cancel", "", 404);
  PostJson("/v1/jobs/job_00000000000000000000000000/retry", "", 404);
  // Retry of a job with no ko task is refused too.
  Json r2 = PostJson("/v1/jobs/" + id + "/retry", "", 409);
  EXPECT_EQ(r2["error"]["code"], "failed_precondition");
}

TEST_F(JobsControlTest, RetryRerunsOnlyTheKoTasksAndKeepsTheirAttempts) {
  std::string go = server_->scratch() + "/go";
  // Even indexes succeed at once; odd ones fail until the "go" file exists.
  std::string id = Submit(ShJob(
      "if [ $(({{index}} % 2)) -eq 0 ] || [ -e " + go + " ]; then exit 0; fi; exit 4",
      {{"items", 4}, {"max_attempts", 2}, {"backoff_ms", 0}}));
  ASSERT_FALSE(id.empty());
  IT_ASSIGN_OR_FAIL(Json first, server_->WaitFinished(id, seconds(60)));
  ASSERT_EQ(first["status"], "failed");
  EXPECT_EQ(first["tasks"], Json({{"t-0001", "ok"}, {"t-0002", "ko"}, {"t-0003", "ok"},
                                  {"t-0004", "ko"}}));
  skiff::testing::WriteFileOrDie(go, "");

  Json retried = PostJson("/v1/jobs/" + id + "/retry", "", 200);
  EXPECT_TRUE(retried["status"] == "running" || retried["status"] == "pending" ||
              retried["status"] == "succeeded")
      << retried["status"];
  EXPECT_TRUE(retried["finished_at"].is_null() || retried["status"] == "succeeded");
  IT_ASSIGN_OR_FAIL(Json done, server_->WaitFinished(id, seconds(60)));
  EXPECT_EQ(done["status"], "succeeded");
  EXPECT_EQ(Count(done, "ok"), 4);
  for (const char* t : {"t-0001", "t-0003"}) {  // not re-run
    EXPECT_EQ(AttemptsOf(done, t), AttemptsOf(first, t)) << t;
  }
  for (const char* t : {"t-0002", "t-0004"}) {
    SCOPED_TRACE(t);
    Json attempts = AttemptsOf(done, t);
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0], AttemptsOf(first, t)[0]);
    EXPECT_EQ(attempts[1], AttemptsOf(first, t)[1]);
    EXPECT_EQ(attempts[2]["result"], "ok");
    EXPECT_EQ(attempts[2]["n"], 3);
  }
}

TEST_F(JobsControlTest, IdempotencyKeyReturnsTheFirstJobWith200) {
  Json body = ShJob("true", {{"name", "idem"}});
  Json first = PostJson("/v1/jobs", body.dump(), 201, {{"Idempotency-Key", "key-1"}});
  ASSERT_TRUE(first.contains("id"));
  // Same key, even with another body: the first job, 200, nothing created.
  Json second = PostJson("/v1/jobs", ShJob("exit 1").dump(), 200, {{"Idempotency-Key", "key-1"}});
  EXPECT_EQ(second["id"], first["id"]);
  EXPECT_EQ(second["name"], "idem");
  Json third = PostJson("/v1/jobs", body.dump(), 201, {{"Idempotency-Key", "key-2"}});
  EXPECT_NE(third["id"], first["id"]);
  Json fourth = PostJson("/v1/jobs", body.dump(), 201);  // no key: always a new job
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 3u);
  // The key survives a restart.
  server_->Restart();
  ASSERT_TRUE(server_->started());
  http_ = server_->Client();
  Json after = PostJson("/v1/jobs", body.dump(), 200, {{"Idempotency-Key", "key-1"}});
  EXPECT_EQ(after["id"], first["id"]);
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 3u);
}

TEST_F(JobsControlTest, ConcurrentSubmitsWithOneIdempotencyKeyCreateOneJob) {
  constexpr int kThreads = 8;
  std::vector<int> statuses(kThreads);
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  const std::string body = ShJob("true", {{"items", 2}}).dump();
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto http = server_->Client();
      auto r = http->Post("/v1/jobs", body, {{"Idempotency-Key", "same-key"}});
      if (!r.ok()) return;
      statuses[i] = r->status;
      auto j = ParseJson(r->body);
      if (j.ok() && j->contains("id")) ids[i] = (*j)["id"];
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1) << Json(statuses).dump();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), kThreads - 1)
      << Json(statuses).dump();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u) << Json(ids).dump();
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 1u);
}

class ProtocolTest : public JobsControlTest {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.verb = "server";  // no workers: the test is the worker
    o.lease_ms = 1000;
    Start(o);
  }
  Json Lease(int max) {
    return PostJson("/v1/worker/lease",
                    Json({{"worker", "manual"}, {"max", max}, {"wait_ms", 0}}).dump(), 200);
  }
  Json Complete(const std::string& lease, int exit_code) {
    Json body = {{"results",
                  {{{"lease", lease}, {"exit", exit_code}, {"wall_ms", 5}, {"stdout_tail", "x"}}}}};
    return PostJson("/v1/worker/complete", body.dump(), 200);
  }
};

TEST_F(ProtocolTest, StatusAndCountsAreDerivedFromTheTasks) {
  Json submitted = PostJson("/v1/jobs", ShJob("echo {{index}}", {{"items", 3}}).dump(), 201);
  std::string id = submitted["id"];
  EXPECT_EQ(submitted["status"], "pending");
  EXPECT_EQ(submitted["counts"], Json({{"total", 3}, {"pending", 3}, {"running", 0}, {"ok", 0},
                                       {"ko", 0}}));
  Json l1 = Lease(1);
  ASSERT_EQ(l1["tasks"].size(), 1u);
  EXPECT_EQ(l1["lease_ms"], 1000);
  const Json& t = l1["tasks"][0];
  EXPECT_EQ(t["job"], id);
  EXPECT_EQ(t["task"], "t-0001");
  EXPECT_EQ(t["attempt"], 1);
  EXPECT_EQ(t["argv"], Json({"sh", "-c", "echo 0"}));
  EXPECT_EQ(t["env"]["SKIFF_TASK"], "t-0001");
  EXPECT_EQ(t["env"]["SKIFF_ATTEMPT"], "1");
  std::string lease1 = t["lease"];

  Json job = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(job["status"], "running");
  EXPECT_EQ(Count(job, "running"), 1);
  EXPECT_EQ(Count(job, "pending"), 2);
  EXPECT_TRUE(job["tasks"]["t-0001"].is_null());
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0]["worker"], "manual");
  EXPECT_TRUE(AttemptsOf(job, "t-0001")[0]["ended_at"].is_null());

  Json hb = PostJson("/v1/worker/heartbeat", Json({{"leases", {lease1}}}).dump(), 200);
  EXPECT_EQ(hb["extended"], Json({lease1}));
  Json c1 = Complete(lease1, 0);
  EXPECT_EQ(c1["accepted"], Json({lease1}));
  job = GetJson("/v1/jobs/" + id + "?tasks=0");
  EXPECT_EQ(job["status"], "running");
  EXPECT_EQ(job["counts"], Json({{"total", 3}, {"pending", 2}, {"running", 0}, {"ok", 1},
                                 {"ko", 0}}));

  Json l2 = Lease(5);
  ASSERT_EQ(l2["tasks"].size(), 2u);
  Complete(l2["tasks"][0]["lease"], 3);  // max_attempts 1: ko
  job = GetJson("/v1/jobs/" + id + "?tasks=0");
  EXPECT_EQ(job["status"], "running");
  EXPECT_EQ(job["counts"], Json({{"total", 3}, {"pending", 0}, {"running", 1}, {"ok", 1},
                                 {"ko", 1}}));
  EXPECT_TRUE(job["finished_at"].is_null());
  Complete(l2["tasks"][1]["lease"], 0);
  job = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(job["status"], "failed");
  EXPECT_TRUE(job["finished_at"].is_string());
  EXPECT_EQ(job["counts"], Json({{"total", 3}, {"pending", 0}, {"running", 0}, {"ok", 2},
                                 {"ko", 1}}));

  // A repeated report is accepted and changes nothing; unknown leases are rejected or lost.
  Json again = Complete(lease1, 1);
  EXPECT_EQ(again["accepted"], Json({lease1}));
  EXPECT_EQ(GetJson("/v1/jobs/" + id)["attempts"], job["attempts"]);
  Json unknown = Complete(id + "/99/1", 0);
  EXPECT_EQ(unknown["rejected"].size(), 1u);
  Json hb2 = PostJson("/v1/worker/heartbeat", Json({{"leases", {lease1, "nope"}}}).dump(), 200);
  EXPECT_EQ(hb2["lost"], Json({lease1, "nope"}));
  EXPECT_EQ(Lease(5)["tasks"].size(), 0u);
}

TEST_F(ProtocolTest, AnExpiredLeaseEndsTheAttemptAndTheTaskRunsAgain) {
  std::string id = Submit(ShJob("true", {{"max_attempts", 2}, {"backoff_ms", 0}}));
  ASSERT_FALSE(id.empty());
  Json l1 = Lease(1);
  ASSERT_EQ(l1["tasks"].size(), 1u);
  std::string lease1 = l1["tasks"][0]["lease"];
  // No heartbeat: after lease_ms (1000) the attempt ends as lease_expired.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return AttemptsOf(GetJson("/v1/jobs/" + id), "t-0001")[0]["result"] == "lease_expired";
      },
      seconds(10)));
  Json job = GetJson("/v1/jobs/" + id);
  EXPECT_TRUE(job["tasks"]["t-0001"].is_null());
  Json late = Complete(lease1, 0);
  ASSERT_EQ(late["rejected"].size(), 1u);
  EXPECT_EQ(late["rejected"][0]["reason"], "lease expired");
  Json hb = PostJson("/v1/worker/heartbeat", Json({{"leases", {lease1}}}).dump(), 200);
  EXPECT_EQ(hb["lost"], Json({lease1}));

  Json l2 = Lease(1);
  ASSERT_EQ(l2["tasks"].size(), 1u);
  EXPECT_EQ(l2["tasks"][0]["attempt"], 2);
  Complete(l2["tasks"][0]["lease"], 0);
  job = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(AttemptsOf(job, "t-0001").size(), 2u);
}

TEST_F(ProtocolTest, CancelledJobsHandOutNoTaskAndRefuseReports) {
  std::string first = Submit(ShJob("true", {{"items", 2}}));
  std::string running = Submit(ShJob("true", {{"items", 1}}));
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(running.empty());
  // Lease until the second job's task is out (round robin: at most three leases).
  std::string lease;
    for (int i = 0; i < 3 && lease.empty(); ++i) {
    Json l = Lease(1);
    ASSERT_EQ(l["tasks"].size(), 1u);
    if (l["tasks"][0]["job"] == running) {
      lease = l["tasks"][0]["lease"];
    }
  }
  ASSERT_FALSE(lease.empty());
  Json c1 = PostJson("/v1/jobs/" + first + "/cancel", "", 200);
  EXPECT_EQ(c1["status"], "cancelled");
  Json c2 = PostJson("/v1/jobs/" + running + "/cancel", "", 200);
  EXPECT_EQ(c2["status"], "cancelled");
  Json hb = PostJson("/v1/worker/heartbeat", Json({{"leases", {lease}}}).dump(), 200);
  EXPECT_EQ(hb["cancelled"], Json({lease}));
  Json late = Complete(lease, 0);
  ASSERT_EQ(late["rejected"].size(), 1u);
  EXPECT_EQ(late["rejected"][0]["reason"], "job cancelled");
  EXPECT_EQ(Lease(10)["tasks"].size(), 0u) << "a cancelled job's task was handed out";
  Json listed = GetJson("/v1/jobs?status=cancelled");
  EXPECT_EQ(listed["jobs"].size(), 2u);
  Json job = GetJson("/v1/jobs/" + running);
  EXPECT_EQ(job["tasks"]["t-0001"], "ko");
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0]["result"], "cancelled");
}

TEST_F(ProtocolTest, LargestJobIsAcceptedListedCancelledAndSurvivesARestart) {
  auto t0 = Clock::now();
  // 100,000 tasks on a server without workers; cancelled below.
  std::string id = Submit(ShJob("sleep 30", {{"items", 100000}}));
  ASSERT_FALSE(id.empty());
  std::cout << "submitting 100,000 tasks took " << MsSince(t0) << " ms\n";
  Json brief = GetJson("/v1/jobs/" + id + "?tasks=0");
  EXPECT_EQ(Count(brief, "total"), 100000);
  Json cancelled = PostJson("/v1/jobs/" + id + "/cancel", "", 200);
  EXPECT_EQ(cancelled["status"], "cancelled");
  EXPECT_EQ(Count(cancelled, "ko"), 100000);
  server_->Restart();
  ASSERT_TRUE(server_->started());
  http_ = server_->Client();
  std::cout << "restart with a cancelled 100,000-task job: " << server_->last_start_ms()
            << " ms\n";
  Json job = GetJson("/v1/jobs/" + id);
  EXPECT_EQ(job["status"], "cancelled");
  ASSERT_EQ(job["tasks"].size(), 100000u);
  EXPECT_TRUE(job["tasks"].contains("t-000001"));
  EXPECT_TRUE(job["tasks"].contains("t-100000"));
}

TEST_F(ProtocolTest, LongPollLeaseWakesUpForANewJob) {
  auto poller = server_->Client();
  Json got;
  std::thread t([&] {
    auto r = poller->Post("/v1/worker/lease",
                          Json({{"worker", "poll"}, {"max", 1}, {"wait_ms", 10000}}).dump());
    if (!r.ok() || r->status != 200) return;
    auto j = ParseJson(r->body);
    if (j.ok()) got = *j;
  });
  std::this_thread::sleep_for(milliseconds(300));
  auto t0 = Clock::now();
  std::string id = Submit(ShJob("true"));
  t.join();
  EXPECT_LT(MsSince(t0), 5000) << "the long poll did not wake up for the new task";
  ASSERT_EQ(got["tasks"].size(), 1u);
  EXPECT_EQ(got["tasks"][0]["job"], id);
}

}  // namespace
}  // namespace skiff::it

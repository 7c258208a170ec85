#include "coord/coordinator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <set>

#include "coord/coordinator_test_util.h"

namespace skiff::coord {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST_F(CoordinatorTest, OpenNeedsAJournalFolder) {
  CoordinatorOptions o = Options();
  o.journal_dir = "";
  auto c = Coordinator::Open(&store_, &clock_, o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
}

TEST_F(CoordinatorTest, SubmitLeaseCompleteSucceeds) {
  Open();
  Json body = {{"name", "thumbs"},
               {"argv", {"convert", "{{src}}", "{{size}}"}},
               {"env", {{"LANG", "C"}}},
               {"params", {{"size", "320x240"}}},
               {"items", {{{"src", "a.png"}}, {{"src", "b.png"}}, {{"src", "c.png"}}}},
               {"timeout_s", 60},
               {"correlation_id", "corr-1"}};
  std::string id = Submit(body);
  ASSERT_FALSE(id.empty());
  Json job = Get(id);
  EXPECT_EQ(job["status"], "pending");
  EXPECT_EQ(job["team"], "acme");
  EXPECT_EQ(job["user_id"], "alice-hash");
  EXPECT_EQ(job["counts"]["total"], 3);
  EXPECT_EQ(job["counts"]["pending"], 3);

  std::vector<LeasedTask> tasks = Lease(10);
  ASSERT_EQ(tasks.size(), 3u);
  std::map<std::string, LeasedTask> by_task;
  for (const auto& t : tasks) by_task[t.task] = t;
  ASSERT_EQ(by_task.size(), 3u);
  const LeasedTask& t2 = by_task.at("t-0002");
  EXPECT_EQ(t2.job, id);
  EXPECT_EQ(t2.attempt, 1);
  EXPECT_THAT(t2.argv, ElementsAre("convert", "b.png", "320x240"));
  EXPECT_EQ(t2.env.at("LANG"), "C");
  EXPECT_EQ(t2.env.at("SKIFF_JOB"), id);
  EXPECT_EQ(t2.env.at("SKIFF_TASK"), "t-0002");
  EXPECT_EQ(t2.env.at("SKIFF_ATTEMPT"), "1");
  EXPECT_EQ(t2.env.at("SKIFF_CORRELATION_ID"), "corr-1");
  EXPECT_EQ(t2.timeout_s, 60);
  EXPECT_THAT(Lease(10), IsEmpty());

  job = Get(id);
  EXPECT_EQ(job["status"], "running");
  EXPECT_EQ(job["counts"]["running"], 3);
  EXPECT_EQ(job["attempts"]["t-0001"][0]["worker"], "w1");

  for (const auto& t : tasks) Finish(t, 0);
  job = Get(id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["tasks"], Json({{"t-0001", "ok"}, {"t-0002", "ok"}, {"t-0003", "ok"}}));
  EXPECT_EQ(job["attempts"]["t-0002"].size(), 1u);
  EXPECT_EQ(job["attempts"]["t-0002"][0]["result"], "ok");
  EXPECT_EQ(job["attempts"]["t-0002"][0]["exit"], 0);
  EXPECT_EQ(job["attempts"]["t-0002"][0]["stdout_tail"], "out of t-0002");
  EXPECT_FALSE(job["finished_at"].is_null());
  EXPECT_EQ(job["counts"]["ok"], 3);

  CoordinatorStats st = coord_->Stats();
  EXPECT_EQ(st.jobs, 1u);
  EXPECT_EQ(st.live_jobs, 0u);
  EXPECT_EQ(st.leases_granted, 3u);
  EXPECT_EQ(st.leased_tasks, 0u);
}

TEST_F(CoordinatorTest, SubmitGeneratesCorrelationIdAndRejectsBadPlaceholders) {
  Open();
  std::string id = Submit(Body(1));
  EXPECT_EQ(Get(id)["correlation_id"].get<std::string>().size(), 32u);

  auto sub = ParseJobSubmission({{"argv", {"x", "{{nope}}"}}});
  ASSERT_TRUE(sub.ok());
  bool created = true;
  auto r = coord_->Submit(std::move(sub).value(), alice_, "", &created);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("{{nope}}"));
  EXPECT_FALSE(created);
  EXPECT_EQ(coord_->Stats().jobs, 1u);
}

TEST_F(CoordinatorTest, FailingTaskIsRetriedUpToMaxAttemptsThenKo) {
  Open();
  std::string id = Submit(Body(1, 3));
  for (int n = 1; n <= 3; ++n) {
    std::vector<LeasedTask> t = LeaseAtLeast(1);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].attempt, n);
    EXPECT_EQ(t[0].env.at("SKIFF_ATTEMPT"), std::to_string(n));
    Finish(t[0], 7);
    Json job = Get(id);
    EXPECT_EQ(job["status"], n < 3 ? "running" : "failed") << n;
  }
  Json job = Get(id);
  EXPECT_EQ(job["tasks"]["t-0001"], "ko");
  ASSERT_EQ(job["attempts"]["t-0001"].size(), 3u);
  for (const Json& a : job["attempts"]["t-0001"]) {
    EXPECT_EQ(a["result"], "failed");
    EXPECT_EQ(a["exit"], 7);
  }
  EXPECT_THAT(Lease(10, 30), IsEmpty());
  EXPECT_EQ(coord_->Stats().retries, 2u);
}

TEST_F(CoordinatorTest, RetryWaitsForItsBackoff) {
  Open();
  std::string id = Submit(Body(1, 2, 1000));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  Finish(t[0], 1);
  // The retry is due in 800..1200 ms of the (manual) clock: nothing to lease yet.
  EXPECT_THAT(Lease(1, 50), IsEmpty());
  clock_.Advance(1300);
  auto again = LeaseAtLeast(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2);
}

TEST_F(CoordinatorTest, TimedOutAndSignalledAttemptsFail) {
  Open();
  std::string id = Submit(Body(2, 1));
  auto t = Lease(2);
  ASSERT_EQ(t.size(), 2u);
  TaskReport timed = Report(t[0], -1);
  timed.timed_out = true;
  TaskReport killed = Report(t[1], 0);  // exit 0 but killed by a signal is no success
  killed.signal = 9;
  auto r = coord_->Complete({timed, killed});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted.size(), 2u);
  Json job = Get(id);
  EXPECT_EQ(job["status"], "failed");
  std::set<std::string> results;
  for (const auto& [task, attempts] : job["attempts"].items()) {
    results.insert(attempts[0]["result"].get<std::string>());
  }
  EXPECT_THAT(results, UnorderedElementsAre("timeout", "failed"));
}

TEST_F(CoordinatorTest, LeaseExpiryPutsTheTaskBack) {
  Open();
  std::string id = Submit(Body(1, 2));
  auto first = Lease(1);
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(301);
  ASSERT_TRUE(Eventually([&] {
    return Get(id)["attempts"]["t-0001"][0]["result"] == "lease_expired";
  }));
  Json job = Get(id);
  EXPECT_EQ(job["tasks"]["t-0001"], nullptr);
  EXPECT_THAT(job["attempts"]["t-0001"][0]["error"].get<std::string>(), HasSubstr("heartbeat"));

  auto second = LeaseAtLeast(1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].task, "t-0001");
  EXPECT_EQ(second[0].attempt, 2);
  EXPECT_NE(second[0].lease, first[0].lease);

  // The first worker wakes up: its heartbeat is lost and its result rejected.
  auto hb = coord_->Heartbeat({first[0].lease});
  ASSERT_TRUE(hb.ok());
  EXPECT_THAT(hb->lost, ElementsAre(first[0].lease));
  CompleteResponse late = Complete(first[0], 0);
  EXPECT_THAT(late.accepted, IsEmpty());
  EXPECT_THAT(late.rejected, ElementsAre(Pair(first[0].lease, "lease expired")));

  Finish(second[0], 0);
  EXPECT_EQ(Get(id)["status"], "succeeded");
  EXPECT_EQ(coord_->Stats().leases_expired, 1u);
}

TEST_F(CoordinatorTest, LeaseExpiryOnTheLastAttemptIsKo) {
  Open();
  std::string id = Submit(Body(1, 1));
  ASSERT_EQ(Lease(1).size(), 1u);
  clock_.Advance(301);
  ASSERT_TRUE(Eventually([&] { return Get(id)["status"] == "failed"; }));
  EXPECT_EQ(Get(id)["attempts"]["t-0001"][0]["result"], "lease_expired");
}

TEST_F(CoordinatorTest, HeartbeatsPreventExpiry) {
  Open();
  std::string id = Submit(Body(1, 2));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(200);
    auto hb = coord_->Heartbeat({t[0].lease});
    ASSERT_TRUE(hb.ok());
    EXPECT_THAT(hb->extended, ElementsAre(t[0].lease));
    EXPECT_THAT(hb->lost, IsEmpty());
    // Let the timer look at the lease a few times: 1000 ms have passed since the grant.
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  Json job = Get(id);
  EXPECT_TRUE(job["attempts"]["t-0001"][0]["result"].is_null());
  EXPECT_EQ(job["counts"]["running"], 1);
  EXPECT_EQ(coord_->Stats().leases_expired, 0u);
  Finish(t[0], 0);
  EXPECT_EQ(Get(id)["status"], "succeeded");

  // Without heartbeats the next lease expires.
  std::string id2 = Submit(Body(1, 1));
  ASSERT_EQ(Lease(1).size(), 1u);
  clock_.Advance(301);
  ASSERT_TRUE(Eventually([&] { return Get(id2)["status"] == "failed"; }));
}

TEST_F(CoordinatorTest, HeartbeatOfUnknownOrMalformedLeaseIsLost) {
  Open();
  std::string id = Submit(Body(1));
  auto hb = coord_->Heartbeat({"nope", id + "/0/1", id + "/5/1", "job_X/0/1", id + "/0/x", ""});
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->lost.size(), 6u);
  EXPECT_THAT(hb->extended, IsEmpty());
}

TEST_F(CoordinatorTest, CompleteRejectsUnknownLeasesAndAcceptsRepeats) {
  Open();
  std::string id = Submit(Body(1));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  TaskReport bad;
  bad.lease = id + "/0/9";
  TaskReport garbage;
  garbage.lease = "garbage";
  auto r = coord_->Complete({bad, garbage, Report(t[0], 0)});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->accepted, ElementsAre(t[0].lease));
  EXPECT_THAT(r->rejected, ElementsAre(Pair(bad.lease, "unknown lease"),
                                       Pair("garbage", "unknown lease")));
  // The worker did not hear the answer and sends the same result again.
  CompleteResponse again = Complete(t[0], 0);
  EXPECT_THAT(again.accepted, ElementsAre(t[0].lease));
  Json job = Get(id);
  EXPECT_EQ(job["attempts"]["t-0001"].size(), 1u);
  EXPECT_EQ(job["status"], "succeeded");
}

TEST_F(CoordinatorTest, CancelEndsPendingAndRunningTasks) {
  Open();
  std::string id = Submit(Body(3, 3));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);

  auto other = coord_->Cancel(id, eve_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kNotFound);

  auto c = coord_->Cancel(id, alice_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)["status"], "cancelled");
  Json job = Get(id);
  EXPECT_EQ(job["status"], "cancelled");
  EXPECT_FALSE(job["cancelled_at"].is_null());
  EXPECT_EQ(job["tasks"], Json({{"t-0001", "ko"}, {"t-0002", "ko"}, {"t-0003", "ko"}}));
  EXPECT_EQ(job["attempts"][t[0].task][0]["result"], "cancelled");
  EXPECT_EQ(job["counts"]["ko"], 3);

  auto hb = coord_->Heartbeat({t[0].lease});
  ASSERT_TRUE(hb.ok());
  EXPECT_THAT(hb->cancelled, ElementsAre(t[0].lease));
  EXPECT_THAT(hb->extended, IsEmpty());
  CompleteResponse r = Complete(t[0], 0);
  EXPECT_THAT(r.accepted, IsEmpty());
  EXPECT_THAT(r.rejected, ElementsAre(Pair(t[0].lease, "job cancelled")));
  EXPECT_THAT(Lease(10, 20), IsEmpty());
  EXPECT_EQ(Get(id)["status"], "cancelled");

  auto twice = coord_->Cancel(id, alice_);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), Code::kFailedPrecondition);
  CoordinatorStats st = coord_->Stats();
  EXPECT_EQ(st.ready_tasks, 0u);
  EXPECT_EQ(st.leased_tasks, 0u);
}

TEST_F(CoordinatorTest, CancelFinishedJobIsFailedPrecondition) {
  Open();
  std::string id = Submit(Body(1));
  Finish(Lease(1).at(0), 0);
  auto c = coord_->Cancel(id, alice_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Get(id)["status"], "succeeded");
}

TEST_F(CoordinatorTest, RetryRerunsOnlyKoTasks) {
  Open();
  std::string id = Submit(Body(3, 1));
  auto t = Lease(3);
  ASSERT_EQ(t.size(), 3u);
  auto early = coord_->Retry(id, alice_);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Code::kFailedPrecondition);  // still running

  std::string failed_task;
  for (const auto& x : t) {
    bool fail = x.task == "t-0002";
    if (fail) failed_task = x.task;
    Finish(x, fail ? 1 : 0);
  }
  ASSERT_EQ(Get(id)["status"], "failed");

  EXPECT_EQ(coord_->Retry(id, eve_).status().code(), Code::kNotFound);
  auto r = coord_->Retry(id, alice_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["status"], "running");
  Json job = Get(id);
  EXPECT_EQ(job["round"], 1);
  EXPECT_EQ(job["tasks"], Json({{"t-0001", "ok"}, {"t-0002", nullptr}, {"t-0003", "ok"}}));
  EXPECT_TRUE(job["finished_at"].is_null());

  auto again = LeaseAtLeast(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].task, "t-0002");
  EXPECT_EQ(again[0].attempt, 2);
  EXPECT_THAT(Lease(10, 20), IsEmpty());
  Finish(again[0], 0);
  job = Get(id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["attempts"]["t-0002"].size(), 2u);  // the failed attempt is kept
  EXPECT_EQ(job["attempts"]["t-0002"][0]["result"], "failed");
  EXPECT_EQ(job["attempts"]["t-0002"][1]["round"], 1);
  EXPECT_EQ(job["attempts"]["t-0001"].size(), 1u);

  auto nothing = coord_->Retry(id, alice_);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.status().code(), Code::kFailedPrecondition);  // no ko task
}

TEST_F(CoordinatorTest, RetryOfCancelledJobRespectsBackoff) {
  Open();
  std::string id = Submit(Body(2, 2, 100000));
  ASSERT_EQ(Lease(1).size(), 1u);  // the other task stays queued
  ASSERT_TRUE(coord_->Cancel(id, alice_).ok());
  ASSERT_TRUE(coord_->Retry(id, alice_).ok());
  // Each task is queued once: two leases take both.
  auto a = Lease(1);
  auto b = Lease(1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].task, b[0].task);
  // A failure now waits for its backoff (80 s at least): no stale queue entry hands it out early.
  Finish(a[0], 1);
  EXPECT_THAT(Lease(10, 50), IsEmpty());
}

TEST_F(CoordinatorTest, IdempotencyKeyReturnsTheSameJob) {
  Open();
  bool created = false;
  std::string a = Submit(Body(2), alice_, "key-1", &created);
  EXPECT_TRUE(created);
  std::string again = Submit(Body(5), alice_, "key-1", &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(again, a);
  EXPECT_EQ(Get(a)["counts"]["total"], 2);  // the first submit's job, not the second body
  // Another key holder with the same key, or another key: a new job.
  std::string b = Submit(Body(1), bob_, "key-1", &created);
  EXPECT_TRUE(created);
  EXPECT_NE(b, a);
  std::string c = Submit(Body(1), alice_, "key-2", &created);
  EXPECT_TRUE(created);
  EXPECT_NE(c, a);
  // No key: always new.
  EXPECT_NE(Submit(Body(1)), Submit(Body(1)));
  EXPECT_EQ(coord_->Stats().jobs, 5u);
  EXPECT_EQ(Lease(100).size(), 2u + 1 + 1 + 1 + 1);
}

TEST_F(CoordinatorTest, OtherTeamsSeeNotFoundAdminsSeeAll) {
  Open();
  std::string id = Submit(Body(1));
  auto r = coord_->GetJob(id, eve_, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_TRUE(coord_->GetJob(id, bob_, false).ok());  // same team
  auto adm = coord_->GetJob(id, admin_, false);
  ASSERT_TRUE(adm.ok());
  EXPECT_FALSE(adm->contains("tasks"));
  EXPECT_EQ(coord_->GetJob("job_nope", admin_, true).status().code(), Code::kNotFound);
}

TEST_F(CoordinatorTest, ListJobsNewestFirstWithPagesAndStatus) {
  Open();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Submit(Body(1)));
    clock_.Advance(10);  // ids sort by creation time
  }
  Submit(Body(1), eve_);
  Finish(LeaseAtLeast(6).front(), 0);  // one job finished (whichever came first)

  ListJobsRequest req;
  req.limit = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = coord_->ListJobs(req, alice_);
    ASSERT_TRUE(r.ok());
    for (const Json& j : r->jobs) {
      EXPECT_FALSE(j.contains("tasks"));
      seen.push_back(j["id"]);
    }
    if (r->next_cursor.empty()) break;
    req.cursor = r->next_cursor;
  }
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, newest_first);

  ListJobsRequest running;
  running.status = JobStatus::kRunning;
  auto r = coord_->ListJobs(running, admin_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->jobs.size(), 5u);  // six jobs leased, one finished
  ListJobsRequest zero;
  zero.limit = 0;
  EXPECT_EQ(coord_->ListJobs(zero, alice_).status().code(), Code::kInvalidArgument);
}

TEST_F(CoordinatorTest, FairDispatchDoesNotStarveASmallJob) {
  Open();
  std::string big = Submit(Body(1000));
  std::string small = Submit(Body(3));
  std::vector<int> small_positions;
  int leased = 0;
  for (int batch = 0; batch < 3; ++batch) {
    for (const auto& t : Lease(10)) {
      if (t.job == small) small_positions.push_back(leased);
      ++leased;
    }
  }
  EXPECT_EQ(leased, 30);
  // Jobs take turns: the small job's tasks come out in the first batch, not after 1000.
  ASSERT_EQ(small_positions.size(), 3u);
  EXPECT_LT(small_positions.back(), 10);
  auto next = Lease(1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].job, big);
}

TEST_F(CoordinatorTest, WorkerLimitedToTeamsLeasesOnlyTheirTasks) {
  Open();
  std::string mine = Submit(Body(3));
  std::string theirs = Submit(Body(2), eve_);
  LeaseRequest req;
  req.worker = "team-worker";
  req.max = 10;
  req.teams = {"other"};
  auto r = coord_->Lease(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->tasks.size(), 2u);
  for (const auto& t : r->tasks) EXPECT_EQ(t.job, theirs);
  // Nothing left for that team: a long poll waits, then returns empty, skipping acme's tasks.
  req.wait_ms = 50;
  r = coord_->Lease(req);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->tasks, IsEmpty());
  // acme's tasks are all still there for an unrestricted worker.
  auto rest = Lease(10);
  ASSERT_EQ(rest.size(), 3u);
  for (const auto& t : rest) EXPECT_EQ(t.job, mine);
}

TEST_F(CoordinatorTest, LongPollReturnsWhenAJobIsSubmitted) {
  Open();
  auto t0 = std::chrono::steady_clock::now();
  auto waiter = std::async(std::launch::async, [&] { return Lease(5, 20000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string id = Submit(Body(2));
  std::vector<LeasedTask> got = waiter.get();
  auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].job, id);
  EXPECT_LT(waited, std::chrono::seconds(10));  // far below wait_ms
}

TEST_F(CoordinatorTest, LongPollReturnsWhenARetryBecomesReady) {
  Open();
  std::string id = Submit(Body(1, 2, 0));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  auto waiter = std::async(std::launch::async, [&] { return Lease(1, 20000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  Finish(t[0], 1);
  auto got = waiter.get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].attempt, 2);
}

TEST_F(CoordinatorTest, DrainEndsLongPolls) {
  Open();
  auto waiter = std::async(std::launch::async, [&] { return Lease(5, 20000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  coord_->Drain();
  EXPECT_THAT(waiter.get(), IsEmpty());
  Submit(Body(1));
  EXPECT_THAT(Lease(5, 1000), IsEmpty());
}

TEST_F(CoordinatorTest, ShutdownEndsLongPollsAndRefusesSubmits) {
  Open();
  auto waiter = std::async(std::launch::async, [&] { return Lease(5, 20000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  coord_->Shutdown();
  EXPECT_THAT(waiter.get(), IsEmpty());
  coord_->Shutdown();  // idempotent
  auto sub = ParseJobSubmission(Body(1));
  bool created = true;
  auto r = coord_->Submit(std::move(sub).value(), alice_, "", &created);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

TEST_F(CoordinatorTest, ManyWorkersRunABigJobExactlyOnce) {
  Open();
  std::string id = Submit(Body(600, 2, 0));
  std::atomic<int> completed{0};
  std::mutex mu;
  std::map<std::string, int> ok_per_task;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&, w] {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (completed.load() < 600 && std::chrono::steady_clock::now() < deadline) {
        LeaseRequest req;
        req.worker = "w" + std::to_string(w);
        req.max = 7;
        req.wait_ms = 20;
        auto r = coord_->Lease(req);
        if (!r.ok()) return;
        std::vector<TaskReport> reports;
        for (const auto& t : r->tasks) {
          // Half the tasks fail their first attempt, to exercise retries under load.
          reports.push_back(Report(t, t.attempt == 1 && (t.task.back() % 2 == 0) ? 1 : 0));
        }
        if (reports.empty()) continue;
        auto c = coord_->Complete(reports);
        ASSERT_TRUE(c.ok());
        std::lock_guard<std::mutex> lock(mu);
        for (size_t k = 0; k < reports.size(); ++k) {
          if (reports[k].exit == 0) {
            ++ok_per_task[r->tasks[k].task];
            ++completed;
          }
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(completed.load(), 600);
  EXPECT_EQ(ok_per_task.size(), 600u);
  for (const auto& [task, n] : ok_per_task) EXPECT_EQ(n, 1) << task;
  Json job = Get(id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["counts"]["ok"], 600);
}

}  // namespace
}  // namespace skiff::coord

// `skiff server` with standalone `skiff worker` processes over HTTP, a worker killed with -9, and a
// graceful stop of `skiff up` (SIGTERM) followed by a restart.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::Subprocess;

TEST(WorkersTest, TwoStandaloneWorkersCompleteA200TaskJob) {
  TestServerOptions o;
  o.verb = "server";
  TestServer server(o);
  ASSERT_TRUE(server.started());
  IT_ASSIGN_OR_FAIL(Json submitted,
                    server.Submit(ShJob("echo {{index}}", {{"items", 200}, {"max_attempts", 2}})));
  std::string id = submitted["id"];
  // Nobody runs tasks yet.
  std::this_thread::sleep_for(milliseconds(500));
  IT_ASSIGN_OR_FAIL(Json idle, server.GetJob(id, false));
  EXPECT_EQ(idle["status"], "pending");
  EXPECT_EQ(Count(idle, "pending"), 200);

  auto t0 = Clock::now();
  std::unique_ptr<Subprocess> w1 = server.StartWorker(2, "w1");
  std::unique_ptr<Subprocess> w2 = server.StartWorker(2, "w2");
  IT_ASSIGN_OR_FAIL(Json job, server.WaitFinished(id, seconds(90)));
  std::cout << "200 tasks on two standalone workers: " << MsSince(t0) << " ms\n";
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(Count(job, "ok"), 200);
  std::map<std::string, int> by_worker;
  for (auto it = job["attempts"].begin(); it != job["attempts"].end(); ++it) {
    ASSERT_EQ(it->size(), 1u) << it.key();
    ++by_worker[(*it)[0]["worker"].get<std::string>()];
    int index = std::stoi(it.key().substr(2)) - 1;
    EXPECT_EQ((*it)[0]["stdout_tail"], std::to_string(index) + "\n");
  }
  EXPECT_EQ(by_worker.size(), 2u) << Json(by_worker).dump();
  EXPECT_GT(by_worker["w1"], 0);
  EXPECT_GT(by_worker["w2"], 0);
  // Both stop on SIGTERM with status 0.
  w1->Signal(SIGTERM);
  w2->Signal(SIGTERM);
  EXPECT_EQ(w1->Wait(seconds(20)), 0);
  EXPECT_EQ(w2->Wait(seconds(20)), 0);
}

TEST(WorkersTest, KilledWorkersLeasesExpireAndTheOtherWorkerFinishesItsTasks) {
  TestServerOptions o;
  o.verb = "server";
  o.lease_ms = 1000;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::unique_ptr<Subprocess> victim = server.StartWorker(2, "victim");
  std::unique_ptr<Subprocess> survivor = server.StartWorker(2, "survivor");
  // Four long tasks: each worker takes two.
  IT_ASSIGN_OR_FAIL(Json submitted,
                    server.Submit(ShJob("sleep 2; echo done",
                                        {{"items", 4}, {"max_attempts", 3}, {"backoff_ms", 0}})));
  std::string id = submitted["id"];
  std::set<std::string> victim_tasks;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto job = server.GetJob(id);
        if (!job.ok() || Count(*job, "running") < 4) return false;
        victim_tasks.clear();
        for (auto it = (*job)["attempts"].begin(); it != (*job)["attempts"].end(); ++it) {
          if (it->back()["worker"] == "victim") victim_tasks.insert(it.key());
        }
        return !victim_tasks.empty();
      },
      seconds(20)))
      << "the two workers did not both start tasks";
  victim->Kill9();
  auto killed_at = Clock::now();
  IT_ASSIGN_OR_FAIL(Json job, server.WaitFinished(id, seconds(60)));
  std::cout << "finished " << MsSince(killed_at) << " ms after the kill; the victim had "
            << victim_tasks.size() << " tasks\n";
  EXPECT_EQ(job["status"], "succeeded");
  for (auto it = job["tasks"].begin(); it != job["tasks"].end(); ++it) {
    SCOPED_TRACE(it.key());
    EXPECT_EQ(*it, "ok");
    Json attempts = AttemptsOf(job, it.key());
    if (victim_tasks.count(it.key())) {
      ASSERT_EQ(attempts.size(), 2u) << attempts.dump();
      EXPECT_EQ(attempts[0]["worker"], "victim");
      EXPECT_EQ(attempts[0]["result"], "lease_expired");
      EXPECT_EQ(attempts[1]["worker"], "survivor");
      EXPECT_EQ(attempts[1]["result"], "ok");
      EXPECT_EQ(attempts[1]["stdout_tail"], "done\n");
    } else {
      ASSERT_EQ(attempts.size(), 1u) << attempts.dump();
      EXPECT_EQ(attempts[0]["worker"], "survivor");
    }
  }
  EXPECT_EQ(survivor->Terminate(seconds(20)), 0);
}

TEST(WorkersTest, WorkerWithoutAKeyOrWithAWrongOneDoesNoHarm) {
  TestServerOptions o;
  o.verb = "server";
  TestServer server(o);
  ASSERT_TRUE(server.started());
  auto no_key = skiff::testing::RunProcess({SKIFF_BINARY, "worker", "--server", server.url()},
                                           {{"SKIFF_KEY", ""}}, server.scratch(), seconds(20));
  EXPECT_EQ(no_key.exit_code, 2) << no_key.err;
  EXPECT_NE((no_key.out + no_key.err).find("key"), std::string::npos);
  // A worker with a wrong key gets 401s, runs nothing, and still stops on SIGTERM.
  std::unique_ptr<Subprocess> bad = server.StartWorker(1, "bad", {"--key", "skf_wrong"});
  IT_ASSIGN_OR_FAIL(Json submitted, server.Submit(ShJob("true")));
  std::this_thread::sleep_for(milliseconds(800));
  IT_ASSIGN_OR_FAIL(Json job, server.GetJob(submitted["id"].get<std::string>(), false));
  EXPECT_EQ(job["status"], "pending");
  EXPECT_TRUE(bad->Running());
  EXPECT_EQ(bad->Terminate(seconds(20)), 0);
}

// The lease is announced by the server (--lease-ms); workers must heartbeat well within it from
// the first task on, or every task longer than the lease fails with lease_expired.
TEST(WorkersTest, HeartbeatsKeepAShortLeaseAliveFromTheWorkersStart) {
  TestServerOptions o;
  o.workers = 2;
  o.lease_ms = 1500;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  IT_ASSIGN_OR_FAIL(Json submitted, server.Submit(ShJob("sleep 3", {{"items", 2}})));
  IT_ASSIGN_OR_FAIL(Json job, server.WaitFinished(submitted["id"], seconds(30)));
  EXPECT_EQ(job["status"], "succeeded") << "in-process workers lost their leases";
  for (auto it = job["attempts"].begin(); it != job["attempts"].end(); ++it) {
    EXPECT_EQ(it->size(), 1u) << it.key() << " " << it->dump();
  }
}

TEST(WorkersTest, StandaloneWorkerHeartbeatsKeepAShortLeaseAliveFromItsStart) {
  TestServerOptions o;
  o.verb = "server";
  o.lease_ms = 1500;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::unique_ptr<Subprocess> worker = server.StartWorker(2, "w");
  IT_ASSIGN_OR_FAIL(Json submitted, server.Submit(ShJob("sleep 3", {{"items", 2}})));
  IT_ASSIGN_OR_FAIL(Json job, server.WaitFinished(submitted["id"], seconds(30)));
  EXPECT_EQ(job["status"], "succeeded") << "the standalone worker lost its leases";
  for (auto it = job["attempts"].begin(); it != job["attempts"].end(); ++it) {
    EXPECT_EQ(it->size(), 1u) << it.key() << " " << it->dump();
  }
}

// The worker's key gives access to every team's tasks; user code must not find it in its
// environment (where `skiff worker` reads it from, as the CLI recommends over flags).
TEST(WorkersTest, WorkerKeyFromTheEnvironmentDoesNotReachTasks) {
  TestServerOptions o;
  o.verb = "server";
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::string log = server.scratch() + "/env-worker.log";
  Subprocess worker({SKIFF_BINARY, "worker", "--server", server.url(), "--concurrency", "1",
                     "--name", "env-keyed"},
                    {{"SKIFF_KEY", server.key()}}, log, log);
  IT_ASSIGN_OR_FAIL(Json submitted, server.Submit(ShJob("echo \"key=${SKIFF_KEY:-unset}\"")));
  auto job = server.WaitFinished(submitted["id"], seconds(30));
  worker.Kill9();
  ASSERT_TRUE(job.ok()) << job.status().message() << "\n" << skiff::testing::ReadFileOrEmpty(log);
  std::string out = AttemptsOf(*job, "t-0001")[0].value("stdout_tail", "");
  EXPECT_EQ(out.find(server.key()), std::string::npos)
      << "a task read the worker's API key from its environment: " << out;
}

// SIGTERM while the worker waits in a long-poll lease, and a task arrives just then: the worker
// must either not take it or run and report it; a task taken and dropped burns its only attempt.
TEST(WorkersTest, WorkerStoppedDuringALongPollDropsNoTask) {
  TestServerOptions o;
  o.verb = "server";
  o.lease_ms = 2000;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::unique_ptr<Subprocess> worker = server.StartWorker(1, "stopping");
  std::this_thread::sleep_for(milliseconds(700));  // inside its long poll
  worker->Signal(SIGTERM);
  std::this_thread::sleep_for(milliseconds(100));
  IT_ASSIGN_OR_FAIL(Json submitted, server.Submit(ShJob("true", {{"max_attempts", 1}})));
  auto t0 = Clock::now();
  EXPECT_EQ(worker->Wait(seconds(30)), 0);
  std::cout << "the worker stopped " << MsSince(t0) << " ms after the submit\n";
  std::this_thread::sleep_for(milliseconds(2500));  // longer than the lease
  IT_ASSIGN_OR_FAIL(Json job, server.GetJob(submitted["id"]));
  EXPECT_TRUE(job["status"] == "pending" || job["status"] == "succeeded")
      << "a stopping worker took the task and dropped it: " << job["attempts"].dump();
}

// SIGTERM while tasks run: exit status 0, the running tasks finish and are recorded, and after a
// restart every job submitted before is there and completes without a lost attempt.
TEST(GracefulStopTest, SigtermWhileTasksRunExitsZeroAndRestartKeepsEveryJob) {
  TestServerOptions o;
  o.workers = 2;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::vector<std::string> ids;
  IT_ASSIGN_OR_FAIL(Json quick, server.Submit(ShJob("true", {{"items", 3}})));
  ids.push_back(quick["id"]);
  ASSERT_TRUE(server.WaitFinished(ids[0], seconds(30)).ok());
  IT_ASSIGN_OR_FAIL(Json slow, server.Submit(ShJob("sleep 1; echo slept", {{"items", 6}})));
  ids.push_back(slow["id"]);
  IT_ASSIGN_OR_FAIL(Json failing, server.Submit(ShJob("exit 7")));
  ids.push_back(failing["id"]);
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto job = server.GetJob(ids[1], false);
        return job.ok() && Count(*job, "running") >= 1;
      },
      seconds(20)));

  auto t0 = Clock::now();
  int status = server.Terminate(seconds(30));
  int64_t stop_ms = MsSince(t0);
  std::cout << "graceful stop took " << stop_ms << " ms\n";
  EXPECT_EQ(status, 0) << "skiff up did not exit 0 on SIGTERM";
  EXPECT_LT(stop_ms, 15000);

  server.Restart();
  ASSERT_TRUE(server.started());
  IT_ASSIGN_OR_FAIL(std::vector<std::string> listed, server.ListJobIds());
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            std::set<std::string>(ids.begin(), ids.end()));
  IT_ASSIGN_OR_FAIL(Json q, server.GetJob(ids[0]));
  EXPECT_EQ(q["status"], "succeeded");
  IT_ASSIGN_OR_FAIL(Json s, server.WaitFinished(ids[1], seconds(60)));
  EXPECT_EQ(s["status"], "succeeded") << s["counts"];
  for (auto it = s["attempts"].begin(); it != s["attempts"].end(); ++it) {
    // max_attempts is 1: an attempt lost to the stop would have made the task ko.
    EXPECT_EQ(it->size(), 1u) << it.key() << " " << it->dump();
    EXPECT_EQ(it->back()["result"], "ok") << it.key();
  }
  IT_ASSIGN_OR_FAIL(Json f, server.WaitFinished(ids[2], seconds(60)));
  EXPECT_EQ(f["status"], "failed");
  EXPECT_EQ(AttemptsOf(f, "t-0001").size(), 1u);
  EXPECT_EQ(server.Terminate(seconds(30)), 0);
}

TEST(GracefulStopTest, IdleServerStopsAtOnceAndRestartsOnTheSameFolder) {
  TestServer server;
  ASSERT_TRUE(server.started());
  std::string key = server.key();
  struct stat st = {};
  ASSERT_EQ(::stat((server.data_dir() + "/admin.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the bootstrap key file is readable by others";
  auto t0 = Clock::now();
  EXPECT_EQ(server.Terminate(seconds(30)), 0);
  EXPECT_LT(MsSince(t0), 5000);
  server.Restart();
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.key(), key) << "the bootstrap key changed on restart";
}

}  // namespace
}  // namespace skiff::it

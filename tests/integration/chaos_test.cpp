// Chaos: `skiff up` (in-process workers) plus a standalone `skiff worker` and a test thread that
// speaks the worker protocol itself, under a steady submit load. The server is kill -9'd at random
// points (at least 20 times) and restarted on the same port; the standalone worker is kill -9'd a
// few times and restarted too. At the end:
//   - every job whose submit got a 2xx exists;
//   - every task result the server acknowledged to a worker (complete -> "accepted") is kept: the
//     task is "ok" with that attempt recorded;
//   - every task reached "ok" or "ko", its attempts numbered 1..n with n <= max_attempts, and an
//     "ok" task's last attempt is "ok".
// TODO(usage): once usage records exist, check exactly one usage record per finished attempt (no
// double counting after a replay).
// Label `chaos`: `ctest -L chaos`. Bounded: a fixed number of kills, every wait has a deadline.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "it_util.h"

namespace skiff::it {
namespace {

constexpr int kServerKills = 20;
constexpr int kWorkerKills = 4;
constexpr int kMaxAttempts = 25;  // every kill can cost a running task one attempt

struct Acked {
  std::string job, task;
  int attempt;
};

TEST(ChaosTest, KillNineServerAndWorkersUnderLoadLosesNothingAcknowledged) {
  TestServerOptions o;
  o.workers = 2;
  o.lease_ms = 1000;  // attempts of a killed process expire quickly
  o.keep_port = true;
  o.log_level = "warn";
  TestServer server(o);
  ASSERT_TRUE(server.started());
  const std::string url = server.url(), key = server.key();
  std::unique_ptr<skiff::testing::Subprocess> worker = server.StartWorker(2, "standalone");

  std::mutex mu;
  std::vector<std::string> submitted;  // 2xx answers, guarded by mu
  std::vector<Acked> acked;            // accepted completions of the probe, guarded by mu
  std::atomic<bool> stop{false};
  std::atomic<int> submit_errors{0}, probe_runs{0};

  // Steady submit load: one client, a small job every ~30 ms.
  std::thread load([&] {
    net::HttpClient http(url, key, {500, 5000});
    for (int i = 0; i < 100000 && !stop; ++i) {
      Json body = ShJob("sleep 0.{{index}}; echo {{index}}", {{"items", 1 + i % 3},
                                           {"max_attempts", kMaxAttempts},
                                           {"backoff_ms", 0}});
      auto r = http.Post("/v1/jobs", body.dump());
      if (r.ok() && r->status / 100 == 2) {
        auto j = ParseJson(r->body);
        if (j.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          submitted.push_back((*j)["id"].get<std::string>());
        }
      } else {
        ++submit_errors;
      }
      std::this_thread::sleep_for(milliseconds(30));
    }
  });
  // The probe: a worker written here, so the test sees exactly which results were acknowledged.
  std::thread probe([&] {
    net::HttpClient http(url, key, {500, 5000});
    while (!stop) {
      auto r = http.Post("/v1/worker/lease", R"({"worker":"probe","max":2,"wait_ms":200})");
      if (!r.ok() || r->status != 200) {
        std::this_thread::sleep_for(milliseconds(50));
        continue;
      }
      auto lease = ParseJson(r->body);
      if (!lease.ok() || (*lease)["tasks"].empty()) continue;
      Json results = Json::array();
      std::map<std::string, Acked> by_lease;
      for (const Json& t : (*lease)["tasks"]) {
        results.push_back({{"lease", t["lease"]}, {"exit", 0}, {"stdout_tail", "probe"}});
        by_lease[t["lease"]] = {t["job"], t["task"], t["attempt"].get<int>()};
      }
      auto c = http.Post("/v1/worker/complete", Json{{"results", results}}.dump());
      ++probe_runs;
      if (!c.ok() || c->status != 200) continue;  // unknown outcome: not counted as acknowledged
      auto done = ParseJson(c->body);
      if (!done.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      for (const Json& l : (*done)["accepted"]) acked.push_back(by_lease[l.get<std::string>()]);
    }
  });

  // Joins the client threads however the test body ends (a failed ASSERT returns early).
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& a;
    std::thread& b;
    ~Joiner() {
      stop = true;
      if (a.joinable()) a.join();
      if (b.joinable()) b.join();
    }
  } joiner{stop, load, probe};

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> run_ms(150, 900);
  std::vector<int64_t> recovery_ms;
  int worker_kills = 0;
  for (int kill = 0; kill < kServerKills; ++kill) {
    std::this_thread::sleep_for(milliseconds(run_ms(rng)));
    if (kill % (kServerKills / kWorkerKills) == 2 && worker_kills < kWorkerKills) {
      // The worker alone, while the server runs: its leases expire and its tasks run elsewhere.
      worker->Kill9();
      ++worker_kills;
      std::this_thread::sleep_for(milliseconds(run_ms(rng)));
      worker = server.StartWorker(2, "standalone");
      std::this_thread::sleep_for(milliseconds(run_ms(rng)));
    }
    server.Kill9();
    auto t0 = Clock::now();
    server.Restart();
    ASSERT_TRUE(server.started()) << "restart " << kill + 1 << " failed";
    recovery_ms.push_back(MsSince(t0));
    if (!worker->Running()) worker = server.StartWorker(2, "standalone");
  }
  std::this_thread::sleep_for(milliseconds(500));
  stop = true;
  load.join();
  probe.join();

  // Everything drains: every acknowledged job finishes.
  std::set<std::string> ids(submitted.begin(), submitted.end());
  ASSERT_GT(ids.size(), 20u) << "the load hardly ran";
  IT_ASSIGN_OR_FAIL(std::vector<std::string> listed, server.ListJobIds());
  std::set<std::string> present(listed.begin(), listed.end());
  int missing = 0, tasks = 0, ok = 0, ko = 0, attempts = 0, unfinished = 0;
  std::map<std::string, Json> jobs;
  for (const std::string& id : ids) {
    if (present.count(id) == 0) {
      ++missing;
      ADD_FAILURE() << "acknowledged job " << id << " is gone";
      continue;
    }
    auto job = server.WaitFinished(id, seconds(60));
    if (!job.ok()) {
      ++unfinished;
      ADD_FAILURE() << id << " did not finish: " << job.status().message();
      continue;
    }
    jobs[id] = *job;
    for (auto it = (*job)["tasks"].begin(); it != (*job)["tasks"].end(); ++it) {
      ++tasks;
      Json at = AttemptsOf(*job, it.key());
      attempts += static_cast<int>(at.size());
      EXPECT_TRUE(*it == "ok" || *it == "ko") << id << " " << it.key() << " is " << *it;
      ok += *it == "ok";
      ko += *it == "ko";
      ASSERT_GE(at.size(), 1u) << id << " " << it.key();
      EXPECT_LE(at.size(), static_cast<size_t>(kMaxAttempts)) << id << " " << it.key();
      for (size_t n = 0; n < at.size(); ++n) {
        EXPECT_EQ(at[n]["n"], n + 1) << id << " " << it.key() << " " << at.dump();
      }
      if (*it == "ok") {
        EXPECT_EQ(at.back()["result"], "ok") << id << " " << it.key();
      }
    }
  }
  // Every result acknowledged to the probe is there.
  int acked_kept = 0;
  for (const Acked& a : acked) {
    auto it = jobs.find(a.job);
    if (it == jobs.end()) {
      auto job = server.GetJob(a.job);
      ASSERT_TRUE(job.ok()) << "job of an acknowledged result is gone: " << a.job;
      it = jobs.emplace(a.job, *job).first;
    }
    const Json& job = it->second;
    EXPECT_EQ(job["tasks"][a.task], "ok") << a.job << " " << a.task;
    Json at = AttemptsOf(job, a.task);
    bool found = a.attempt >= 1 && static_cast<size_t>(a.attempt) <= at.size() &&
                 at[a.attempt - 1]["worker"] == "probe" && at[a.attempt - 1]["result"] == "ok";
    EXPECT_TRUE(found) << "acknowledged result lost: " << a.job << " " << a.task << " attempt "
                       << a.attempt << ": " << at.dump();
    acked_kept += found;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(unfinished, 0);
  std::sort(recovery_ms.begin(), recovery_ms.end());
  int64_t sum = 0;
  for (int64_t r : recovery_ms) sum += r;
  std::cout << "chaos: " << recovery_ms.size() << " server kills, " << worker_kills
            << " worker kills; " << ids.size() << " jobs acknowledged (" << submit_errors
            << " submits failed during kills), " << tasks << " tasks (" << ok << " ok, " << ko
            << " ko), " << attempts << " attempts; " << acked.size()
            << " results acknowledged to the probe worker, " << acked_kept
            << " kept; recovery (spawn to ready) ms min " << recovery_ms.front() << " median "
            << recovery_ms[recovery_ms.size() / 2] << " max " << recovery_ms.back() << " mean "
            << sum / static_cast<int64_t>(recovery_ms.size()) << "\n";
  EXPECT_GE(static_cast<int>(recovery_ms.size()), 20);
  EXPECT_GT(acked.size(), 0u) << "the probe never had a result acknowledged";
  worker->Kill9();
}

}  // namespace
}  // namespace skiff::it

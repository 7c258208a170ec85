// kill -9 of `skiff up` while a 10,000-task job of real processes runs (three times, at different
// points), and while submits are in flight. Acknowledged means durable: after each restart every
// submitted job exists, every task that was "ok" is still "ok" with the same attempts, and the
// jobs complete. Label `crash`: run alone with `ctest -L crash`.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>

#include "it_util.h"
#include "store/s3/testing/s3_test_server.h"

namespace skiff::it {
namespace {

constexpr int kBigTasks = 10000;

struct Snapshot {
  int ok = 0;
  std::map<std::string, Json> ok_attempts;  // task -> attempts, for the "ok" tasks
};

Snapshot Take(const Json& job) {
  Snapshot s;
  for (auto it = job["tasks"].begin(); it != job["tasks"].end(); ++it) {
    if (*it == "ok") {
      ++s.ok;
      s.ok_attempts[it.key()] = AttemptsOf(job, it.key());
    }
  }
  return s;
}

// `store_args` ("--store URL" or nothing) picks the object store the server runs on.
void KillNineThreeTimesDuringATenThousandTaskJob(const std::vector<std::string>& store_args) {
  TestServerOptions o;
  o.workers = 4;
  o.lease_ms = 2000;
  o.extra_args = store_args;
  TestServer server(o);
  ASSERT_TRUE(server.started());

  // A task may be running at each kill; its attempt then ends as lease_expired and is retried.
  IT_ASSIGN_OR_FAIL(Json big, server.Submit({{"argv", {"true"}},
                                             {"name", "big"},
                                             {"items", kBigTasks},
                                             {"max_attempts", 10},
                                             {"backoff_ms", 0}}));
  std::string big_id = big["id"];
  std::vector<std::string> ids = {big_id};
  for (int i = 0; i < 4; ++i) {
    IT_ASSIGN_OR_FAIL(Json small, server.Submit(ShJob("echo small {{index}}",
                                                      {{"items", 3}, {"max_attempts", 10}})));
    ids.push_back(small["id"]);
  }

  // A cancel and a retry answered 200 just before the first kill must survive it too.
  IT_ASSIGN_OR_FAIL(Json to_retry, server.Submit(ShJob("exit 1", {{"items", 3}})));
  std::string retry_id = to_retry["id"];
  IT_ASSIGN_OR_FAIL(Json failed_once, server.WaitFinished(retry_id, seconds(60)));
  ASSERT_EQ(failed_once["status"], "failed");
  IT_ASSIGN_OR_FAIL(Json to_cancel, server.Submit(ShJob("true", {{"items", 2000}})));
  std::string cancel_id = to_cancel["id"];
  ids.push_back(retry_id);
  ids.push_back(cancel_id);

  const double kKillAt[] = {0.15, 0.45, 0.75};
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("kill " + std::to_string(round + 1));
    const int target = static_cast<int>(kKillAt[round] * kBigTasks);
    int ok_now = 0;
    bool reached = WaitUntil(
        [&] {
          auto j = server.GetJob(big_id, false);
          ok_now = j.ok() ? Count(*j, "ok") : ok_now;
          return ok_now >= target;
        },
        seconds(120), milliseconds(10));
    ASSERT_TRUE(reached) << "only " << ok_now << " tasks ok after 120 s";
    IT_ASSIGN_OR_FAIL(Json before, server.GetJob(big_id));
    Snapshot snap = Take(before);
    ASSERT_LT(snap.ok, kBigTasks) << "the job finished before the kill; nothing was tested";
    std::map<std::string, Json> small_before;
    for (size_t i = 1; i < ids.size(); ++i) {
      IT_ASSIGN_OR_FAIL(small_before[ids[i]], server.GetJob(ids[i]));
    }

    Json cancelled_before;
    if (round == 0) {
      auto http = server.Client();
      auto c = http->Post("/v1/jobs/" + cancel_id + "/cancel", "");
      ASSERT_TRUE(c.ok());
      ASSERT_EQ(c->status, 200) << c->body;
      IT_ASSIGN_OR_FAIL(cancelled_before, server.GetJob(cancel_id));
      auto r = http->Post("/v1/jobs/" + retry_id + "/retry", "");
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }

    server.Kill9();
    server.Restart();
    ASSERT_TRUE(server.started()) << "no restart after kill " << round + 1;
    if (round == 0) {
      IT_ASSIGN_OR_FAIL(Json c, server.GetJob(cancel_id));
      EXPECT_EQ(c["status"], "cancelled") << "an acknowledged cancel was lost";
      EXPECT_EQ(c["cancelled_at"], cancelled_before["cancelled_at"]);
      EXPECT_EQ(c["tasks"], cancelled_before["tasks"]);
      IT_ASSIGN_OR_FAIL(Json r, server.WaitFinished(retry_id, seconds(60)));
      for (const char* t : {"t-0001", "t-0002", "t-0003"}) {
        EXPECT_EQ(AttemptsOf(r, t).size(), 2u) << "an acknowledged retry was lost: " << t;
      }
    }
    std::cout << "kill " << round + 1 << ": " << snap.ok << " of " << kBigTasks
              << " tasks ok before the kill; recovered and ready in " << server.last_start_ms()
              << " ms\n";

    for (const std::string& id : ids) {
      auto j = server.GetJob(id, false);
      EXPECT_TRUE(j.ok()) << "job " << id << " is gone after the restart: "
                          << j.status().message();
    }
    IT_ASSIGN_OR_FAIL(Json after, server.GetJob(big_id));
    int changed = 0;
    for (const auto& [task, attempts] : snap.ok_attempts) {
      if (after["tasks"][task] != "ok" || AttemptsOf(after, task) != attempts) {
        if (++changed <= 5) {
          ADD_FAILURE() << task << " was ok with " << attempts.dump() << "\nnow "
                        << after["tasks"][task] << " with " << AttemptsOf(after, task).dump();
        }
      }
    }
    EXPECT_EQ(changed, 0) << "tasks that were ok before the kill changed";
    EXPECT_GE(Count(after, "ok"), snap.ok);
    for (const auto& [id, job] : small_before) {
      IT_ASSIGN_OR_FAIL(Json now, server.GetJob(id));
      for (auto it = job["tasks"].begin(); it != job["tasks"].end(); ++it) {
        if (*it != "ok") continue;
        EXPECT_EQ(now["tasks"][it.key()], "ok") << id << " " << it.key();
        EXPECT_EQ(AttemptsOf(now, it.key()), AttemptsOf(job, it.key())) << id << " " << it.key();
      }
    }
  }

  auto t0 = Clock::now();
  IT_ASSIGN_OR_FAIL(Json done, server.WaitFinished(big_id, seconds(180)));
  EXPECT_EQ(done["status"], "succeeded") << done["counts"];
  EXPECT_EQ(Count(done, "ok"), kBigTasks);
  int expired = 0, attempts_total = 0;
  for (auto it = done["attempts"].begin(); it != done["attempts"].end(); ++it) {
    attempts_total += static_cast<int>(it->size());
    for (const Json& a : *it) {
      if (a["result"] == "lease_expired") ++expired;
      EXPECT_TRUE(a["result"] == "ok" || a["result"] == "lease_expired")
          << it.key() << " " << a.dump();
    }
    EXPECT_EQ(it->back()["result"], "ok") << it.key();
  }
  EXPECT_EQ(done["attempts"].size(), static_cast<size_t>(kBigTasks));
  EXPECT_TRUE(done["tasks"].contains("t-00001"));  // wider ids past 9,999 tasks
  EXPECT_TRUE(done["tasks"].contains("t-10000"));
  std::cout << "big job finished " << MsSince(t0) << " ms after the last restart: "
            << attempts_total << " attempts, " << expired
            << " ended lease_expired by the kills\n";
  for (size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] == retry_id || ids[i] == cancel_id) continue;
    IT_ASSIGN_OR_FAIL(Json small, server.WaitFinished(ids[i], seconds(60)));
    EXPECT_EQ(small["status"], "succeeded") << ids[i];
  }
}

void KillNineWhileSubmitsAreInFlight(const std::vector<std::string>& store_args) {
  TestServerOptions o;
  o.workers = 2;
  o.lease_ms = 2000;
  o.extra_args = store_args;
  TestServer server(o);
  ASSERT_TRUE(server.started());

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round + 1));
    std::mutex mu;
    std::vector<std::string> acked;  // guarded by mu
    std::atomic<int> attempted{0}, failed{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    const std::string url = server.url(), key = server.key();
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&, c] {
        net::HttpClient http(url, key, {1000, 5000});
        Json body = ShJob("echo c" + std::to_string(c), {{"items", 2}, {"max_attempts", 5}});
        const std::string text = body.dump();
        int errors = 0;
        for (int i = 0; i < 5000 && !stop && errors < 3; ++i) {
          ++attempted;
          auto r = http.Post("/v1/jobs", text);
          if (!r.ok()) {
            ++errors;
            ++failed;
            continue;
          }
          if (r->status != 201) continue;
          auto j = ParseJson(r->body);
          if (!j.ok()) continue;
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back((*j)["id"].get<std::string>());
        }
      });
    }
    size_t acked_at_kill = 0;
    bool enough = WaitUntil(
        [&] {
          std::lock_guard<std::mutex> lock(mu);
          acked_at_kill = acked.size();
          return acked.size() >= static_cast<size_t>(60 + 40 * round);
        },
        seconds(60), milliseconds(2));
    server.Kill9();
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_TRUE(enough) << "only " << acked_at_kill << " submits acknowledged in 60 s";

    auto t0 = Clock::now();
    server.Restart();
    ASSERT_TRUE(server.started());
    int64_t recovery_ms = MsSince(t0);
    IT_ASSIGN_OR_FAIL(std::vector<std::string> listed, server.ListJobIds());
    std::set<std::string> present(listed.begin(), listed.end());
    int missing = 0;
    for (const std::string& id : acked) {
      if (!present.count(id)) {
        ++missing;
        auto j = server.GetJob(id, false);
        EXPECT_TRUE(j.ok()) << "acknowledged job " << id << " is gone after kill -9";
      }
    }
    EXPECT_EQ(missing, 0);
    std::cout << "submits in flight, round " << round + 1 << ": " << attempted << " attempted, "
              << acked.size() << " acknowledged (201), " << failed << " failed by the kill, "
              << present.size() << " jobs after the restart, recovery " << recovery_ms << " ms\n";
    // The acknowledged jobs run to completion.
    for (size_t i = acked.size() >= 3 ? acked.size() - 3 : 0; i < acked.size(); ++i) {
      IT_ASSIGN_OR_FAIL(Json j, server.WaitFinished(acked[i], seconds(60)));
      EXPECT_EQ(j["status"], "succeeded") << acked[i];
    }
  }
}

TEST(CrashTest, KillNineThreeTimesDuringATenThousandTaskJobLosesNothing) {
  KillNineThreeTimesDuringATenThousandTaskJob({});
}

TEST(CrashTest, KillNineWhileSubmitsAreInFlightLosesNoAcknowledgedJob) {
  KillNineWhileSubmitsAreInFlight({});
}

// The same on S3: documents in the project's signature-checking test S3 (which outlives the
// killed server, as a real bucket would); the journal stays in the local data folder.
TEST(CrashTest, OnS3KillNineThreeTimesDuringATenThousandTaskJobLosesNothing) {
  store::s3::testing::S3TestServer s3;
  KillNineThreeTimesDuringATenThousandTaskJob({"--store", s3.StoreUrl("skiff")});
  EXPECT_EQ(s3.stats().rejected_signatures, 0u);
  EXPECT_GT(s3.stats().put, 0u);
}

TEST(CrashTest, OnS3KillNineWhileSubmitsAreInFlightLosesNoAcknowledgedJob) {
  store::s3::testing::S3TestServer s3;
  KillNineWhileSubmitsAreInFlight({"--store", s3.StoreUrl("skiff")});
  EXPECT_EQ(s3.stats().rejected_signatures, 0u);
}

}  // namespace
}  // namespace skiff::it

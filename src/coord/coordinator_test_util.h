// Test fixture for the coordinator tests: a MemoryStore, a journal in a temp folder, a clock the
// test moves by hand, and short helpers that read like a worker's transcript.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coord/coordinator.h"
#include "store/memory/memory_store.h"
#include "testing/temp_dir.h"

namespace skiff::coord {

// A clock that only moves when told (lease expiry without sleeping lease_ms).
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_(start_ms) {}
  int64_t NowMs() override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

inline constexpr int64_t kStartMs = 1790000000000;

class CoordinatorTest : public ::testing::Test {
 protected:
  CoordinatorTest() : clock_(kStartMs) {
    alice_.team = "acme";
    alice_.user_id = "alice-hash";
    bob_.team = "acme";
    bob_.user_id = "bob-hash";
    eve_.team = "other";
    eve_.user_id = "eve-hash";
    admin_.team = "ops";
    admin_.user_id = "admin-hash";
    admin_.admin = true;
  }
  ~CoordinatorTest() override { coord_.reset(); }

  CoordinatorOptions Options() const {
    CoordinatorOptions o;
    o.journal_dir = tmp_.path() + "/journal";
    o.lease_ms = 300;
    o.tick_ms = 10;
    o.checkpoint_interval_ms = 3600000;  // checkpoints only when a test asks
    if (segment_bytes_ > 0) o.journal.segment_bytes = segment_bytes_;
    return o;
  }

  void Open(CoordinatorOptions opts) {
    coord_.reset();
    auto c = Coordinator::Open(&store_, &clock_, std::move(opts));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    coord_ = std::move(c).value();
  }
  void Open() { Open(Options()); }

  // A crash: no final checkpoint; then a new coordinator on the same store and journal folder.
  void CrashAndReopen() {
    coord_->AbandonForTest();
    coord_.reset();
    Open();
  }

  // Submits `body` (a POST /v1/jobs body); returns the job id.
  std::string Submit(const Json& body, const Caller& caller, const std::string& key = "",
                     bool* created_out = nullptr) {
    auto sub = ParseJobSubmission(body);
    EXPECT_TRUE(sub.ok()) << sub.status().ToString();
    if (!sub.ok()) return "";
    bool created = false;
    auto r = coord_->Submit(std::move(sub).value(), caller, key, &created);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (created_out != nullptr) *created_out = created;
    return r.ok() ? (*r)["id"].get<std::string>() : "";
  }
  std::string Submit(const Json& body) { return Submit(body, alice_); }

  std::vector<LeasedTask> Lease(int max, int wait_ms = 0, const std::string& worker = "w1") {
    LeaseRequest req;
    req.worker = worker;
    req.max = max;
    req.wait_ms = wait_ms;
    auto r = coord_->Lease(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->tasks : std::vector<LeasedTask>{};
  }
  // Leases until `n` tasks came out or 5 s passed (retries become ready on the timer thread).
  std::vector<LeasedTask> LeaseAtLeast(size_t n, int max = 1000) {
    std::vector<LeasedTask> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      for (auto& t : Lease(max, 50)) out.push_back(std::move(t));
    }
    EXPECT_GE(out.size(), n);
    return out;
  }

  // Polls `pred` until it holds (the timer thread acts within a few ticks) or 5 s pass.
  static bool WaitFor(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  static TaskReport Report(const LeasedTask& t, int exit) {
    TaskReport r;
    r.lease = t.lease;
    r.exit = exit;
    r.wall_ms = 5;
    r.stdout_tail = "out of " + t.task;
    return r;
  }
  CompleteResponse Complete(const LeasedTask& t, int exit) {
    auto r = coord_->Complete({Report(t, exit)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CompleteResponse{};
  }
  // Completes and expects the result accepted.
  void Finish(const LeasedTask& t, int exit) {
    CompleteResponse r = Complete(t, exit);
    EXPECT_EQ(r.accepted.size(), 1u) << t.lease;
    EXPECT_TRUE(r.rejected.empty()) << t.lease << ": " << (r.rejected.empty() ? "" : r.rejected[0].second);
  }

  Json Get(const std::string& id, const Caller& caller) {
    auto r = coord_->GetJob(id, caller, true);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  Json Get(const std::string& id) { return Get(id, alice_); }

  // Polls `pred` every few ms until it holds or 5 s passed.
  static bool Eventually(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // The stored document of a job, or null when there is none.
  Json StoredDoc(const std::string& id) {
    auto obj = store_.Get("jobs/" + id + ".json");
    if (!obj.ok()) return Json();
    return Json::parse(obj->bytes);
  }

  static Json Body(size_t items, int max_attempts = 1, int backoff_ms = 0) {
    return {{"argv", {"run", "{{task}}"}},
            {"items", items},
            {"max_attempts", max_attempts},
            {"backoff_ms", backoff_ms}};
  }

  skiff::testing::TempDir tmp_;
  store::MemoryStore store_;
  ManualClock clock_;
  Caller alice_, bob_, eve_, admin_;
  uint64_t segment_bytes_ = 0;  // tiny values force journal segments to rotate
  std::unique_ptr<Coordinator> coord_;
};

}  // namespace skiff::coord

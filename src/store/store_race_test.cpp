// Conditional puts under contention, against every backend in store_test_backends.h. Odd threads
// go through peer(), so for the folder backend two FsStores (two lock-file descriptions) compete.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

#include "store/store_test_backends.h"

namespace skiff::store {
namespace {

constexpr int kThreads = 16;
constexpr int kRounds = 200;

template <typename B>
class StoreRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIFF_SKIP_UNAVAILABLE(backend_);
    SKIFF_SKIP_WITHOUT_CONDITIONS(B);
  }
  ObjectStore& StoreFor(int thread) { return thread % 2 ? backend_.peer() : backend_.store(); }

  // Runs body(thread, round) on kThreads threads for kRounds rounds; all threads start each
  // round together and finish it before the next one starts.
  template <typename F>
  void RunRounds(F body) {
    std::barrier sync(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < kRounds; ++round) body(t, round, sync);
      });
    }
    for (auto& th : threads) th.join();
  }

  B backend_;
};
TYPED_TEST_SUITE(StoreRaceTest, Backends, BackendNames);

TYPED_TEST(StoreRaceTest, IfMatchHasExactlyOneWinnerPerRound) {
  const std::string key = "race/counter";
  ASSERT_TRUE(this->backend_.store().Put(key, "start").ok());
  std::vector<std::atomic<int>> winners(kRounds);
  std::vector<std::string> winner_bytes(kRounds);  // written by the round's only winner
  std::atomic<int> unexpected{0};
  this->RunRounds([&](int t, int round, std::barrier<>& sync) {
    ObjectStore& store = this->StoreFor(t);
    auto current = store.Get(key);
    if (!current.ok()) ++unexpected;
    sync.arrive_and_wait();  // everyone has read the same etag
    std::string bytes = "round " + std::to_string(round) + " thread " + std::to_string(t);
    auto put = store.Put(key, bytes, Precondition::IfMatch(current.ok() ? current->etag : ""));
    if (put.ok()) {
      if (winners[round]++ == 0) winner_bytes[round] = bytes;
    } else if (put.status().code() != Code::kFailedPrecondition) {
      ++unexpected;
      ADD_FAILURE() << put.status().ToString();
    }
    sync.arrive_and_wait();  // the round is over before anyone reads again
  });
  EXPECT_EQ(unexpected.load(), 0);
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_EQ(winners[round].load(), 1) << "round " << round;
  }
  auto last = this->backend_.store().Get(key);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->bytes, winner_bytes[kRounds - 1]);
}

TYPED_TEST(StoreRaceTest, IfAbsentHasExactlyOneWinnerPerRound) {
  std::vector<std::atomic<int>> winners(kRounds);
  std::vector<std::string> winner_bytes(kRounds);
  std::atomic<int> unexpected{0};
  this->RunRounds([&](int t, int round, std::barrier<>& sync) {
    sync.arrive_and_wait();
    const std::string key = "claims/round-" + std::to_string(round);
    std::string bytes = "thread " + std::to_string(t);
    auto put = this->StoreFor(t).Put(key, bytes, Precondition::IfAbsent());
    if (put.ok()) {
      if (winners[round]++ == 0) winner_bytes[round] = bytes;
    } else if (put.status().code() != Code::kFailedPrecondition) {
      ++unexpected;
      ADD_FAILURE() << put.status().ToString();
    }
  });
  EXPECT_EQ(unexpected.load(), 0);
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_EQ(winners[round].load(), 1) << "round " << round;
    auto got = this->backend_.store().Get("claims/round-" + std::to_string(round));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->bytes, winner_bytes[round]);
  }
}

// Read-modify-write with retry: no increment is lost, while unconditional puts and removes of
// other keys in the same folder run alongside.
TYPED_TEST(StoreRaceTest, IfMatchIncrementsLoseNothing) {
  constexpr int kWriters = 8;
  constexpr int kIncrements = 100;
  const std::string key = "race/n";
  ASSERT_TRUE(this->backend_.store().Put(key, "0").ok());
  std::atomic<bool> done{false};
  std::thread noise([&] {
    for (int i = 0; !done; ++i) {
      std::string other = "race/noise-" + std::to_string(i % 5);
      EXPECT_TRUE(this->backend_.store().Put(other, std::to_string(i)).ok());
      if (i % 3 == 0) {
        EXPECT_TRUE(this->backend_.peer().Remove(other).ok());
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      ObjectStore& store = this->StoreFor(t);
      for (int done_here = 0; done_here < kIncrements;) {
        auto cur = store.Get(key);
        ASSERT_TRUE(cur.ok()) << cur.status().ToString();
        std::string next = std::to_string(std::stoi(cur->bytes) + 1);
        auto put = store.Put(key, next, Precondition::IfMatch(cur->etag));
        if (put.ok()) {
          ++done_here;
        } else {
          ASSERT_EQ(put.status().code(), Code::kFailedPrecondition) << put.status().ToString();
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  noise.join();
  auto final_value = this->backend_.store().Get(key);
  ASSERT_TRUE(final_value.ok());
  EXPECT_EQ(final_value->bytes, std::to_string(kWriters * kIncrements));
}

}  // namespace
}  // namespace skiff::store

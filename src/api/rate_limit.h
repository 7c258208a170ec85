// RateLimiter: a token bucket per API key (per caller user id), for the per-key request rate limit
// (`--rate-limit N`: N requests a second, bursts of up to N). The router asks it after a caller is
// authenticated; over the limit the caller gets 429 with Retry-After. Public routes (health) and
// failed authentications are not counted here (identity slows those down per address).
//
// Memory is bounded: when more than kMaxBuckets keys are tracked, buckets that have refilled (idle
// callers) are dropped, and if that is not enough the oldest half goes. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace skiff::api {

class RateLimiter {
 public:
  static constexpr size_t kMaxBuckets = 100000;

  // `per_second` > 0 requests a second per key, bursts of `burst` (>= 1) requests.
  RateLimiter(double per_second, double burst, Clock* clock);

  // Takes one request's token for `key`: 0 when the request may go ahead, else how many
  // milliseconds until a token is there (the caller answers 429 and does not run the request).
  int64_t Take(const std::string& key);

  double per_second() const { return per_second_; }
  size_t tracked_keys();

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ms = 0;
  };
  void Prune(int64_t now_ms);  // mu_ held

  const double per_second_;
  const double burst_;
  Clock* const clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace skiff::api

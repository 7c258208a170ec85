#include "api/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace skiff::api {

RateLimiter::RateLimiter(double per_second, double burst, Clock* clock)
    : per_second_(per_second), burst_(std::max(1.0, burst)), clock_(clock) {}

int64_t RateLimiter::Take(const std::string& key) {
  int64_t now = clock_->NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxBuckets) Prune(now);
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.last_ms) {
    b.tokens = std::min(burst_, b.tokens + (now - b.last_ms) * per_second_ / 1000.0);
    b.last_ms = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) * 1000.0 / per_second_)));
}

size_t RateLimiter::tracked_keys() {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

void RateLimiter::Prune(int64_t now_ms) {
  // A bucket that would be full by now holds nothing a fresh bucket would not.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double refilled = it->second.tokens + (now_ms - it->second.last_ms) * per_second_ / 1000.0;
    it = refilled >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < kMaxBuckets) return;
  std::vector<std::pair<int64_t, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [k, b] : buckets_) by_age.emplace_back(b.last_ms, k);
  std::nth_element(by_age.begin(), by_age.begin() + by_age.size() / 2, by_age.end());
  for (size_t i = 0; i < by_age.size() / 2; ++i) buckets_.erase(by_age[i].second);
}

}  // namespace skiff::api

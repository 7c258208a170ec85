// Time: the Clock seam and UTC timestamp formatting. Times inside skiff are milliseconds since the
// Unix epoch (int64); documents show them as ISO-8601 UTC with milliseconds ("...T10:00:00.000Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() = 0;  // wall clock, ms since the epoch
};

// The real clock. Thread-safe, never owned by callers.
Clock* SystemClock();

std::string FormatTime(int64_t ms);                   // 2026-11-22T10:00:00.123Z
std::optional<int64_t> ParseTime(std::string_view s);  // accepts the above, or without millis/Z

}  // namespace skiff

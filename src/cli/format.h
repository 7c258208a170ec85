// Pure text formatting for the CLI: progress line, rate and ETA, tables, safe display of server
// strings. No I/O, no clock: callers pass times in, so everything here is unit-tested directly.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace skiff::cli {

// A job's "counts" object. pending excludes running; done is ok + ko.
struct JobCounts {
  int64_t total = 0;
  int64_t pending = 0;
  int64_t running = 0;
  int64_t ok = 0;
  int64_t ko = 0;
  int64_t done() const { return ok + ko; }
};

// Reads job["counts"]; missing or non-integer fields are 0.
JobCounts CountsOf(const nlohmann::json& job);

// "[#####.....]" with `width` cells between the brackets, '#' for finished tasks. The bar is full
// only when every task is finished; a job with no task shows an empty bar.
std::string ProgressBar(const JobCounts& counts, int width);

// Tasks per second with one decimal: "120.5".
std::string FormatRate(double tasks_per_second);

// A duration rounded up to the second: "4s", "2m05s", "3h07m". "--" when negative, NaN or infinite.
std::string FormatDuration(double seconds);

// Seconds left at `tasks_per_second`: 0 when nothing remains, -1 (unknown) when the rate is not
// positive.
double EtaSeconds(const JobCounts& counts, double tasks_per_second);

// "[#######.....]  ok 512  ko 3  running 4  pending 481  120.5 tasks/s  ETA 4s". A negative rate is
// unknown and shows "-- tasks/s  ETA --".
std::string ProgressLine(const JobCounts& counts, double tasks_per_second, int bar_width = 30);

// Finished-task rate over a sliding window of samples.
class RateMeter {
 public:
  explicit RateMeter(double window_seconds = 10) : window_(window_seconds) {}
  // `now` in seconds from any fixed origin, non-decreasing; `done` = ok + ko at that time.
  void Add(double now, int64_t done);
  // Tasks per second over the window; -1 until two samples at least 0.5 s apart.
  double Rate() const;

 private:
  double window_;
  std::deque<std::pair<double, int64_t>> samples_;
};

// Left-aligned columns separated by two spaces, one line per row, each ending in '\n'; columns
// whose index is in `right_aligned` are right-aligned. The last column is not padded. Cells are
// displayed with Sanitize.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<size_t>& right_aligned = {});

// Replaces control characters (including ESC, CR, LF, TAB) with '?' so server-supplied text cannot
// move the cursor or forge lines on a terminal.
std::string Sanitize(std::string_view text);

// An API timestamp "2026-11-22T10:00:00.000Z" as "2026-11-22 10:00:00Z"; "-" for null or missing;
// other strings are shown sanitized as they are.
std::string FormatTime(const nlohmann::json& value);

// A JSON scalar for display: strings as-is (sanitized), numbers as JSON renders them, null "-".
std::string DisplayScalar(const nlohmann::json& value);

}  // namespace skiff::cli

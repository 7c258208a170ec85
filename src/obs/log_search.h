// Log search over task output: the lines of the stdout/stderr each attempt captured (the bounded
// tails kept in the job document, `attempts[task][i].stdout_tail`), filtered by task, attempt,
// stream, time and text or RE2 regular expression. RE2 runs in linear time, so no pattern can
// hang the server. Pure functions over job documents (core/job.h's JobToApi with tasks).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace skiff::obs {

struct LogQuery {
  std::string task;    // "t-0001"; "" for every task
  int attempt = 0;     // 0 for every attempt
  std::string stream;  // "stdout", "stderr"; "" for both
  std::string text;    // substring the line must contain; "" for any
  std::shared_ptr<const re2::RE2> regex;  // must match part of the line; null for any
  int64_t from_ms = 0;  // attempts that ended at or after; 0: no bound
  int64_t to_ms = 0;    // attempts that ended before; 0: no bound
};

struct LogLine {
  std::string job;
  std::string task;
  int attempt = 0;
  std::string stream;
  int64_t ts_ms = 0;  // when the attempt ended
  size_t line = 0;    // 1-based line number within the captured tail
  std::string text;
};

// Compiles `pattern` with RE2; InvalidArgument "<field>: <RE2's error>" when it does not compile
// or is longer than 1000 bytes.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     std::string_view field);

// Appends the lines of `job` (a job document with attempts) that match `q` to `out`, in task,
// attempt, stream, line order, until `out` holds `limit`. Returns false when it stopped at the
// limit (more lines may match).
bool SearchJobLogs(const Json& job, const LogQuery& q, size_t limit, std::vector<LogLine>* out);

// {"job","task","attempt","stream","ts","line","text"}
Json LogLineToJson(const LogLine& l);

}  // namespace skiff::obs

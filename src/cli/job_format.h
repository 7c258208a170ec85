// Text views of the API's job documents, for `skiff job get` and `skiff job list`. Pure: no I/O.
// Tolerant like the API's clients must be: unknown fields are ignored, missing ones show as "-".
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace skiff::cli {

// The job's id, name, status, counts, created/finished (cancelled when set), then one line per
// "ko" task with its last attempt, at most `max_ko_lines` of them followed by a "... N more" line.
std::string FormatJob(const nlohmann::json& job, size_t max_ko_lines = 50);

// "t-0002  attempt 3  failed  exit 1  <error, else the last line of stderr_tail>" for a task's
// attempts array (its last element is the last attempt); "t-0002  no attempt" when empty.
std::string KoTaskLine(const std::string& task, const nlohmann::json& attempts);

// The table ID STATUS TOTAL OK KO CREATED NAME for an array of jobs.
std::string JobTable(const nlohmann::json& jobs);

}  // namespace skiff::cli

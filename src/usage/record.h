// Usage records: what one finished task or job cost, as a pure value with its NDJSON line and its
// RFC 4180 CSV row. No I/O here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/json_input.h"
#include "core/status.h"

namespace skiff::usage {

struct UsageRecord {
  int64_t time_ms = 0;   // when the job finished the round (every record of a round shares it)
  std::string kind;      // "task" or "job"
  std::string team;
  std::string user_id;
  std::string email;     // the submitting key's email ("" when it has none)
  std::string job;
  int round = 0;
  std::string template_ref;  // "name@version", "" for inline jobs
  std::string task;          // task id ("t-0001"); "" for the job record
  int64_t attempts = 0;
  std::string result;  // task: the last attempt's result; job: the job's status
  double wall_seconds = 0;
  double cpu_seconds = 0;
  int64_t peak_rss_kb = 0;
  int64_t stdout_bytes = 0;
  int64_t stderr_bytes = 0;
};

// The records of round `round` of a finished job: one per task that belongs to the round (round 0:
// every task; a retry round: the tasks that ran in it), then one for the job (sums over those
// tasks, peak memory the maximum). `finished_ms` is the round's finish time; `email` the
// submitter's; `status` the job's status when the round finished ("": derived from `job`, which
// is right unless a retry started since).
std::vector<UsageRecord> RecordsForRound(const Job& job, int round, int64_t finished_ms,
                                         const std::string& email,
                                         const std::string& status = "");

Json RecordToJson(const UsageRecord& r);
// One NDJSON line (no newline): the fields in CSV column order, "time" first, so readers can skip
// lines out of a time range without parsing them.
std::string RecordToLine(const UsageRecord& r);
// Tolerant reader of one NDJSON line's object; InvalidArgument naming the field when malformed.
Result<UsageRecord> RecordFromJson(const Json& j);
// Reads one NDJSON line: lines exactly as RecordToLine writes them are read directly (exports
// read millions), anything else through the JSON parser and RecordFromJson.
Result<UsageRecord> RecordFromLine(std::string_view line);

// The CSV columns, in order (docs/usage.md).
inline constexpr std::string_view kCsvHeader =
    "time,kind,team,user_id,email,job,round,template,task,attempts,result,wall_seconds,"
    "cpu_seconds,peak_rss_kb,stdout_bytes,stderr_bytes\r\n";
// Appends one RFC 4180 record (CRLF-terminated) to `out`.
void AppendCsvRow(const UsageRecord& r, std::string* out);
// Appends one field: quoted (with quotes doubled) when it holds a comma, quote, CR or LF.
void AppendCsvField(std::string_view field, std::string* out);

// "YYYY-MM-DD" of a time (UTC).
std::string DayOf(int64_t ms);
// Midnight UTC of the day `ms` falls in.
int64_t DayStartMs(int64_t ms);

}  // namespace skiff::usage

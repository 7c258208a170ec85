// The job document (the seed's shape) and the rules that change it.
//
// A job's whole state is this struct: a `tasks` map of null / "ok" / "ko" with the details of every
// attempt beside it. The job's status is derived from that data by DeriveStatus and never stored.
// All functions here are pure (no I/O, no clock reads): the coordinator applies them live and again
// when it replays its journal, so both paths give the same document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/job_spec.h"
#include "core/json_input.h"
#include "core/status.h"

namespace skiff {

enum class TaskState : uint8_t { kPending = 0, kOk = 1, kKo = 2 };

// Output kept in the job document per attempt (the last bytes of stdout, stderr and error).
inline constexpr size_t kAttemptTailBytes = 2048;

// How an attempt ended. Empty while it runs.
inline constexpr std::string_view kResultOk = "ok";
inline constexpr std::string_view kResultFailed = "failed";
inline constexpr std::string_view kResultTimeout = "timeout";
inline constexpr std::string_view kResultLeaseExpired = "lease_expired";
inline constexpr std::string_view kResultCancelled = "cancelled";

struct Attempt {
  int n = 0;      // 1-based within the task
  int round = 0;  // the job's retry round it belongs to
  std::string worker;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;  // 0 while running
  std::string result;    // "" while running, else one of kResult*
  int exit = -1;
  int signal = 0;
  int64_t wall_ms = 0;
  int64_t cpu_ms = 0;
  int64_t max_rss_kb = 0;
  std::string stdout_tail;
  std::string stderr_tail;
  int64_t stdout_bytes = 0;  // all the attempt wrote (at least the tail's size)
  int64_t stderr_bytes = 0;
  std::string error;
  Json unknown;  // fields of a stored attempt this version does not know, written back unchanged

  bool running() const { return result.empty(); }
};

// What a worker reports about a finished attempt.
struct AttemptEnd {
  std::string result;  // kResultOk, kResultFailed, kResultTimeout, kResultLeaseExpired
  int exit = -1;
  int signal = 0;
  int64_t wall_ms = 0;
  int64_t cpu_ms = 0;
  int64_t max_rss_kb = 0;
  std::string stdout_tail;
  std::string stderr_tail;
  int64_t stdout_bytes = 0;  // 0: unknown (the tails' sizes are used)
  int64_t stderr_bytes = 0;
  std::string error;
};

struct Job {
  static constexpr int kSchema = 1;
  std::string id;
  std::string team;
  std::string user_id;
  std::string name;
  std::string correlation_id;
  std::string traceparent;  // W3C traceparent the job was submitted with; "" when none
  std::string idempotency_key;
  std::string template_ref;  // "name@version" of the catalog template it came from, or ""
  int64_t created_ms = 0;
  int64_t finished_ms = 0;   // 0 while any task is pending
  int64_t cancelled_ms = 0;  // 0 unless cancelled
  TaskSpec spec;
  Json params = Json::object();
  Json items;  // array, or null when the job has item_count tasks without item params
  Json notify;  // {"webhook", "email"} from the submission, or null (core/job_spec.h)
  int round = 0;
  // Every event listener has handled this round's "job.finished" (coord/events.h); reset by a
  // retry. A finished job without it is announced again after a restart.
  bool finish_acked = false;
  std::vector<TaskState> tasks;
  // How many of `tasks` are kPending: a cache kept by the rules below (and set when a document is
  // read), so finishing a task is O(1) instead of a scan of every task. Never stored.
  size_t pending = 0;
  std::vector<std::vector<Attempt>> attempts;  // per task, oldest first
  uint64_t seq = 0;  // the last journal record applied to this document
  Json unknown = Json::object();  // fields this version does not know, written back unchanged

  size_t size() const { return tasks.size(); }
};

enum class JobStatus { kPending, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view JobStatusName(JobStatus s);
bool ParseJobStatus(std::string_view name, JobStatus* out);

struct TaskCounts {
  size_t total = 0, pending = 0, running = 0, ok = 0, ko = 0;
};

TaskCounts CountTasks(const Job& job);
JobStatus DeriveStatus(const Job& job);

// A new job from a parsed submission; tasks all pending.
Job NewJob(JobSubmission sub, std::string id, std::string team, std::string user_id,
           int64_t now_ms);

// Renders task `index`'s argv and env (spec env plus SKIFF_JOB, SKIFF_TASK, SKIFF_ATTEMPT,
// SKIFF_CORRELATION_ID). InvalidArgument naming the task and the placeholder.
Status RenderTask(const Job& job, size_t index, int attempt, std::vector<std::string>* argv,
                  std::map<std::string, std::string>* env);
// Checks every task renders (first error wins), so a bad placeholder fails the submit.
Status CheckRenders(const Job& job);

// Attempts of task `index` in the job's current round.
int AttemptsInRound(const Job& job, size_t index);

// A worker took task `index`: appends attempt n (= its attempts count + 1).
void ApplyLease(Job& job, size_t index, const std::string& worker, int64_t now_ms);

enum class EndOutcome { kOk, kRetry, kKo, kIgnored };
// Attempt `n` of task `index` ended. Sets the task to "ok", or "ko" when the round's attempts are
// used up, or leaves it pending for a retry. kIgnored when that attempt is not running (a late or
// duplicate report). Sets finished_ms when the last task finishes.
EndOutcome ApplyAttemptEnd(Job& job, size_t index, int n, AttemptEnd end, int64_t now_ms);

// Cancels: every pending task becomes "ko" and its running attempt ends "cancelled". Returns false
// (and changes nothing) if the job had already finished.
bool ApplyCancel(Job& job, int64_t now_ms);

// Puts the "ko" tasks of a finished job back to pending in a new round; returns their indices
// (empty, and nothing changed, if the job is unfinished or has no "ko" task).
std::vector<size_t> ApplyRetry(Job& job, int64_t now_ms);

// The listeners have handled the finish of round `round`: sets finish_acked. Returns false (and
// changes nothing) if the job is not finished in that round.
bool ApplyFinishAcked(Job& job, int round);

// The document as stored (no derived fields). With include_tasks = false, items, tasks and
// attempts are left out (for listings).
Json JobToDocument(const Job& job, bool include_tasks = true);
// The document plus derived "status" and "counts": what the API returns.
Json JobToApi(const Job& job, bool include_tasks = true);
// DumpJson(JobToDocument(job)) or, with for_api, DumpJson(JobToApi(job)), with tasks: the same
// JSON value (key order aside), written directly instead of through a JSON tree, several times
// faster for big jobs (checkpoints, reads of whole documents).
std::string DumpJobDocument(const Job& job, bool for_api);

// Tolerant reader: unknown fields are kept in job.unknown. InvalidArgument naming the field when
// a known one is malformed.
Result<Job> JobFromDocument(const Json& doc);

}  // namespace skiff

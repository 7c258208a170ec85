// What the coordinator tells the rest of the platform about its jobs: one JobEvent per change.
//
// Listeners (Coordinator::AddListener) are called on one dispatcher thread, in the order the
// changes happened, with batches of events whose changes are already durable in the journal. A
// listener must be quick (enqueue and return); it may call the coordinator's read methods.
//
// Delivery guarantees:
//  - "job.finished" is at-least-once, across crashes: once every listener has returned for it, the
//    coordinator records the acknowledgement in the job itself ("finish_acked"); a finished job
//    that was not acknowledged when the server stopped is delivered again after recovery with
//    recovered = true. Its key is (job, round): a retried job finishes again in a new round.
//    Consumers that must count exactly once (usage, notifications) dedupe on that key.
//  - Every other type is at-most-once: delivered live, not replayed after a crash (for streams,
//    metrics and logs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"

namespace skiff::coord {

// Job events. data: name, tasks (count) | status, counts | (none) | tasks (reset count).
inline constexpr std::string_view kEventJobCreated = "job.created";
inline constexpr std::string_view kEventJobFinished = "job.finished";
inline constexpr std::string_view kEventJobCancelled = "job.cancelled";
inline constexpr std::string_view kEventJobRetried = "job.retried";
// Task events, one per attempt. data: worker | result, exit, signal, wall_ms, cpu_ms, max_rss_kb,
// stdout_bytes, stderr_bytes, error (the attempt's end as the worker reported it).
inline constexpr std::string_view kEventTaskLeased = "task.leased";
inline constexpr std::string_view kEventTaskOk = "task.ok";
inline constexpr std::string_view kEventTaskKo = "task.ko";            // failed, no attempt left
inline constexpr std::string_view kEventTaskRetried = "task.retried";  // failed, will run again
inline constexpr std::string_view kEventTaskLeaseExpired = "task.lease_expired";  // data.retry

struct JobEvent {
  std::string type;  // one of kEvent*
  int64_t ts_ms = 0;
  std::string job;
  std::string team;
  std::string user_id;
  std::string correlation_id;
  std::string traceparent;  // the job's W3C traceparent, "" when it has none
  int64_t task = -1;    // task index; -1 for job events
  std::string task_id;  // TaskId(task, tasks): "" for job events
  int attempt = 0;      // attempt number (task events)
  int round = 0;        // the job's retry round
  Json data = Json::object();
  // job.finished only: the whole job as it finished (tasks and every attempt).
  std::shared_ptr<const Job> doc;
  bool recovered = false;  // job.finished delivered again after a restart
};

using EventListener = std::function<void(const std::vector<JobEvent>& batch)>;

}  // namespace skiff::coord

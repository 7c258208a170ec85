// Worker: leases tasks from a TaskSource, runs them with an Executor, keeps the leases alive with
// heartbeats and reports results in batches.
//
// The same loop serves in-process workers (`skiff up --workers N`, TaskSource = the coordinator)
// and standalone ones (`skiff worker`, TaskSource = the HTTP client). Up to `concurrency` tasks run
// at once; leases are asked for in batches of the free slots (plus a prefetch while tasks are
// short); results are sent in batches by two threads, so one batch's wait for durability overlaps
// the hand-over of the next. When a heartbeat says a lease was cancelled or lost, the process is
// killed and nothing is reported. A report that fails to send is kept and retried, so a server
// restart loses no finished result whose lease is still valid.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/worker_protocol.h"
#include "exec/executor.h"

namespace skiff::worker {

struct WorkerOptions {
  std::string name = "worker";  // recorded on every attempt
  int concurrency = 4;
  int wait_ms = 5000;                // long-poll
  size_t output_limit = 64 * 1024;   // stdout/stderr tail bytes sent per attempt
  int64_t heartbeat_ms = 0;          // 0: a third of the lease time the source announces
  // Tasks leased ahead of a free slot, so a slot that frees up starts the next task at once
  // instead of waiting for a lease round trip. Only while recent tasks are short (a moving
  // average of their wall time under short_task_ms): long tasks are never hoarded by one worker
  // while another is idle. -1: as many as `concurrency`.
  int prefetch = -1;
  int64_t short_task_ms = 50;
};

struct WorkerStats {
  uint64_t leased = 0, reported = 0, rejected = 0, killed = 0;
};

class Worker {
 public:
  Worker(TaskSource* source, exec::Executor* executor, WorkerOptions opts);
  ~Worker();
  void Start();
  // Stops leasing, lets running tasks finish and their results be reported (up to `grace_ms`;
  // after that they are killed and not reported), then returns.
  void Stop(int grace_ms = 30000);
  WorkerStats stats() const;

 private:
  struct Running {
    LeasedTask task;
    std::atomic<bool> cancel{false};
  };
  void FetchLoop();
  void RunLoop();
  void ReportLoop();
  void HeartbeatLoop();
  int CapacityLocked() const;  // tasks to hold (queued + running) now
  void NotifyStateLocked();    // wakes Stop when it waits for the worker to go idle

  TaskSource* const source_;
  exec::Executor* const executor_;
  const WorkerOptions opts_;

  mutable std::mutex mu_;
  // One condition per kind of waiter, so finishing a task wakes one thread, not all of them.
  std::condition_variable work_cv_;    // run threads: a task is queued, or done_
  std::condition_variable fetch_cv_;   // the fetch loop: a slot is free, or stopping
  std::condition_variable report_cv_;  // the report loop: a result to send, or done_
  std::condition_variable state_cv_;   // Stop and the heartbeat loop
  double avg_wall_ms_ = -1;            // moving average of task wall time; -1 before the first
  std::atomic<bool> stopping_{false};  // no more leasing
  bool done_ = false;                  // everything stops
  std::deque<std::shared_ptr<Running>> queue_;          // leased, not started
  std::map<std::string, std::shared_ptr<Running>> running_;  // by lease, incl. queued
  std::deque<TaskReport> reports_;
  int in_flight_ = 0;  // queued + running
  int reporting_ = 0;  // reports being sent
  bool fetching_ = false;  // a Lease call is under way
  std::atomic<int64_t> lease_ms_{30000};
  WorkerStats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace skiff::worker

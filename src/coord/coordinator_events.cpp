// Coordinator job events: queued under the lock, delivered in order by the dispatcher thread
// (coord/events.h).
#include "coord/coordinator.h"

#include <algorithm>
#include <chrono>

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::coord {

void Coordinator::AddListener(EventListener listener) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_.push_back(std::move(listener));
  }
  events_cv_.notify_all();
}

void Coordinator::EmitLocked(const Job& job, std::string_view type, int64_t now, int64_t task,
                             int attempt, Json data) {
  JobEvent e;
  e.type = std::string(type);
  e.ts_ms = now;
  e.job = job.id;
  e.team = job.team;
  e.user_id = job.user_id;
  e.correlation_id = job.correlation_id;
  e.traceparent = job.traceparent;
  e.task = task;
  if (task >= 0) e.task_id = TaskId(static_cast<size_t>(task), job.size());
  e.attempt = attempt;
  e.round = job.round;
  e.data = std::move(data);
  bool first = events_.empty();
  events_.push_back(std::move(e));
  if (first) events_cv_.notify_one();
}

void Coordinator::EmitFinishedLocked(const Job& job, int64_t now, bool recovered) {
  TaskCounts c = CountTasks(job);
  EmitLocked(job, kEventJobFinished, recovered ? job.finished_ms : now, -1, 0,
             {{"status", JobStatusName(DeriveStatus(job))},
              {"counts", {{"total", c.total}, {"ok", c.ok}, {"ko", c.ko}}},
              {"created_ms", job.created_ms},
              {"finished_ms", job.finished_ms}});
  events_.back().recovered = recovered;
}

void Coordinator::DispatchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    events_cv_.wait(lock, [&] {
      return abandoned_ || stopping_ || (!listeners_.empty() && !events_.empty());
    });
    if (abandoned_) return;
    if (listeners_.empty() || events_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::vector<JobEvent> batch;
    batch.swap(events_);
    // The whole finished job, as it is now (a retry may have started a new round since: the
    // event's round says which attempts it is about).
    for (JobEvent& e : batch) {
      if (e.type != kEventJobFinished) continue;
      if (auto it = jobs_.find(e.job); it != jobs_.end()) {
        e.doc = std::make_shared<const Job>(it->second->job);
      }
    }
    std::vector<EventListener> listeners = listeners_;
    uint64_t upto = journal_->last_seq();
    lock.unlock();
    // Listeners hear only of changes that are durable.
    Status st = journal_->WaitDurable(upto);
    if (st.ok()) {
      for (const EventListener& listener : listeners) listener(batch);
    } else {
      obs::Error("events: the journal failed; events dropped", {{"error", st.message()},
                                                              {"events", batch.size()}});
    }
    lock.lock();
    if (!st.ok()) continue;
    int64_t now = clock_->NowMs();
    for (const JobEvent& e : batch) {
      if (e.type != kEventJobFinished) continue;
      auto it = jobs_.find(e.job);
      if (it == jobs_.end()) continue;
      JobState* js = it->second.get();
      if (ApplyFinishAcked(js->job, e.round)) {
        AppendLocked(js, {{"t", "acked"}, {"job", e.job}, {"round", e.round}, {"ts", now}});
      }
    }
  }
}

}  // namespace skiff::coord

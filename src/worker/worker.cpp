#include "worker/worker.h"

#include <chrono>

#include "obs/log.h"

namespace skiff::worker {

using namespace std::chrono_literals;

Worker::Worker(TaskSource* source, exec::Executor* executor, WorkerOptions opts)
    : source_(source), executor_(executor), opts_(std::move(opts)) {}

Worker::~Worker() { Stop(0); }

void Worker::Start() {
  threads_.emplace_back([this] { FetchLoop(); });
  // Two report threads: while one waits for its batch to become durable (a journal commit),
  // the other already hands over the next, so a result never waits for two commits.
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ReportLoop(); });
  threads_.emplace_back([this] { HeartbeatLoop(); });
  for (int i = 0; i < opts_.concurrency; ++i) threads_.emplace_back([this] { RunLoop(); });
}

int Worker::CapacityLocked() const {
  int prefetch = opts_.prefetch >= 0 ? opts_.prefetch : opts_.concurrency;
  bool short_tasks = avg_wall_ms_ >= 0 && avg_wall_ms_ < static_cast<double>(opts_.short_task_ms);
  return opts_.concurrency + (short_tasks ? prefetch : 0);
}

void Worker::NotifyStateLocked() {
  if (stopping_) state_cv_.notify_all();
}

void Worker::FetchLoop() {
  int backoff_ms = 100;
  while (!stopping_) {
    int free_slots;
    {
      std::unique_lock<std::mutex> lock(mu_);
      fetch_cv_.wait(lock, [&] { return stopping_ || in_flight_ < CapacityLocked(); });
      if (stopping_) break;
      free_slots = CapacityLocked() - in_flight_;
      fetching_ = true;  // Stop waits for this lease call: what it returns is run, not dropped
    }
    LeaseRequest req;
    req.worker = opts_.name;
    req.max = free_slots;
    req.wait_ms = opts_.wait_ms;
    auto res = source_->Lease(req);
    if (!res.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        fetching_ = false;
        NotifyStateLocked();
      }
      obs::Warn("worker: lease failed; retrying", {{"error", res.status().message()},
                                                    {"retry_ms", backoff_ms}});
      std::unique_lock<std::mutex> lock(mu_);
      fetch_cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms),
                         [&] { return stopping_.load(); });
      backoff_ms = std::min(backoff_ms * 2, 5000);
      continue;
    }
    backoff_ms = 100;
    if (res->lease_ms > 0) lease_ms_ = res->lease_ms;
    std::lock_guard<std::mutex> lock(mu_);
    fetching_ = false;
    for (LeasedTask& t : res->tasks) {
      auto r = std::make_shared<Running>();
      r->task = std::move(t);
      running_[r->task.lease] = r;
      queue_.push_back(r);
      ++in_flight_;
      ++stats_.leased;
      work_cv_.notify_one();
    }
    NotifyStateLocked();
  }
}

void Worker::RunLoop() {
  while (true) {
    std::shared_ptr<Running> r;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      r = queue_.front();
      queue_.pop_front();
    }
    exec::RunRequest req;
    req.argv = r->task.argv;
    req.env = r->task.env;
    req.timeout_s = r->task.timeout_s;
    req.output_limit = opts_.output_limit;
    exec::RunOutcome out = executor_->Run(req, r->cancel);
    std::lock_guard<std::mutex> lock(mu_);
    running_.erase(r->task.lease);
    --in_flight_;
    avg_wall_ms_ = avg_wall_ms_ < 0 ? static_cast<double>(out.wall_ms)
                                    : 0.8 * avg_wall_ms_ + 0.2 * static_cast<double>(out.wall_ms);
    fetch_cv_.notify_one();
    if (out.cancelled || r->cancel) {
      ++stats_.killed;  // cancelled or lost: the coordinator wants no report
    } else {
      TaskReport rep;
      rep.lease = r->task.lease;
      rep.exit = out.exit_code;
      rep.signal = out.signal;
      rep.timed_out = out.timed_out;
      rep.error = out.error;
      rep.wall_ms = out.wall_ms;
      rep.cpu_ms = out.cpu_ms;
      rep.max_rss_kb = out.max_rss_kb;
      rep.stdout_tail = std::move(out.stdout_tail);
      rep.stderr_tail = std::move(out.stderr_tail);
      rep.stdout_bytes = out.stdout_bytes;
      rep.stderr_bytes = out.stderr_bytes;
      reports_.push_back(std::move(rep));
      report_cv_.notify_one();
    }
    NotifyStateLocked();
  }
}

void Worker::ReportLoop() {
  int backoff_ms = 100;
  while (true) {
    std::vector<TaskReport> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      report_cv_.wait(lock, [&] { return done_ || !reports_.empty(); });
      if (reports_.empty()) return;
      while (!reports_.empty() && batch.size() < 1000) {
        batch.push_back(std::move(reports_.front()));
        reports_.pop_front();
      }
      reporting_ += static_cast<int>(batch.size());
    }
    std::vector<TaskReport> copy = batch;
    auto res = source_->Complete(std::move(copy));
    std::unique_lock<std::mutex> lock(mu_);
    reporting_ -= static_cast<int>(batch.size());
    if (!res.ok()) {
      // Keep them, in order, and try again: the coordinator accepts a repeated report.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) reports_.push_front(std::move(*it));
      obs::Warn("worker: reporting results failed; retrying",
                {{"error", res.status().message()}, {"results", batch.size()}});
      if (done_) return;
      report_cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, 5000);
      continue;
    }
    backoff_ms = 100;
    stats_.reported += res->accepted.size();
    stats_.rejected += res->rejected.size();
    for (const auto& [lease, reason] : res->rejected) {
      obs::Warn("worker: result rejected", {{"lease", lease}, {"reason", reason}});
    }
    NotifyStateLocked();
  }
}

void Worker::HeartbeatLoop() {
  // Wakes often and sends when the interval has passed, so a lease time learned from the first
  // lease answer applies at once.
  auto last = std::chrono::steady_clock::now();
  while (true) {
    std::vector<std::string> leases;
    {
      std::unique_lock<std::mutex> lock(mu_);
      state_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return done_; });
      if (done_) return;
      int64_t every = opts_.heartbeat_ms > 0 ? opts_.heartbeat_ms : lease_ms_.load() / 3;
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(std::max<int64_t>(every, 10))) continue;
      last = now;
      for (const auto& [lease, r] : running_) leases.push_back(lease);
    }
    if (leases.empty()) continue;
    auto res = source_->Heartbeat(leases);
    if (!res.ok()) {
      obs::Warn("worker: heartbeat failed", {{"error", res.status().message()}});
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto* list : {&res->cancelled, &res->lost}) {
      for (const std::string& lease : *list) {
        if (auto it = running_.find(lease); it != running_.end()) it->second->cancel = true;
      }
    }
  }
}

void Worker::Stop(int grace_ms) {
  if (threads_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  fetch_cv_.notify_all();
  {
    std::unique_lock<std::mutex> lock(mu_);
    bool idle = state_cv_.wait_for(lock, std::chrono::milliseconds(grace_ms), [&] {
      return !fetching_ && in_flight_ == 0 && reports_.empty() && reporting_ == 0;
    });
    if (!idle) {
      for (auto& [lease, r] : running_) r->cancel = true;
    }
    done_ = true;
  }
  for (auto* cv : {&work_cv_, &fetch_cv_, &report_cv_, &state_cv_}) cv->notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

WorkerStats Worker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace skiff::worker

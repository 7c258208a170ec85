#include "coord/coordinator.h"

#include <algorithm>
#include <chrono>

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::coord {
namespace {

std::string LeaseToken(const std::string& job, uint32_t task, int n) {
  return job + "/" + std::to_string(task) + "/" + std::to_string(n);
}

bool ParseLeaseToken(const std::string& token, std::string* job, uint32_t* task, int* n) {
  size_t a = token.find('/');
  size_t b = a == std::string::npos ? a : token.find('/', a + 1);
  if (b == std::string::npos) return false;
  *job = token.substr(0, a);
  char* end = nullptr;
  std::string t = token.substr(a + 1, b - a - 1), k = token.substr(b + 1);
  if (t.empty() || k.empty() || t.size() > 9 || k.size() > 6) return false;
  *task = static_cast<uint32_t>(std::strtoul(t.c_str(), &end, 10));
  if (*end != '\0') return false;
  *n = static_cast<int>(std::strtol(k.c_str(), &end, 10));
  return *end == '\0' && *n > 0;
}

AttemptEnd EndFromReport(TaskReport&& r) {
  AttemptEnd e;
  if (r.timed_out) {
    e.result = std::string(kResultTimeout);
  } else if (r.exit == 0 && r.signal == 0 && r.error.empty()) {
    e.result = std::string(kResultOk);
  } else {
    e.result = std::string(kResultFailed);
  }
  e.exit = r.exit;
  e.signal = r.signal;
  e.wall_ms = r.wall_ms;
  e.cpu_ms = r.cpu_ms;
  e.max_rss_kb = r.max_rss_kb;
  e.stdout_tail = std::move(r.stdout_tail);
  e.stderr_tail = std::move(r.stderr_tail);
  e.stdout_bytes = r.stdout_bytes;
  e.stderr_bytes = r.stderr_bytes;
  e.error = std::move(r.error);
  return e;
}

Json EndRecord(const std::string& job, uint32_t task, int n, int64_t now, const AttemptEnd& e) {
  Json rec = {{"t", "end"}, {"job", job}, {"task", task}, {"n", n}, {"ts", now},
              {"r", e.result}, {"exit", e.exit}};
  if (e.signal) rec["sig"] = e.signal;
  if (e.wall_ms) rec["wall"] = e.wall_ms;
  if (e.cpu_ms) rec["cpu"] = e.cpu_ms;
  if (e.max_rss_kb) rec["rss"] = e.max_rss_kb;
  if (e.stdout_bytes) rec["ob"] = e.stdout_bytes;
  if (e.stderr_bytes) rec["eb"] = e.stderr_bytes;
  // Only what the document keeps: a worker may send 256 KiB of output per stream.
  if (!e.stdout_tail.empty()) rec["out"] = Utf8Tail(e.stdout_tail, kAttemptTailBytes);
  if (!e.stderr_tail.empty()) rec["err"] = Utf8Tail(e.stderr_tail, kAttemptTailBytes);
  if (!e.error.empty()) rec["error"] = Utf8Tail(e.error, kAttemptTailBytes);
  return rec;
}

}  // namespace

Coordinator::Coordinator(store::ObjectStore* store, Clock* clock, CoordinatorOptions opts)
    : store_(store), clock_(clock), opts_(std::move(opts)), rng_(std::random_device{}()) {}

Result<std::unique_ptr<Coordinator>> Coordinator::Open(store::ObjectStore* store, Clock* clock,
                                                       CoordinatorOptions opts) {
  if (opts.journal_dir.empty()) return InvalidArgument("coordinator: journal_dir is required");
  std::unique_ptr<Coordinator> c(new Coordinator(store, clock, std::move(opts)));
  RETURN_IF_ERROR(c->Recover());
  c->timer_ = std::thread([p = c.get()] { p->TimerLoop(); });
  c->checkpointer_ = std::thread([p = c.get()] { p->CheckpointLoop(); });
  c->dispatcher_ = std::thread([p = c.get()] { p->DispatchLoop(); });
  return c;
}

Coordinator::~Coordinator() { Shutdown(); }

Coordinator::JobState* Coordinator::FindLocked(const std::string& id, const Caller& caller) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return nullptr;
  if (!caller.admin && it->second->job.team != caller.team) return nullptr;
  return it->second.get();
}

void Coordinator::MakeReadyLocked(JobState* js, uint32_t task) {
  js->ready.push_back(task);
  js->ready_since.push_back(clock_->NowMs());
  if (!js->in_ring) {
    js->in_ring = true;
    ring_.push_back(js);
  }
}

uint64_t Coordinator::AppendLocked(JobState* js, const Json& record) {
  uint64_t seq = journal_->Append(DumpJson(record));
  js->job.seq = seq;
  MarkDirtyLocked(js, seq);
  return seq;
}

void Coordinator::MarkDirtyLocked(JobState* js, uint64_t seq) {
  if (js->unpersisted_since == 0) {
    js->unpersisted_since = seq;
    js->dirty_since_ms = clock_->NowMs();
  }
  dirty_.insert(js);
}

void Coordinator::EndAttemptLocked(JobState* js, uint32_t task, int n, AttemptEnd end, int64_t now,
                                   std::vector<uint64_t>* seqs) {
  Json rec = EndRecord(js->job.id, task, n, now, end);
  Json data;
  if (!listeners_.empty()) {
    data = {{"result", end.result}, {"exit", end.exit}, {"signal", end.signal},
            {"wall_ms", end.wall_ms}, {"cpu_ms", end.cpu_ms}, {"max_rss_kb", end.max_rss_kb},
            {"stdout_bytes", std::max<int64_t>(end.stdout_bytes,
                                               static_cast<int64_t>(end.stdout_tail.size()))},
            {"stderr_bytes", std::max<int64_t>(end.stderr_bytes,
                                               static_cast<int64_t>(end.stderr_tail.size()))}};
    if (!end.error.empty()) data["error"] = rec.value("error", "");
  }
  bool lease_expired = end.result == kResultLeaseExpired;
  EndOutcome out = ApplyAttemptEnd(js->job, task, n, std::move(end), now);
  if (out == EndOutcome::kIgnored) return;
  js->lease_deadline.erase(task);
  seqs->push_back(AppendLocked(js, rec));
  if (!listeners_.empty()) {
    std::string_view type = lease_expired           ? kEventTaskLeaseExpired
                            : out == EndOutcome::kOk  ? kEventTaskOk
                            : out == EndOutcome::kKo  ? kEventTaskKo
                                                      : kEventTaskRetried;
    if (lease_expired) data["retry"] = out == EndOutcome::kRetry;
    EmitLocked(js->job, type, now, task, n, std::move(data));
    if (js->job.finished_ms != 0) EmitFinishedLocked(js->job, now, false);
  }
  if (out == EndOutcome::kRetry) {
    ++stats_.retries;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    int64_t delay = RetryDelayMs(js->job.spec, AttemptsInRound(js->job, task), jitter(rng_));
    if (delay <= 0 || stopping_) {
      MakeReadyLocked(js, task);
    } else {
      retries_.push({now + delay, js, task, js->job.attempts[task].size()});
    }
  }
}

Result<Json> Coordinator::Submit(JobSubmission sub, const Caller& caller,
                                 const std::string& idempotency_key, bool* created) {
  *created = false;
  std::string idem = caller.user_id + "\n" + idempotency_key;
  int64_t now = clock_->NowMs();
  Job job = NewJob(std::move(sub), NewJobId(now), caller.team, caller.user_id, now);
  job.idempotency_key = idempotency_key;
  if (job.correlation_id.empty()) job.correlation_id = RandomHex(16);
  RETURN_IF_ERROR(CheckRenders(job));
  std::string create_record = DumpJson({{"t", "create"}, {"doc", JobToDocument(job)}});

  uint64_t seq;
  JobState* js;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("the server is shutting down");
    if (!idempotency_key.empty()) {
      if (auto it = idempotency_.find(idem); it != idempotency_.end()) {
        JobState* existing = jobs_.at(it->second).get();
        uint64_t upto = existing->job.seq;
        Json answer = JobToApi(existing->job, false);
        mu_.unlock();
        Status st = journal_->WaitDurable(upto);
        mu_.lock();
        if (!st.ok()) return st;
        return answer;
      }
      idempotency_[idem] = job.id;
    }
    auto owned = std::make_unique<JobState>();
    js = owned.get();
    js->job = std::move(job);
    seq = journal_->Append(create_record);
    js->job.seq = seq;
    MarkDirtyLocked(js, seq);
    for (uint32_t i = 0; i < js->job.size(); ++i) MakeReadyLocked(js, i);
    if (!listeners_.empty()) {
      EmitLocked(js->job, kEventJobCreated, now, -1, 0,
                 {{"name", js->job.name}, {"tasks", js->job.size()}});
    }
    jobs_[js->job.id] = std::move(owned);
  }
  ready_cv_.notify_all();
  RETURN_IF_ERROR(journal_->WaitDurable(seq));
  *created = true;
  std::lock_guard<std::mutex> lock(mu_);
  return JobToApi(js->job, false);
}

Result<Json> Coordinator::GetJob(const std::string& id, const Caller& caller,
                                 bool include_tasks) {
  Json answer;
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    JobState* js = FindLocked(id, caller);
    if (js == nullptr) return NotFound("no job " + id);
    answer = JobToApi(js->job, include_tasks);
    seq = js->job.seq;
  }
  // Reads show only what is durable: a result applied but not yet flushed could vanish in a
  // crash, and a reader must never see a job go back (at most one group commit of waiting).
  RETURN_IF_ERROR(journal_->WaitDurable(seq));
  return answer;
}

Result<std::string> Coordinator::GetJobText(const std::string& id, const Caller& caller,
                                            bool include_tasks) {
  // Documents up to this size are kept serialized once their job finished.
  constexpr size_t kMaxCachedText = 64 * 1024;
  // Small jobs are written out under the lock; a big one is copied and written out after it.
  constexpr size_t kWriteUnderLock = 64;
  const int slot = include_tasks ? 1 : 0;
  std::string text;
  std::optional<Job> copy;
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    JobState* js = FindLocked(id, caller);
    if (js == nullptr) return NotFound("no job " + id);
    seq = js->job.seq + 1;
    if (js->api_text_seq[slot] == seq) return js->api_text[slot];  // durable when it was kept
    if (!include_tasks) {
      text = DumpJson(JobToApi(js->job, false));
    } else if (js->job.size() <= kWriteUnderLock) {
      text = DumpJobDocument(js->job, /*for_api=*/true);
    } else {
      copy = js->job;
    }
  }
  if (copy) text = DumpJobDocument(*copy, /*for_api=*/true);
  RETURN_IF_ERROR(journal_->WaitDurable(seq - 1));  // as GetJob: only what is durable
  if (text.size() <= kMaxCachedText) {
    std::lock_guard<std::mutex> lock(mu_);
    JobState* js = FindLocked(id, caller);
    // Only a finished job's document stays put; any change moves job.seq and so misses.
    if (js != nullptr && js->job.seq + 1 == seq && js->job.finished_ms != 0) {
      js->api_text[slot] = text;
      js->api_text_seq[slot] = seq;
    }
  }
  return text;
}

Result<ListJobsResult> Coordinator::ListJobs(const ListJobsRequest& req, const Caller& caller) {
  ListJobsResult out;
  if (req.limit == 0) return InvalidArgument("limit: must be at least 1");
  uint64_t upto = 0;
  std::unique_lock<std::mutex> lock(mu_);
  auto it = req.cursor.empty() ? jobs_.end() : jobs_.lower_bound(req.cursor);
  while (it != jobs_.begin()) {
    --it;
    const Job& job = it->second->job;
    if (!caller.admin && job.team != caller.team) continue;
    if (req.status && DeriveStatus(job) != *req.status) continue;
    if (out.jobs.size() == req.limit) {
      out.next_cursor = out.jobs.back()["id"].get<std::string>();
      break;
    }
    out.jobs.push_back(JobToApi(job, false));
    upto = std::max(upto, job.seq);
  }
  lock.unlock();
  RETURN_IF_ERROR(journal_->WaitDurable(upto));  // as GetJob: only what is durable
  return out;
}

Result<Json> Coordinator::ChangeJob(
    const std::string& id, const Caller& caller,
    const std::function<Result<Json>(JobState* js, int64_t now)>& change) {
  uint64_t seq;
  Json answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    JobState* js = FindLocked(id, caller);
    if (js == nullptr) return NotFound("no job " + id);
    int64_t now = clock_->NowMs();
    ASSIGN_OR_RETURN(Json record, change(js, now));
    seq = AppendLocked(js, record);
    answer = JobToApi(js->job, false);
  }
  ready_cv_.notify_all();
  RETURN_IF_ERROR(journal_->WaitDurable(seq));
  return answer;
}

Result<Json> Coordinator::Cancel(const std::string& id, const Caller& caller) {
  return ChangeJob(id, caller, [&](JobState* js, int64_t now) -> Result<Json> {
    if (!ApplyCancel(js->job, now)) {
      return FailedPrecondition("job " + id + " has already finished");
    }
    js->lease_deadline.clear();
    // Drop its queue entries: a later Retry queues the ko tasks again, and stale duplicates would
    // let a retried task skip its backoff.
    js->ready.clear();
    js->ready_since.clear();
    if (js->in_ring) {
      ring_.erase(std::remove(ring_.begin(), ring_.end(), js), ring_.end());
      js->in_ring = false;
    }
    if (!listeners_.empty()) {
      EmitLocked(js->job, kEventJobCancelled, now);
      EmitFinishedLocked(js->job, now, false);
    }
    return Json{{"t", "cancel"}, {"job", id}, {"ts", now}};
  });
}

Result<Json> Coordinator::Retry(const std::string& id, const Caller& caller) {
  return ChangeJob(id, caller, [&](JobState* js, int64_t now) -> Result<Json> {
    if (js->job.finished_ms == 0) return FailedPrecondition("job " + id + " is still running");
    std::vector<size_t> reset = ApplyRetry(js->job, now);
    if (reset.empty()) return FailedPrecondition("job " + id + " has no failed task to retry");
    for (size_t i : reset) MakeReadyLocked(js, static_cast<uint32_t>(i));
    if (!listeners_.empty()) {
      EmitLocked(js->job, kEventJobRetried, now, -1, 0, {{"tasks", reset.size()}});
    }
    return Json{{"t", "retry"}, {"job", id}, {"ts", now}};
  });
}

Result<LeaseResponse> Coordinator::Lease(const LeaseRequest& req) {
  LeaseResponse out;
  out.lease_ms = opts_.lease_ms;
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(req.wait_ms);
  auto allowed = [&](const JobState* js) {
    return req.teams.empty() ||
           std::find(req.teams.begin(), req.teams.end(), js->job.team) != req.teams.end();
  };
  auto any_ready = [&] {
    if (req.teams.empty()) return !ring_.empty();
    return std::any_of(ring_.begin(), ring_.end(), allowed);
  };
  while (!any_ready() && !stopping_ && !draining_) {
    if (ready_cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  if (stopping_ || draining_) return out;
  int64_t now = clock_->NowMs();
  std::map<JobState*, Json> leased;  // job -> task indices, for one journal record per job
  size_t skipped = 0;  // jobs passed over in a row because the worker may not run their team
  while (static_cast<int>(out.tasks.size()) < req.max && !ring_.empty() &&
         skipped < ring_.size()) {
    JobState* js = ring_.front();
    ring_.pop_front();
    if (!allowed(js)) {
      ring_.push_back(js);
      ++skipped;
      continue;
    }
    skipped = 0;
    uint32_t i = js->ready.front();
    js->ready.pop_front();
    js->ready_since.pop_front();
    if (js->ready.empty()) {
      js->in_ring = false;
    } else {
      ring_.push_back(js);
    }
    Job& job = js->job;
    if (job.tasks[i] != TaskState::kPending ||
        (!job.attempts[i].empty() && job.attempts[i].back().running())) {
      continue;  // a stale queue entry (cancelled, or already leased)
    }
    ApplyLease(job, i, req.worker, now);
    int n = job.attempts[i].back().n;
    LeasedTask t;
    Status st = RenderTask(job, i, n, &t.argv, &t.env);
    if (!st.ok()) {  // cannot happen for a job that passed CheckRenders; fail the attempt
      AttemptEnd end;
      end.error = st.message();
      std::vector<uint64_t> seqs;
      Json lease_rec = {{"t", "lease"}, {"job", job.id}, {"w", req.worker}, {"ts", now},
                        {"tasks", {i}}};
      AppendLocked(js, lease_rec);
      EndAttemptLocked(js, i, n, std::move(end), now, &seqs);
      continue;
    }
    t.lease = LeaseToken(job.id, i, n);
    t.job = job.id;
    t.task = TaskId(i, job.size());
    t.attempt = n;
    t.timeout_s = job.spec.timeout_s;
    js->lease_deadline[i] = now + opts_.lease_ms;
    expiries_.push({now + opts_.lease_ms, js, i, static_cast<size_t>(n)});
    auto& rec = leased[js];
    if (rec.is_null()) {
      rec = {{"t", "lease"}, {"job", job.id}, {"w", req.worker}, {"ts", now},
             {"tasks", Json::array()}};
    }
    rec["tasks"].push_back(i);
    if (!listeners_.empty()) EmitLocked(job, kEventTaskLeased, now, i, n, {{"worker", req.worker}});
    out.tasks.push_back(std::move(t));
    ++stats_.leases_granted;
  }
  // Lease records are not awaited: a lease lost in a crash only means the task runs again, and
  // recovery counts the attempt when the record did survive.
  for (auto& [js, rec] : leased) AppendLocked(js, rec);
  return out;
}

Result<HeartbeatResponse> Coordinator::Heartbeat(const std::vector<std::string>& leases) {
  HeartbeatResponse out;
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_->NowMs();
  for (const std::string& token : leases) {
    std::string id;
    uint32_t i;
    int n;
    auto it = ParseLeaseToken(token, &id, &i, &n) ? jobs_.find(id) : jobs_.end();
    if (it == jobs_.end() || i >= it->second->job.size()) {
      out.lost.push_back(token);
      continue;
    }
    JobState* js = it->second.get();
    const auto& attempts = js->job.attempts[i];
    if (!attempts.empty() && attempts.back().n == n && attempts.back().running() &&
        js->lease_deadline.count(i)) {
      js->lease_deadline[i] = now + opts_.lease_ms;
      out.extended.push_back(token);
    } else if (js->job.cancelled_ms != 0) {
      out.cancelled.push_back(token);
    } else {
      out.lost.push_back(token);
    }
  }
  return out;
}

Result<CompleteResponse> Coordinator::Complete(std::vector<TaskReport> reports) {
  CompleteResponse out;
  std::vector<uint64_t> seqs;
  uint64_t wait_for = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = clock_->NowMs();
    for (TaskReport& r : reports) {
      std::string id;
      uint32_t i;
      int n;
      auto it = ParseLeaseToken(r.lease, &id, &i, &n) ? jobs_.find(id) : jobs_.end();
      if (it == jobs_.end() || i >= it->second->job.size()) {
        out.rejected.emplace_back(r.lease, "unknown lease");
        continue;
      }
      JobState* js = it->second.get();
      const auto& attempts = js->job.attempts[i];
      const Attempt* a = n >= 1 && static_cast<size_t>(n) <= attempts.size()
                             ? &attempts[static_cast<size_t>(n) - 1] : nullptr;
      if (a == nullptr) {
        out.rejected.emplace_back(r.lease, "unknown lease");
      } else if (a->running() && js->job.tasks[i] == TaskState::kPending) {
        std::string token = r.lease;
        EndAttemptLocked(js, i, n, EndFromReport(std::move(r)), now, &seqs);
        out.accepted.push_back(std::move(token));
      } else if (a->result == kResultLeaseExpired) {
        out.rejected.emplace_back(r.lease, "lease expired");
      } else if (a->result == kResultCancelled) {
        out.rejected.emplace_back(r.lease, "job cancelled");
      } else {
        // A repeated report of a result we already have (the worker retried): accept it again
        // once what we have is durable.
        wait_for = std::max(wait_for, js->job.seq);
        out.accepted.push_back(r.lease);
      }
    }
  }
  for (uint64_t s : seqs) wait_for = std::max(wait_for, s);
  if (!seqs.empty()) ready_cv_.notify_all();  // retries with no backoff are ready now
  if (wait_for > 0) RETURN_IF_ERROR(journal_->WaitDurable(wait_for));
  return out;
}

void Coordinator::TickLocked(int64_t now) {
  while (!retries_.empty() && retries_.top().at <= now) {
    Timed t = retries_.top();
    retries_.pop();
    const Job& job = t.js->job;
    if (job.tasks[t.task] == TaskState::kPending && job.attempts[t.task].size() == t.generation &&
        !job.attempts[t.task].back().running()) {
      MakeReadyLocked(t.js, t.task);
    }
  }
  std::vector<uint64_t> seqs;
  while (!expiries_.empty() && expiries_.top().at <= now) {
    Timed t = expiries_.top();
    expiries_.pop();
    auto dl = t.js->lease_deadline.find(t.task);
    const auto& attempts = t.js->job.attempts[t.task];
    if (dl == t.js->lease_deadline.end() || attempts.empty() ||
        attempts.back().n != static_cast<int>(t.generation) || !attempts.back().running()) {
      continue;
    }
    if (dl->second > now) {  // extended by a heartbeat
      expiries_.push({dl->second, t.js, t.task, t.generation});
      continue;
    }
    ++stats_.leases_expired;
    AttemptEnd end;
    end.result = std::string(kResultLeaseExpired);
    end.error = "no heartbeat from the worker for " + std::to_string(opts_.lease_ms) + " ms";
    EndAttemptLocked(t.js, t.task, static_cast<int>(t.generation), std::move(end), now, &seqs);
  }
}

void Coordinator::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.tick_ms));
    if (stopping_) break;
    size_t before = ring_.size();
    TickLocked(clock_->NowMs());
    if (!ring_.empty() && ring_.size() != before) ready_cv_.notify_all();
  }
}

void Coordinator::AbandonForTest() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;  // Shutdown (from the destructor) now does nothing
    abandoned_ = true;  // undelivered events are lost, as in a crash
  }
  stop_requested_ = true;
  ready_cv_.notify_all();
  stop_cv_.notify_all();
  events_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (dispatcher_.joinable()) dispatcher_.join();
  if (journal_) journal_->Close();
}

void Coordinator::Drain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
  }
  ready_cv_.notify_all();
}

void Coordinator::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_requested_ = true;
  ready_cv_.notify_all();
  stop_cv_.notify_all();
  events_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (dispatcher_.joinable()) dispatcher_.join();  // delivers what is queued first
  if (journal_) {
    Status st = CheckpointOnce(true, opts_.shutdown_checkpoint_ms);
    if (!st.ok()) obs::Error("final checkpoint failed", {{"error", st.message()}});
    journal_->Close();
  }
}

CoordinatorStats Coordinator::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  CoordinatorStats s = stats_;
  s.jobs = jobs_.size();
  int64_t now = clock_->NowMs();
  for (const JobState* js : ring_) {
    if (!js->ready_since.empty()) {
      s.oldest_ready_ms = std::max(s.oldest_ready_ms, now - js->ready_since.front());
    }
  }
  for (auto& [id, js] : jobs_) {
    if (js->job.finished_ms == 0) ++s.live_jobs;
    s.ready_tasks += js->ready.size();
    s.leased_tasks += js->lease_deadline.size();
  }
  return s;
}

}  // namespace skiff::coord

// Coordinator start-up: job documents, then the journal records newer than each.
#include "coord/coordinator.h"

#include <algorithm>
#include <chrono>

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::coord {

Status Coordinator::Recover() {
  auto t0 = std::chrono::steady_clock::now();
  size_t loaded = 0, skipped = 0;
  uint64_t max_doc_seq = 0;
  store::ListRequest req;
  req.prefix = "jobs/";
  while (true) {
    ASSIGN_OR_RETURN(store::ListResult page, store_->List(req));
    for (const std::string& key : page.keys) {
      if (key.size() < 5 || key.substr(key.size() - 5) != ".json") continue;
      auto obj = store_->Get(key);
      if (!obj.ok()) {
        if (obj.status().code() == Code::kNotFound) continue;
        return obj.status();
      }
      auto parsed = ParseJson(obj->bytes);
      Result<Job> job = parsed.ok() ? JobFromDocument(*parsed) : Result<Job>(parsed.status());
      if (!job.ok()) {
        obs::Error("recovery: skipping an unreadable job document",
                   {{"key", key}, {"error", job.status().message()}});
        ++skipped;
        continue;
      }
      auto js = std::make_unique<JobState>();
      js->job = std::move(job).value();
      max_doc_seq = std::max(max_doc_seq, js->job.seq);
      if (!js->job.idempotency_key.empty()) {
        idempotency_[js->job.user_id + "\n" + js->job.idempotency_key] = js->job.id;
      }
      std::string id = js->job.id;
      jobs_[id] = std::move(js);
      ++loaded;
    }
    if (!page.truncated || page.keys.empty()) break;
    req.start_after = page.keys.back();
  }

  uint64_t replayed = 0;
  replaying_ = true;
  // New records must get seqs above every document's, or a later recovery would skip them as
  // already applied (a journal folder that was lost or replaced starts again at 1).
  JournalOptions jopts = opts_.journal;
  jopts.min_next_seq = std::max(jopts.min_next_seq, max_doc_seq + 1);
  auto journal = Journal::Open(opts_.journal_dir, jopts,
                               [&](uint64_t seq, std::string_view payload) {
                                 ApplyRecord(seq, payload);
                                 ++replayed;
                               });
  replaying_ = false;
  if (!journal.ok()) return journal.status();
  journal_ = std::move(journal).value();

  // Attempts that were running when the server stopped get a fresh lease: a worker that outlived
  // the server (a standalone one) heartbeats and reports as if nothing happened; for one that died
  // with it the lease expires and the task is retried like any lost lease.
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_->NowMs();
  size_t requeued = 0, running = 0;
  size_t unannounced = 0;
  for (auto& [id, js] : jobs_) {
    Job& job = js->job;
    if (job.finished_ms != 0 && !job.finish_acked) {
      EmitFinishedLocked(job, now, /*recovered=*/true);
      ++unannounced;
    }
    for (uint32_t i = 0; i < job.size(); ++i) {
      if (job.tasks[i] != TaskState::kPending) continue;
      auto& attempts = job.attempts[i];
      if (!attempts.empty() && attempts.back().running()) {
        js->lease_deadline[i] = now + opts_.lease_ms;
        expiries_.push({now + opts_.lease_ms, js.get(), i,
                        static_cast<size_t>(attempts.back().n)});
        ++running;
      } else {
        MakeReadyLocked(js.get(), i);
        ++requeued;
      }
    }
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0).count();
  obs::Info("recovered", {{"jobs", loaded},
                          {"unreadable", skipped},
                          {"journal_records", replayed},
                          {"pending_tasks", requeued},
                          {"running_tasks", running},
                          {"unannounced_finished_jobs", unannounced},
                          {"ms", ms}});
  return OkStatus();
}

void Coordinator::ApplyRecord(uint64_t seq, std::string_view payload) {
  try {
    ApplyRecordOrThrow(seq, payload);
  } catch (const Json::exception& e) {  // found by tests/fuzz/fuzz_journal
    obs::Error("journal: skipping a malformed record", {{"seq", seq}, {"error", e.what()}});
  }
}

void Coordinator::ApplyRecordOrThrow(uint64_t seq, std::string_view payload) {
  auto parsed = ParseJson(payload);
  if (!parsed.ok() || !parsed->is_object()) {
    obs::Error("journal: unreadable record", {{"seq", seq}});
    return;
  }
  const Json& rec = *parsed;
  std::string type = rec.value("t", "");
  if (type == "create") {
    auto job = JobFromDocument(rec.value("doc", Json()));
    if (!job.ok()) {
      obs::Error("journal: bad create record", {{"seq", seq}, {"error", job.status().message()}});
      return;
    }
    if (jobs_.count(job->id)) return;  // the document already has it
    auto js = std::make_unique<JobState>();
    js->job = std::move(job).value();
    js->job.seq = seq;
    MarkDirtyLocked(js.get(), seq);
    if (!js->job.idempotency_key.empty()) {
      idempotency_[js->job.user_id + "\n" + js->job.idempotency_key] = js->job.id;
    }
    std::string id = js->job.id;
    jobs_[id] = std::move(js);
    return;
  }
  auto it = jobs_.find(rec.value("job", ""));
  if (it == jobs_.end()) {
    obs::Warn("journal: record for an unknown job", {{"seq", seq}, {"type", type}});
    return;
  }
  JobState* js = it->second.get();
  Job& job = js->job;
  if (seq <= job.seq) return;  // already in the document
  int64_t ts = rec.value("ts", int64_t{0});
  if (type == "lease") {
    std::string worker = rec.value("w", "");
    for (const Json& t : rec.value("tasks", Json::array())) {
      uint32_t i = t.get<uint32_t>();
      if (i < job.size()) ApplyLease(job, i, worker, ts);
    }
  } else if (type == "end") {
    uint32_t i = rec.value("task", 0u);
    AttemptEnd e;
    e.result = rec.value("r", "");
    e.exit = rec.value("exit", -1);
    e.signal = rec.value("sig", 0);
    e.wall_ms = rec.value("wall", int64_t{0});
    e.cpu_ms = rec.value("cpu", int64_t{0});
    e.max_rss_kb = rec.value("rss", int64_t{0});
    e.stdout_tail = rec.value("out", "");
    e.stderr_tail = rec.value("err", "");
    e.stdout_bytes = rec.value("ob", int64_t{0});
    e.stderr_bytes = rec.value("eb", int64_t{0});
    e.error = rec.value("error", "");
    ApplyAttemptEnd(job, i, rec.value("n", 0), std::move(e), ts);
  } else if (type == "cancel") {
    ApplyCancel(job, ts);
  } else if (type == "retry") {
    ApplyRetry(job, ts);
  } else if (type == "acked") {
    ApplyFinishAcked(job, rec.value("round", -1));
  } else {
    obs::Warn("journal: unknown record type", {{"seq", seq}, {"type", type}});
    return;
  }
  job.seq = seq;
  MarkDirtyLocked(js, seq);
}

}  // namespace skiff::coord

// Coordinator checkpoints: changed job documents to the object store, then the journal segments
// they cover dropped.
#include "coord/coordinator.h"

#include <algorithm>
#include <chrono>

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::coord {

namespace {

std::string DocKey(const std::string& job_id) { return "jobs/" + job_id + ".json"; }

}  // namespace

void Coordinator::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.checkpoint_interval_ms));
    if (stopping_) break;
    lock.unlock();
    Status st = CheckpointOnce(false);
    if (!st.ok()) obs::Warn("checkpoint failed; will retry", {{"error", st.message()}});
    lock.lock();
  }
}

Status Coordinator::CheckpointOnce(bool force, int64_t budget_ms) {
  std::lock_guard<std::mutex> one_at_a_time(checkpoint_mu_);
  struct Snap {
    JobState* js;
    Job job;
    uint64_t since;
  };
  std::vector<Snap> snaps;
  int64_t now = clock_->NowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = dirty_.begin(); it != dirty_.end();) {
      JobState* js = *it;
      // A big document is rewritten at most every 10x what its last write cost, so checkpoints
      // take a bounded share of the machine however large the job.
      if (!force && (now - js->last_checkpoint_ms < 10 * js->checkpoint_cost_ms ||
                     (js->job.finished_ms == 0 &&
                      now - js->dirty_since_ms < opts_.checkpoint_delay_ms))) {
        ++it;
        continue;
      }
      snaps.push_back({js, js->job, js->unpersisted_since});
      js->unpersisted_since = 0;
      it = dirty_.erase(it);
    }
  }
  auto requeue = [this](Snap& s) {  // with mu_ held
    if (s.js->unpersisted_since == 0 || s.since < s.js->unpersisted_since) {
      s.js->unpersisted_since = s.since;
    }
    dirty_.insert(s.js);
  };
  // A document must never get ahead of the journal: a record it covers that was then lost in a
  // crash would leave the document claiming a seq the reopened journal hands out again, and the
  // new record would be skipped at the next recovery as already applied.
  uint64_t upto = 0;
  for (const Snap& s : snaps) upto = std::max(upto, s.job.seq);
  if (upto > 0) {
    if (Status st = journal_->WaitDurable(upto); !st.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (Snap& s : snaps) requeue(s);
      return st;
    }
  }
  // Small documents are written in batches (on the folder store one file-system flush per batch
  // instead of two fsyncs per document); a big one alone.
  constexpr size_t kAloneBytes = 1 << 20, kBatchBytes = 8 << 20, kBatchDocs = 512;
  Status first_error;
  std::vector<store::PutItem> batch;
  std::vector<Snap*> in_batch;
  size_t batch_bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    auto t0 = std::chrono::steady_clock::now();
    Status st = batch.size() == 1 ? store_->Put(batch[0].key, batch[0].bytes).status()
                                  : store_->PutMany(batch);
    int64_t cost = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - t0).count() /
                   static_cast<int64_t>(batch.size());
    std::lock_guard<std::mutex> lock(mu_);
    for (Snap* s : in_batch) {
      if (!st.ok()) {
        requeue(*s);  // some may have been written: writing them again is harmless
      } else {
        s->js->last_checkpoint_ms = now;
        s->js->checkpoint_cost_ms = cost;
      }
    }
    if (!st.ok() && first_error.ok()) first_error = st;
    batch.clear();
    in_batch.clear();
    batch_bytes = 0;
  };
  auto started = std::chrono::steady_clock::now();
  for (size_t done = 0; done < snaps.size(); ++done) {
    if ((budget_ms >= 0 &&
         std::chrono::steady_clock::now() - started > std::chrono::milliseconds(budget_ms)) ||
        (!force && stop_requested_)) {
      flush();
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = done; i < snaps.size(); ++i) requeue(snaps[i]);
      obs::Info("checkpoint: stopped early; the journal keeps the rest",
                {{"reason", force ? "out of time" : "shutting down"},
                 {"written", done},
                 {"left", snaps.size() - done}});
      break;
    }
    Snap& s = snaps[done];
    std::string text = DumpJobDocument(s.job, /*for_api=*/false);
    if (!batch.empty() && (text.size() >= kAloneBytes || batch_bytes + text.size() > kBatchBytes ||
                           batch.size() >= kBatchDocs)) {
      flush();
    }
    batch_bytes += text.size();
    batch.push_back({DocKey(s.job.id), std::move(text)});
    in_batch.push_back(&s);
    if (batch_bytes >= kAloneBytes) flush();
  }
  flush();
  uint64_t low;
  {
    std::lock_guard<std::mutex> lock(mu_);
    low = journal_->last_seq() + 1;
    for (JobState* js : dirty_) low = std::min(low, js->unpersisted_since);
  }
  journal_->DropBefore(low);
  return first_error;
}

Status Coordinator::CheckpointForTest() { return CheckpointOnce(true); }

}  // namespace skiff::coord

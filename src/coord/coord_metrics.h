// Coordinator metrics: what the coordinator's events and Stats() say, as Prometheus series.
//
// From the events (coord/events.h), counted on the dispatcher thread:
//   skiff_jobs_created_total{team}, skiff_jobs_finished_total{team,status},
//   skiff_jobs_retried_total{team}, skiff_task_attempts_total{team,result},
//   skiff_tasks_finished_total{team,result}, skiff_task_attempt_duration_seconds{team}
// From Stats() at every scrape:
//   skiff_jobs_live, skiff_queue_ready_tasks, skiff_queue_leased_tasks,
//   skiff_queue_oldest_ready_age_seconds, skiff_leases_granted_total, skiff_leases_expired_total,
//   skiff_task_retries_total
// And from the journal's commit loop (ObserveJournalCommit):
//   skiff_journal_commit_duration_seconds, skiff_journal_commit_records (histograms),
//   skiff_journal_commit_bytes_total
// docs/observability.md lists them with their meaning.
#pragma once

#include <cstddef>

#include "coord/coordinator.h"
#include "obs/metrics.h"

namespace skiff::coord {

// Adds the listener and the Stats() collector. Call before traffic starts (listeners are added
// once and never removed). Destroy before the coordinator: the destructor removes the collector.
class CoordinatorMetrics {
 public:
  CoordinatorMetrics(Coordinator* coordinator, obs::Metrics* metrics);
  ~CoordinatorMetrics();
  CoordinatorMetrics(const CoordinatorMetrics&) = delete;
  CoordinatorMetrics& operator=(const CoordinatorMetrics&) = delete;

 private:
  obs::Metrics* metrics_;
  int collector_ = 0;
};

// One group commit of the journal: how long the write and fdatasync took, how many records and
// bytes it made durable. Records into obs::Metrics::Default().
void ObserveJournalCommit(double seconds, size_t records, size_t bytes);

}  // namespace skiff::coord

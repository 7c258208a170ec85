#include "coord/coord_metrics.h"

namespace skiff::coord {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::MetricType;

struct EventFamilies {
  Family<Counter>* jobs_created;
  Family<Counter>* jobs_finished;
  Family<Counter>* jobs_retried;
  Family<Counter>* attempts;
  Family<Counter>* tasks_finished;
  Family<prometheus::Histogram>* attempt_seconds;
};

const obs::Buckets& AttemptBuckets() {
  static const obs::Buckets kBuckets = {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
  return kBuckets;
}

void Count(const EventFamilies& f, const JobEvent& e) {
  const std::string& team = e.team;
  if (e.type == kEventJobCreated) {
    f.jobs_created->Add({{"team", team}}).Increment();
  } else if (e.type == kEventJobFinished) {
    f.jobs_finished->Add({{"team", team}, {"status", e.data.value("status", "unknown")}})
        .Increment();
  } else if (e.type == kEventJobRetried) {
    f.jobs_retried->Add({{"team", team}}).Increment();
  } else if (e.type == kEventTaskOk || e.type == kEventTaskKo || e.type == kEventTaskRetried ||
             e.type == kEventTaskLeaseExpired) {
    const bool expired = e.type == kEventTaskLeaseExpired;
    const char* attempt = e.type == kEventTaskOk ? "ok" : expired ? "lease_expired" : "failed";
    f.attempts->Add({{"team", team}, {"result", attempt}}).Increment();
    if (e.type == kEventTaskOk) {
      f.tasks_finished->Add({{"team", team}, {"result", "ok"}}).Increment();
    } else if (e.type == kEventTaskKo || (expired && !e.data.value("retry", true))) {
      f.tasks_finished->Add({{"team", team}, {"result", "ko"}}).Increment();
    }
    if (!expired) {
      double wall_ms = e.data.value("wall_ms", 0.0);
      f.attempt_seconds->Add({{"team", team}}, AttemptBuckets()).Observe(wall_ms / 1000.0);
    }
  }
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(Coordinator* coordinator, obs::Metrics* metrics)
    : metrics_(metrics) {
  EventFamilies f;
  f.jobs_created = &metrics->CounterFamily("skiff_jobs_created_total", "Jobs submitted.");
  f.jobs_finished = &metrics->CounterFamily(
      "skiff_jobs_finished_total", "Jobs that finished, by status (succeeded, failed, cancelled).");
  f.jobs_retried = &metrics->CounterFamily("skiff_jobs_retried_total",
                                           "Finished jobs whose failed tasks were run again.");
  f.attempts = &metrics->CounterFamily(
      "skiff_task_attempts_total",
      "Task attempts that ended, by result (ok, failed, lease_expired).");
  f.tasks_finished = &metrics->CounterFamily(
      "skiff_tasks_finished_total",
      "Tasks with a final result (ok, or ko after the last attempt).");
  f.attempt_seconds = &metrics->HistogramFamily(
      "skiff_task_attempt_duration_seconds", "Wall time of the task attempts that ran to an end.");
  coordinator->AddListener([f](const std::vector<JobEvent>& batch) {
    for (const JobEvent& e : batch) Count(f, e);
  });
  collector_ = metrics->AddCollector([coordinator](std::vector<prometheus::MetricFamily>* out) {
    CoordinatorStats s = coordinator->Stats();
    auto add = [out](const char* name, const char* help, MetricType type, double v) {
      auto family = obs::MakeFamily(name, help, type);
      obs::AddSample(&family, v);
      out->push_back(std::move(family));
    };
    add("skiff_jobs_live", "Jobs not finished yet.", MetricType::Gauge,
        static_cast<double>(s.live_jobs));
    add("skiff_queue_ready_tasks", "Tasks waiting for a worker.", MetricType::Gauge,
        static_cast<double>(s.ready_tasks));
    add("skiff_queue_leased_tasks", "Tasks leased to a worker (running).", MetricType::Gauge,
        static_cast<double>(s.leased_tasks));
    add("skiff_queue_oldest_ready_age_seconds",
        "How long the task waiting longest for a worker has waited (0 when none waits).",
        MetricType::Gauge, static_cast<double>(s.oldest_ready_ms) / 1000.0);
    add("skiff_leases_granted_total", "Task leases handed to workers.", MetricType::Counter,
        static_cast<double>(s.leases_granted));
    add("skiff_leases_expired_total", "Leases that expired without a heartbeat.",
        MetricType::Counter, static_cast<double>(s.leases_expired));
    add("skiff_task_retries_total", "Failed attempts that were scheduled to run again.",
        MetricType::Counter, static_cast<double>(s.retries));
  });
}

CoordinatorMetrics::~CoordinatorMetrics() { metrics_->RemoveCollector(collector_); }

void ObserveJournalCommit(double seconds, size_t records, size_t bytes) {
  static auto& m = obs::Metrics::Default();
  static auto& latency =
      m.HistogramFamily("skiff_journal_commit_duration_seconds",
                        "Time to write and fdatasync one group commit of the journal.")
          .Add({}, obs::LatencyBuckets());
  static auto& batch = m.HistogramFamily("skiff_journal_commit_records",
                                         "Records made durable by one group commit.")
                           .Add({}, obs::Buckets{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000});
  static auto& written = m.CounterFamily("skiff_journal_commit_bytes_total",
                                         "Bytes written to the journal by group commits.")
                             .Add({});
  latency.Observe(seconds);
  batch.Observe(static_cast<double>(records));
  written.Increment(static_cast<double>(bytes));
}

}  // namespace skiff::coord

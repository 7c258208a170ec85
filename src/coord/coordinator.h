// Coordinator: owns the live jobs, hands their tasks to workers and keeps every change durable.
//
// Live jobs are held in memory. Every change (job created, task leased, attempt ended, cancel,
// retry) is applied with the pure rules of core/job.h and appended to the Journal; callers are
// answered only once their change is durable (group commit). Job documents are checkpointed to the
// ObjectStore ("jobs/<id>.json") in the background, and journal segments the documents cover are
// dropped. Open() recovers: documents first, then the journal records newer than each document;
// attempts that were running when the server stopped get a fresh lease, so a worker that is still
// alive reports as usual and a dead one's lease expires (lease_expired) and the task is retried.
//
// Dispatch is fair: jobs with ready tasks take turns (round robin), one task per turn, so a huge
// job does not starve the jobs submitted after it. A lease lives lease_ms unless extended by a
// heartbeat; an expired lease ends its attempt (lease_expired) and the task is retried.
//
// Thread-safe. The TaskSource methods are the worker protocol (core/worker_protocol.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "coord/events.h"
#include "coord/journal.h"
#include "core/job.h"
#include "core/time.h"
#include "core/worker_protocol.h"
#include "store/object_store.h"

namespace skiff::coord {

struct CoordinatorOptions {
  std::string journal_dir;             // required: where the journal segments live
  JournalOptions journal;
  int64_t lease_ms = 30000;            // visibility timeout of a lease
  int64_t checkpoint_interval_ms = 1000;
  // A running job's document is rewritten once its oldest unwritten change is this old (a
  // finished one at the next checkpoint): a busy job's changes are batched into fewer writes.
  int64_t checkpoint_delay_ms = 2000;
  // Shutdown writes dirty documents for at most this long; the journal keeps the rest, and the
  // next start replays it.
  int64_t shutdown_checkpoint_ms = 3000;
  int64_t tick_ms = 20;                // how often retries and lease expiries are looked at
};

// Who is asking (identity resolves it; for now the bootstrap key's team and hash).
struct Caller {
  std::string team;
  std::string user_id;
  bool admin = false;  // sees every team's jobs
};

struct ListJobsRequest {
  std::optional<JobStatus> status;
  size_t limit = 100;
  std::string cursor;  // the last id of the previous page; "" for the first page
};

struct ListJobsResult {
  std::vector<Json> jobs;   // newest first, without items/tasks/attempts
  std::string next_cursor;  // "" when there is no next page
};

struct CoordinatorStats {
  size_t jobs = 0;
  size_t live_jobs = 0;
  size_t ready_tasks = 0;
  size_t leased_tasks = 0;
  uint64_t leases_granted = 0;
  uint64_t leases_expired = 0;
  uint64_t retries = 0;
  int64_t oldest_ready_ms = 0;  // how long the task waiting longest for a worker has waited
};

class Coordinator : public TaskSource {
 public:
  static Result<std::unique_ptr<Coordinator>> Open(store::ObjectStore* store, Clock* clock,
                                                   CoordinatorOptions opts);
  ~Coordinator() override;

  // Creates a job; answers once it is durable. With an idempotency key already used by the same
  // user, returns that job and sets *created = false. InvalidArgument when a task cannot render.
  Result<Json> Submit(JobSubmission sub, const Caller& caller, const std::string& idempotency_key,
                      bool* created);
  // NotFound for a job of another team (unless admin).
  Result<Json> GetJob(const std::string& id, const Caller& caller, bool include_tasks);
  // GetJob as JSON text. A finished job's small document is kept serialized (until it changes),
  // so reading it again costs a lookup and a copy, not a rebuild.
  Result<std::string> GetJobText(const std::string& id, const Caller& caller, bool include_tasks);
  Result<ListJobsResult> ListJobs(const ListJobsRequest& req, const Caller& caller);
  // FailedPrecondition if the job already finished.
  Result<Json> Cancel(const std::string& id, const Caller& caller);
  // FailedPrecondition if the job is running or has no "ko" task.
  Result<Json> Retry(const std::string& id, const Caller& caller);

  // TaskSource
  Result<LeaseResponse> Lease(const LeaseRequest& req) override;
  Result<HeartbeatResponse> Heartbeat(const std::vector<std::string>& leases) override;
  Result<CompleteResponse> Complete(std::vector<TaskReport> reports) override;

  // Adds a listener for job events (coord/events.h), called on the coordinator's dispatcher thread.
  // Add listeners before traffic starts: events that happen while there is none are not kept,
  // except "job.finished" of unacknowledged finished jobs, which waits for the first listener.
  void AddListener(EventListener listener);

  // Stops handing out tasks: waiting and new Lease calls return at once with none. For a
  // graceful stop, call before stopping the HTTP server so long polls end.
  void Drain();
  // Stops dispatching (waiting leases return empty), writes every dirty document, closes the
  // journal. Idempotent; the destructor calls it.
  void Shutdown();

  CoordinatorStats Stats();
  // Writes dirty documents now (tests, shutdown).
  Status CheckpointForTest();
  // Simulates a crash: stops the background threads and closes the journal (flushing what was
  // appended, as if the process died right after its last journal write) without the final
  // checkpoint. Every later call but the destructor is unspecified.
  void AbandonForTest();

 private:
  struct JobState {
    Job job;
    std::deque<uint32_t> ready;
    std::deque<int64_t> ready_since;  // when each `ready` entry was queued (ms), in step with it
    bool in_ring = false;
    std::unordered_map<uint32_t, int64_t> lease_deadline;  // task -> ms; running tasks only
    uint64_t unpersisted_since = 0;                        // 0: the stored document is current
    int64_t dirty_since_ms = 0;                            // when unpersisted_since was set
    int64_t last_checkpoint_ms = 0;
    int64_t checkpoint_cost_ms = 0;
    std::string api_text[2];     // GetJobText of a finished job: [include_tasks]
    uint64_t api_text_seq[2] = {0, 0};  // job.seq + 1 when api_text was made; 0: none
  };
  struct Timed {
    int64_t at;
    JobState* js;
    uint32_t task;
    size_t generation;  // attempts count when scheduled: stale entries are skipped
    bool operator>(const Timed& o) const { return at > o.at; }
  };
  using TimedQueue = std::priority_queue<Timed, std::vector<Timed>, std::greater<Timed>>;

  Coordinator(store::ObjectStore* store, Clock* clock, CoordinatorOptions opts);
  Status Recover();
  // Replays one journal record. A record that is not what this version writes (a field of the
  // wrong type, say) is logged with its seq and skipped, never thrown out of recovery.
  void ApplyRecord(uint64_t seq, std::string_view payload);
  void ApplyRecordOrThrow(uint64_t seq, std::string_view payload);

  // Finds the job, lets `change` apply a rule and return its journal record (or an error, which
  // changes nothing), appends it, and answers with the job once the record is durable.
  Result<Json> ChangeJob(const std::string& id, const Caller& caller,
                         const std::function<Result<Json>(JobState* js, int64_t now)>& change);

  // All below run with mu_ held.
  JobState* FindLocked(const std::string& id, const Caller& caller);
  void MakeReadyLocked(JobState* js, uint32_t task);
  uint64_t AppendLocked(JobState* js, const Json& record);
  void EndAttemptLocked(JobState* js, uint32_t task, int n, AttemptEnd end, int64_t now,
                        std::vector<uint64_t>* seqs);
  void TickLocked(int64_t now);

  // Queues an event (with mu_ held) when anyone listens; fills in the job's identity fields.
  void EmitLocked(const Job& job, std::string_view type, int64_t now, int64_t task = -1,
                  int attempt = 0, Json data = Json::object());
  void EmitFinishedLocked(const Job& job, int64_t now, bool recovered);
  void DispatchLoop();

  void TimerLoop();
  void CheckpointLoop();
  // force: every dirty document, whatever its age. budget_ms >= 0: stop writing after that long
  // (what is left stays dirty, covered by the journal).
  Status CheckpointOnce(bool force, int64_t budget_ms = -1);
  void MarkDirtyLocked(JobState* js, uint64_t seq);

  store::ObjectStore* const store_;
  Clock* const clock_;
  const CoordinatorOptions opts_;
  std::unique_ptr<Journal> journal_;

  std::mutex mu_;
  std::condition_variable ready_cv_;  // long-polling Lease calls wait here
  std::condition_variable stop_cv_;   // background loops sleep here
  bool stopping_ = false;
  bool draining_ = false;
  std::map<std::string, std::unique_ptr<JobState>> jobs_;  // by id: ids sort by creation time
  std::unordered_map<std::string, std::string> idempotency_;  // user_id + '\n' + key -> job id
  std::deque<JobState*> ring_;  // jobs with ready tasks, in dispatch order
  TimedQueue retries_;          // failed attempts waiting for their backoff
  TimedQueue expiries_;         // lease deadlines (re-checked against lease_deadline)
  std::unordered_set<JobState*> dirty_;
  std::mt19937_64 rng_;
  CoordinatorStats stats_;
  bool replaying_ = false;

  std::vector<EventListener> listeners_;
  std::vector<JobEvent> events_;       // waiting for the dispatcher
  std::condition_variable events_cv_;  // the dispatcher waits here
  bool abandoned_ = false;
  std::atomic<bool> stop_requested_{false};  // a background checkpoint gives up at once

  std::thread timer_;
  std::thread dispatcher_;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;  // one checkpoint at a time
};

}  // namespace skiff::coord

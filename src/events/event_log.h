// EventLog: what happened on the platform, as numbered events.
//
// Each Event gets the next sequence number (seq, 1, 2, ...) when appended. The newest events are
// kept in memory (the tail) for live readers; a background thread writes the appended events to
// the object store in batches, one NDJSON document per batch:
//   events/<YYYY-MM-DD>/<first seq, 12 digits>-<last seq, 12 digits>.ndjson
// so a reader can resume from any seq that was written (Read reads older events back from those
// documents). Open() continues the numbering after the last stored document. Events appended but
// not yet written when the process dies are lost (at most flush_interval_ms of them): job events
// other than job.finished are at-most-once anyway (coord/events.h).
//
// Thread-safe. Append never does I/O (it is called from the coordinator's dispatcher thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coord/events.h"
#include "core/json_input.h"
#include "core/time.h"
#include "store/object_store.h"

namespace skiff::events {

// Audit event types (the job and task types are coord::kEvent*).
inline constexpr std::string_view kEventTeamCreated = "team.created";
inline constexpr std::string_view kEventKeyCreated = "key.created";
inline constexpr std::string_view kEventKeyRevoked = "key.revoked";

struct Event {
  uint64_t seq = 0;
  int64_t ts_ms = 0;
  std::string type;
  std::string team;
  std::string job;   // "" for audit events
  std::string task;  // task id ("t-0001"); "" for job and audit events
  std::string correlation_id;
  Json data = Json::object();
};

// {seq, ts, type, team, job, task, correlation_id, data}; job and task are null when empty.
Json EventToJson(const Event& e);
Result<Event> EventFromJson(const Json& j);
// The Event for a coordinator event (data gains attempt, round and traceparent when set).
Event FromJobEvent(const coord::JobEvent& e);

struct EventFilter {
  bool all_teams = false;       // admins
  std::string team;             // otherwise only this team's events
  std::set<std::string> types;  // empty: every type
  std::string job;              // "": every job
  bool Matches(const Event& e) const;
};

struct EventLogOptions {
  size_t tail_events = 10000;         // kept in memory
  int64_t flush_interval_ms = 500;    // how often appended events are written
  size_t max_events_per_document = 5000;
};

class EventLog {
 public:
  // Finds where the numbering stopped (the last stored document) and starts the writer.
  // The store's error when it cannot be listed.
  static Result<std::unique_ptr<EventLog>> Open(store::ObjectStore* store, Clock* clock,
                                                EventLogOptions options = {});
  ~EventLog();  // Close()

  // Numbers the event (and stamps ts_ms when 0); returns its seq. No I/O.
  uint64_t Append(Event e);

  struct ReadResult {
    std::vector<Event> events;  // matching events, oldest first
    uint64_t next_after = 0;    // read on from here (covers events skipped by the filter)
  };
  // Events with seq > `after` that match `filter`, oldest first, at most `limit`. When none is
  // there yet, waits up to `wait_ms` for one (0: answer at once). Events older than the memory
  // tail are read from the stored documents. The store's error when a document cannot be read.
  Result<ReadResult> Read(uint64_t after, const EventFilter& filter, size_t limit, int wait_ms);

  // The seq of the newest event (0 when none).
  uint64_t LastSeq();

  // Writes every appended event now.
  Status Flush();
  // Flushes and stops the writer; Read calls waiting return. Idempotent.
  void Close();

 private:
  EventLog(store::ObjectStore* store, Clock* clock, EventLogOptions options)
      : store_(store), clock_(clock), opts_(options) {}
  Status FlushLocked(std::unique_lock<std::mutex>& lock);
  void WriterLoop();
  Result<ReadResult> ReadStored(uint64_t after, uint64_t before, const EventFilter& filter,
                                size_t limit);

  store::ObjectStore* const store_;
  Clock* const clock_;
  const EventLogOptions opts_;

  std::mutex mu_;
  std::condition_variable appended_cv_;  // readers wait for new events
  std::condition_variable writer_cv_;
  std::deque<Event> tail_;  // the newest events, seq ascending
  uint64_t next_seq_ = 1;
  uint64_t written_upto_ = 0;  // every event up to this seq is in the store
  bool closed_ = false;
  std::mutex flush_mu_;  // one writer at a time
  std::thread writer_;
};

}  // namespace skiff::events

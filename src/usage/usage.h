// UsageMeter: turns the coordinator's "job.finished" events into usage records on the ObjectStore
// and answers queries over them (totals, record-by-record streaming for CSV export).
//
// Layout: the records of one round of one job are written as NDJSON documents
//   usage/<YYYY-MM-DD>/<team>/<job>-r<round>-p<part>.ndjson
// (the day of the round's finish time, UTC; parts of kRecordsPerPart records). The key is a
// function of (job, round, part) only and each part is written with an if-absent put, so a
// "job.finished" delivered again after a crash (coord/events.h: at-least-once, key (job, round))
// finds its documents present and writes nothing twice. OnEvents returns only once every part is
// durable, so the coordinator acknowledges the event after the records are stored.
//
// Thread-safe. Readers stream: one document in memory at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "coord/events.h"
#include "core/time.h"
#include "store/object_store.h"
#include "usage/record.h"

namespace skiff::usage {

inline constexpr size_t kRecordsPerPart = 10000;
inline constexpr int64_t kMaxRangeDays = 400;

// The email of a user id (the key's email), "" when unknown.
using EmailLookup = std::function<std::string(const std::string& user_id)>;

struct UsageQuery {
  int64_t from_ms = 0;  // inclusive
  int64_t to_ms = 0;    // exclusive
  std::string team;     // "" for every team (admins)
  std::string email;    // "" for every email; compared case-insensitively
};

struct UsageTotals {
  int64_t jobs = 0;  // job records (one per job and round)
  int64_t tasks = 0;
  int64_t attempts = 0;
  int64_t tasks_ok = 0;
  int64_t tasks_failed = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  int64_t peak_rss_kb = 0;
  int64_t stdout_bytes = 0;
  int64_t stderr_bytes = 0;
};
Json TotalsToJson(const UsageTotals& t);

struct UsageMeterOptions {
  int64_t retry_ms = 200;        // first wait after a failed write (doubles, capped at 5 s)
};

class UsageMeter {
 public:
  UsageMeter(store::ObjectStore* store, EmailLookup email_for, UsageMeterOptions opts = {});

  // The coordinator's listener (Coordinator::AddListener).
  coord::EventListener Listener();

  // Writes the records of every "job.finished" in `batch`; returns once they are durable. A write
  // that fails is retried until it succeeds or Stop() is called (then the records are lost and
  // logged: the store was unusable when the server stopped).
  void OnEvents(const std::vector<coord::JobEvent>& batch);

  // Writes the records of one job round (RecordsForRound); documents already present are kept.
  Status WriteRound(const Job& job, int round, int64_t finished_ms, const std::string& status = "");

  // Calls `fn` for every record matching the query, day by day (days ascending; within a day by
  // team, then job id). `fn` returns false to stop early. InvalidArgument for a bad range;
  // Unavailable when a document cannot be read; Internal for a corrupt document.
  Status ForEach(const UsageQuery& q, const std::function<bool(const UsageRecord&)>& fn);
  Result<UsageTotals> Totals(const UsageQuery& q);

  // Unblocks OnEvents retries; call before stopping the coordinator.
  void Stop() { stopping_ = true; }

 private:
  store::ObjectStore* const store_;
  const EmailLookup email_for_;
  const UsageMeterOptions opts_;
  std::atomic<bool> stopping_{false};
};

// Checks a query's range: from < to, at most kMaxRangeDays days.
Status CheckRange(const UsageQuery& q);

}  // namespace skiff::usage

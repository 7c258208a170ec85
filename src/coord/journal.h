// Journal: the coordinator's write-ahead log with group commit.
//
// Every change to a live job is appended here before the caller is answered. Appends from many
// threads within a short window are written with one write + fdatasync by a committer thread, so
// the cost per change is a fraction of an fsync. On a local disk the journal is a folder of
// append-only segment files ("<first seq, 20 digits>.log"), rotated when they grow past
// segment_bytes and deleted whole once the checkpointed job documents cover them (never a file per
// record: deleting a file costs ~1 ms here).
//
// Record framing: u32 payload length, u32 CRC-32 of (seq, payload), u64 seq, payload. At open, a
// torn or corrupt record at the end of the last segment is cut off (it was never acknowledged).
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"

namespace skiff::coord {

struct JournalOptions {
  uint64_t segment_bytes = 64ull << 20;
  bool sync = true;  // fdatasync each batch (false only for benchmarks that say so)
  // The lowest seq the journal may hand out next. The coordinator passes one past the highest seq
  // its stored documents cover, so a journal folder that lost records (or was replaced) never
  // reuses a seq a document already claims: replay would skip such a record as already applied.
  uint64_t min_next_seq = 1;
};

struct JournalStats {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

class Journal {
 public:
  using ReplayFn = std::function<void(uint64_t seq, std::string_view payload)>;

  // Opens (creating) the folder, replays every intact record in seq order through `replay`, cuts a
  // torn tail, and starts the committer. A corrupt record in the middle of the log is reported
  // (Internal, naming segment and offset): the log is not silently skipped past.
  static Result<std::unique_ptr<Journal>> Open(std::string dir, JournalOptions opts,
                                               const ReplayFn& replay);
  ~Journal();

  // Buffers a record and returns its seq (1, 2, ...). Seqs are handed out in call order.
  uint64_t Append(std::string_view payload);
  // Blocks until every record up to `seq` is durable. Unavailable if the disk write failed (the
  // records stay buffered and are retried; the caller must not acknowledge), or if the journal was
  // closed before the record could be written. Internal for a seq not handed out yet.
  Status WaitDurable(uint64_t seq);
  // Deletes closed segments whose records all have seq < `seq`.
  void DropBefore(uint64_t seq);
  // Flushes what is buffered and stops the committer. Idempotent.
  void Close();

  uint64_t last_seq() const;
  JournalStats stats() const;

 private:
  Journal(std::string dir, JournalOptions opts);
  Status OpenSegment(uint64_t first_seq);
  void CommitLoop();

  const std::string dir_;
  const JournalOptions opts_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // committer waits for records
  std::condition_variable durable_cv_;  // callers wait for durability
  std::string pending_;                 // framed records not yet written
  uint64_t next_seq_ = 1;
  uint64_t pending_first_seq_ = 0;
  uint64_t pending_last_seq_ = 0;
  uint64_t durable_seq_ = 0;
  uint64_t failed_upto_ = 0;  // callers up to here get Unavailable (retry under way)
  std::string last_error_;
  bool closing_ = false;
  bool closed_ = false;  // the committer has stopped: nothing more becomes durable
  std::map<uint64_t, std::string> segments_;  // first seq -> file name (closed and current)
  JournalStats stats_;

  // Owned by the committer thread once started.
  int fd_ = -1;
  uint64_t segment_size_ = 0;
  uint64_t current_first_seq_ = 0;
  std::thread committer_;
};

}  // namespace skiff::coord

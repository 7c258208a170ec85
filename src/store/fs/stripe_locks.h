// StripeLocks: per-key mutual exclusion for FsStore, across threads and across processes.
//
// A key hashes (FNV-1a, stable across builds) to one of kStripes stripes. Locking a stripe takes
// an in-process std::mutex, then an OFD write lock (fcntl F_OFD_SETLKW) on byte `stripe` of one
// shared lock file. OFD locks belong to the open file description, so each StripeLocks opens the
// file itself: two stores on one folder, in one process or in several, exclude each other, and
// the mutex covers the threads that share this store's description. Thread-safe.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/fs/posix_io.h"

namespace skiff::store {

class StripeLocks {
 public:
  static constexpr int kStripes = 64;

  // Opens (creating if missing) the lock file `name` in the folder `dir_fd`; `path` names it in
  // messages. The errno status when it cannot be opened for writing.
  static Result<std::unique_ptr<StripeLocks>> Open(int dir_fd, const std::string& name,
                                                   std::string path);

  // Runs `fn` while holding the stripe of `key`, and returns its status; the errno status (and
  // `fn` is not run) when the file lock cannot be taken.
  Status WithLock(std::string_view key, const std::function<Status()>& fn);

  static int StripeOf(std::string_view key);

 private:
  StripeLocks(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::string path_;
  std::array<std::mutex, kStripes> mutexes_;
};

}  // namespace skiff::store

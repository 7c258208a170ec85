// FsStore: an ObjectStore in a local folder, one file per key ("jobs/a" is the file <root>/jobs/a).
//
// A put writes a temporary file ".tmp-<random>" beside the key, fsyncs it, renames it over the key
// and fsyncs the folder, so readers see the old or the new bytes, never a mix, and an
// acknowledged put survives a crash. The etag is the content hash (32 hex characters of SHA-256),
// so no metadata files exist; writing the same bytes again keeps the etag.
//
// Puts and removes of one key are serialized by StripeLocks (a mutex and an OFD lock on
// <root>/.lock), so conditional puts are linearizable across threads and across processes that
// share the folder. Gets and Lists take no lock and never create or delete files. Names starting
// with '.' belong to the store and are never listed. Thread-safe.
//
// Limits of a folder: a key cannot also be a folder ("a/b" and "a/b/c" cannot both exist; the
// second put is FailedPrecondition), and a key segment is at most 255 bytes (InvalidArgument).
// Removing a key leaves its (possibly empty) folders in place. A crash between creating and
// renaming a temporary file leaves that file behind; it is never listed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/fs/posix_io.h"
#include "store/fs/stripe_locks.h"
#include "store/object_store.h"

namespace skiff::store {

class FsStore : public ObjectStore {
 public:
  // Opens the store in folder `root`, creating it (and its parents) if missing, and the lock file
  // <root>/.lock. InvalidArgument if root is empty; the errno status if the folder cannot be
  // created or opened, or the lock file cannot be opened for writing.
  static Result<std::unique_ptr<FsStore>> Open(std::string root);

  FsStore(const FsStore&) = delete;
  FsStore& operator=(const FsStore&) = delete;

  // ObjectStore
  Result<Object> Get(std::string_view key) override;
  Result<std::string> Put(std::string_view key, std::string_view bytes,
                          const Precondition& pre = Precondition::None()) override;
  Status PutMany(const std::vector<PutItem>& items) override;
  Status Remove(std::string_view key) override;
  Result<ListResult> List(const ListRequest& req) override;
  std::string_view Backend() const override { return "fs"; }

  // The absolute path of the root folder.
  const std::string& root() const { return root_; }

 private:
  FsStore(std::string root, UniqueFd root_fd, std::unique_ptr<StripeLocks> locks);

  // Opens the folder that holds `key` ("" for the root), creating missing folders when `create`.
  Result<UniqueFd> OpenFolder(std::string_view key, std::string_view folder, bool create);
  // The etag of file `name` in `dir_fd`, or "" when there is no such file.
  Result<std::string> CurrentEtag(int dir_fd, std::string_view key, const std::string& name);
  Status CheckPrecondition(int dir_fd, std::string_view key, const std::string& name,
                           const Precondition& pre);
  // Writes `bytes` to a new temporary file in `dir_fd` and, with `sync`, fsyncs it; returns its
  // name. On failure nothing is left behind.
  Result<std::string> WriteTemp(int dir_fd, std::string_view key, std::string_view bytes,
                                bool sync = true);
  // Appends to *out the keys under folder `dir_fd` (whose path is `rel`, "" or ending in '/').
  // Returns false when the walk should stop (limit reached or an error stored in *error).
  bool Walk(int dir_fd, const std::string& rel, const ListRequest& req, ListResult* out,
            Status* error);
  // The status for errno `err` while doing `what` to `key`.
  Status Error(std::string_view what, std::string_view key, int err) const;

  std::string root_;
  UniqueFd root_fd_;
  std::unique_ptr<StripeLocks> locks_;
};

}  // namespace skiff::store

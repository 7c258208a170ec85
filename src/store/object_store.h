// ObjectStore: where all durable bytes of skiff live (JSON documents and content-addressed blobs).
//
// Keys are '/'-separated relative paths ("jobs/job_01.json"). A key is valid when it is non-empty,
// at most 1024 bytes, has no empty, "." or ".." segment, does not start with '/', and contains no
// NUL, backslash or control character, and no segment starts with '.' (reserved for the backends'
// temporary files). Invalid keys are InvalidArgument; a key can never escape the store's root.
//
// Implementations are thread-safe. Conditional puts are linearizable per key, across threads and,
// for backends shared by several processes (folder, S3), across processes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace skiff::store {

struct Object {
  std::string bytes;
  std::string etag;  // opaque; changes whenever the bytes change
};

struct Precondition {
  enum class Kind { kNone, kIfAbsent, kIfMatch };
  Kind kind = Kind::kNone;
  std::string etag;  // for kIfMatch

  static Precondition None() { return {}; }
  static Precondition IfAbsent() { return {Kind::kIfAbsent, {}}; }
  static Precondition IfMatch(std::string etag) { return {Kind::kIfMatch, std::move(etag)}; }
};

struct ListRequest {
  std::string prefix;       // keys starting with this (plain string prefix, not only folders)
  std::string start_after;  // exclusive; "" means from the start
  size_t limit = 1000;      // at most this many keys
};

struct ListResult {
  std::vector<std::string> keys;  // lexicographic (byte) order
  bool truncated = false;         // more keys match after the last one returned
};

struct PutItem {
  std::string key;
  std::string bytes;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // NotFound if the key is absent; InvalidArgument for an invalid key.
  virtual Result<Object> Get(std::string_view key) = 0;

  // Replaces the whole object atomically: a concurrent reader sees the old or the new bytes, never
  // a mix. Returns the new etag once the bytes are durable. FailedPrecondition when `pre` is
  // IfAbsent and the key exists, or IfMatch and the current etag differs (or the key is absent).
  // Unavailable when the backing storage fails (full, read-only, I/O error): nothing was written.
  virtual Result<std::string> Put(std::string_view key, std::string_view bytes,
                                  const Precondition& pre = Precondition::None()) = 0;

  // Puts several objects without preconditions, each replaced atomically as by Put, and returns
  // once all are durable. Not atomic as a group: after an error some may have been written (the
  // first error is returned). A backend may do it cheaper than a Put each: the folder store
  // flushes the whole batch with one file-system sync instead of two fsyncs per object.
  virtual Status PutMany(const std::vector<PutItem>& items);

  // Removes the key; ok if it was already absent.
  virtual Status Remove(std::string_view key) = 0;

  // Keys that start with req.prefix and sort after req.start_after, in byte order, at most
  // req.limit of them. InvalidArgument when the prefix or start_after fails ValidatePrefix.
  virtual Result<ListResult> List(const ListRequest& req) = 0;

  // "fs", "memory", "s3": for metrics and logs.
  virtual std::string_view Backend() const = 0;
};

// Checks a key against the rules above; ok or InvalidArgument naming the key and the rule.
Status ValidateKey(std::string_view key);

// Checks a List prefix or start_after: "" (everything), a valid key, or a valid key followed by
// one '/' ("jobs/"). Ok or InvalidArgument naming the prefix and the rule.
Status ValidatePrefix(std::string_view prefix);

}  // namespace skiff::store

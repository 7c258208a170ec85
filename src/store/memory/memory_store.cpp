#include "store/memory/memory_store.h"

#include <string>

namespace skiff::store {

Result<Object> MemoryStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("no such key: " + std::string(key));
  return it->second;
}

Result<std::string> MemoryStore::Put(std::string_view key, std::string_view bytes,
                                     const Precondition& pre) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  switch (pre.kind) {
    case Precondition::Kind::kNone:
      break;
    case Precondition::Kind::kIfAbsent:
      if (it != objects_.end()) {
        return FailedPrecondition("key exists (put if absent): " + std::string(key));
      }
      break;
    case Precondition::Kind::kIfMatch:
      if (it == objects_.end()) {
        return FailedPrecondition("key is absent (put if etag " + pre.etag +
                                  " matches): " + std::string(key));
      }
      if (it->second.etag != pre.etag) {
        return FailedPrecondition("etag is " + it->second.etag + ", not " + pre.etag + ": " +
                                  std::string(key));
      }
      break;
  }
  std::string etag = "m" + std::to_string(next_etag_++);
  if (it == objects_.end()) {
    objects_.emplace(std::string(key), Object{std::string(bytes), etag});
  } else {
    it->second = Object{std::string(bytes), etag};
  }
  return etag;
}

Status MemoryStore::Remove(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return OkStatus();
}

Result<ListResult> MemoryStore::List(const ListRequest& req) {
  RETURN_IF_ERROR(ValidatePrefix(req.prefix));
  RETURN_IF_ERROR(ValidatePrefix(req.start_after));
  std::lock_guard lock(mu_);
  ListResult result;
  auto it = req.start_after < req.prefix ? objects_.lower_bound(req.prefix)
                                         : objects_.upper_bound(req.start_after);
  for (; it != objects_.end() && it->first.starts_with(req.prefix); ++it) {
    if (result.keys.size() == req.limit) {
      result.truncated = true;
      break;
    }
    result.keys.push_back(it->first);
  }
  return result;
}

}  // namespace skiff::store

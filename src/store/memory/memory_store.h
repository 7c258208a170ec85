// MemoryStore: an ObjectStore held in a map, for tests and for `skiff up --store memory:`.
//
// Thread-safe (one mutex). Nothing survives the process. Etags come from a counter, so every put
// gives a new etag, even when it writes the same bytes again.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "store/object_store.h"

namespace skiff::store {

class MemoryStore : public ObjectStore {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // ObjectStore
  Result<Object> Get(std::string_view key) override;
  Result<std::string> Put(std::string_view key, std::string_view bytes,
                          const Precondition& pre = Precondition::None()) override;
  Status Remove(std::string_view key) override;
  Result<ListResult> List(const ListRequest& req) override;
  std::string_view Backend() const override { return "memory"; }

 private:
  std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;  // guarded by mu_
  uint64_t next_etag_ = 1;                              // guarded by mu_
};

}  // namespace skiff::store

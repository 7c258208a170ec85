// Test-only: the backends that the typed conformance and race suites run against.
//
// Each backend class gives store() and peer(): a second handle on the same data (the same
// MemoryStore; a second FsStore opened on the same folder, so the two exclude each other only
// through the lock file). Add a backend here and every typed suite runs against it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/fs/fs_store.h"
#include "store/instrumented_store.h"
#include "store/memory/memory_store.h"
#include "testing/temp_dir.h"

namespace skiff::store {

class MemoryBackend {
 public:
  ObjectStore& store() { return store_; }
  ObjectStore& peer() { return store_; }
  // Every file and folder under the test's temporary folder (none for memory).
  std::vector<std::string> FilesOnDisk() const { return {}; }

 private:
  MemoryStore store_;
};

class FsBackend {
 public:
  FsBackend() : root_(dir_.path() + "/root") {
    auto a = FsStore::Open(root_);
    auto b = FsStore::Open(root_);
    EXPECT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
    if (a.ok()) store_ = std::move(a).value();
    if (b.ok()) peer_ = std::move(b).value();
  }
  ObjectStore& store() { return *store_; }
  ObjectStore& peer() { return *peer_; }
  const std::string& root() const { return root_; }

  // Paths relative to the temporary folder that holds root/, in sorted order.
  std::vector<std::string> FilesOnDisk() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
      out.push_back(std::filesystem::relative(e.path(), dir_.path()).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  skiff::testing::TempDir dir_;
  std::string root_;
  std::unique_ptr<FsStore> store_;
  std::unique_ptr<FsStore> peer_;
};

// The metrics decorator over a MemoryStore: it must behave exactly like what it wraps.
class InstrumentedBackend {
 public:
  InstrumentedBackend() : store_(std::make_unique<MemoryStore>(), &metrics_) {}
  ObjectStore& store() { return store_; }
  ObjectStore& peer() { return store_; }
  std::vector<std::string> FilesOnDisk() const { return {}; }
  obs::Metrics& metrics() { return metrics_; }

 private:
  obs::Metrics metrics_;
  InstrumentedStore store_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, MemoryBackend>) return "Memory";
    if constexpr (std::is_same_v<T, InstrumentedBackend>) return "Instrumented";
    return "Fs";
  }
};

using Backends = ::testing::Types<MemoryBackend, FsBackend, InstrumentedBackend>;

}  // namespace skiff::store

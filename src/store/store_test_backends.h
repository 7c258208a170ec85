// Test-only: the backends that the typed conformance and race suites run against.
//
// Each backend class gives store() and peer(): a second handle on the same data (the same
// MemoryStore; a second FsStore opened on the same folder, so the two exclude each other only
// through the lock file; two S3Stores on one bucket prefix). Add a backend here and every typed
// suite runs against it. A backend that cannot run here (no s3rver installed, no real endpoint
// configured) says why in skip_reason(), and the suites skip it visibly.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/fs/fs_store.h"
#include "store/instrumented_store.h"
#include "store/memory/memory_store.h"
#include "store/s3/testing/s3_test_backends.h"
#include "testing/temp_dir.h"

namespace skiff::store {

class MemoryBackend {
 public:
  static constexpr bool kConditionalPuts = true;
  static constexpr bool kByteOrderPages = true;
  std::string skip_reason() const { return ""; }
  ObjectStore& store() { return store_; }
  ObjectStore& peer() { return store_; }
  // Every file and folder under the test's temporary folder (none for memory).
  std::vector<std::string> FilesOnDisk() const { return {}; }

 private:
  MemoryStore store_;
};

class FsBackend {
 public:
  static constexpr bool kConditionalPuts = true;
  static constexpr bool kByteOrderPages = true;
  std::string skip_reason() const { return ""; }
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
  static constexpr bool kConditionalPuts = true;
  static constexpr bool kByteOrderPages = true;
  InstrumentedBackend() : store_(std::make_unique<MemoryStore>(), &metrics_) {}
  std::string skip_reason() const { return ""; }
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
    if constexpr (std::is_same_v<T, s3::testing::S3CheckerBackend>) return "S3Checker";
    if constexpr (std::is_same_v<T, s3::testing::S3rverBackend>) return "S3rver";
    if constexpr (std::is_same_v<T, s3::testing::RealS3Backend>) return "RealS3";
    if constexpr (std::is_same_v<T, InstrumentedBackend>) return "Instrumented";
    return "Fs";
  }
};

using Backends =
    ::testing::Types<MemoryBackend, FsBackend, InstrumentedBackend, s3::testing::S3CheckerBackend,
                     s3::testing::S3rverBackend, s3::testing::RealS3Backend>;

// Skips the current test when backend `b` cannot run here (GTEST_SKIP says why).
#define SKIFF_SKIP_UNAVAILABLE(b)                                 \
  do {                                                            \
    if (std::string why = (b).skip_reason(); !why.empty()) {     \
      GTEST_SKIP() << why;                                        \
    }                                                             \
  } while (0)

// Skips a test of conditional puts on a backend that ignores them (s3rver), saying so.
#define SKIFF_SKIP_WITHOUT_CONDITIONS(B)                                                   \
  do {                                                                                     \
    if constexpr (!B::kConditionalPuts) {                                                  \
      GTEST_SKIP() << s3::testing::S3rverBackend::kNoConditions;                           \
    }                                                                                      \
  } while (0)

// Skips a test of truncated listings on a backend whose pages are not in byte order (s3rver).
#define SKIFF_SKIP_WITHOUT_BYTE_ORDER_PAGES(B)                                             \
  do {                                                                                     \
    if constexpr (!B::kByteOrderPages) {                                                   \
      GTEST_SKIP() << s3::testing::S3rverBackend::kFolderOrder;                            \
    }                                                                                      \
  } while (0)

}  // namespace skiff::store

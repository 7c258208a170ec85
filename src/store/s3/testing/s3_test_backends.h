// Test-only: the S3 backends of the typed store suites (store_test_backends.h).
//
//  - S3CheckerBackend: S3Store against S3TestServer (signatures verified, 412s as S3 answers).
//  - S3rverBackend: S3Store against the real s3rver from npm (scripts/test.sh installs it into
//    .test-deps/), started on a free loopback port with a temporary folder. s3rver ignores
//    If-None-Match / If-Match on PUT, and pages listings in folder order rather than byte order,
//    so those tests skip on it (and say why).
//  - RealS3Backend: a real S3 or MinIO when S3_TEST_ENDPOINT is set (with S3_TEST_BUCKET,
//    default "skiff-test", and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION); each
//    test uses a fresh random prefix and removes its keys afterwards.
// skip_reason() is "" when the backend can run here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/s3/s3_store.h"
#include "store/s3/testing/s3_test_server.h"
#include "testing/temp_dir.h"
#include "testing/test_server.h"

namespace skiff::store::s3::testing {

// Two S3Stores (store and peer) on one URL; Open failures are test failures.
class S3StorePair {
 public:
  void Open(const std::string& url, const GetEnv& env);
  ObjectStore& store() { return *store_; }
  ObjectStore& peer() { return *peer_; }
  bool ok() const { return store_ && peer_; }
  S3Store* s3() { return store_.get(); }

 private:
  std::unique_ptr<S3Store> store_;
  std::unique_ptr<S3Store> peer_;
};

class S3CheckerBackend {
 public:
  static constexpr bool kConditionalPuts = true;
  static constexpr bool kByteOrderPages = true;
  S3CheckerBackend();
  std::string skip_reason() const { return ""; }
  ObjectStore& store() { return pair_.store(); }
  ObjectStore& peer() { return pair_.peer(); }
  std::vector<std::string> FilesOnDisk() const { return {}; }
  S3TestServer& server() { return server_; }

 private:
  S3TestServer server_;
  S3StorePair pair_;
};

class S3rverBackend {
 public:
  static constexpr bool kConditionalPuts = false;
  static constexpr bool kByteOrderPages = false;
  static constexpr const char* kNoConditions =
      "s3rver ignores If-None-Match/If-Match on PUT (it overwrites); conditional puts are "
      "covered by the S3Checker backend";
  static constexpr const char* kFolderOrder =
      "s3rver walks folders when it lists ('a/x' before 'a-b'), so a truncated page is not the "
      "first keys in byte order as on S3; S3Store sorts each page, which is exact only for "
      "single-page listings there. Byte-order paging is covered by the S3Checker backend";
  S3rverBackend();
  ~S3rverBackend();
  std::string skip_reason() const { return skip_; }
  ObjectStore& store() { return pair_.store(); }
  ObjectStore& peer() { return pair_.peer(); }
  std::vector<std::string> FilesOnDisk() const { return {}; }

 private:
  skiff::testing::TempDir dir_;
  std::unique_ptr<skiff::testing::Subprocess> process_;
  std::string skip_;
  S3StorePair pair_;
};

class RealS3Backend {
 public:
  static constexpr bool kConditionalPuts = true;
  static constexpr bool kByteOrderPages = true;
  RealS3Backend();
  ~RealS3Backend();  // removes every key under this test's prefix
  std::string skip_reason() const { return skip_; }
  ObjectStore& store() { return pair_.store(); }
  ObjectStore& peer() { return pair_.peer(); }
  std::vector<std::string> FilesOnDisk() const { return {}; }

 private:
  std::string skip_;
  S3StorePair pair_;
};

// The path of the s3rver script (SKIFF_S3RVER, else <source>/.test-deps/...), "" if missing.
std::string S3rverPath();

// Starts s3rver on 127.0.0.1 with data under `dir` and bucket `bucket`; waits until it answers.
// The port, or 0 (with *why set) when it could not start.
int StartS3rver(const std::string& dir, const std::string& bucket,
                std::unique_ptr<skiff::testing::Subprocess>* process, std::string* why);

}  // namespace skiff::store::s3::testing

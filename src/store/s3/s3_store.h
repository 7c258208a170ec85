// S3Store: an ObjectStore on any S3-compatible service (AWS S3, MinIO, Ceph RGW, R2, s3rver),
// speaking the S3 REST API over libcurl with SigV4-signed requests.
//
// Key k is the object <prefix>k in the bucket. Get/Put/Remove/List are GetObject, PutObject,
// DeleteObject and ListObjectsV2 (following continuation tokens up to the requested limit);
// Head is HeadObject. Conditional puts send If-None-Match: * (IfAbsent) or If-Match: "<etag>"
// (IfMatch); 412 PreconditionFailed and 409 ConditionalRequestConflict are FailedPrecondition.
// Etags are S3's without the quotes. Every request carries x-amz-content-sha256 (the payload
// hash is signed). 5xx, 429/SlowDown and transport failures are retried with full-jitter
// exponential backoff (options.retries times); a conditional put whose earlier attempt may have
// landed is resolved by reading the object back. Other answers map to: 403 PermissionDenied,
// 404 NoSuchBucket NotFound, 400 InvalidArgument, anything else Unavailable.
//
// Thread-safe: requests run in parallel on pooled connections (CurlPool).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/object_store.h"
#include "store/s3/curl_pool.h"
#include "store/s3/s3_options.h"

namespace skiff::store::s3 {

struct HeadResult {
  std::string etag;
  uint64_t size = 0;
};

class S3Store : public ObjectStore {
 public:
  // Checks the bucket with one ListObjectsV2 (max-keys=1) so a wrong bucket, endpoint or key is
  // reported at start-up: the error of that request.
  static Result<std::unique_ptr<S3Store>> Open(S3Options options);

  Result<Object> Get(std::string_view key) override;
  Result<std::string> Put(std::string_view key, std::string_view bytes,
                          const Precondition& pre = Precondition::None()) override;
  Status Remove(std::string_view key) override;
  Result<ListResult> List(const ListRequest& req) override;
  std::string_view Backend() const override { return "s3"; }

  // HeadObject: the etag and size; NotFound if absent.
  Result<HeadResult> Head(std::string_view key);

  const S3Options& options() const { return options_; }
  // Requests sent so far (retries included), for metrics and tests.
  uint64_t requests() const { return requests_; }

 private:
  explicit S3Store(S3Options options);

  struct Call {
    std::string method;
    std::string key;      // object key with the prefix, "" for the bucket
    NameValues query;     // decoded
    NameValues headers;   // extra headers (signed too)
    std::string_view body;
  };
  // Signs and sends `call`, retrying transport failures, 5xx and throttling. *attempts (if
  // given) is how many attempts were sent.
  Result<HttpResponse> Send(const Call& call, int* attempts = nullptr);
  HttpRequest Build(const Call& call) const;
  Result<ListResult> ListOnce(const ListRequest& req, bool check_only);

  S3Options options_;
  std::string host_;       // Host header value
  std::string base_url_;   // scheme://host (with the bucket in it when virtual-hosted)
  std::string path_root_;  // "/bucket" when path-style, else ""
  CurlPool pool_;
  std::atomic<uint64_t> requests_{0};
};

}  // namespace skiff::store::s3

// CurlPool: HTTP requests over libcurl easy handles that are kept between requests, so each one
// reuses its connection (keep-alive, TLS session) instead of a new TCP + TLS handshake per call.
// At most `keep` idle handles are retained; more may exist while many threads are in Perform.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/s3/sigv4.h"

namespace skiff::store::s3 {

struct HttpRequest {
  std::string method;  // GET, PUT, DELETE, HEAD
  std::string url;
  NameValues headers;
  std::string_view body;  // sent for PUT (with Content-Length); must outlive Perform
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class CurlPool {
 public:
  CurlPool(int keep, int timeout_ms, int connect_timeout_ms);
  ~CurlPool();
  CurlPool(const CurlPool&) = delete;
  CurlPool& operator=(const CurlPool&) = delete;

  // Any HTTP status is a response; Unavailable (naming the url and curl's error) when no
  // response came: connection refused or reset, DNS failure, timeout. DeadlineExceeded is not
  // used: a timeout is retryable like any other transport failure.
  Result<HttpResponse> Perform(const HttpRequest& req);

 private:
  void* Acquire();
  void Release(void* handle);

  const int keep_;
  const int timeout_ms_;
  const int connect_timeout_ms_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL*, guarded by mu_
};

}  // namespace skiff::store::s3

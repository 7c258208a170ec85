// S3TestServer: a small S3 of the project's own on 127.0.0.1 (ephemeral port), for tests and the
// S3 throughput measurement. It is strict where s3rver is lax:
//  - every request must carry a SigV4 Authorization header that verifies with the configured
//    secret, signing host, x-amz-date and x-amz-content-sha256, and the payload hash must match
//    the body (403 SignatureDoesNotMatch / 400 XAmzContentSHA256Mismatch otherwise); with a
//    session token configured, x-amz-security-token must carry it, signed (403 InvalidToken);
//  - PUT honours If-None-Match: * and If-Match: "<etag>" with 412 PreconditionFailed as S3 does
//    (If-Match on a missing key: 404 NoSuchKey);
//  - ListObjectsV2 with prefix, start-after, max-keys and continuation tokens.
// Objects live in memory with MD5 etags (as S3's single-part etags). Path-style
// (/bucket/key) and virtual-hosted (bucket.host/key) requests are both served. Options add an
// artificial PUT latency and injected failures (the next N requests answer 503 SlowDown), so
// retries and slow stores can be tested. Thread-safe; one thread per connection.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/s3/sigv4.h"

namespace skiff::store::s3::testing {

struct S3TestServerOptions {
  std::string bucket = "skiff-test";
  std::string region = "us-east-1";
  Credentials credentials = {"SKIFFTESTACCESSKEY", "skiff/test+secret", ""};
  int put_latency_ms = 0;
  int port = 0;  // 0: any free port
};

struct S3TestServerStats {
  uint64_t get = 0, put = 0, head = 0, del = 0, list = 0;
  uint64_t rejected_signatures = 0;  // 403s for a missing or wrong signature
  uint64_t precondition_failed = 0;  // 412s
  uint64_t connections = 0;          // TCP connections accepted
};

class S3TestServer {
 public:
  explicit S3TestServer(S3TestServerOptions options = {});
  ~S3TestServer();
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const S3TestServerOptions& options() const { return options_; }
  // "s3://KEY:SECRET@bucket/prefix?endpoint=...&region=..." (credentials percent-encoded).
  std::string StoreUrl(const std::string& prefix, const std::string& extra_params = "") const;

  void SetPutLatency(std::chrono::milliseconds latency) { put_latency_ms_ = latency.count(); }
  // The next `n` requests answer `status` with error code `code` before touching anything.
  void FailNext(int n, int status = 503, const std::string& code = "SlowDown");
  S3TestServerStats stats() const;
  // Every key in the bucket, sorted.
  std::vector<std::string> Keys() const;

  struct Request {
    std::string method, target, body;
    std::map<std::string, std::string> headers;  // names lower-cased
  };
  struct Response {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool head = false;  // HEAD: Content-Length as given in headers, no body bytes
  };
  // Handles one parsed request (public for the standalone server's tests).
  Response Handle(const Request& req);

 private:
  struct Obj {
    std::string bytes;
    std::string etag;  // unquoted
  };
  void AcceptLoop();
  void Serve(int fd);
  // "" when the request is properly signed, else the S3 error code to answer.
  std::string CheckSignature(const Request& req, const std::string& path,
                             const NameValues& query);
  Response List(const NameValues& query);

  const S3TestServerOptions options_;
  std::atomic<int64_t> put_latency_ms_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;

  mutable std::mutex mu_;
  std::map<std::string, Obj> objects_;     // guarded by mu_
  S3TestServerStats stats_;                // guarded by mu_
  int fail_next_ = 0;                      // guarded by mu_
  int fail_status_ = 503;                  // guarded by mu_
  std::string fail_code_;                  // guarded by mu_
  std::set<int> open_fds_;                 // guarded by mu_
  std::vector<std::thread> threads_;       // guarded by mu_
};

}  // namespace skiff::store::s3::testing

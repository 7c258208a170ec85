// HttpTaskSource: the worker protocol over HTTP (POST /v1/worker/{lease,heartbeat,complete}), for
// standalone `skiff worker` processes. Thread-safe: each call kind has its own connection, so a
// long-polling lease never holds up a heartbeat or a report.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/worker_protocol.h"
#include "net/http_client.h"

namespace skiff::worker {

class HttpTaskSource : public TaskSource {
 public:
  // `ca_cert`: see net::HttpClientOptions::ca_cert.
  HttpTaskSource(std::string server_url, std::string key, std::string ca_cert = "");

  Result<LeaseResponse> Lease(const LeaseRequest& req) override;
  Result<HeartbeatResponse> Heartbeat(const std::vector<std::string>& leases) override;
  Result<CompleteResponse> Complete(std::vector<TaskReport> reports) override;

  // Later Lease calls return no task at once (used when stopping).
  void Cancel() { cancelled_ = true; }

 private:
  struct Conn {
    std::mutex mu;
    std::unique_ptr<net::HttpClient> client;
  };
  Result<Json> Call(Conn& conn, const std::string& path, const Json& body);

  Conn lease_, heartbeat_;
  Conn complete_[2];  // the worker sends reports from two threads (see Worker::ReportLoop)
  std::atomic<unsigned> next_complete_{0};
  std::atomic<bool> cancelled_{false};
};

}  // namespace skiff::worker

#include "worker/http_task_source.h"

namespace skiff::worker {

HttpTaskSource::HttpTaskSource(std::string server_url, std::string key, std::string ca_cert) {
  net::HttpClientOptions options;
  options.ca_cert = std::move(ca_cert);
  net::HttpClientOptions long_poll = options;
  long_poll.timeout_ms = 90000;  // above the longest wait_ms the server accepts
  lease_.client = std::make_unique<net::HttpClient>(server_url, key, long_poll);
  heartbeat_.client = std::make_unique<net::HttpClient>(server_url, key, options);
  for (Conn& c : complete_) c.client = std::make_unique<net::HttpClient>(server_url, key, options);
}

Result<Json> HttpTaskSource::Call(Conn& conn, const std::string& path, const Json& body) {
  std::lock_guard<std::mutex> lock(conn.mu);
  ASSIGN_OR_RETURN(net::HttpResponse res, conn.client->Post(path, DumpJson(body)));
  auto parsed = ParseJson(res.body);
  if (res.status != 200) {
    std::string msg = "POST " + path + " answered " + std::to_string(res.status);
    if (parsed.ok() && parsed->contains("error")) {
      msg += ": " + (*parsed)["error"].value("message", std::string());
    }
    if (res.status == 401 || res.status == 403) return PermissionDenied(msg);
    if (res.status >= 400 && res.status < 500) return InvalidArgument(msg);
    return Unavailable(msg);
  }
  if (!parsed.ok()) return Unavailable("POST " + path + ": answer is not JSON");
  return parsed;
}

Result<LeaseResponse> HttpTaskSource::Lease(const LeaseRequest& req) {
  if (cancelled_) return LeaseResponse{};
  ASSIGN_OR_RETURN(Json j, Call(lease_, "/v1/worker/lease", LeaseRequestToJson(req)));
  return LeaseResponseFromJson(j);
}

Result<HeartbeatResponse> HttpTaskSource::Heartbeat(const std::vector<std::string>& leases) {
  ASSIGN_OR_RETURN(Json j, Call(heartbeat_, "/v1/worker/heartbeat", {{"leases", leases}}));
  return HeartbeatResponseFromJson(j);
}

Result<CompleteResponse> HttpTaskSource::Complete(std::vector<TaskReport> reports) {
  Conn& conn = complete_[next_complete_++ % 2];
  ASSIGN_OR_RETURN(Json j, Call(conn, "/v1/worker/complete", TaskReportsToJson(reports)));
  return CompleteResponseFromJson(j);
}

}  // namespace skiff::worker

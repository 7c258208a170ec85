// The worker protocol: how a worker leases tasks, keeps its leases alive and reports results.
//
// TaskSource is implemented by the coordinator (in-process workers call it directly) and by the
// HTTP worker client (standalone `skiff worker`), so both run the same worker loop. The JSON forms
// here are the bodies of POST /v1/worker/{lease,heartbeat,complete} (docs/api.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"

namespace skiff {

struct LeaseRequest {
  std::string worker;  // a name for the attempt records ("host/3")
  int max = 1;         // 1..1000
  int wait_ms = 0;     // long-poll: wait up to this long for the first task
  // Set by the server from the caller's key, never read from the body: only tasks of these teams
  // (empty: any team).
  std::vector<std::string> teams;
};

struct LeasedTask {
  std::string lease;  // opaque token naming job, task and attempt
  std::string job;
  std::string task;
  int attempt = 0;
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  double timeout_s = 0;
};

struct LeaseResponse {
  int64_t lease_ms = 0;  // how long a lease lives without a heartbeat
  std::vector<LeasedTask> tasks;
};

struct HeartbeatResponse {
  std::vector<std::string> extended;
  std::vector<std::string> cancelled;  // the job was cancelled: kill the process, report nothing
  std::vector<std::string> lost;       // expired or unknown: kill the process
};

struct TaskReport {
  std::string lease;
  int exit = -1;
  int signal = 0;
  bool timed_out = false;
  std::string error;
  int64_t wall_ms = 0;
  int64_t cpu_ms = 0;
  int64_t max_rss_kb = 0;
  std::string stdout_tail;
  std::string stderr_tail;
  int64_t stdout_bytes = 0;  // everything the attempt wrote, tails included (optional in JSON)
  int64_t stderr_bytes = 0;
};

struct CompleteResponse {
  std::vector<std::string> accepted;
  std::vector<std::pair<std::string, std::string>> rejected;  // lease, reason
};

class TaskSource {
 public:
  virtual ~TaskSource() = default;
  // Leases up to req.max ready tasks, waiting up to req.wait_ms for the first. An empty list is a
  // normal answer. Unavailable when the source is shutting down or unreachable.
  virtual Result<LeaseResponse> Lease(const LeaseRequest& req) = 0;
  virtual Result<HeartbeatResponse> Heartbeat(const std::vector<std::string>& leases) = 0;
  // Returns once the accepted results are durable.
  virtual Result<CompleteResponse> Complete(std::vector<TaskReport> reports) = 0;
};

// JSON bodies. The Parse* functions are strict (unknown fields are errors), for the server.
Json LeaseRequestToJson(const LeaseRequest& r);
Result<LeaseRequest> ParseLeaseRequest(const Json& j);
Json LeaseResponseToJson(const LeaseResponse& r);
Result<LeaseResponse> LeaseResponseFromJson(const Json& j);

Result<std::vector<std::string>> ParseHeartbeatRequest(const Json& j);
Json HeartbeatResponseToJson(const HeartbeatResponse& r);
Result<HeartbeatResponse> HeartbeatResponseFromJson(const Json& j);

Json TaskReportsToJson(const std::vector<TaskReport>& reports);
Result<std::vector<TaskReport>> ParseCompleteRequest(const Json& j);
Json CompleteResponseToJson(const CompleteResponse& r);
Result<CompleteResponse> CompleteResponseFromJson(const Json& j);

}  // namespace skiff

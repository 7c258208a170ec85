#include "core/worker_protocol.h"

namespace skiff {
namespace {

constexpr size_t kMaxTail = 256 * 1024;

Status ExpectStringArray(const Json* arr, const std::string& name, size_t max,
                         std::vector<std::string>* out) {
  if (arr == nullptr) return OkStatus();
  if (!arr->is_array()) return InvalidArgument(name + ": expected an array of strings");
  if (arr->size() > max) return InvalidArgument(name + ": more than " + std::to_string(max));
  for (size_t i = 0; i < arr->size(); ++i) {
    if (!(*arr)[i].is_string()) {
      return InvalidArgument(name + "[" + std::to_string(i) + "]: expected a string");
    }
    out->push_back((*arr)[i].get<std::string>());
  }
  return OkStatus();
}

// Lenient readers for answers from our own server (tolerant reader: ignore what we don't know).
template <typename T>
T Get(const Json& j, const char* name, T def) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return def;
  try {
    return it->get<T>();
  } catch (const std::exception&) {
    return def;
  }
}

}  // namespace

Json LeaseRequestToJson(const LeaseRequest& r) {
  return {{"worker", r.worker}, {"max", r.max}, {"wait_ms", r.wait_ms}};
}

Result<LeaseRequest> ParseLeaseRequest(const Json& j) {
  LeaseRequest r;
  ObjectReader rd(j, "");
  if (auto v = rd.String("worker", 200)) r.worker = *v;
  if (auto v = rd.Int("max", 1, 1000)) r.max = static_cast<int>(*v);
  if (auto v = rd.Int("wait_ms", 0, 60000)) r.wait_ms = static_cast<int>(*v);
  RETURN_IF_ERROR(rd.Done());
  return r;
}

Json LeaseResponseToJson(const LeaseResponse& r) {
  Json tasks = Json::array();
  for (const auto& t : r.tasks) {
    tasks.push_back({{"lease", t.lease},
                     {"job", t.job},
                     {"task", t.task},
                     {"attempt", t.attempt},
                     {"argv", t.argv},
                     {"env", t.env},
                     {"timeout_s", t.timeout_s}});
  }
  return {{"lease_ms", r.lease_ms}, {"tasks", std::move(tasks)}};
}

Result<LeaseResponse> LeaseResponseFromJson(const Json& j) {
  if (!j.is_object()) return Internal("lease answer: expected an object");
  LeaseResponse r;
  r.lease_ms = Get<int64_t>(j, "lease_ms", 30000);
  auto tasks = j.find("tasks");
  if (tasks == j.end() || !tasks->is_array()) return Internal("lease answer: no tasks array");
  for (const Json& t : *tasks) {
    LeasedTask lt;
    lt.lease = Get<std::string>(t, "lease", "");
    lt.job = Get<std::string>(t, "job", "");
    lt.task = Get<std::string>(t, "task", "");
    lt.attempt = Get<int>(t, "attempt", 0);
    lt.argv = Get<std::vector<std::string>>(t, "argv", {});
    lt.env = Get<std::map<std::string, std::string>>(t, "env", {});
    lt.timeout_s = Get<double>(t, "timeout_s", 0);
    if (lt.lease.empty() || lt.argv.empty()) return Internal("lease answer: malformed task");
    r.tasks.push_back(std::move(lt));
  }
  return r;
}

Result<std::vector<std::string>> ParseHeartbeatRequest(const Json& j) {
  std::vector<std::string> leases;
  ObjectReader rd(j, "");
  const Json* arr = rd.Field("leases");
  RETURN_IF_ERROR(rd.Done());
  RETURN_IF_ERROR(ExpectStringArray(arr, "leases", 10000, &leases));
  return leases;
}

Json HeartbeatResponseToJson(const HeartbeatResponse& r) {
  return {{"extended", r.extended}, {"cancelled", r.cancelled}, {"lost", r.lost}};
}

Result<HeartbeatResponse> HeartbeatResponseFromJson(const Json& j) {
  if (!j.is_object()) return Internal("heartbeat answer: expected an object");
  HeartbeatResponse r;
  r.extended = Get<std::vector<std::string>>(j, "extended", {});
  r.cancelled = Get<std::vector<std::string>>(j, "cancelled", {});
  r.lost = Get<std::vector<std::string>>(j, "lost", {});
  return r;
}

Json TaskReportsToJson(const std::vector<TaskReport>& reports) {
  Json arr = Json::array();
  for (const auto& t : reports) {
    arr.push_back({{"lease", t.lease},
                   {"exit", t.exit},
                   {"signal", t.signal},
                   {"timed_out", t.timed_out},
                   {"error", SanitizeUtf8(t.error)},
                   {"wall_ms", t.wall_ms},
                   {"cpu_ms", t.cpu_ms},
                   {"max_rss_kb", t.max_rss_kb},
                   {"stdout_tail", SanitizeUtf8(t.stdout_tail)},
                   {"stderr_tail", SanitizeUtf8(t.stderr_tail)},
                   {"stdout_bytes", t.stdout_bytes},
                   {"stderr_bytes", t.stderr_bytes}});
  }
  return {{"results", std::move(arr)}};
}

Result<std::vector<TaskReport>> ParseCompleteRequest(const Json& j) {
  ObjectReader rd(j, "");
  const Json* arr = rd.Field("results");
  RETURN_IF_ERROR(rd.Done());
  if (arr == nullptr) return InvalidArgument("results: required");
  if (!arr->is_array()) return InvalidArgument("results: expected an array");
  if (arr->size() > 1000) return InvalidArgument("results: more than 1000");
  std::vector<TaskReport> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    ObjectReader r((*arr)[i], "results[" + std::to_string(i) + "]");
    TaskReport t;
    if (auto v = r.String("lease", 400)) t.lease = *v;
    if (auto v = r.Int("exit", -1, 255)) t.exit = static_cast<int>(*v);
    if (auto v = r.Int("signal", 0, 128)) t.signal = static_cast<int>(*v);
    if (auto v = r.Bool("timed_out")) t.timed_out = *v;
    if (auto v = r.String("error", kMaxTail)) t.error = *v;
    if (auto v = r.Int("wall_ms", 0, INT64_MAX / 2)) t.wall_ms = *v;
    if (auto v = r.Int("cpu_ms", 0, INT64_MAX / 2)) t.cpu_ms = *v;
    if (auto v = r.Int("max_rss_kb", 0, INT64_MAX / 2)) t.max_rss_kb = *v;
    if (auto v = r.String("stdout_tail", kMaxTail)) t.stdout_tail = *v;
    if (auto v = r.String("stderr_tail", kMaxTail)) t.stderr_tail = *v;
    if (auto v = r.Int("stdout_bytes", 0, INT64_MAX / 2)) t.stdout_bytes = *v;
    if (auto v = r.Int("stderr_bytes", 0, INT64_MAX / 2)) t.stderr_bytes = *v;
    RETURN_IF_ERROR(r.Done());
    if (t.lease.empty()) return InvalidArgument(r.PathOf("lease") + ": required");
    out.push_back(std::move(t));
  }
  return out;
}

Json CompleteResponseToJson(const CompleteResponse& r) {
  Json rejected = Json::array();
  for (const auto& [lease, reason] : r.rejected) {
    rejected.push_back({{"lease", lease}, {"reason", reason}});
  }
  return {{"accepted", r.accepted}, {"rejected", std::move(rejected)}};
}

Result<CompleteResponse> CompleteResponseFromJson(const Json& j) {
  if (!j.is_object()) return Internal("complete answer: expected an object");
  CompleteResponse r;
  r.accepted = Get<std::vector<std::string>>(j, "accepted", {});
  if (auto it = j.find("rejected"); it != j.end() && it->is_array()) {
    for (const Json& x : *it) {
      r.rejected.emplace_back(Get<std::string>(x, "lease", ""), Get<std::string>(x, "reason", ""));
    }
  }
  return r;
}

}  // namespace skiff

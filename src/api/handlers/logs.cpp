// Task output search: GET /v1/jobs/{id}/logs and GET /v1/logs (obs/log_search.h).
#include <cstdlib>

#include "api/api.h"
#include "obs/log_search.h"

namespace skiff::api {
namespace {

constexpr size_t kDefaultLimit = 1000;
constexpr size_t kMaxLimit = 10000;
constexpr size_t kMaxJobsScanned = 2000;  // /v1/logs looks at the newest jobs only

Result<int64_t> ParseInt(const std::string& s, const std::string& name, int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) {
    return InvalidArgument("query parameter " + name + ": expected an integer from " +
                           std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int64_t>(v);
}

// The filters both routes share.
Status ParseQuery(const Request& req, const char* regex_name, obs::LogQuery* q, size_t* limit) {
  auto get = [&](const char* name) -> const std::string* {
    auto it = req.query.find(name);
    return it == req.query.end() ? nullptr : &it->second;
  };
  if (auto v = get("task")) q->task = *v;
  if (auto v = get("attempt")) {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(*v, "attempt", 1, 1000000));
    q->attempt = static_cast<int>(n);
  }
  if (auto v = get("stream")) {
    if (*v != "stdout" && *v != "stderr") {
      return InvalidArgument("query parameter stream: expected stdout or stderr");
    }
    q->stream = *v;
  }
  if (auto v = get("q")) q->text = *v;
  if (auto v = get(regex_name)) {
    ASSIGN_OR_RETURN(q->regex, obs::CompileRegex(*v, std::string("query parameter ") + regex_name));
  }
  for (auto [name, out] : {std::pair{"from", &q->from_ms}, std::pair{"to", &q->to_ms}}) {
    if (auto v = get(name)) {
      auto t = ParseTime(*v);
      if (!t) {
        return InvalidArgument(std::string("query parameter ") + name +
                               ": expected an ISO-8601 UTC time (2026-11-22T10:00:00Z)");
      }
      *out = *t;
    }
  }
  *limit = kDefaultLimit;
  if (auto v = get("limit")) {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(*v, "limit", 1, kMaxLimit));
    *limit = static_cast<size_t>(n);
  }
  return OkStatus();
}

Response Render(const std::vector<obs::LogLine>& lines, bool complete, Json extra = {}) {
  Json out = extra.is_object() ? extra : Json::object();
  Json arr = Json::array();
  for (const auto& l : lines) arr.push_back(obs::LogLineToJson(l));
  out["lines"] = std::move(arr);
  out["truncated"] = !complete;
  return Response::Json(200, out);
}

Response JobLogs(coord::Coordinator* c, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"task", "attempt", "stream", "grep", "q", "from", "to",
                                   "limit"});
      !st.ok()) {
    return Response::Error(st);
  }
  obs::LogQuery q;
  size_t limit;
  if (Status st = ParseQuery(req, "grep", &q, &limit); !st.ok()) return Response::Error(st);
  auto job = c->GetJob(req.params["id"], AsCaller(who), true);
  if (!job.ok()) return Response::Error(job.status());
  std::vector<obs::LogLine> lines;
  bool complete = obs::SearchJobLogs(*job, q, limit, &lines);
  return Render(lines, complete);
}

Response SearchLogs(coord::Coordinator* c, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"job", "task", "attempt", "stream", "q", "regex", "from", "to",
                                   "limit"});
      !st.ok()) {
    return Response::Error(st);
  }
  obs::LogQuery q;
  size_t limit;
  if (Status st = ParseQuery(req, "regex", &q, &limit); !st.ok()) return Response::Error(st);
  std::vector<obs::LogLine> lines;
  bool complete = true;
  size_t scanned = 0;
  if (auto it = req.query.find("job"); it != req.query.end()) {
    auto job = c->GetJob(it->second, AsCaller(who), true);
    if (!job.ok()) return Response::Error(job.status());
    complete = obs::SearchJobLogs(*job, q, limit, &lines);
    scanned = 1;
  } else {
    coord::ListJobsRequest lr;
    lr.limit = 100;
    while (complete && scanned < kMaxJobsScanned) {
      auto page = c->ListJobs(lr, AsCaller(who));
      if (!page.ok()) return Response::Error(page.status());
      for (const Json& summary : page->jobs) {
        if (!complete || scanned >= kMaxJobsScanned) break;
        ++scanned;
        // A job created after `to` has no attempt that ended before it.
        int64_t created = ParseTime(summary.value("created_at", "")).value_or(0);
        if (q.to_ms != 0 && created >= q.to_ms) continue;
        auto job = c->GetJob(summary["id"].get<std::string>(), AsCaller(who), true);
        if (!job.ok()) continue;  // gone in between
        complete = obs::SearchJobLogs(*job, q, limit, &lines);
      }
      if (page->next_cursor.empty()) break;
      lr.cursor = page->next_cursor;
    }
    if (scanned >= kMaxJobsScanned) complete = false;
  }
  return Render(lines, complete, {{"jobs_scanned", scanned}});
}

}  // namespace

void RegisterLogRoutes(Router& router, coord::Coordinator* c) {
  router.Add("GET", "/v1/jobs/{id}/logs", Permission::kRead,
             [c](Request& req, const Principal& who) { return JobLogs(c, req, who); });
  router.Add("GET", "/v1/logs", Permission::kRead,
             [c](Request& req, const Principal& who) { return SearchLogs(c, req, who); });
}

}  // namespace skiff::api

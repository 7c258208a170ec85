// GET /v1/events: the event log as Server-Sent Events, and the audit hook for identity changes.
//
// ?types=a,b  only these types; ?job=ID  only this job's events; ?follow=0  send what is there
// and end (default 1: stream until the client goes away). Resume with the Last-Event-ID header
// (or ?last_event_id=N): events with a larger seq follow. A caller sees its own team's events;
// admins see every team's.
#include <chrono>
#include <set>

#include "api/api.h"

namespace skiff::api {
namespace {

constexpr int kWaitMs = 500;                    // how often a quiet stream looks at its client
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr size_t kBatch = 500;

const std::set<std::string>& KnownTypes() {
  static const std::set<std::string> kTypes = {
      std::string(coord::kEventJobCreated),      std::string(coord::kEventJobFinished),
      std::string(coord::kEventJobCancelled),    std::string(coord::kEventJobRetried),
      std::string(coord::kEventTaskLeased),      std::string(coord::kEventTaskOk),
      std::string(coord::kEventTaskKo),          std::string(coord::kEventTaskRetried),
      std::string(coord::kEventTaskLeaseExpired), std::string(events::kEventTeamCreated),
      std::string(events::kEventKeyCreated),     std::string(events::kEventKeyRevoked)};
  return kTypes;
}

// "id: 7\nevent: task.ok\ndata: {...}\n\n"
std::string SseFrame(const events::Event& e) {
  return "id: " + std::to_string(e.seq) + "\nevent: " + e.type +
         "\ndata: " + DumpJson(events::EventToJson(e)) + "\n\n";
}

Result<uint64_t> ParseSeq(const std::string& s, const char* what) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument(std::string(what) + ": expected a non-negative integer");
  }
  return std::stoull(s);
}

Response Stream(events::EventLog* log, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"types", "job", "follow", "last_event_id"}); !st.ok()) {
    return Response::Error(st);
  }
  events::EventFilter filter;
  filter.all_teams = who.admin();
  filter.team = who.team;
  if (auto it = req.query.find("types"); it != req.query.end()) {
    size_t start = 0;
    while (start <= it->second.size()) {
      size_t comma = it->second.find(',', start);
      if (comma == std::string::npos) comma = it->second.size();
      std::string t = it->second.substr(start, comma - start);
      if (!KnownTypes().count(t)) {
        return Response::Error(InvalidArgument("query parameter types: unknown event type \"" +
                                               SanitizeUtf8(t.substr(0, 64)) + "\""));
      }
      filter.types.insert(t);
      start = comma + 1;
    }
  }
  if (auto it = req.query.find("job"); it != req.query.end()) filter.job = it->second;
  bool follow = true;
  if (auto it = req.query.find("follow"); it != req.query.end()) {
    if (it->second != "0" && it->second != "1") {
      return Response::Error(InvalidArgument("query parameter follow: expected 0 or 1"));
    }
    follow = it->second == "1";
  }
  uint64_t after = 0;
  std::string last = req.Header("last-event-id");
  if (auto it = req.query.find("last_event_id"); it != req.query.end()) last = it->second;
  if (!last.empty()) {
    auto seq = ParseSeq(last, req.query.count("last_event_id") ? "last_event_id" : "Last-Event-ID");
    if (!seq.ok()) return Response::Error(seq.status());
    after = *seq;
  }
  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.event_stream = [log, filter, after, follow](StreamSink& sink) mutable {
    auto quiet_since = std::chrono::steady_clock::now();
    if (!sink.Write("retry: 1000\n\n")) return;
    while (sink.Open()) {
      auto got = log->Read(after, filter, kBatch, follow ? kWaitMs : 0);
      if (!got.ok()) {
        sink.Write("event: error\ndata: " +
                   DumpJson({{"error", {{"code", ErrorCodeFor(got.status().code())},
                                        {"message", got.status().message()}}}}) +
                   "\n\n");
        return;
      }
      after = got->next_after;
      if (!got->events.empty()) {
        std::string frames;
        for (const events::Event& e : got->events) frames += SseFrame(e);
        if (!sink.Write(frames)) return;
        quiet_since = std::chrono::steady_clock::now();
      } else if (!follow) {
        return;
      } else if (std::chrono::steady_clock::now() - quiet_since > kKeepAlive) {
        if (!sink.Write(": keep-alive\n\n")) return;
        quiet_since = std::chrono::steady_clock::now();
      }
    }
  };
  return r;
}

}  // namespace

void RegisterEventRoutes(Router& router, events::EventLog* log) {
  router.Add("GET", "/v1/events", Permission::kRead,
             [log](Request& req, const Principal& who) { return Stream(log, req, who); });
}

AuditFn AuditTo(events::EventLog* log) {
  if (log == nullptr) return nullptr;
  return [log](std::string_view type, const Request& req, const std::string& team, Json data) {
    events::Event e;
    e.type = std::string(type);
    e.team = team;
    e.correlation_id = req.correlation_id;
    e.data = std::move(data);
    log->Append(std::move(e));
  };
}

}  // namespace skiff::api

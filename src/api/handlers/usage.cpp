// /v1/usage (totals) and /v1/usage/export.csv (RFC 4180 CSV, streamed). docs/usage.md.
#include "api/api.h"
#include "usage/usage.h"

namespace skiff::api {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr size_t kFlushBytes = 64 * 1024;

// "2026-11-22" (midnight UTC) or an ISO-8601 UTC time.
Result<int64_t> ParseBound(const std::string& name, const std::string& text) {
  std::string t = text;
  if (t.size() == 10 && t[4] == '-' && t[7] == '-') t += "T00:00:00Z";
  auto ms = ParseTime(t);
  if (!ms) {
    return InvalidArgument("query parameter " + name +
                           ": expected an ISO-8601 UTC time (2026-11-22T10:00:00Z) or a date");
  }
  return *ms;
}

// Reads email, team, from, to into a query the caller may run: members see their own team only
// (another team is 404, so names don't leak); admins see every team unless they name one.
Result<usage::UsageQuery> ReadQuery(const Request& req, const Principal& who, Clock* clock) {
  usage::UsageQuery q;
  auto get = [&](const char* name) -> std::string {
    auto it = req.query.find(name);
    return it == req.query.end() ? std::string() : it->second;
  };
  q.email = get("email");
  if (q.email.size() > 320) return InvalidArgument("query parameter email: too long");
  q.team = get("team");
  if (!who.admin()) {
    if (!q.team.empty() && q.team != who.team) return NotFound("no team " + q.team);
    q.team = who.team;
  } else if (!q.team.empty() && !identity::ValidTeamName(q.team)) {
    return InvalidArgument("query parameter team: not a valid team name");
  }
  std::string from = get("from"), to = get("to");
  if (from.empty()) {
    q.from_ms = usage::DayStartMs(clock->NowMs());
  } else {
    ASSIGN_OR_RETURN(q.from_ms, ParseBound("from", from));
  }
  if (to.empty()) {
    q.to_ms = usage::DayStartMs(q.from_ms) + kDayMs;
  } else {
    ASSIGN_OR_RETURN(q.to_ms, ParseBound("to", to));
  }
  RETURN_IF_ERROR(usage::CheckRange(q));
  return q;
}

Response Totals(usage::UsageMeter* meter, Clock* clock, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"email", "team", "from", "to"}); !st.ok()) {
    return Response::Error(st);
  }
  auto q = ReadQuery(req, who, clock);
  if (!q.ok()) return Response::Error(q.status());
  auto totals = meter->Totals(*q);
  if (!totals.ok()) return Response::Error(totals.status());
  Json out = usage::TotalsToJson(*totals);
  out["from"] = FormatTime(q->from_ms);
  out["to"] = FormatTime(q->to_ms);
  out["team"] = q->team.empty() ? Json(nullptr) : Json(q->team);
  out["email"] = q->email.empty() ? Json(nullptr) : Json(q->email);
  return Response::Json(200, out);
}

Response Export(usage::UsageMeter* meter, Clock* clock, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"email", "team", "from", "to"}); !st.ok()) {
    return Response::Error(st);
  }
  auto q = ReadQuery(req, who, clock);
  if (!q.ok()) return Response::Error(q.status());
  Response r;
  r.content_type = "text/csv; charset=utf-8; header=present";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"usage-" + usage::DayOf(q->from_ms) + ".csv\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.stream = [meter, query = *q](const Response::Writer& write) -> Status {
    std::string buf(usage::kCsvHeader);
    bool client_ok = true;
    RETURN_IF_ERROR(meter->ForEach(query, [&](const usage::UsageRecord& rec) {
      usage::AppendCsvRow(rec, &buf);
      if (buf.size() >= kFlushBytes) {
        client_ok = write(buf);
        buf.clear();
      }
      return client_ok;
    }));
    if (client_ok && !buf.empty()) write(buf);
    return OkStatus();
  };
  return r;
}

}  // namespace

void RegisterUsageRoutes(Router& router, usage::UsageMeter* meter, Clock* clock) {
  router.Add("GET", "/v1/usage", Permission::kRead,
             [meter, clock](Request& req, const Principal& who) {
               return Totals(meter, clock, req, who);
             });
  router.Add("GET", "/v1/usage/export.csv", Permission::kRead,
             [meter, clock](Request& req, const Principal& who) {
               return Export(meter, clock, req, who);
             });
}

}  // namespace skiff::api

#include "api/observe.h"

#include <cctype>

#include "core/ids.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace skiff::api {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::string_view MethodLabel(std::string_view m) {
  for (std::string_view known : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "other";
}

struct HttpFamilies {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
};

HttpFamilies& Families() {
  static HttpFamilies f{
      obs::Metrics::Default().CounterFamily(
          "skiff_http_requests_total", "HTTP requests answered, by route template and status."),
      obs::Metrics::Default().HistogramFamily(
          "skiff_http_request_duration_seconds",
          "Time from a request read to its response ready, by route template.")};
  return f;
}

}  // namespace

bool ValidCorrelationId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool ValidTraceparent(std::string_view tp) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2)
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return false;
  std::string_view version = tp.substr(0, 2), trace = tp.substr(3, 32), parent = tp.substr(36, 16),
                   flags = tp.substr(53, 2);
  if (!IsLowerHex(version) || !IsLowerHex(trace) || !IsLowerHex(parent) || !IsLowerHex(flags)) {
    return false;
  }
  if (version == "ff") return false;
  if (version == "00" && tp.size() != 55) return false;
  if (tp.size() > 55 && tp[55] != '-') return false;
  if (trace == std::string(32, '0') || parent == std::string(16, '0')) return false;
  return true;
}

void BeginRequest(Request& req) {
  std::string cid = req.Header("x-correlation-id");
  req.correlation_id = ValidCorrelationId(cid) ? cid : RandomHex(16);
  std::string tp = req.Header("traceparent");
  req.traceparent = ValidTraceparent(tp) ? tp.substr(0, 55) : "";
}

void DecorateResponse(const Request& req, Response& res) {
  res.headers.emplace_back("X-Correlation-Id", req.correlation_id);
}

void EndRequest(const Request& req, const Response& res, double seconds) {
  std::string route = req.route.empty() ? "unmatched" : req.route;
  std::string method(MethodLabel(req.method));
  HttpFamilies& f = Families();
  f.requests.Add({{"route", route}, {"method", method}, {"code", std::to_string(res.status)}})
      .Increment();
  f.latency.Add({{"route", route}, {"method", method}}, obs::LatencyBuckets()).Observe(seconds);

  obs::Level level = res.status >= 500 ? obs::Level::kError : obs::Level::kInfo;
  if (!obs::Enabled(level)) return;
  Json fields = {{"correlation_id", req.correlation_id},
                 {"team", req.team},
                 {"user_id", req.user_id},
                 {"route", route},
                 {"method", req.method.size() <= 16 ? req.method : "other"},
                 {"path", SanitizeUtf8(req.path.substr(0, 256))},
                 {"status", res.status},
                 {"latency_ms", seconds * 1000.0},
                 {"bytes", res.body.size()},
                 {"remote", req.remote}};
  if (!req.traceparent.empty()) fields["traceparent"] = req.traceparent;
  obs::Log(level, "access", std::move(fields));
}

}  // namespace skiff::api

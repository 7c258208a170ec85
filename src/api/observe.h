// Per-request observability, called by HttpServer around every request: the correlation id, the
// access-log line and the HTTP metrics.
//
//   skiff_http_requests_total{route,method,code}        counter
//   skiff_http_request_duration_seconds{route,method}   histogram (handler time)
//
// route is the matched route template ("/v1/jobs/{id}"), "unmatched" for a path no route knows,
// so label values stay a small fixed set whatever clients send. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/http.h"

namespace skiff::api {

// A valid X-Correlation-Id: 1 to 128 printable ASCII characters (no space).
bool ValidCorrelationId(std::string_view id);
// A valid W3C traceparent ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", ids not all
// zero); versions above 00 are accepted when they start with that shape.
bool ValidTraceparent(std::string_view tp);

// Before routing: sets req.correlation_id (the header when valid, else a generated one) and
// req.traceparent (the header when valid, else "").
void BeginRequest(Request& req);

// After the handler, before the response is written: echoes X-Correlation-Id.
void DecorateResponse(const Request& req, Response& res);

// Once the response is ready (before it is written; for a stream, after it ends): the access-log
// line ("msg":"access": ts, level, correlation_id,
// traceparent, team, user_id, route, method, path, status, latency_ms, bytes, remote) and the
// metrics. Never logs headers, bodies or query strings (keys and secrets travel there).
void EndRequest(const Request& req, const Response& res, double seconds);

}  // namespace skiff::api

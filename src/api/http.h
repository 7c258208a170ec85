// The HTTP request and response as handlers see them, independent of the server underneath.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"

namespace skiff::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, no query
  std::map<std::string, std::string> query;   // decoded; the last value of a repeated name wins
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;                           // peer address
  std::map<std::string, std::string> params;  // from the route pattern ("{id}")
  std::string route;    // the matched pattern ("/v1/jobs/{id}"), for logs and metrics
  std::string user_id;  // the authenticated caller, for logs
  std::string team;
  // Set by the server before routing (api/observe.h): the X-Correlation-Id sent (when valid) or a
  // generated one, and the W3C traceparent sent ("" when absent or malformed).
  std::string correlation_id;
  std::string traceparent;

  // The header's value or "".
  std::string Header(std::string_view name) const;
};

// Where a streamed response body goes (Server-Sent Events): the server's side of the connection.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Sends the bytes now; false once the client went away or the server is stopping.
  virtual bool Write(std::string_view bytes) = 0;
  // False once the client closed the connection or the server is stopping.
  virtual bool Open() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed body, sent chunked instead of `body` when set: called once the headers are out with
  // a writer that returns false when the client is gone (then stop). An error status after the
  // headers cuts the connection before the last chunk, so the client sees an incomplete body.
  using Writer = std::function<bool(std::string_view chunk)>;
  std::function<Status(const Writer& write)> stream;
  // Server-Sent Events and other endless streams: when set (and `stream` is not), the server sends
  // the status and headers (no length; the connection closes at the end), then calls
  // `event_stream` until it returns. It must return soon after the sink stops being Open().
  std::function<void(StreamSink&)> event_stream;

  static Response Json(int status, const skiff::Json& body);
  // {"error":{"code":"invalid_argument","message":"..."}} with the status api/ maps the code to.
  static Response Error(const Status& status);
  static Response Error(int http_status, std::string_view code, std::string_view message);
};

// The one table from Status codes to HTTP statuses and error codes.
int HttpStatusFor(Code code);
std::string_view ErrorCodeFor(Code code);

// Splits "path?query" and decodes both. InvalidArgument for bad percent-encoding.
Status ParseTarget(std::string_view target, std::string* path,
                   std::map<std::string, std::string>* query);

}  // namespace skiff::api

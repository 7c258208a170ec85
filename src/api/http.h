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

  // The header's value or "".
  std::string Header(std::string_view name) const;
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

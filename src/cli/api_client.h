// ApiClient: calls to the skiff HTTP API (docs/api.md) with the API's error shape decoded.
//
// Every failure is a Status whose message starts with the API's snake_case code, ready to print as
// "skiff: <message>": "not_found: no job job_x", "unavailable: GET http://...: Connection refused".
// Not thread-safe (it owns one HttpClient).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/http_client.h"
#include "core/status.h"

namespace skiff::cli {

// The API's {"error": {"code": ..., "message": ...}}.
struct ApiError {
  std::string code;
  std::string message;
};

// Decodes an error answer. When the body is not the API's error shape (a proxy's HTML page, say),
// the code follows the HTTP status ("not_found", "unavailable", ..., else "http_<status>") and the
// message is the start of the body, with control characters replaced.
ApiError ParseApiError(int http_status, std::string_view body);

// The skiff::Code for an API error code; unknown codes map by HTTP status, else kInternal.
Code CodeForApiError(std::string_view api_code, int http_status);

// "<code>: <message>" as a Status with the matching Code.
Status ApiErrorStatus(const ApiError& error, int http_status);

class ApiClient {
 public:
  explicit ApiClient(std::unique_ptr<HttpClient> http) : http_(std::move(http)) {}

  // Each returns the response of a 2xx answer; any other answer is ApiErrorStatus, a transport
  // failure is "unavailable: <method> <url>: <curl message>" (Code kUnavailable).
  Result<HttpResponse> Get(std::string_view path);
  Result<HttpResponse> Post(std::string_view path, std::string_view json_body,
                            const HttpHeaders& extra_headers = {});
  Result<HttpResponse> Delete(std::string_view path);
  // GET with a 2xx body streamed to `sink` (HttpClient::GetStreamed); errors as above.
  Result<HttpResponse> GetStreamed(std::string_view path, const HttpClient::BodySink& sink);

  const std::string& base_url() const { return http_->base_url(); }

 private:
  Result<HttpResponse> Check(Result<HttpResponse> response);

  std::unique_ptr<HttpClient> http_;
};

// Parses a 2xx body. On invalid JSON: Internal "internal: the server answered invalid JSON: ...".
template <typename Json = nlohmann::json>
Result<Json> ParseBody(const HttpResponse& response) {
  Json doc = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Internal("internal: the server answered invalid JSON (HTTP " +
                    std::to_string(response.status) + ")");
  }
  return doc;
}

}  // namespace skiff::cli

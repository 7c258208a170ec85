#include "cli/api_client.h"

#include <utility>

#include "cli/format.h"

namespace skiff::cli {
namespace {

struct CodeRow {
  std::string_view api;
  int http;
  Code code;
};

// docs/api.md's error table, both ways.
constexpr CodeRow kCodes[] = {
    {"invalid_argument", 400, Code::kInvalidArgument},
    {"unauthenticated", 401, Code::kUnauthenticated},
    {"permission_denied", 403, Code::kPermissionDenied},
    {"not_found", 404, Code::kNotFound},
    {"method_not_allowed", 405, Code::kUnimplemented},
    {"failed_precondition", 409, Code::kFailedPrecondition},
    {"already_exists", 409, Code::kAlreadyExists},
    {"length_required", 411, Code::kInvalidArgument},
    {"resource_exhausted", 413, Code::kResourceExhausted},
    {"resource_exhausted", 429, Code::kResourceExhausted},
    {"internal", 500, Code::kInternal},
    {"unimplemented", 501, Code::kUnimplemented},
    {"unavailable", 502, Code::kUnavailable},
    {"unavailable", 503, Code::kUnavailable},
    {"deadline_exceeded", 504, Code::kDeadlineExceeded},
};

constexpr size_t kMaxMessage = 300;

std::string ApiCodeName(Code code) {
  for (const CodeRow& row : kCodes) {
    if (row.code == code) return std::string(row.api);
  }
  return "internal";
}

}  // namespace

ApiError ParseApiError(int http_status, std::string_view body) {
  ApiError error;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    auto it = doc.find("error");
    if (it != doc.end() && it->is_object()) {
      auto code = it->find("code");
      auto message = it->find("message");
      if (code != it->end() && code->is_string()) error.code = Sanitize(code->get<std::string>());
      if (message != it->end() && message->is_string()) {
        error.message = Sanitize(message->get<std::string>());
      }
    }
  }
  if (error.code.empty()) {
    error.code = "http_" + std::to_string(http_status);
    for (const CodeRow& row : kCodes) {
      if (row.http == http_status) {
        error.code = std::string(row.api);
        break;
      }
    }
  }
  if (error.message.empty()) {
    std::string text = Sanitize(body);
    if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
    error.message = text.empty() ? "HTTP " + std::to_string(http_status)
                                 : "HTTP " + std::to_string(http_status) + ": " + text;
  }
  return error;
}

Code CodeForApiError(std::string_view api_code, int http_status) {
  for (const CodeRow& row : kCodes) {
    if (row.api == api_code) return row.code;
  }
  for (const CodeRow& row : kCodes) {
    if (row.http == http_status) return row.code;
  }
  return http_status >= 400 && http_status < 500 ? Code::kInvalidArgument : Code::kInternal;
}

Status ApiErrorStatus(const ApiError& error, int http_status) {
  return Status(CodeForApiError(error.code, http_status), error.code + ": " + error.message);
}

Result<HttpResponse> ApiClient::Get(std::string_view path) { return Check(http_->Get(path)); }

Result<HttpResponse> ApiClient::GetStreamed(std::string_view path,
                                            const HttpClient::BodySink& sink) {
  return Check(http_->GetStreamed(path, sink));
}

Result<HttpResponse> ApiClient::Post(std::string_view path, std::string_view json_body,
                                     const HttpHeaders& extra_headers) {
  return Check(http_->Post(path, json_body, extra_headers));
}

Result<HttpResponse> ApiClient::Delete(std::string_view path) {
  return Check(http_->Delete(path));
}

Result<HttpResponse> ApiClient::Check(Result<HttpResponse> response) {
  if (!response.ok()) {
    const Status& s = response.status();
    return Status(s.code(), ApiCodeName(s.code()) + ": " + s.message());
  }
  if (response->status < 200 || response->status > 299) {
    return ApiErrorStatus(ParseApiError(response->status, response->body), response->status);
  }
  return response;
}

}  // namespace skiff::cli

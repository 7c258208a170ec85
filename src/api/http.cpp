#include "api/http.h"

#include <cctype>

namespace skiff::api {

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

Response Response::Json(int status, const skiff::Json& body) {
  Response r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

Response Response::Error(int http_status, std::string_view code, std::string_view message) {
  return Json(http_status, {{"error", {{"code", code}, {"message", SanitizeUtf8(message)}}}});
}

Response Response::Error(const Status& status) {
  return Error(HttpStatusFor(status.code()), ErrorCodeFor(status.code()), status.message());
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kResourceExhausted: return 413;
    case Code::kUnimplemented: return 501;
    case Code::kUnavailable: return 503;
    case Code::kDeadlineExceeded: return 504;
    case Code::kInternal: return 500;
  }
  return 500;
}

std::string_view ErrorCodeFor(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kUnavailable: return "unavailable";
    case Code::kDeadlineExceeded: return "deadline_exceeded";
    case Code::kInternal: return "internal";
    case Code::kUnimplemented: return "unimplemented";
  }
  return "internal";
}

namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return InvalidArgument("bad percent-encoding in the request target");
      int hi = HexVal(in[i + 1]), lo = HexVal(in[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgument("bad percent-encoding in the request target");
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return OkStatus();
}
}  // namespace

Status ParseTarget(std::string_view target, std::string* path,
                   std::map<std::string, std::string>* query) {
  size_t q = target.find('?');
  RETURN_IF_ERROR(Decode(target.substr(0, q), false, path));
  if (path->empty() || (*path)[0] != '/') return InvalidArgument("the request path must start with /");
  if (q == std::string_view::npos) return OkStatus();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    std::string k, v;
    RETURN_IF_ERROR(Decode(pair.substr(0, eq), true, &k));
    if (eq != std::string_view::npos) RETURN_IF_ERROR(Decode(pair.substr(eq + 1), true, &v));
    if (!k.empty()) (*query)[k] = v;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return OkStatus();
}

}  // namespace skiff::api

// HttpClient: a small blocking wrapper over one libcurl easy handle.
//
// One client holds one CURL handle, so consecutive requests reuse the same keep-alive connection.
// Every request has a connect timeout and a total timeout. When a key is set, each request carries
// `Authorization: Bearer <key>`; the key never appears in a Status message. Not thread-safe: use one
// client per thread. Transport failures (refused, DNS, TLS, timeout) are Unavailable, with curl's
// message and the URL; any HTTP answer, 4xx and 5xx included, is a successful HttpResponse.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace skiff::net {

struct HttpResponse {
  int status = 0;
  std::string body;
  // Response headers, names lower-cased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;

  // The header's value, or "" when absent. `name` is lower case.
  std::string Header(const std::string& name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpClientOptions {
  long connect_timeout_ms = 5000;
  long timeout_ms = 60000;
  // PEM file of the certificate authority to trust for https:// URLs (a self-signed server's
  // certificate, say). "" : $SKIFF_CA_CERT when set, else the system's trust store.
  std::string ca_cert = {};
};

class HttpClient {
 public:
  // `base_url` is "http[s]://host[:port]" with an optional path prefix and no trailing slash
  // needed; request paths start with '/'. An empty `key` sends no Authorization header.
  HttpClient(std::string base_url, std::string key, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Get(std::string_view path);
  // Sends `json_body` with Content-Type: application/json (no Content-Type when it is empty).
  // `extra_headers` values must not contain CR or LF (InvalidArgument otherwise).
  Result<HttpResponse> Post(std::string_view path, std::string_view json_body,
                            const HttpHeaders& extra_headers = {});
  Result<HttpResponse> Delete(std::string_view path);
  // GET whose 2xx body goes to `sink` piece by piece as it arrives (response.body stays empty), so
  // a large download needs no memory for the whole body; other answers keep their body as usual.
  // `sink` returns false to abort: then Unavailable. A body cut short is Unavailable too.
  using BodySink = std::function<bool(std::string_view piece)>;
  Result<HttpResponse> GetStreamed(std::string_view path, const BodySink& sink);

  const std::string& base_url() const { return base_url_; }

 private:
  Result<HttpResponse> Perform(const char* method, std::string_view path,
                               std::string_view body, const HttpHeaders& extra_headers,
                               const BodySink* sink = nullptr);

  std::string base_url_;
  std::string key_;
  HttpClientOptions options_;
  void* curl_ = nullptr;  // CURL*, kept opaque so callers need not include curl.h
};

// Percent-encodes `segment` for use as one path segment or query value: everything except
// unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX, so "/" and ".." cannot change the path.
std::string EscapeUrlComponent(std::string_view segment);

}  // namespace skiff::net

#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

namespace skiff::net {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  // Never cleaned up: the CLI is a short-lived process and other libraries may still use curl.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// A streamed GET: 2xx bodies go to the sink, others are kept for the error message.
struct StreamTarget {
  void* curl;
  const std::function<bool(std::string_view)>* sink;
  std::string* body;
};

size_t OnStreamedBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<StreamTarget*>(user);
  long status = 0;
  curl_easy_getinfo(static_cast<CURL*>(t->curl), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    t->body->append(data, size * count);
    return size * count;
  }
  return (*t->sink)(std::string_view(data, size * count)) ? size * count : 0;
}

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * count);
  // A status line starts a new header block (after a 100 Continue, for example).
  if (line.substr(0, 5) == "HTTP/") {
    headers->clear();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name = Trim(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    (*headers)[name] = Trim(line.substr(colon + 1));
  }
  return size * count;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// curl_slist owner.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  void Add(const std::string& line) { list_ = curl_slist_append(list_, line.c_str()); }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::string base_url, std::string key, HttpClientOptions options)
    : base_url_(std::move(base_url)), key_(std::move(key)), options_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  if (options_.ca_cert.empty()) {
    const char* ca = std::getenv("SKIFF_CA_CERT");
    if (ca != nullptr) options_.ca_cert = ca;
  }
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> HttpClient::Get(std::string_view path) { return Perform("GET", path, "", {}); }

Result<HttpResponse> HttpClient::Post(std::string_view path, std::string_view json_body,
                                      const HttpHeaders& extra_headers) {
  return Perform("POST", path, json_body, extra_headers);
}

Result<HttpResponse> HttpClient::Delete(std::string_view path) {
  return Perform("DELETE", path, "", {});
}

Result<HttpResponse> HttpClient::GetStreamed(std::string_view path, const BodySink& sink) {
  return Perform("GET", path, "", {}, &sink);
}

Result<HttpResponse> HttpClient::Perform(const char* method, std::string_view path,
                                         std::string_view body,
                                         const HttpHeaders& extra_headers,
                                         const BodySink* sink) {
  const std::string url = base_url_ + std::string(path);
  const std::string what = std::string(method) + " " + url;
  if (curl_ == nullptr) return Internal(what + ": curl_easy_init failed");
  if (HasLineBreak(url)) return InvalidArgument(what + ": line break in URL");
  CURL* curl = static_cast<CURL*>(curl_);
  // Reset drops the previous request's options but keeps the connection cache (keep-alive).
  curl_easy_reset(curl);

  HeaderList headers;
  headers.Add("Accept: application/json");
  headers.Add("Expect:");  // no 100-continue round trip on large bodies
  if (!key_.empty()) {
    if (HasLineBreak(key_)) return InvalidArgument("the API key contains a line break");
    headers.Add("Authorization: Bearer " + key_);
  }
  // "Content-Type:" stops curl from labelling an empty POST as a form.
  headers.Add(body.empty() ? "Content-Type:" : "Content-Type: application/json");
  for (const auto& [name, value] : extra_headers) {
    if (HasLineBreak(name) || HasLineBreak(value) || name.find(':') != std::string::npos) {
      return InvalidArgument(what + ": header " + name + " has a line break or a colon");
    }
    headers.Add(name + ": " + value);
  }

  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_cert.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_cert.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "skiff-cli");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  StreamTarget target{curl, sink, &response.body};
  if (sink != nullptr) {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnStreamedBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &target);
  } else {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (std::string_view(method) == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (std::string_view(method) == "DELETE") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }

  CURLcode rc = curl_easy_perform(curl);
  // The error buffer and header list live on this stack frame: detach them from the handle.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) {
    std::string message = error[0] != '\0' ? error : curl_easy_strerror(rc);
    return Unavailable(what + ": " + message);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

std::string EscapeUrlComponent(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  // "." and ".." would be dot-segments: encode their dots too.
  const bool dots_only = segment == "." || segment == "..";
  std::string out;
  out.reserve(segment.size());
  for (char ch : segment) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    bool unreserved = alnum || c == '-' || c == '_' || c == '~' || (c == '.' && !dots_only);
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace skiff::net

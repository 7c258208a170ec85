// The S3 side of S3TestServer: signature checks, objects, conditional puts, ListObjectsV2.
#include <openssl/evp.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "core/ids.h"
#include "store/s3/testing/s3_test_server.h"

namespace skiff::store::s3::testing {
namespace {

using Response = S3TestServer::Response;

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

Response Error(int status, const std::string& code, const std::string& message = "") {
  Response r;
  r.status = status;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" +
           XmlEscape(message.empty() ? code : message) + "</Message></Error>";
  r.headers = {{"Content-Type", "application/xml"}};
  return r;
}

std::string Md5Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return Hex(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::string Find(const NameValues& q, const std::string& name) {
  for (const auto& [n, v] : q) {
    if (n == name) return v;
  }
  return "";
}

bool Has(const NameValues& q, const std::string& name) {
  for (const auto& [n, v] : q) {
    if (n == name) return true;
  }
  return false;
}

// Seconds since the epoch of "20150830T123600Z", or -1.
int64_t ParseAmzDate(const std::string& s) {
  std::tm tm{};
  if (s.size() != 16 || strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::string S3TestServer::StoreUrl(const std::string& prefix,
                                   const std::string& extra_params) const {
  return "s3://" + UriEncode(options_.credentials.access_key_id, false) + ":" +
         UriEncode(options_.credentials.secret_access_key, false) + "@" + options_.bucket + "/" +
         prefix + "?endpoint=" + endpoint() + "&region=" + options_.region +
         (extra_params.empty() ? "" : "&" + extra_params);
}

void S3TestServer::FailNext(int n, int status, const std::string& code) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
  fail_code_ = code;
}

S3TestServerStats S3TestServer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<std::string> S3TestServer::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> keys;
  for (const auto& [k, v] : objects_) keys.push_back(k);
  return keys;
}

std::string S3TestServer::CheckSignature(const Request& req, const std::string& path,
                                         const NameValues& query) {
  auto header = [&](const std::string& name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? std::string() : it->second;
  };
  std::string auth = header("authorization");
  const std::string kAlgo = "AWS4-HMAC-SHA256 ";
  if (!auth.starts_with(kAlgo)) return "AccessDenied";
  std::string credential, signed_headers, signature;
  for (std::string_view rest = std::string_view(auth).substr(kAlgo.size()); !rest.empty();) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (part.starts_with(' ')) part.remove_prefix(1);
    if (part.starts_with("Credential=")) credential = part.substr(11);
    if (part.starts_with("SignedHeaders=")) signed_headers = part.substr(14);
    if (part.starts_with("Signature=")) signature = part.substr(10);
  }
  // Credential=AK/20150830/us-east-1/s3/aws4_request
  std::string amz_date = header("x-amz-date");
  const std::string scope_tail = "/" + options_.region + "/s3/aws4_request";
  if (credential != options_.credentials.access_key_id + "/" + amz_date.substr(0, 8) + scope_tail) {
    return credential.starts_with(options_.credentials.access_key_id + "/")
               ? "AuthorizationHeaderMalformed"
               : "InvalidAccessKeyId";
  }
  int64_t when = ParseAmzDate(amz_date);
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (when < 0 || std::llabs(now - when) > 15 * 60) return "RequestTimeTooSkewed";
  std::string payload = header("x-amz-content-sha256");
  if (payload.empty()) return "MissingContentSHA256";
  if (payload != skiff::Sha256Hex(req.body)) return "XAmzContentSHA256Mismatch";
  SignInput in;
  in.method = req.method;
  in.canonical_uri = path;
  in.query = query;
  in.payload_sha256 = payload;
  in.amz_date = amz_date;
  in.region = options_.region;
  in.service = "s3";
  bool host = false, date = false, sha = false;
  for (std::string_view rest = signed_headers; !rest.empty();) {
    size_t semi = rest.find(';');
    std::string name(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    host |= name == "host";
    date |= name == "x-amz-date";
    sha |= name == "x-amz-content-sha256";
    if (!req.headers.contains(name)) return "SignatureDoesNotMatch";
    in.headers.emplace_back(name, header(name));
  }
  if (!host || !date || !sha) return "SignatureDoesNotMatch";
  // Temporary credentials: the session token must be sent, and signed.
  if (const std::string& token = options_.credentials.session_token; !token.empty()) {
    if (header("x-amz-security-token") != token ||
        (";" + signed_headers + ";").find(";x-amz-security-token;") == std::string::npos) {
      return "InvalidToken";
    }
  }
  // Conditional headers change what a PUT does: they must be signed too.
  for (const char* must : {"if-match", "if-none-match"}) {
    if (req.headers.contains(must) && (";" + signed_headers + ";").find(std::string(";") + must + ";") ==
                                          std::string::npos) {
      return "SignatureDoesNotMatch";
    }
  }
  if (Sign(in, options_.credentials).signature != signature) return "SignatureDoesNotMatch";
  return "";
}

S3TestServer::Response S3TestServer::Handle(const Request& req) {
  std::string raw_path = req.target.substr(0, req.target.find('?'));
  NameValues query;
  if (size_t q = req.target.find('?'); q != std::string::npos) {
    std::string_view rest = std::string_view(req.target).substr(q + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      size_t eq = pair.find('=');
      std::string name, value;
      if (!UriDecode(pair.substr(0, eq), &name) ||
          (eq != std::string_view::npos && !UriDecode(pair.substr(eq + 1), &value))) {
        return Error(400, "InvalidArgument", "malformed query");
      }
      query.emplace_back(name, value);
    }
  }
  std::string path;
  if (!UriDecode(raw_path, &path) || !path.starts_with('/')) {
    return Error(400, "InvalidURI", "malformed path");
  }
  // Virtual-hosted when the Host starts with "<bucket>.", else path-style /bucket/key.
  auto host_it = req.headers.find("host");
  std::string host = host_it == req.headers.end() ? "" : host_it->second;
  std::string bucket, key;
  if (host.starts_with(options_.bucket + ".")) {
    bucket = options_.bucket;
    key = path.substr(1);
  } else {
    size_t slash = path.find('/', 1);
    bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    key = slash == std::string::npos ? "" : path.substr(slash + 1);
  }

  if (std::string err = CheckSignature(req, raw_path, query); !err.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.rejected_signatures;
    return Error(err == "XAmzContentSHA256Mismatch" || err == "MissingContentSHA256" ? 400 : 403,
                 err);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_next_ > 0) {
      --fail_next_;
      return Error(fail_status_, fail_code_, "injected failure");
    }
  }
  if (bucket != options_.bucket) return Error(404, "NoSuchBucket", "no bucket " + bucket);

  if (key.empty()) {
    if (req.method == "GET" && Find(query, "list-type") == "2") return List(query);
    if (req.method == "HEAD") return Response{200, "", {}, true};
    return Error(405, "MethodNotAllowed");
  }
  if (req.method == "PUT") {
    if (int64_t ms = put_latency_ms_; ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.put;
    auto it = objects_.find(key);
    auto none_match = req.headers.find("if-none-match");
    auto match = req.headers.find("if-match");
    if (none_match != req.headers.end() && none_match->second == "*" && it != objects_.end()) {
      ++stats_.precondition_failed;
      return Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    }
    if (match != req.headers.end()) {
      if (it == objects_.end()) return Error(404, "NoSuchKey", "The specified key does not exist.");
      if (Unquote(match->second) != it->second.etag) {
        ++stats_.precondition_failed;
        return Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      }
    }
    Obj obj{req.body, Md5Hex(req.body)};
    std::string etag = obj.etag;
    objects_[key] = std::move(obj);
    return Response{200, "", {{"ETag", "\"" + etag + "\""}}, false};
  }
  if (req.method == "GET" || req.method == "HEAD") {
    std::lock_guard<std::mutex> lock(mu_);
    bool head = req.method == "HEAD";
    ++(head ? stats_.head : stats_.get);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      Response r = Error(404, "NoSuchKey", "The specified key does not exist.");
      if (head) r = Response{404, "", {}, true};
      return r;
    }
    Response r{200, head ? "" : it->second.bytes, {{"ETag", "\"" + it->second.etag + "\""}}, head};
    if (head) r.headers.emplace_back("Content-Length", std::to_string(it->second.bytes.size()));
    return r;
  }
  if (req.method == "DELETE") {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.del;
    objects_.erase(key);
    return Response{204, "", {}, false};
  }
  return Error(405, "MethodNotAllowed");
}

S3TestServer::Response S3TestServer::List(const NameValues& query) {
  std::string prefix = Find(query, "prefix");
  std::string after = Find(query, "start-after");
  if (Has(query, "continuation-token")) {
    // Our tokens are the hex of the last key returned.
    std::string token = Find(query, "continuation-token");
    after.clear();
    for (size_t i = 0; i + 1 < token.size(); i += 2) {
      after.push_back(static_cast<char>(std::stoi(token.substr(i, 2), nullptr, 16)));
    }
  }
  size_t max_keys = 1000;
  if (Has(query, "max-keys")) {
    max_keys = std::min<size_t>(1000, std::strtoul(Find(query, "max-keys").c_str(), nullptr, 10));
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.list;
  std::string contents;
  size_t count = 0;
  bool truncated = false;
  std::string last;
  auto it = objects_.upper_bound(after);
  if (auto from = objects_.lower_bound(prefix); from != objects_.end() && from->first > after) {
    it = from;
  }
  for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
    if (count == max_keys) {
      truncated = true;
      break;
    }
    contents += "<Contents><Key>" + XmlEscape(it->first) + "</Key><ETag>&quot;" + it->second.etag +
                "&quot;</ETag><Size>" + std::to_string(it->second.bytes.size()) +
                "</Size></Contents>";
    last = it->first;
    ++count;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" +
                    options_.bucket + "</Name><Prefix>" + XmlEscape(prefix) + "</Prefix><KeyCount>" +
                    std::to_string(count) + "</KeyCount><MaxKeys>" + std::to_string(max_keys) +
                    "</MaxKeys><IsTruncated>" + (truncated ? "true" : "false") + "</IsTruncated>" +
                    contents;
  if (truncated) xml += "<NextContinuationToken>" + Hex(last) + "</NextContinuationToken>";
  xml += "</ListBucketResult>";
  return Response{200, xml, {{"Content-Type", "application/xml"}}, false};
}

}  // namespace skiff::store::s3::testing

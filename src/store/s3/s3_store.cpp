#include "store/s3/s3_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "core/ids.h"
#include "store/s3/s3_xml.h"

namespace skiff::store::s3 {
namespace {

constexpr size_t kMaxListPage = 1000;  // S3's own cap on max-keys

std::string StripQuotes(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

bool Retryable(const HttpResponse& r) {
  if (r.status >= 500 || r.status == 429) return true;
  if (r.status == 400 || r.status == 503) {
    std::string code = ParseErrorDoc(r.body).code;
    return code == "RequestTimeout" || code == "SlowDown";
  }
  return false;
}

// The Status for an S3 error answer, naming the operation and the key.
Status ErrorStatus(const std::string& what, const HttpResponse& r) {
  ErrorDoc doc = ParseErrorDoc(r.body);
  std::string msg = "S3 " + what + ": HTTP " + std::to_string(r.status);
  if (!doc.code.empty()) msg += " " + doc.code;
  if (!doc.message.empty()) msg += ": " + doc.message;
  switch (r.status) {
    case 400: return InvalidArgument(msg);
    case 401:
    case 403: return PermissionDenied(msg);
    case 404: return NotFound(msg);
    case 409:
    case 412: return FailedPrecondition(msg);
    default: return Unavailable(msg);
  }
}

// Full jitter: a uniform wait in [0, min(2 s, 50 ms * 2^attempt)].
std::chrono::milliseconds Backoff(int attempt) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t cap = std::min<int64_t>(2000, int64_t{50} << std::min(attempt, 10));
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, cap)(rng));
}

}  // namespace

S3Store::S3Store(S3Options options)
    : options_(std::move(options)),
      pool_(options_.pool_size, options_.timeout_ms, options_.connect_timeout_ms) {
  size_t scheme_end = options_.endpoint.find("://");
  std::string scheme = options_.endpoint.substr(0, scheme_end);
  std::string authority = options_.endpoint.substr(scheme_end + 3);
  if (options_.path_style) {
    host_ = authority;
    path_root_ = "/" + options_.bucket;
  } else {
    host_ = options_.bucket + "." + authority;
  }
  base_url_ = scheme + "://" + host_;
}

Result<std::unique_ptr<S3Store>> S3Store::Open(S3Options options) {
  std::unique_ptr<S3Store> store(new S3Store(std::move(options)));
  auto check = store->ListOnce({"", "", 1}, true);
  if (!check.ok()) {
    const S3Options& o = store->options_;
    return Status(check.status().code(), "cannot use bucket \"" + o.bucket + "\" at " +
                                             o.endpoint + " (region " + o.region + "): " +
                                             check.status().message());
  }
  return store;
}

HttpRequest S3Store::Build(const Call& call) const {
  HttpRequest req;
  req.method = call.method;
  std::string path = path_root_ + "/" + UriEncode(call.key, true);
  if (call.key.empty() && !path_root_.empty()) path = path_root_;
  std::string query = CanonicalQuery(call.query);
  req.url = base_url_ + path + (query.empty() ? "" : "?" + query);
  req.body = call.body;

  SignInput in;
  in.method = call.method;
  in.canonical_uri = path;
  in.query = call.query;
  in.payload_sha256 = skiff::Sha256Hex(call.body);
  in.amz_date = AmzDate(std::chrono::system_clock::now());
  in.region = options_.region;
  in.service = "s3";
  in.headers = {{"host", host_}, {"x-amz-content-sha256", in.payload_sha256},
                {"x-amz-date", in.amz_date}};
  if (!options_.credentials.session_token.empty()) {
    in.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  for (const auto& h : call.headers) in.headers.push_back(h);
  Signature sig = Sign(in, options_.credentials);
  req.headers = in.headers;
  req.headers.emplace_back("Authorization", sig.authorization);
  return req;
}

Result<HttpResponse> S3Store::Send(const Call& call, int* attempts) {
  Status last = Unavailable("no attempt");
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(Backoff(attempt));
    if (attempts) *attempts = attempt + 1;
    ++requests_;
    auto r = pool_.Perform(Build(call));
    if (!r.ok()) {
      last = r.status();
      continue;
    }
    if (Retryable(*r)) {
      last = ErrorStatus(call.method + " " + call.key, *r);
      continue;
    }
    return r;
  }
  return Unavailable(last.message() + " (after " + std::to_string(options_.retries + 1) +
                     " attempts)");
}

Result<Object> S3Store::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(HttpResponse r, Send({"GET", options_.prefix + std::string(key), {}, {}, {}}));
  if (r.status == 404) return NotFound("no object \"" + std::string(key) + "\"");
  if (r.status != 200) return ErrorStatus("GET " + std::string(key), r);
  return Object{std::move(r.body), StripQuotes(Header(r, "etag"))};
}

Result<HeadResult> S3Store::Head(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(HttpResponse r, Send({"HEAD", options_.prefix + std::string(key), {}, {}, {}}));
  if (r.status == 404) return NotFound("no object \"" + std::string(key) + "\"");
  if (r.status != 200) return ErrorStatus("HEAD " + std::string(key), r);
  HeadResult h{StripQuotes(Header(r, "etag")), 0};
  h.size = std::strtoull(Header(r, "content-length").c_str(), nullptr, 10);
  return h;
}

Result<std::string> S3Store::Put(std::string_view key, std::string_view bytes,
                                 const Precondition& pre) {
  RETURN_IF_ERROR(ValidateKey(key));
  Call call{"PUT", options_.prefix + std::string(key), {}, {}, bytes};
  call.headers.emplace_back("content-type", "application/octet-stream");
  if (pre.kind == Precondition::Kind::kIfAbsent) {
    call.headers.emplace_back("if-none-match", "*");
  } else if (pre.kind == Precondition::Kind::kIfMatch) {
    if (pre.etag.empty()) return FailedPrecondition("put \"" + std::string(key) + "\": empty etag");
    call.headers.emplace_back("if-match", "\"" + pre.etag + "\"");
  }
  int attempts = 0;
  ASSIGN_OR_RETURN(HttpResponse r, Send(call, &attempts));
  if (r.status == 200) {
    std::string etag = StripQuotes(Header(r, "etag"));
    if (etag.empty()) return Internal("S3 PUT " + std::string(key) + ": answer has no ETag");
    return etag;
  }
  bool conditional = pre.kind != Precondition::Kind::kNone;
  bool refused = r.status == 412 || r.status == 409 || (conditional && r.status == 404 &&
                                                        ParseErrorDoc(r.body).code != "NoSuchBucket");
  if (conditional && refused) {
    if (attempts > 1) {
      // An earlier attempt may have been applied with its answer lost: if the object now holds
      // exactly our bytes, that attempt won.
      auto now = Get(key);
      if (now.ok() && now->bytes == bytes) return now->etag;
    }
    return FailedPrecondition("put \"" + std::string(key) + "\": precondition failed (HTTP " +
                              std::to_string(r.status) + ")");
  }
  return ErrorStatus("PUT " + std::string(key), r);
}

Status S3Store::Remove(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(HttpResponse r,
                   Send({"DELETE", options_.prefix + std::string(key), {}, {}, {}}));
  if (r.status == 200 || r.status == 204) return OkStatus();
  if (r.status == 404 && ParseErrorDoc(r.body).code != "NoSuchBucket") return OkStatus();
  return ErrorStatus("DELETE " + std::string(key), r);
}

Result<ListResult> S3Store::List(const ListRequest& req) { return ListOnce(req, false); }

Result<ListResult> S3Store::ListOnce(const ListRequest& req, bool check_only) {
  if (!check_only) {
    RETURN_IF_ERROR(ValidatePrefix(req.prefix));
    RETURN_IF_ERROR(ValidatePrefix(req.start_after));
  }
  const std::string full_prefix = options_.prefix + req.prefix;
  // One key more than asked tells whether the listing is truncated.
  const size_t want = std::min<size_t>(req.limit, size_t{1} << 30) + 1;
  ListResult out;
  std::string token;
  for (int page = 0;; ++page) {
    Call call{"GET", "", {{"list-type", "2"}}, {}, {}};
    if (!full_prefix.empty()) call.query.emplace_back("prefix", full_prefix);
    if (!token.empty()) {
      call.query.emplace_back("continuation-token", token);
    } else if (!req.start_after.empty()) {
      call.query.emplace_back("start-after", options_.prefix + req.start_after);
    }
    size_t ask = std::min(want - out.keys.size(), kMaxListPage);
    call.query.emplace_back("max-keys", std::to_string(check_only ? 1 : ask));
    ASSIGN_OR_RETURN(HttpResponse r, Send(call));
    if (r.status != 200) return ErrorStatus("list \"" + req.prefix + "\"", r);
    ASSIGN_OR_RETURN(ListPage p, ParseListPage(r.body));
    if (check_only) return out;
    // S3 lists in byte order; some look-alikes (s3rver) walk folders instead. Order each page,
    // and refuse a listing whose pages overlap rather than skip or repeat keys.
    std::sort(p.keys.begin(), p.keys.end());
    for (std::string& k : p.keys) {
      if (!k.starts_with(options_.prefix)) continue;
      std::string key = k.substr(options_.prefix.size());
      if (!key.starts_with(req.prefix) || key <= req.start_after) continue;
      if (!out.keys.empty() && key <= out.keys.back()) {
        return Unavailable("S3 list \"" + req.prefix + "\": the endpoint listed \"" + key +
                           "\" after \"" + out.keys.back() + "\" (not in byte order)");
      }
      out.keys.push_back(std::move(key));
    }
    if (out.keys.size() >= want || !p.is_truncated) break;
    if (p.next_token == token || page > 100000) {
      return Unavailable("S3 list \"" + req.prefix + "\": continuation token does not advance");
    }
    token = p.next_token;
  }
  if (out.keys.size() > req.limit) {
    out.keys.resize(req.limit);
    out.truncated = true;
  }
  return out;
}

}  // namespace skiff::store::s3

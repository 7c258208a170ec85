#include "store/s3/s3_options.h"

#include <cctype>
#include <charconv>

#include "store/object_store.h"

namespace skiff::store::s3 {
namespace {

Status Bad(std::string_view url, std::string_view why) {
  // Never echo the secret: print the URL without its user information.
  std::string shown(url);
  if (size_t at = shown.find('@'); at != std::string::npos && shown.starts_with("s3://")) {
    shown = "s3://***@" + shown.substr(at + 1);
  }
  return InvalidArgument("store url \"" + shown + "\": " + std::string(why) +
                         " (s3://bucket/prefix?region=..&endpoint=..&path_style=0|1)");
}

// S3 bucket naming rules: 3-63 of [a-z0-9.-], starting and ending with a letter or digit.
bool ValidBucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '-')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(b.front())) &&
         std::isalnum(static_cast<unsigned char>(b.back()));
}

bool ParseInt(std::string_view s, int lo, int hi, int* out) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::string Env(const GetEnv& env, const char* name) {
  const char* v = env ? env(name) : nullptr;
  return v ? v : "";
}

// "http://host[:port]" with nothing after the authority (a trailing '/' is dropped).
bool ValidEndpoint(std::string* e) {
  while (e->ends_with('/')) e->pop_back();
  size_t scheme_end = e->find("://");
  if (scheme_end == std::string::npos) return false;
  std::string_view scheme(e->data(), scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  std::string_view authority = std::string_view(*e).substr(scheme_end + 3);
  return !authority.empty() && authority.find_first_of("/?#@ ") == std::string_view::npos;
}

}  // namespace

Result<S3Options> ParseS3Url(std::string_view url, const GetEnv& env) {
  if (!url.starts_with("s3://")) return Bad(url, "must start with s3://");
  std::string_view rest = url.substr(5);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Options o;
  o.credentials.access_key_id = Env(env, "AWS_ACCESS_KEY_ID");
  o.credentials.secret_access_key = Env(env, "AWS_SECRET_ACCESS_KEY");
  o.credentials.session_token = Env(env, "AWS_SESSION_TOKEN");
  if (std::string r = Env(env, "AWS_REGION"); !r.empty()) {
    o.region = r;
  } else if (std::string d = Env(env, "AWS_DEFAULT_REGION"); !d.empty()) {
    o.region = d;
  }
  o.endpoint = Env(env, "AWS_ENDPOINT_URL_S3");
  if (o.endpoint.empty()) o.endpoint = Env(env, "AWS_ENDPOINT_URL");

  // User information sits before the first '/' ('/' in a secret must be percent-encoded), so an
  // '@' in the prefix is just part of the prefix.
  if (size_t at = rest.substr(0, rest.find('/')).find('@'); at != std::string_view::npos) {
    std::string_view user = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = user.find(':');
    if (colon == std::string_view::npos) return Bad(url, "credentials must be KEY:SECRET@");
    Credentials c;
    if (!UriDecode(user.substr(0, colon), &c.access_key_id) ||
        !UriDecode(user.substr(colon + 1), &c.secret_access_key)) {
      return Bad(url, "malformed percent-encoding in the credentials");
    }
    c.session_token.clear();  // a token belongs to the environment's key, not this one
    o.credentials = c;
  }
  size_t slash = rest.find('/');
  o.bucket = std::string(rest.substr(0, slash));
  if (o.bucket.empty()) return Bad(url, "names no bucket");
  if (!ValidBucket(o.bucket)) {
    return Bad(url, "bad bucket name \"" + o.bucket + "\" (3-63 of a-z 0-9 . -)");
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (prefix.ends_with('/')) prefix.remove_suffix(1);
    if (!prefix.empty()) {
      if (Status st = skiff::store::ValidateKey(prefix); !st.ok()) return Bad(url, st.message());
      o.prefix = std::string(prefix) + "/";
    }
  }

  bool path_style_set = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value;
    if (eq == std::string_view::npos || !UriDecode(pair.substr(eq + 1), &value) || value.empty()) {
      return Bad(url, "parameter \"" + name + "\" needs a value");
    }
    if (name == "region") {
      o.region = value;
    } else if (name == "endpoint") {
      o.endpoint = value;
    } else if (name == "path_style") {
      if (value != "0" && value != "1") return Bad(url, "path_style must be 0 or 1");
      o.path_style = value == "1";
      path_style_set = true;
    } else if (name == "timeout_ms") {
      if (!ParseInt(value, 100, 600000, &o.timeout_ms)) return Bad(url, "timeout_ms: 100..600000");
    } else if (name == "retries") {
      if (!ParseInt(value, 0, 20, &o.retries)) return Bad(url, "retries: 0..20");
    } else if (name == "pool") {
      if (!ParseInt(value, 1, 256, &o.pool_size)) return Bad(url, "pool: 1..256");
    } else {
      return Bad(url, "unknown parameter \"" + name + "\"");
    }
  }
  for (char c : o.region) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return Bad(url, "bad region \"" + o.region + "\"");
    }
  }
  if (o.region.empty()) return Bad(url, "empty region");
  if (o.endpoint.empty()) {
    o.endpoint = "https://s3." + o.region + ".amazonaws.com";
  } else {
    if (!ValidEndpoint(&o.endpoint)) {
      return Bad(url, "endpoint \"" + o.endpoint + "\" must be http(s)://host[:port]");
    }
    if (!path_style_set) o.path_style = true;
  }
  if (o.credentials.access_key_id.empty() || o.credentials.secret_access_key.empty()) {
    return Bad(url, "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  return o;
}

}  // namespace skiff::store::s3

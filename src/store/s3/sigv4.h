// AWS Signature Version 4 (the "Authorization: AWS4-HMAC-SHA256 ..." header), pure functions over
// OpenSSL: canonical request, string to sign, signing key and signature. The S3 client signs with
// it and the test S3 server verifies with it; the published AWS test vectors pin it down
// (sigv4_test.cpp). No I/O, no clock: the caller passes the time. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::store::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // sent as x-amz-security-token when not empty
};

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct SignInput {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // the path exactly as sent, already URI-encoded ("/bucket/a%20b")
  NameValues query;           // decoded names and values, any order
  NameValues headers;         // the headers to sign (any case, any order); must include host
  std::string payload_sha256;  // lower-case hex SHA-256 of the body (x-amz-content-sha256)
  std::string amz_date;        // "20150830T123600Z"
  std::string region;          // "us-east-1"
  std::string service;         // "s3"
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-content-sha256;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // the whole Authorization header value
};

// Signs `in` with `creds` (the session token is not added here: put it in in.headers).
Signature Sign(const SignInput& in, const Credentials& creds);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XX (upper-case hex); '/' stays when `keep_slash` (object paths).
std::string UriEncode(std::string_view s, bool keep_slash);

// Percent-decoding ('+' stays '+'); false on a malformed escape.
bool UriDecode(std::string_view s, std::string* out);

// "a=1&b=2" from decoded pairs: each name and value UriEncoded, sorted by name then value.
std::string CanonicalQuery(const NameValues& query);

// "20150830T123600Z" for `t` (UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

// HMAC-SHA256 (raw bytes); lower-case hex of bytes. (SHA-256 hex: skiff::Sha256Hex, core/ids.h.)
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Hex(std::string_view bytes);

}  // namespace skiff::store::s3

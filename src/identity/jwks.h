// JWKS: the public keys an OIDC provider signs its tokens with (RFC 7517), and base64url.
//
// Only keys skiff can verify with are kept: RSA of at least 2048 bits (for RS256) and EC P-256
// (for ES256), each with "use" absent or "sig". Any other key is skipped with a reason, so a
// provider that also publishes encryption or Ed25519 keys still works. The keys are OpenSSL 3
// EVP_PKEYs built from their parameters; a JwkSet is immutable once parsed and may be shared
// between threads.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace skiff::identity {

// Strict base64url without padding (RFC 7515 section 2): InvalidArgument on any character outside
// A-Z a-z 0-9 - _, on '=', on an impossible length, or on non-zero unused trailing bits (so each
// byte string has exactly one encoding).
Result<std::string> Base64UrlDecode(std::string_view in);
std::string Base64UrlEncode(std::string_view in);

enum class KeyType { kRsa, kEc };

struct Jwk {
  std::string kid;  // may be empty
  KeyType kty = KeyType::kRsa;
  std::string alg;  // the JWK's "alg" ("RS256", "ES256") or "" when absent
  int bits = 0;
  std::shared_ptr<EVP_PKEY> key;
};

struct JwkSet {
  std::vector<Jwk> keys;
  std::vector<std::string> skipped;  // "keys[2] (kid 'x'): RSA key of 1024 bits, need 2048"
};

// Parses a JWKS document ({"keys": [...]}). InvalidArgument when it is not JSON or has no "keys"
// array; unusable keys are skipped, not errors. `source` names the file or URL in messages.
Result<JwkSet> ParseJwks(std::string_view json, std::string_view source);

// Reads and parses a JWKS file (at most 1 MiB).
Result<JwkSet> LoadJwksFile(const std::string& path);

// Fetches and parses a JWKS over http(s) with net::HttpClient (short timeouts). Unavailable when
// the server cannot be reached or does not answer 200; InvalidArgument for a bad URL or document.
Result<JwkSet> FetchJwks(const std::string& url);

// Splits "https://host[:port]/path?q" into "https://host[:port]" and "/path?q" ("/" when there is
// no path). InvalidArgument unless the scheme is http or https and the host is non-empty.
Status SplitHttpUrl(std::string_view url, std::string* base, std::string* path);

}  // namespace skiff::identity

// JwtVerifier: checks OIDC bearer tokens (compact JWS, RFC 7515/7519) against an issuer's JWKS and
// turns the claims into a skiff team and role.
//
// Only RS256 (RSA >= 2048 bits, PKCS#1 v1.5, SHA-256) and ES256 (P-256) are accepted; "none" and
// the HMAC algorithms are refused outright, so a public key can never double as an HMAC secret.
// Keys come only from the configured JWKS, never from the token ("jwk", "jku", "x5u" are ignored),
// and a token with a "crit" header is refused. The signature is checked before any claim, so a
// forged token is never told more than "signature does not verify".
//
// The JWKS is loaded by Create (a failure there is an error: misconfiguration shows at start-up)
// and reloaded (URL re-fetched, or file re-read) every jwks_refresh_s, and when a token names an
// unknown kid; never more than once per 10 s, so a flood of made-up kids cannot hammer the
// provider. A failed reload, or one with no usable key, keeps the previous keys.
// Reloads are timed by the `now_ms` given to Verify. Every failure is Unauthenticated with a
// specific message. Thread-safe: Verify may be called from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"
#include "identity/jwks.h"

namespace skiff::identity {

struct OidcConfig {
  std::string issuer;            // required; exact match of "iss"
  std::string audience;          // required; "aud" (string or array) must contain it
  std::string jwks_file;         // a JWKS JSON file, or
  std::string jwks_url;          // an https/http URL (fetched with net::HttpClient), cached
  int64_t jwks_refresh_s = 300;  // reload period, 10..604800; also reload on an unknown kid
  int64_t leeway_s = 60;         // clock skew allowed for exp/nbf/iat, 0..3600
  // The claim naming the team: a string, or an array of strings. Without group_to_team the first
  // non-empty string is the team; with it, the first value that group_to_team maps.
  std::string team_claim = "groups";
  // Optional claim naming the role (a string, or an array: its first known role); when empty or
  // absent from the token, default_role. Roles: owner, member, viewer; admin only from the claim.
  std::string role_claim;
  std::string default_role = "member";
  std::map<std::string, std::string> group_to_team;  // optional: "group value" -> team
};

struct TokenIdentity {
  std::string subject;  // "sub"
  std::string email;    // "email", or "" when absent
  std::string team;
  std::string role;
  int64_t expires_ms = 0;  // "exp" in ms since the epoch
};

class JwtVerifier {
 public:
  // InvalidArgument for a bad config; the JWKS load's error when it fails or has no usable key.
  static Result<std::unique_ptr<JwtVerifier>> Create(OidcConfig cfg);

  // Verifies a compact JWS (header.payload.signature) at time `now_ms`. Never throws.
  Result<TokenIdentity> Verify(std::string_view token, int64_t now_ms);

  // Three dot-separated base64url parts, the first two non-empty (the third may be empty, so that
  // an unsigned token still reaches Verify and gets a clear refusal). Tells a JWT from an API key.
  static bool LooksLikeJwt(std::string_view token);

  const OidcConfig& config() const { return cfg_; }
  // Why keys of the current JWKS were skipped (for a start-up log line).
  std::vector<std::string> skipped_keys();

 private:
  JwtVerifier(OidcConfig cfg, JwkSet keys, int64_t loaded_ms);

  std::shared_ptr<const JwkSet> CurrentKeys(int64_t now_ms);
  // Reloads the JWKS if allowed now; true when the keys changed since `seen` (by anyone).
  bool ReloadForUnknownKid(int64_t now_ms, const std::shared_ptr<const JwkSet>& seen);
  Result<JwkSet> LoadKeys() const;
  void Install(JwkSet keys, int64_t now_ms);
  Result<const Jwk*> FindKey(const JwkSet& set, const Json& header, const std::string& alg) const;
  Result<TokenIdentity> CheckClaims(const Json& claims, int64_t now_ms) const;
  Result<std::string> ResolveTeam(const Json& claims) const;
  Result<std::string> ResolveRole(const Json& claims) const;

  const OidcConfig cfg_;
  std::mutex mu_;  // guards the three fields below
  std::shared_ptr<const JwkSet> keys_;
  int64_t loaded_ms_ = 0;     // last successful load
  int64_t attempted_ms_ = 0;  // last load attempt, successful or not
  std::mutex load_mu_;        // one load at a time; taken before mu_, never while holding it
};

}  // namespace skiff::identity

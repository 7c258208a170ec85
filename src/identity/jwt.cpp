#include "identity/jwt.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <set>

#include "core/time.h"

namespace skiff::identity {
namespace {

constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr int64_t kUnknownKidReloadMs = 10'000;
constexpr double kMaxNumericDate = 253402300799.0;  // 9999-12-31T23:59:59Z
const std::set<std::string, std::less<>> kTeamRoles = {"owner", "member", "viewer"};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// A claim value fit for a message: quoted, at most 80 bytes, valid UTF-8.
std::string Shown(std::string_view s) {
  if (s.size() <= 80) return "'" + SanitizeUtf8(s) + "'";
  return "'" + SanitizeUtf8(s.substr(0, 80)) + "...'";
}

// True when `now` is at least `period` after `since` (or the clock went back by that much).
bool Due(int64_t now, int64_t since, int64_t period) {
  return now - since >= period || since - now >= period;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

Result<Json> DecodeJsonPart(std::string_view b64, const char* what) {
  Result<std::string> bytes = Base64UrlDecode(b64);
  if (!bytes.ok()) {
    return Unauthenticated(std::string("malformed token: ") + what + " is not base64url");
  }
  Result<Json> json = ParseJson(*bytes);
  if (!json.ok() || !json->is_object()) {
    return Unauthenticated(std::string("malformed token: ") + what + " is not a JSON object");
  }
  return json;
}

const std::string* StringMember(const Json& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// Reads NumericDate claim `name` (seconds, maybe fractional) as ms; "" or why it is unusable.
std::string NumericDateMs(const Json& claims, const char* name, int64_t* ms, bool* present) {
  auto it = claims.find(name);
  *present = it != claims.end();
  if (!*present) return "";
  if (!it->is_number()) return std::string("claim '") + name + "' is not a number";
  double seconds = it->get<double>();
  if (!(seconds >= 0 && seconds <= kMaxNumericDate)) {
    return std::string("claim '") + name + "' is out of range";
  }
  *ms = static_cast<int64_t>(seconds * 1000.0);
  return "";
}

// Verifies `sig` (JWS form) over `input` with `key`.
Status VerifySignature(const Jwk& key, const std::string& alg, std::string_view input,
                       const std::string& sig) {
  std::string der;
  const std::string* to_check = &sig;
  if (alg == "RS256") {
    const int size = EVP_PKEY_get_size(key.key.get());
    if (static_cast<int>(sig.size()) != size) {
      return Unauthenticated("RS256 signature must be " + std::to_string(size) + " bytes, got " +
                             std::to_string(sig.size()));
    }
  } else {
    if (sig.size() != 64) {
      return Unauthenticated("ES256 signature must be 64 bytes, got " +
                             std::to_string(sig.size()));
    }
    // JWS carries r||s; OpenSSL wants the DER SEQUENCE of two INTEGERs.
    auto u = reinterpret_cast<const unsigned char*>(sig.data());
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> ecdsa(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(u, 32, nullptr);
    BIGNUM* s = BN_bin2bn(u + 32, 32, nullptr);
    if (ecdsa == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(ecdsa.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      ERR_clear_error();
      return Internal("cannot convert the ES256 signature");
    }
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(ecdsa.get(), &out);
    if (len <= 0) {
      ERR_clear_error();
      return Internal("cannot convert the ES256 signature");
    }
    der.assign(reinterpret_cast<const char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
    to_check = &der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit_ex(ctx.get(), &pctx, "SHA256", nullptr, nullptr, key.key.get(),
                                    nullptr) == 1;
  if (ok && alg == "RS256") ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  ok = ok && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(to_check->data()),
                              to_check->size(), reinterpret_cast<const unsigned char*>(input.data()),
                              input.size()) == 1;
  ERR_clear_error();
  if (!ok) return Unauthenticated("signature does not verify");
  return OkStatus();
}

bool KeyFits(const Jwk& key, const std::string& alg) {
  KeyType want = alg == "RS256" ? KeyType::kRsa : KeyType::kEc;
  return key.kty == want && (key.alg.empty() || key.alg == alg);
}

Status CheckConfig(const OidcConfig& cfg) {
  if (cfg.issuer.empty()) return InvalidArgument("oidc: issuer is required");
  if (cfg.audience.empty()) return InvalidArgument("oidc: audience is required");
  if (cfg.jwks_file.empty() == cfg.jwks_url.empty()) {
    return InvalidArgument("oidc: set exactly one of jwks_file and jwks_url");
  }
  if (!cfg.jwks_url.empty()) {
    std::string base;
    std::string path;
    RETURN_IF_ERROR(SplitHttpUrl(cfg.jwks_url, &base, &path));
  }
  if (cfg.jwks_refresh_s < 10 || cfg.jwks_refresh_s > 7 * 86400) {
    return InvalidArgument("oidc: jwks_refresh_s must be from 10 to 604800");
  }
  if (cfg.leeway_s < 0 || cfg.leeway_s > 3600) {
    return InvalidArgument("oidc: leeway_s must be from 0 to 3600");
  }
  if (cfg.team_claim.empty()) return InvalidArgument("oidc: team_claim is required");
  if (kTeamRoles.count(cfg.default_role) == 0) {
    return InvalidArgument("oidc: default_role must be owner, member or viewer");
  }
  for (const auto& [group, team] : cfg.group_to_team) {
    if (team.empty()) return InvalidArgument("oidc: group_to_team maps '" + group + "' to \"\"");
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(OidcConfig cfg) {
  RETURN_IF_ERROR(CheckConfig(cfg));
  auto verifier = std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(cfg), JwkSet{}, 0));
  ASSIGN_OR_RETURN(JwkSet keys, verifier->LoadKeys());
  if (keys.keys.empty()) {
    std::string why;
    for (const std::string& s : keys.skipped) why += "; " + s;
    const OidcConfig& c = verifier->cfg_;
    return InvalidArgument("JWKS " + (c.jwks_url.empty() ? c.jwks_file : c.jwks_url) +
                           " has no usable key" + why);
  }
  const int64_t now = SystemClock()->NowMs();
  verifier->Install(std::move(keys), now);
  verifier->attempted_ms_ = now;
  return verifier;
}

JwtVerifier::JwtVerifier(OidcConfig cfg, JwkSet keys, int64_t loaded_ms)
    : cfg_(std::move(cfg)),
      keys_(std::make_shared<const JwkSet>(std::move(keys))),
      loaded_ms_(loaded_ms),
      attempted_ms_(loaded_ms) {}

bool JwtVerifier::LooksLikeJwt(std::string_view token) {
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return false;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || dot1 == 0 || dot2 == dot1 + 1) return false;
  for (size_t i = 0; i < token.size(); ++i) {
    if (i != dot1 && i != dot2 && !IsBase64UrlChar(token[i])) return false;
  }
  return true;
}

std::vector<std::string> JwtVerifier::skipped_keys() {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_->skipped;
}

Result<JwkSet> JwtVerifier::LoadKeys() const {
  return cfg_.jwks_url.empty() ? LoadJwksFile(cfg_.jwks_file) : FetchJwks(cfg_.jwks_url);
}

void JwtVerifier::Install(JwkSet keys, int64_t now_ms) {
  auto shared = std::make_shared<const JwkSet>(std::move(keys));
  std::lock_guard<std::mutex> lock(mu_);
  keys_ = std::move(shared);
  loaded_ms_ = now_ms;
}

std::shared_ptr<const JwkSet> JwtVerifier::CurrentKeys(int64_t now_ms) {
  const int64_t period = cfg_.jwks_refresh_s * 1000;
  auto due = [&] {
    return Due(now_ms, loaded_ms_, period) && Due(now_ms, attempted_ms_, kUnknownKidReloadMs);
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!due()) return keys_;
  }
  // One thread reloads; the others carry on with the keys they have.
  std::unique_lock<std::mutex> load(load_mu_, std::try_to_lock);
  if (load.owns_lock()) {
    bool go = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      go = due();
      if (go) attempted_ms_ = now_ms;
    }
    if (go) {
      Result<JwkSet> loaded = LoadKeys();
      if (loaded.ok() && !loaded->keys.empty()) Install(std::move(loaded).value(), now_ms);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}

bool JwtVerifier::ReloadForUnknownKid(int64_t now_ms, const std::shared_ptr<const JwkSet>& seen) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_ != seen) return true;
    if (!Due(now_ms, attempted_ms_, kUnknownKidReloadMs)) return false;
  }
  std::lock_guard<std::mutex> load(load_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_ != seen) return true;  // another thread reloaded while we waited
    if (!Due(now_ms, attempted_ms_, kUnknownKidReloadMs)) return false;
    attempted_ms_ = now_ms;
  }
  Result<JwkSet> loaded = LoadKeys();
  if (!loaded.ok() || loaded->keys.empty()) return false;
  Install(std::move(loaded).value(), now_ms);
  return true;
}

Result<const Jwk*> JwtVerifier::FindKey(const JwkSet& set, const Json& header,
                                        const std::string& alg) const {
  auto kid_it = header.find("kid");
  if (kid_it != header.end()) {
    if (!kid_it->is_string()) return Unauthenticated("token header kid is not a string");
    const std::string& kid = kid_it->get_ref<const std::string&>();
    const Jwk* named = nullptr;
    for (const Jwk& key : set.keys) {
      if (key.kid != kid) continue;
      if (KeyFits(key, alg)) return &key;
      named = &key;
    }
    if (named != nullptr) {
      return Unauthenticated("key " + Shown(kid) + " is " +
                             (named->kty == KeyType::kRsa ? "an RSA" : "an EC") + " key" +
                             (named->alg.empty() ? "" : " for " + named->alg) +
                             "; it cannot verify " + alg);
    }
    return NotFound("unknown kid " + Shown(kid));
  }
  const Jwk* only = nullptr;
  int fitting = 0;
  for (const Jwk& key : set.keys) {
    if (KeyFits(key, alg)) {
      only = &key;
      ++fitting;
    }
  }
  if (fitting == 0) return NotFound("token has no kid and no key in the JWKS fits " + alg);
  if (fitting > 1) {
    return Unauthenticated("token has no kid and " + std::to_string(fitting) +
                           " keys in the JWKS fit " + alg);
  }
  return only;
}

Result<TokenIdentity> JwtVerifier::Verify(std::string_view token, int64_t now_ms) {
  if (token.empty()) return Unauthenticated("empty token");
  if (token.size() > kMaxTokenBytes) return Unauthenticated("token is over 16 KiB");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos ||
      dot1 == 0 || dot2 == dot1 + 1) {
    return Unauthenticated("malformed token: expected header.payload.signature");
  }
  ASSIGN_OR_RETURN(Json header, DecodeJsonPart(token.substr(0, dot1), "header"));
  const std::string* alg_ptr = StringMember(header, "alg");
  if (alg_ptr == nullptr) return Unauthenticated("token header has no alg");
  const std::string alg = *alg_ptr;
  std::string lower = alg;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "none") return Unauthenticated("alg none is not accepted");
  if (alg != "RS256" && alg != "ES256") {
    return Unauthenticated("alg " + Shown(alg) + " is not accepted (only RS256 and ES256)");
  }
  if (header.contains("crit")) {
    return Unauthenticated("token header has crit extensions, which are not supported");
  }
  Result<std::string> sig = Base64UrlDecode(token.substr(dot2 + 1));
  if (!sig.ok()) return Unauthenticated("malformed token: signature is not base64url");
  if (Result<std::string> payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
      !payload.ok()) {
    return Unauthenticated("malformed token: payload is not base64url");
  }

  std::shared_ptr<const JwkSet> keys = CurrentKeys(now_ms);
  Result<const Jwk*> key = FindKey(*keys, header, alg);
  if (!key.ok() && key.status().code() == Code::kNotFound && ReloadForUnknownKid(now_ms, keys)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      keys = keys_;
    }
    key = FindKey(*keys, header, alg);
  }
  if (!key.ok()) return Unauthenticated(key.status().message());
  RETURN_IF_ERROR(VerifySignature(**key, alg, token.substr(0, dot2), *sig));

  // Signed by a trusted key: only now is the payload parsed.
  ASSIGN_OR_RETURN(Json claims, DecodeJsonPart(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload"));
  return CheckClaims(claims, now_ms);
}

Result<TokenIdentity> JwtVerifier::CheckClaims(const Json& claims, int64_t now_ms) const {
  const std::string* iss = StringMember(claims, "iss");
  if (iss == nullptr) return Unauthenticated("token has no iss");
  if (*iss != cfg_.issuer) {
    return Unauthenticated("issuer mismatch: token is from " + Shown(*iss) + ", expected " +
                           Shown(cfg_.issuer));
  }
  auto aud = claims.find("aud");
  if (aud == claims.end()) return Unauthenticated("token has no aud");
  bool aud_ok = false;
  if (aud->is_array()) {
    for (const Json& a : *aud) aud_ok = aud_ok || a == cfg_.audience;
  } else {
    aud_ok = *aud == cfg_.audience;
  }
  if (!aud_ok) return Unauthenticated("audience mismatch: token is not for " + Shown(cfg_.audience));

  const int64_t leeway_ms = cfg_.leeway_s * 1000;
  int64_t exp_ms = 0;
  int64_t nbf_ms = 0;
  int64_t iat_ms = 0;
  bool present = false;
  if (std::string why = NumericDateMs(claims, "exp", &exp_ms, &present); !why.empty()) {
    return Unauthenticated(why);
  }
  if (!present) return Unauthenticated("token has no exp");
  if (now_ms >= exp_ms + leeway_ms) {
    return Unauthenticated("token expired at " + FormatTime(exp_ms));
  }
  if (std::string why = NumericDateMs(claims, "nbf", &nbf_ms, &present); !why.empty()) {
    return Unauthenticated(why);
  }
  if (present && nbf_ms > now_ms + leeway_ms) {
    return Unauthenticated("token is not valid before " + FormatTime(nbf_ms));
  }
  if (std::string why = NumericDateMs(claims, "iat", &iat_ms, &present); !why.empty()) {
    return Unauthenticated(why);
  }
  if (present && iat_ms > now_ms + leeway_ms) {
    return Unauthenticated("token is issued in the future (" + FormatTime(iat_ms) + ")");
  }

  TokenIdentity id;
  const std::string* sub = StringMember(claims, "sub");
  if (sub == nullptr || sub->empty()) return Unauthenticated("token has no sub");
  id.subject = *sub;
  if (const std::string* email = StringMember(claims, "email"); email != nullptr) {
    id.email = *email;
  }
  id.expires_ms = exp_ms;
  ASSIGN_OR_RETURN(id.team, ResolveTeam(claims));
  ASSIGN_OR_RETURN(id.role, ResolveRole(claims));
  return id;
}

Result<std::string> JwtVerifier::ResolveTeam(const Json& claims) const {
  std::vector<std::string> values;
  auto it = claims.find(cfg_.team_claim);
  if (it != claims.end() && it->is_string()) {
    values.push_back(it->get<std::string>());
  } else if (it != claims.end() && it->is_array()) {
    for (const Json& v : *it) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
  }
  std::erase(values, std::string());
  if (values.empty()) return Unauthenticated("token has no team claim " + Shown(cfg_.team_claim));
  if (cfg_.group_to_team.empty()) return values.front();
  for (const std::string& v : values) {
    auto team = cfg_.group_to_team.find(v);
    if (team != cfg_.group_to_team.end()) return team->second;
  }
  return Unauthenticated("token's team claim " + Shown(cfg_.team_claim) + " maps to no team");
}

Result<std::string> JwtVerifier::ResolveRole(const Json& claims) const {
  if (cfg_.role_claim.empty()) return cfg_.default_role;
  auto it = claims.find(cfg_.role_claim);
  if (it == claims.end()) return cfg_.default_role;
  auto known = [](const Json& v) {
    return v.is_string() && (kTeamRoles.count(v.get_ref<const std::string&>()) > 0 || v == "admin");
  };
  if (known(*it)) return it->get<std::string>();
  if (it->is_array()) {
    for (const Json& v : *it) {
      if (known(v)) return v.get<std::string>();
    }
  }
  std::string shown = it->is_string() ? Shown(it->get_ref<const std::string&>()) : "value";
  return Unauthenticated("role " + shown + " in claim " + Shown(cfg_.role_claim) +
                         " is not one of owner, member, viewer, admin");
}

}  // namespace skiff::identity

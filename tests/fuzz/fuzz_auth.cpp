// Authorization headers and OIDC bearer tokens. Two input shapes, chosen by the first byte:
//   'R' + bytes: the rest is an Authorization header value, as a client sends it, given to
//                Identity::Authenticate (API keys and JWTs) and, bare, to JwtVerifier::Verify;
//   'S' + header JSON + '\n' + claims JSON: the harness signs the two with its EC key, so the
//                claim checks after the signature (iss, aud, exp, nbf, team and role claims) are
//                reached, which a random token never would.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/time.h"
#include "fuzz_util.h"
#include "identity/identity.h"
#include "identity/jwt.h"
#include "identity/jwt_test_keys.h"
#include "store/memory/memory_store.h"

namespace skiff::fuzz {
namespace {

namespace tk = identity::testkeys;

struct Env {
  store::MemoryStore store;
  std::unique_ptr<identity::Identity> identity;
  std::unique_ptr<identity::JwtVerifier> verifier;
};

identity::OidcConfig Config() {
  identity::OidcConfig cfg;
  cfg.issuer = "https://issuer.example";
  cfg.audience = "skiff";
  cfg.jwks_file = ScratchDir() + "/jwks.json";
  cfg.role_claim = "role";
  return cfg;
}

Env* GetEnv() {
  static Env* env = [] {
    QuietLogs();
    auto* e = new Env;
    Json jwks = {{"keys", Json::array({tk::EcJwk(tk::EcKey(), "ec1"),
                                       tk::RsaJwk(tk::RsaKey(), "rsa1")})}};
    std::ofstream(Config().jwks_file) << jwks.dump();
    identity::IdentityOptions io;
    io.bootstrap_key_hash = Sha256Hex("skf_FuzzKeyFuzzKeyFuzzKeyFuzzKeyFuzzKeyFuzzKeyF");
    io.max_failures_per_minute = 1 << 30;
    auto id = identity::Identity::Open(&e->store, SystemClock(), io);
    if (!id.ok() || !(*id)->EnableOidc(Config()).ok()) std::abort();
    e->identity = std::move(id).value();
    auto v = identity::JwtVerifier::Create(Config());
    if (!v.ok()) std::abort();
    e->verifier = std::move(v).value();
    return e;
  }();
  return env;
}

}  // namespace
}  // namespace skiff::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace skiff;
  fuzz::Env* env = fuzz::GetEnv();
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  int64_t now_ms = 1'800'000'000'000;
  if (data[0] == 'S') {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return 0;
    auto header = ParseJson(rest.substr(0, nl));
    auto claims = ParseJson(rest.substr(nl + 1));
    if (!header.ok() || !claims.ok()) return 0;
    std::string token = identity::testkeys::MakeToken(*header, *claims,
                                                      identity::testkeys::EcKey());
    (void)env->verifier->Verify(token, now_ms);
    (void)env->identity->Authenticate("Bearer " + token, "127.0.0.1");
    return 0;
  }
  (void)env->identity->Authenticate(rest, "127.0.0.1");
  (void)env->verifier->Verify(rest, now_ms);
  (void)identity::JwtVerifier::LooksLikeJwt(rest);
  return 0;
}

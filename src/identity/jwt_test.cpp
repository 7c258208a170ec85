#include "identity/jwt.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "core/time.h"
#include "identity/jwt_test_keys.h"
#include "testing/temp_dir.h"

namespace skiff::identity {
namespace {

using namespace testkeys;  // NOLINT: test helpers

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    jwks_path_ = dir_.path() + "/jwks.json";
    WriteJwks(Json{{"keys", {RsaJwk(RsaKey(), "rsa1"), EcJwk(EcKey(), "ec1")}}});
    cfg_.issuer = "https://idp.example.com";
    cfg_.audience = "skiff";
    cfg_.jwks_file = jwks_path_;
    now_ = SystemClock()->NowMs();
  }

  void WriteJwks(const Json& jwks) { std::ofstream(jwks_path_) << jwks.dump(); }

  std::unique_ptr<JwtVerifier> Verifier() {
    auto v = JwtVerifier::Create(cfg_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : nullptr;
  }

  Json Claims() const {
    return Json{{"iss", "https://idp.example.com"}, {"aud", "skiff"},
                {"sub", "user-1"},                  {"email", "ada@example.com"},
                {"iat", now_ / 1000},               {"exp", now_ / 1000 + 600},
                {"groups", {"team-a", "team-b"}}};
  }
  static Json Rs(const std::string& kid = "rsa1") { return {{"alg", "RS256"}, {"kid", kid}}; }
  static Json Es(const std::string& kid = "ec1") { return {{"alg", "ES256"}, {"kid", kid}}; }

  // Verifies with a fresh verifier; "" when ok, else the Unauthenticated message.
  std::string Check(const std::string& token, int64_t now = 0) {
    auto v = Verifier();
    if (v == nullptr) return "no verifier";
    auto id = v->Verify(token, now == 0 ? now_ : now);
    if (id.ok()) return "";
    EXPECT_EQ(id.status().code(), Code::kUnauthenticated) << id.status().ToString();
    return id.status().message();
  }
  std::string CheckClaims(const Json& claims) { return Check(MakeToken(Rs(), claims, RsaKey())); }

  skiff::testing::TempDir dir_;
  std::string jwks_path_;
  OidcConfig cfg_;
  int64_t now_ = 0;
};

TEST_F(JwtTest, Rs256TokenVerifies) {
  auto v = Verifier();
  auto id = v->Verify(MakeToken(Rs(), Claims(), RsaKey()), now_);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->subject, "user-1");
  EXPECT_EQ(id->email, "ada@example.com");
  EXPECT_EQ(id->team, "team-a");
  EXPECT_EQ(id->role, "member");
  EXPECT_EQ(id->expires_ms, (now_ / 1000 + 600) * 1000);
  EXPECT_TRUE(v->skipped_keys().empty());
}

TEST_F(JwtTest, Es256TokenVerifies) {
  Json claims = Claims();
  claims.erase("email");
  auto id = Verifier()->Verify(MakeToken(Es(), claims, EcKey()), now_);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->subject, "user-1");
  EXPECT_EQ(id->email, "");
  EXPECT_EQ(id->team, "team-a");
}

TEST_F(JwtTest, TokenWithoutKidUsesTheOnlyFittingKey) {
  EXPECT_EQ(Check(MakeToken({{"alg", "ES256"}}, Claims(), EcKey())), "");
  WriteJwks(Json{{"keys", {EcJwk(EcKey(), "ec1"), EcJwk(EcKey2(), "ec2")}}});
  EXPECT_EQ(Check(MakeToken({{"alg", "ES256"}}, Claims(), EcKey())),
            "token has no kid and 2 keys in the JWKS fit ES256");
}

TEST_F(JwtTest, ExpiryNotBeforeAndIssuedAtHonourLeeway) {
  Json claims = Claims();
  claims["exp"] = now_ / 1000 - 120;
  EXPECT_NE(CheckClaims(claims).find("token expired at "), std::string::npos);
  claims["exp"] = now_ / 1000 - 30;  // within the 60 s leeway
  EXPECT_EQ(CheckClaims(claims), "");
  cfg_.leeway_s = 0;
  EXPECT_NE(CheckClaims(claims).find("token expired"), std::string::npos);
  cfg_.leeway_s = 60;

  claims = Claims();
  claims["nbf"] = now_ / 1000 + 120;
  EXPECT_NE(CheckClaims(claims).find("token is not valid before "), std::string::npos);
  claims["nbf"] = now_ / 1000 + 30;
  EXPECT_EQ(CheckClaims(claims), "");

  claims = Claims();
  claims["iat"] = now_ / 1000 + 600;
  EXPECT_NE(CheckClaims(claims).find("issued in the future"), std::string::npos);
  claims["iat"] = now_ / 1000 + 10.5;  // fractional NumericDate
  EXPECT_EQ(CheckClaims(claims), "");
}

TEST_F(JwtTest, ExpIsRequiredAndMustBeANumber) {
  Json claims = Claims();
  claims.erase("exp");
  EXPECT_EQ(CheckClaims(claims), "token has no exp");
  claims["exp"] = "soon";
  EXPECT_EQ(CheckClaims(claims), "claim 'exp' is not a number");
  claims["exp"] = -1;
  EXPECT_EQ(CheckClaims(claims), "claim 'exp' is out of range");
  claims["exp"] = 1e300;
  EXPECT_EQ(CheckClaims(claims), "claim 'exp' is out of range");
}

TEST_F(JwtTest, IssuerAudienceAndSubjectAreChecked) {
  Json claims = Claims();
  claims["iss"] = "https://evil.example.com";
  EXPECT_EQ(CheckClaims(claims),
            "issuer mismatch: token is from 'https://evil.example.com', expected "
            "'https://idp.example.com'");
  claims["iss"] = "https://idp.example.com/";  // exact match only
  EXPECT_NE(CheckClaims(claims).find("issuer mismatch"), std::string::npos);
  claims.erase("iss");
  EXPECT_EQ(CheckClaims(claims), "token has no iss");

  claims = Claims();
  claims["aud"] = "other";
  EXPECT_EQ(CheckClaims(claims), "audience mismatch: token is not for 'skiff'");
  claims["aud"] = {"other", "skiff"};
  EXPECT_EQ(CheckClaims(claims), "");
  claims["aud"] = {"other", "skiff2"};
  EXPECT_NE(CheckClaims(claims).find("audience mismatch"), std::string::npos);
  claims.erase("aud");
  EXPECT_EQ(CheckClaims(claims), "token has no aud");

  claims = Claims();
  claims.erase("sub");
  EXPECT_EQ(CheckClaims(claims), "token has no sub");
}

TEST_F(JwtTest, UnknownKidAndMismatchedKeyAreRejected) {
  EXPECT_EQ(Check(MakeToken(Rs("nope"), Claims(), RsaKey())), "unknown kid 'nope'");
  EXPECT_EQ(Check(MakeToken(Rs("ec1"), Claims(), RsaKey())),
            "key 'ec1' is an EC key; it cannot verify RS256");
  EXPECT_EQ(Check(MakeToken(Es("rsa1"), Claims(), EcKey())),
            "key 'rsa1' is an RSA key for RS256; it cannot verify ES256");
  // Right kid, wrong private key.
  EXPECT_EQ(Check(MakeToken(Rs(), Claims(), RsaKey2())), "signature does not verify");
  EXPECT_EQ(Check(MakeToken(Es(), Claims(), EcKey2())), "signature does not verify");
}

TEST_F(JwtTest, AlgNoneIsRejected) {
  for (const char* alg : {"none", "None", "NONE"}) {
    std::string token = SigningInput({{"alg", alg}, {"kid", "rsa1"}}, Claims()) + ".";
    EXPECT_TRUE(JwtVerifier::LooksLikeJwt(token));
    EXPECT_EQ(Check(token), "alg none is not accepted") << alg;
  }
  EXPECT_EQ(Check(SigningInput({{"kid", "rsa1"}}, Claims()) + "."), "token header has no alg");
}

TEST_F(JwtTest, HmacWithThePublicKeyAsSecretIsRejected) {
  // The classic key-confusion attack: sign HS256 with the RSA public key as the HMAC secret.
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    std::string input = SigningInput({{"alg", alg}, {"kid", "rsa1"}}, Claims());
    std::string token = input + "." + Base64UrlEncode(HmacSha256(PublicKeyPem(RsaKey()), input));
    EXPECT_EQ(Check(token), std::string("alg '") + alg +
                                "' is not accepted (only RS256 and ES256)");
  }
  for (const char* alg : {"RS384", "RS512", "PS256", "ES384", "ES512", "EdDSA", "rs256"}) {
    EXPECT_NE(Check(MakeToken({{"alg", alg}, {"kid", "rsa1"}}, Claims(), RsaKey())).find(
                  "is not accepted"),
              std::string::npos)
        << alg;
  }
}

TEST_F(JwtTest, CritHeaderIsRejected) {
  Json header = Rs();
  header["crit"] = {"b64"};
  header["b64"] = false;
  EXPECT_NE(Check(MakeToken(header, Claims(), RsaKey())).find("crit"), std::string::npos);
}

TEST_F(JwtTest, TamperingIsDetected) {
  const std::string token = MakeToken(Rs(), Claims(), RsaKey());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');
  Json forged = Claims();
  forged["groups"] = {"admins"};
  std::string swapped = token.substr(0, dot1 + 1) + Base64UrlEncode(forged.dump()) +
                        token.substr(dot2);
  EXPECT_EQ(Check(swapped), "signature does not verify");

  std::string sig = *Base64UrlDecode(token.substr(dot2 + 1));
  sig[100] ^= 1;
  EXPECT_EQ(Check(token.substr(0, dot2 + 1) + Base64UrlEncode(sig)), "signature does not verify");
  EXPECT_EQ(Check(token.substr(0, dot2 + 1) + Base64UrlEncode(sig.substr(1))),
            "RS256 signature must be 256 bytes, got 255");

  // Every one-character change fails, whatever part it lands in.
  auto v = Verifier();
  ASSERT_TRUE(v->Verify(token, now_).ok());
  std::mt19937 rng(7);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";
  for (int i = 0; i < 300; ++i) {
    std::string t = token;
    size_t pos = rng() % t.size();
    char c = alphabet[rng() % alphabet.size()];
    if (t[pos] == c) continue;
    t[pos] = c;
    EXPECT_FALSE(v->Verify(t, now_).ok()) << "position " << pos;
  }
}

TEST_F(JwtTest, Es256SignatureMustBeRawAnd64Bytes) {
  std::string input = SigningInput(Es(), Claims());
  std::string der = SignRaw(EcKey(), input);  // DER, not r||s
  EXPECT_EQ(Check(input + "." + Base64UrlEncode(der)),
            "ES256 signature must be 64 bytes, got " + std::to_string(der.size()));
  EXPECT_EQ(Check(input + "." + Base64UrlEncode(std::string(64, '\0'))),
            "signature does not verify");
}

TEST_F(JwtTest, MalformedTokensAreRejected) {
  const std::string good = MakeToken(Rs(), Claims(), RsaKey());
  const std::string body = good.substr(good.find('.'));
  EXPECT_EQ(Check(""), "empty token");
  EXPECT_EQ(Check(std::string(16 * 1024 + 1, 'a')), "token is over 16 KiB");
  for (const char* t : {"abc", "a.b", "a.b.c.d", "..", "...."}) {
    EXPECT_EQ(Check(t), "malformed token: expected header.payload.signature") << t;
  }
  EXPECT_EQ(Check("!!!" + body), "malformed token: header is not base64url");
  EXPECT_EQ(Check(Base64UrlEncode("{\"alg\":\"RS256\"}") + "=" + body),
            "malformed token: header is not base64url");
  EXPECT_EQ(Check(Base64UrlEncode("not json") + body), "malformed token: header is not a JSON object");
  EXPECT_EQ(Check(Base64UrlEncode("[1,2]") + body), "malformed token: header is not a JSON object");
  EXPECT_EQ(Check(Base64UrlEncode(std::string(8000, '[')) + body),
            "malformed token: header is not a JSON object");
  std::string head = Base64UrlEncode(Rs().dump());
  EXPECT_EQ(Check(head + ".@@." + good.substr(good.rfind('.') + 1)),
            "malformed token: payload is not base64url");
  EXPECT_EQ(Check(head + "." + Base64UrlEncode("{}") + ".***"),
            "malformed token: signature is not base64url");

  // A payload that is not JSON is only looked at once the signature holds.
  std::string input = head + "." + Base64UrlEncode("not json");
  EXPECT_EQ(Check(input + "." + Base64UrlEncode(Sign(RsaKey(), input))),
            "malformed token: payload is not a JSON object");

  std::mt19937 rng(11);
  auto v = Verifier();
  for (int i = 0; i < 500; ++i) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng() % 256);
    if (i % 2 == 0) junk = head + "." + junk;
    EXPECT_FALSE(v->Verify(junk, now_).ok());
  }
}

TEST_F(JwtTest, TeamComesFromTheTeamClaim) {
  Json claims = Claims();
  claims["groups"] = "solo";
  auto v = Verifier();
  EXPECT_EQ(v->Verify(MakeToken(Rs(), claims, RsaKey()), now_)->team, "solo");
  for (Json bad : {Json(), Json::array(), Json(42), Json{""}, Json("")}) {
    claims["groups"] = bad;
    if (bad.is_null()) claims.erase("groups");
    EXPECT_EQ(CheckClaims(claims), "token has no team claim 'groups'") << bad.dump();
  }
  cfg_.team_claim = "org";
  claims["org"] = "acme";
  EXPECT_EQ(Verifier()->Verify(MakeToken(Rs(), claims, RsaKey()), now_)->team, "acme");
}

TEST_F(JwtTest, GroupToTeamPicksTheFirstMappedGroup) {
  cfg_.group_to_team = {{"skiff-b", "team-b"}, {"skiff-c", "team-c"}};
  Json claims = Claims();
  claims["groups"] = {"everyone", "skiff-c", "skiff-b"};
  auto id = Verifier()->Verify(MakeToken(Rs(), claims, RsaKey()), now_);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->team, "team-c");
  claims["groups"] = {"everyone", "team-b"};  // a team name is not a group
  EXPECT_EQ(CheckClaims(claims), "token's team claim 'groups' maps to no team");
}

TEST_F(JwtTest, RoleComesFromTheRoleClaimOrTheDefault) {
  Json claims = Claims();
  claims["skiff_role"] = "admin";
  auto v = Verifier();  // no role_claim: the claim is ignored
  EXPECT_EQ(v->Verify(MakeToken(Rs(), claims, RsaKey()), now_)->role, "member");
  cfg_.default_role = "viewer";
  cfg_.role_claim = "skiff_role";
  v = Verifier();
  auto role = [&](const Json& value) -> std::string {
    Json c = Claims();
    if (!value.is_null()) c["skiff_role"] = value;
    auto id = v->Verify(MakeToken(Rs(), c, RsaKey()), now_);
    return id.ok() ? id->role : id.status().message();
  };
  EXPECT_EQ(role("owner"), "owner");
  EXPECT_EQ(role("admin"), "admin");
  EXPECT_EQ(role(Json()), "viewer");
  EXPECT_EQ(role(Json{"staff", "member"}), "member");
  EXPECT_EQ(role("superuser"),
            "role 'superuser' in claim 'skiff_role' is not one of owner, member, viewer, admin");
  EXPECT_NE(role(Json{"staff"}).find("is not one of"), std::string::npos);
  EXPECT_NE(role(7).find("is not one of"), std::string::npos);
}

TEST_F(JwtTest, LooksLikeJwt) {
  EXPECT_TRUE(JwtVerifier::LooksLikeJwt(MakeToken(Rs(), Claims(), RsaKey())));
  EXPECT_TRUE(JwtVerifier::LooksLikeJwt("eyJ.eyJ.sig"));
  for (const char* t : {"", "skf_abc123", "a.b", "a..c", ".b.c", "a.b.c.d", "a b.c.d", "a=.b.c"}) {
    EXPECT_FALSE(JwtVerifier::LooksLikeJwt(t)) << t;
  }
}

TEST_F(JwtTest, CreateRejectsBadConfigs) {
  auto fails = [](OidcConfig c, Code code, const std::string& part) {
    auto v = JwtVerifier::Create(std::move(c));
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), code) << v.status().ToString();
    EXPECT_NE(v.status().message().find(part), std::string::npos) << v.status().ToString();
  };
  OidcConfig c = cfg_;
  c.issuer = "";
  fails(c, Code::kInvalidArgument, "issuer is required");
  c = cfg_;
  c.audience = "";
  fails(c, Code::kInvalidArgument, "audience is required");
  c = cfg_;
  c.jwks_url = "https://idp.example.com/jwks";
  fails(c, Code::kInvalidArgument, "exactly one of");
  c.jwks_file = "";
  c.jwks_url = "ftp://idp.example.com/jwks";
  fails(c, Code::kInvalidArgument, "is not http:// or https://");
  c = cfg_;
  c.default_role = "admin";
  fails(c, Code::kInvalidArgument, "default_role");
  c = cfg_;
  c.jwks_file = dir_.path() + "/missing.json";
  fails(c, Code::kNotFound, "missing.json");
  WriteJwks(Json{{"keys", {RsaJwk(NewRsaKey(1024).get(), "small")}}});
  fails(cfg_, Code::kInvalidArgument, "RSA key of 1024 bits, need 2048");
  WriteJwks(Json{{"nokeys", 1}});
  fails(cfg_, Code::kInvalidArgument, "no \"keys\" array");
}

TEST_F(JwtTest, ConcurrentVerifyIsSafe) {
  auto v = Verifier();
  const std::string rs = MakeToken(Rs(), Claims(), RsaKey());
  const std::string es = MakeToken(Es(), Claims(), EcKey());
  const std::string bad = MakeToken(Rs("nope"), Claims(), RsaKey());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // Moving times make some calls reload the JWKS file.
        int64_t now = now_ + (t * 50 + i) * 1000;
        if (!v->Verify(i % 2 ? rs : es, now).ok()) ++failures;
        if (v->Verify(bad, now).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace skiff::identity

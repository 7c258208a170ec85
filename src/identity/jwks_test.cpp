#include "identity/jwks.h"

#include <gtest/gtest.h>

#include <mutex>
#include <random>

#include "core/time.h"
#include "identity/jwt.h"
#include "identity/jwt_test_keys.h"
#include "testing/canned_http_server.h"

namespace skiff::identity {
namespace {

using namespace testkeys;  // NOLINT: test helpers
using skiff::testing::CannedResponse;
using skiff::testing::RecordedRequest;
using skiff::testing::TestHttpServer;

TEST(Base64Url, KnownVectorsAndRoundTrip) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(*Base64UrlDecode("Zm9vYg"), "foob");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), "\xfb\xff\xbf");
  std::mt19937 rng(3);
  for (size_t len = 0; len < 70; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    auto back = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(back.ok()) << len;
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64Url, RejectsNonCanonicalInput) {
  for (const char* bad : {"Zg==", "Zg=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm v", "Zm9\n"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).ok()) << bad;
  }
  EXPECT_TRUE(Base64UrlDecode("Zm8").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9").ok());  // same bytes, non-zero unused bits
}

TEST(Jwks, SkipsKeysItCannotUse) {
  Json bad_point = EcJwk(EcKey(), "bad-point");
  std::string y = *Base64UrlDecode(bad_point["y"].get<std::string>());
  y[31] ^= 1;
  bad_point["y"] = Base64UrlEncode(y);
  Json enc = RsaJwk(RsaKey(), "enc");
  enc["use"] = "enc";
  Json rs512 = RsaJwk(RsaKey(), "rs512");
  rs512["alg"] = "RS512";
  Json p384 = EcJwk(EcKey(), "p384");
  p384["crv"] = "P-384";
  Json no_n = RsaJwk(RsaKey(), "no-n");
  no_n.erase("n");
  Json ops = EcJwk(EcKey(), "ops");
  ops["key_ops"] = {"encrypt"};
  Json jwks = {{"keys",
                {RsaJwk(RsaKey(), "good-rsa"), RsaJwk(NewRsaKey(1024).get(), "small"), enc, rs512,
                 EcJwk(EcKey(), "good-ec"), p384, bad_point, no_n, ops,
                 Json{{"kty", "OKP"}, {"kid", "ed"}, {"crv", "Ed25519"}, {"x", "AAAA"}}, 42}}};
  auto set = ParseJwks(jwks.dump(), "test");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->keys.size(), 2u);
  EXPECT_EQ(set->keys[0].kid, "good-rsa");
  EXPECT_EQ(set->keys[0].kty, KeyType::kRsa);
  EXPECT_EQ(set->keys[0].bits, 2048);
  EXPECT_EQ(set->keys[1].kid, "good-ec");
  EXPECT_EQ(set->keys[1].kty, KeyType::kEc);
  const std::vector<std::string> want = {
      "keys[1] (kid 'small'): RSA key of 1024 bits, need 2048",
      "keys[2] (kid 'enc'): \"use\" is not \"sig\"",
      "keys[3] (kid 'rs512'): RSA key for alg RS512",
      "keys[5] (kid 'p384'): EC curve P-384 is not supported",
      "keys[6] (kid 'bad-point'): EC point is not on P-256",
      "keys[7] (kid 'no-n'): no \"n\" string",
      "keys[8] (kid 'ops'): \"key_ops\" does not include \"verify\"",
      "keys[9] (kid 'ed'): key type OKP is not supported",
      "keys[10] (kid ''): not an object",
  };
  EXPECT_EQ(set->skipped, want);
}

TEST(Jwks, RejectsDocumentsThatAreNotJwks) {
  EXPECT_EQ(ParseJwks("nope", "f").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseJwks("[]", "f").status().message(), "JWKS f: expected an object");
  EXPECT_EQ(ParseJwks(R"({"keys": {}})", "f").status().message(), "JWKS f: no \"keys\" array");
  auto empty = ParseJwks(R"({"keys": []})", "f");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys.empty());
}

TEST(Jwks, SplitHttpUrl) {
  std::string base;
  std::string path;
  ASSERT_TRUE(SplitHttpUrl("https://idp.example.com/.well-known/jwks.json", &base, &path).ok());
  EXPECT_EQ(base, "https://idp.example.com");
  EXPECT_EQ(path, "/.well-known/jwks.json");
  ASSERT_TRUE(SplitHttpUrl("HTTP://127.0.0.1:8080?x=1", &base, &path).ok());
  EXPECT_EQ(base, "HTTP://127.0.0.1:8080");
  EXPECT_EQ(path, "/?x=1");
  ASSERT_TRUE(SplitHttpUrl("https://h", &base, &path).ok());
  EXPECT_EQ(path, "/");
  for (const char* bad : {"", "idp.example.com/jwks", "ftp://h/x", "https:///x", "https://h/x#f"}) {
    EXPECT_FALSE(SplitHttpUrl(bad, &base, &path).ok()) << bad;
  }
}

// A JWKS endpoint whose document and status the test can change.
class JwksServer {
 public:
  JwksServer()
      : server_([this](const RecordedRequest& r) {
          std::lock_guard<std::mutex> lock(mu_);
          if (r.target != "/keys") return CannedResponse{404, "{}", {}};
          return CannedResponse{status_, jwks_.dump(), {}};
        }) {}
  void Set(const Json& jwks, int status = 200) {
    std::lock_guard<std::mutex> lock(mu_);
    jwks_ = jwks;
    status_ = status;
  }
  std::string url() const { return server_.url() + "/keys"; }
  size_t fetches() const { return server_.requests().size(); }

 private:
  std::mutex mu_;
  Json jwks_ = Json{{"keys", Json::array()}};
  int status_ = 200;
  TestHttpServer server_;  // last: its thread uses the fields above
};

class JwksUrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Set(Json{{"keys", {RsaJwk(RsaKey(), "rsa1")}}});
    cfg_.issuer = "https://idp.example.com";
    cfg_.audience = "skiff";
    cfg_.jwks_url = server_.url();
    cfg_.jwks_refresh_s = 300;
    now_ = SystemClock()->NowMs();
  }
  Json Claims() const {
    return Json{{"iss", "https://idp.example.com"}, {"aud", "skiff"}, {"sub", "u"},
                {"exp", now_ / 1000 + 3600},        {"groups", "team-a"}};
  }
  std::string Token(EVP_PKEY* key, const std::string& kid) const {
    const char* alg = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "ES256" : "RS256";
    return MakeToken({{"alg", alg}, {"kid", kid}}, Claims(), key);
  }
  static std::string Message(const Result<TokenIdentity>& r) {
    return r.ok() ? "" : r.status().message();
  }

  JwksServer server_;
  OidcConfig cfg_;
  int64_t now_ = 0;
};

TEST_F(JwksUrlTest, UnknownKidTriggersARateLimitedRefetch) {
  auto v = JwtVerifier::Create(cfg_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(server_.fetches(), 1u);
  EXPECT_EQ(Message((*v)->Verify(Token(RsaKey(), "rsa1"), now_)), "");

  // The provider rotates in a new key. Within 10 s of the last fetch the kid stays unknown...
  server_.Set(Json{{"keys", {RsaJwk(RsaKey(), "rsa1"), EcJwk(EcKey(), "ec2")}}});
  const std::string ec_token = Token(EcKey(), "ec2");
  EXPECT_EQ(Message((*v)->Verify(ec_token, now_ + 1000)), "unknown kid 'ec2'");
  EXPECT_EQ(server_.fetches(), 1u);
  // ...and after that one refetch finds it.
  EXPECT_EQ(Message((*v)->Verify(ec_token, now_ + 11'000)), "");
  EXPECT_EQ(server_.fetches(), 2u);
  EXPECT_EQ(Message((*v)->Verify(ec_token, now_ + 12'000)), "");
  // Made-up kids do not make the verifier hammer the provider.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Message((*v)->Verify(Token(RsaKey(), "bogus"), now_ + 12'000 + i * 100)),
              "unknown kid 'bogus'");
  }
  EXPECT_EQ(server_.fetches(), 2u);
  EXPECT_EQ(Message((*v)->Verify(Token(RsaKey(), "bogus"), now_ + 22'000)), "unknown kid 'bogus'");
  EXPECT_EQ(server_.fetches(), 3u);
}

TEST_F(JwksUrlTest, PeriodicRefreshDropsRetiredKeysAndSurvivesOutages) {
  cfg_.jwks_refresh_s = 60;
  auto v = JwtVerifier::Create(cfg_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::string rsa_token = Token(RsaKey(), "rsa1");

  // The provider is down at the next refresh: the cached keys keep working.
  server_.Set(Json{{"keys", {EcJwk(EcKey(), "ec2")}}}, 503);
  EXPECT_EQ(Message((*v)->Verify(rsa_token, now_ + 61'000)), "");
  EXPECT_EQ(server_.fetches(), 2u);
  // Back up, and rsa1 retired: once the refresh runs, rsa1 tokens stop verifying.
  server_.Set(Json{{"keys", {EcJwk(EcKey(), "ec2")}}});
  EXPECT_EQ(Message((*v)->Verify(rsa_token, now_ + 65'000)), "");  // retry waits 10 s
  EXPECT_EQ(server_.fetches(), 2u);
  EXPECT_EQ(Message((*v)->Verify(rsa_token, now_ + 72'000)), "unknown kid 'rsa1'");
  EXPECT_EQ(Message((*v)->Verify(Token(EcKey(), "ec2"), now_ + 72'000)), "");
  EXPECT_EQ(server_.fetches(), 3u);
}

TEST_F(JwksUrlTest, CreateFailsWhenTheJwksCannotBeFetched) {
  server_.Set(Json{{"keys", Json::array()}}, 500);
  auto v = JwtVerifier::Create(cfg_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kUnavailable);
  EXPECT_NE(v.status().message().find("HTTP 500"), std::string::npos);

  server_.Set(Json{{"keys", Json::array()}});
  v = JwtVerifier::Create(cfg_);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("has no usable key"), std::string::npos);

  cfg_.jwks_url = "http://127.0.0.1:" + std::to_string(skiff::testing::UnusedPort()) + "/keys";
  v = JwtVerifier::Create(cfg_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace skiff::identity

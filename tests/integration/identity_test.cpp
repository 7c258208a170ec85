// Identity end to end over HTTP: teams and keys created through the API, tenancy between teams,
// revocation, worker keys limited to a team, hostile Authorization headers, and OIDC tokens
// verified against a JWKS file given on the command line.
#include <fstream>

#include "core/ids.h"
#include "identity/jwt_test_keys.h"
#include "it_util.h"

namespace skiff::it {
namespace {

namespace tk = identity::testkeys;

struct Answer {
  int status = 0;
  Json body;
};

Answer Call(net::HttpClient& http, const std::string& method, const std::string& path,
            const std::string& body = "") {
  Result<net::HttpResponse> r = method == "GET"      ? http.Get(path)
                                : method == "DELETE" ? http.Delete(path)
                                                     : http.Post(path, body);
  if (!r.ok()) return {-1, Json(r.status().message())};
  auto j = ParseJson(r->body);
  return {r->status, j.ok() ? *j : Json(r->body)};
}

// Creates a key through the API with the admin client; returns {key, key id}.
std::pair<std::string, std::string> MakeKey(net::HttpClient& admin, const std::string& team,
                                            const Json& fields) {
  Answer a = Call(admin, "POST", "/v1/teams/" + team + "/keys", fields.dump());
  EXPECT_EQ(a.status, 201) << a.body.dump();
  if (a.status != 201) return {"", ""};
  return {a.body["key"], a.body["id"]};
}

TEST(IdentityTest, TeamsKeysAndTenancy) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  auto admin = server.Client();
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"acme"})").status, 201);
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"globex"})").status, 201);
  EXPECT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"acme"})").status, 409);
  EXPECT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"Bad Name"})").status, 400);

  auto [acme_owner, acme_owner_id] =
      MakeKey(*admin, "acme", {{"role", "owner"}, {"email", "olga@acme.io"}, {"name", "olga"}});
  auto [globex_member, globex_member_id] = MakeKey(*admin, "globex", {{"role", "member"}});
  auto owner = server.ClientWithKey(acme_owner);
  auto other = server.ClientWithKey(globex_member);

  Answer who = Call(*owner, "GET", "/v1/whoami");
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(who.body["team"], "acme");
  EXPECT_EQ(who.body["role"], "owner");
  EXPECT_EQ(who.body["email"], "olga@acme.io");
  EXPECT_EQ(who.body["user_id"], Sha256Hex(acme_owner));

  // The owner makes a member key for their team; the key is shown once, never listed.
  auto [member_key, member_id] = MakeKey(*owner, "acme", {{"role", "member"}});
  Answer list = Call(*owner, "GET", "/v1/teams/acme/keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["keys"].size(), 2u);
  EXPECT_EQ(list.body.dump().find(member_key), std::string::npos);
  EXPECT_EQ(list.body.dump().find(Sha256Hex(member_key)), std::string::npos);
  // Owners cannot mint admin keys or touch other teams (which do not exist for them).
  EXPECT_EQ(Call(*owner, "POST", "/v1/teams/acme/keys", R"({"role":"admin"})").status, 403);
  EXPECT_EQ(Call(*owner, "GET", "/v1/teams/globex/keys").status, 404);
  EXPECT_EQ(Call(*owner, "GET", "/v1/teams").status, 403);

  // A member's job carries its user id and is invisible to another team.
  auto member = server.ClientWithKey(member_key);
  Answer job = Call(*member, "POST", "/v1/jobs", R"({"argv":["true"]})");
  ASSERT_EQ(job.status, 201) << job.body.dump();
  std::string id = job.body["id"];
  EXPECT_EQ(job.body["team"], "acme");
  EXPECT_EQ(job.body["user_id"], Sha256Hex(member_key));
  EXPECT_EQ(Call(*owner, "GET", "/v1/jobs/" + id).status, 200);
  EXPECT_EQ(Call(*other, "GET", "/v1/jobs/" + id).status, 404);
  EXPECT_EQ(Call(*other, "POST", "/v1/jobs/" + id + "/cancel").status, 404);
  Answer others_list = Call(*other, "GET", "/v1/jobs");
  ASSERT_EQ(others_list.status, 200);
  EXPECT_EQ(others_list.body["jobs"].size(), 0u);

  // Revocation takes effect at once on this server.
  ASSERT_EQ(Call(*owner, "DELETE", "/v1/teams/acme/keys/" + member_id).status, 200);
  Answer refused = Call(*member, "GET", "/v1/jobs");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.dump().find("revoked"), std::string::npos) << refused.body.dump();
}

// The issue's acceptance path through the CLI: an owner creates member and viewer keys; a viewer
// reads but cannot submit; a member of another team sees nothing; a revoked key stops at once.
TEST(IdentityTest, OwnerMakesKeysWithTheCliAndRolesHold) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  ASSERT_EQ(server.RunCli({"team", "create", "acme"}).exit_code, 0);
  ASSERT_EQ(server.RunCli({"team", "create", "globex"}).exit_code, 0);
  auto make = [&](const std::string& team, const std::string& role, const std::string& as) {
    testing::ProcessResult r =
        server.RunCli({"key", "create", "--team", team, "--role", role}, {{"SKIFF_KEY", as}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string key = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(key.rfind("skf_", 0), 0u) << r.out;
    return key;
  };
  std::string owner = make("acme", "owner", server.key());
  std::string member = make("acme", "member", owner);
  std::string viewer = make("acme", "viewer", owner);
  std::string outsider = make("globex", "member", server.key());

  std::string job = std::string(server.scratch()) + "/job.json";
  { std::ofstream(job) << R"({"argv": ["true"]})"; }
  testing::ProcessResult sub = server.RunCli({"job", "submit", job}, {{"SKIFF_KEY", member}});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  std::string id = sub.out.substr(0, sub.out.find('\n'));

  EXPECT_EQ(server.RunCli({"job", "get", id}, {{"SKIFF_KEY", viewer}}).exit_code, 0);
  testing::ProcessResult denied = server.RunCli({"job", "submit", job}, {{"SKIFF_KEY", viewer}});
  EXPECT_EQ(denied.exit_code, 3);
  EXPECT_NE(denied.err.find("permission_denied"), std::string::npos) << denied.err;
  for (const std::vector<std::string>& verb :
       {std::vector<std::string>{"job", "get", id}, {"job", "cancel", id}}) {
    testing::ProcessResult r = server.RunCli(verb, {{"SKIFF_KEY", outsider}});
    EXPECT_EQ(r.exit_code, 3) << verb[1];
    EXPECT_NE(r.err.find("not_found"), std::string::npos) << r.err;
  }
  testing::ProcessResult list = server.RunCli({"job", "list", "-o", "json"},
                                              {{"SKIFF_KEY", outsider}});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find(id), std::string::npos);

  // Revoke the viewer key: the very next request is refused.
  testing::ProcessResult keys = server.RunCli({"key", "list", "--team", "acme", "-o", "json"},
                                              {{"SKIFF_KEY", owner}});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  std::string viewer_id;
  Json listed = Json::parse(keys.out);
  for (const Json& k : listed["keys"]) {
    if (k["role"] == "viewer") viewer_id = k["id"];
  }
  ASSERT_FALSE(viewer_id.empty());
  ASSERT_EQ(server.RunCli({"key", "revoke", "--team", "acme", viewer_id}, {{"SKIFF_KEY", owner}})
                .exit_code,
            0);
  testing::ProcessResult gone = server.RunCli({"whoami"}, {{"SKIFF_KEY", viewer}});
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_NE(gone.err.find("revoked"), std::string::npos) << gone.err;
}

TEST(IdentityTest, WorkerKeyLimitedToATeamRunsOnlyThatTeamsTasks) {
  TestServerOptions o;
  o.verb = "server";
  TestServer server(o);
  ASSERT_TRUE(server.started());
  auto admin = server.Client();
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"acme"})").status, 201);
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"globex"})").status, 201);
  auto [acme_member, _1] = MakeKey(*admin, "acme", {{"role", "member"}});
  auto [globex_member, _2] = MakeKey(*admin, "globex", {{"role", "member"}});
  auto [worker_key, _3] =
      MakeKey(*admin, "acme", {{"role", "worker"}, {"worker_teams", {"acme"}}});

  std::string globex_job =
      Call(*server.ClientWithKey(globex_member), "POST", "/v1/jobs", R"({"argv":["true"]})")
          .body["id"];
  std::string acme_job =
      Call(*server.ClientWithKey(acme_member), "POST", "/v1/jobs", R"({"argv":["true"]})")
          .body["id"];
  auto worker = server.ClientWithKey(worker_key);
  Answer leased = Call(*worker, "POST", "/v1/worker/lease", R"({"max":10,"wait_ms":200})");
  ASSERT_EQ(leased.status, 200) << leased.body.dump();
  ASSERT_EQ(leased.body["tasks"].size(), 1u) << leased.body.dump();
  EXPECT_EQ(leased.body["tasks"][0]["job"], acme_job);
  // The worker key may not use the rest of the API.
  EXPECT_EQ(Call(*worker, "POST", "/v1/jobs", R"({"argv":["true"]})").status, 403);
  EXPECT_EQ(Call(*worker, "GET", "/v1/jobs/" + globex_job).status, 403);
}

TEST(IdentityTest, HostileAuthorizationHeadersGet401AndTheServerStaysUp) {
  TestServerOptions o;
  o.workers = 0;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  for (const std::string& header :
       {std::string("Bearer"), std::string("Bearer "), std::string("Basic dXNlcjpwYXNz"),
        std::string("Bearer skf_") + std::string(300, 'A'), std::string("Bearer a.b.c"),
        std::string("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
        std::string("Bearer skf_\xff\xfe"), std::string("Token abc"),
        std::string("Bearer ") + std::string(12000, 'x')}) {
    net::HttpClient raw(server.url(), "");
    auto res = raw.Post("/v1/jobs", R"({"argv":["true"]})", {{"Authorization", header}});
    ASSERT_TRUE(res.ok()) << res.status().message();
    EXPECT_EQ(res->status, 401) << header.substr(0, 40) << ": " << res->body;
    EXPECT_NE(res->body.find("\"message\""), std::string::npos) << res->body;
  }
  // A header over the server's limit is refused as such.
  net::HttpClient raw(server.url(), "");
  auto big = raw.Post("/v1/jobs", "{}", {{"Authorization", "Bearer " + std::string(64 * 1024, 'k')}});
  ASSERT_TRUE(big.ok()) << big.status().message();
  EXPECT_EQ(big->status, 431);
  auto health = server.ClientWithKey("")->Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

TEST(IdentityTest, OidcTokensFromTheConfiguredIssuerAreAccepted) {
  testing::TempDir dir;
  tk::PkeyPtr rsa = tk::NewRsaKey();
  tk::PkeyPtr ec = tk::NewEcKey();
  tk::PkeyPtr other_rsa = tk::NewRsaKey();  // not in the JWKS
  std::string jwks = dir.path() + "/jwks.json";
  {
    Json keys = {{"keys", {tk::RsaJwk(rsa.get(), "r1"), tk::EcJwk(ec.get(), "e1")}}};
    std::ofstream(jwks) << keys.dump();
  }
  TestServerOptions o;
  o.workers = 0;
  o.extra_args = {"--oidc-issuer", "https://idp.example", "--oidc-audience", "skiff",
                  "--oidc-jwks-file", jwks, "--oidc-role-claim", "skiff_role"};
  TestServer server(o);
  ASSERT_TRUE(server.started());
  ASSERT_EQ(Call(*server.Client(), "POST", "/v1/teams", R"({"name":"acme"})").status, 201);

  int64_t now = std::time(nullptr);
  auto token = [&](EVP_PKEY* key, const std::string& alg, const std::string& kid, Json claims) {
    Json base = {{"iss", "https://idp.example"}, {"aud", "skiff"}, {"sub", "u-42"},
                 {"email", "dev@acme.io"},        {"groups", {"acme"}}, {"exp", now + 600},
                 {"iat", now}};
    for (auto it = claims.begin(); it != claims.end(); ++it) base[it.key()] = *it;
    return tk::MakeToken({{"alg", alg}, {"kid", kid}, {"typ", "JWT"}}, base, key);
  };

  for (const auto& [key, alg, kid] : {std::tuple{rsa.get(), "RS256", "r1"},
                                      std::tuple{ec.get(), "ES256", "e1"}}) {
    auto http = server.ClientWithKey(token(key, alg, kid, Json::object()));
    Answer who = Call(*http, "GET", "/v1/whoami");
    ASSERT_EQ(who.status, 200) << alg << ": " << who.body.dump();
    EXPECT_EQ(who.body["team"], "acme");
    EXPECT_EQ(who.body["role"], "member");
    EXPECT_EQ(who.body["email"], "dev@acme.io");
    EXPECT_EQ(who.body["user_id"], "oidc:u-42");
    Answer job = Call(*http, "POST", "/v1/jobs", R"({"argv":["true"]})");
    EXPECT_EQ(job.status, 201) << job.body.dump();
  }
  Answer viewer = Call(*server.ClientWithKey(token(rsa.get(), "RS256", "r1",
                                                   {{"skiff_role", "viewer"}})),
                       "POST", "/v1/jobs", R"({"argv":["true"]})");
  EXPECT_EQ(viewer.status, 403) << viewer.body.dump();

  struct Bad {
    std::string label;
    std::string token;
    std::string says;
  };
  std::vector<Bad> bad = {
      {"expired", token(rsa.get(), "RS256", "r1", {{"exp", now - 3600}}), "expired"},
      {"wrong issuer", token(rsa.get(), "RS256", "r1", {{"iss", "https://evil"}}), "issuer"},
      {"wrong audience", token(rsa.get(), "RS256", "r1", {{"aud", "other"}}), "aud"},
      {"unknown kid", token(rsa.get(), "RS256", "nope", Json::object()), "kid"},
      {"signed by another key", token(other_rsa.get(), "RS256", "r1", Json::object()),
       "signature"},
      {"unknown team", token(rsa.get(), "RS256", "r1", {{"groups", {"initech"}}}), "team"},
      {"alg none", identity::Base64UrlEncode(R"({"alg":"none","kid":"r1"})") + "." +
                       identity::Base64UrlEncode(Json({{"iss", "https://idp.example"},
                                                 {"aud", "skiff"}, {"sub", "x"},
                                                 {"groups", {"acme"}}, {"exp", now + 60}})
                                               .dump()) + ".",
       "none"},
      {"HS256 with the public key",
       [&] {
         std::string input = tk::SigningInput({{"alg", "HS256"}, {"kid", "r1"}},
                                              {{"iss", "https://idp.example"}, {"aud", "skiff"},
                                               {"sub", "x"}, {"groups", {"acme"}},
                                               {"exp", now + 60}});
         return input + "." +
                identity::Base64UrlEncode(tk::HmacSha256(tk::PublicKeyPem(rsa.get()), input));
       }(),
       "HS256"},
  };
  for (const Bad& b : bad) {
    Answer a = Call(*server.ClientWithKey(b.token), "GET", "/v1/whoami");
    EXPECT_EQ(a.status, 401) << b.label << ": " << a.body.dump();
    EXPECT_NE(a.body.dump().find(b.says), std::string::npos) << b.label << ": " << a.body.dump();
  }
}

}  // namespace
}  // namespace skiff::it

// `skiff team`, `key`, `whoami` and `login` in-process, against canned HTTP answers.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/cli_test_fixture.h"
#include "testing/canned_http_server.h"
#include "testing/temp_dir.h"

namespace skiff::cli {
namespace {

using nlohmann::json;
using skiff::testing::CannedResponse;
using skiff::testing::RecordedRequest;
using skiff::testing::TestHttpServer;

const char* kKey = R"({"id": "key_0123456789ab", "name": "ci", "email": "a@example.com",
  "team": "ml", "role": "worker", "worker_teams": ["a", "b"],
  "created_at": "2026-11-22T10:00:00.000Z", "expires_at": "2026-12-22T10:00:00.000Z",
  "revoked_at": null, "last_used_at": null, "created_by": "abc",
  "key": "skf_0123456789abcdefghijABCDEFGHIJklmnopqrstuvw"})";

const char* kWhoami = R"({"team": "ml", "role": "owner", "user_id": "5e1f", "email": "o@example.com",
  "key_id": "key_aaaaaaaaaaaa"})";

class IdentityCommandsTest : public CliFixture {
 protected:
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
  }

};

// Answers whoami for the key "skf_good" only, like the server.
CannedResponse WhoamiFor(const RecordedRequest& req) {
  if (req.target != "/v1/whoami") return {404, R"({"error": {"code": "not_found", "message": "no route"}})", {}};
  if (req.headers.count("authorization") == 0 ||
      req.headers.at("authorization") != "Bearer skf_good") {
    return {401, R"({"error": {"code": "unauthenticated", "message": "unknown API key"}})", {}};
  }
  return {200, kWhoami, {}};
}

TEST_F(IdentityCommandsTest, TeamCreatePostsTheName) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{201, R"({"name": "ml", "created_at": "2026-11-22T10:00:00.000Z",
                                   "created_by": "x"})", {}};
  });
  RunResult r = RunAt(server, {"team", "create", "ml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "created team ml\n");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "POST /v1/teams");
  EXPECT_EQ(json::parse(requests[0].body), json::parse(R"({"name": "ml"})"));

  r = RunAt(server, {"team", "create", "ml", "-o", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out)["created_by"], "x");

  EXPECT_EQ(RunAt(server, {"team", "create"}).code, kExitUsage);
}

TEST_F(IdentityCommandsTest, TeamListPrintsATableOrTheServerJson) {
  const std::string body = R"({"teams": [{"name": "default", "created_at": "2026-11-22T10:00:00.000Z",
    "created_by": "bootstrap"}, {"name": "ml-team", "created_at": "2026-11-23T11:30:00.000Z",
    "created_by": "x"}]})";
  TestHttpServer server([&](const RecordedRequest&) { return CannedResponse{200, body, {}}; });
  RunResult r = RunAt(server, {"team", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME     CREATED\n"
            "default  2026-11-22 10:00:00Z\n"
            "ml-team  2026-11-23 11:30:00Z\n");
  EXPECT_EQ(server.requests()[0].method + " " + server.requests()[0].target, "GET /v1/teams");

  r = RunAt(server, {"-o", "json", "team", "list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out), json::parse(body));
}

TEST_F(IdentityCommandsTest, TeamErrorsArePrintedLikeOtherVerbs) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{
        409, R"({"error": {"code": "already_exists", "message": "team ml already exists"}})", {}};
  });
  RunResult r = RunAt(server, {"team", "create", "ml"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err, "skiff: already_exists: team ml already exists\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(IdentityCommandsTest, KeyCreateSendsTheRequestAndPrintsTheKeyAlone) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{201, kKey, {}}; });
  RunResult r = RunAt(server, {"key", "create", "--team", "ml", "--role", "worker", "--name", "ci",
                               "--email", "a@example.com", "--expires-in", "30d", "--worker-team",
                               "a", "--worker-team", "b"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "skf_0123456789abcdefghijABCDEFGHIJklmnopqrstuvw\n");
  EXPECT_NE(r.err.find("only this once"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("key_0123456789ab"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("skf_"), std::string::npos) << "the key goes to stdout only";
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "POST /v1/teams/ml/keys");
  EXPECT_EQ(json::parse(requests[0].body), json::parse(R"({"role": "worker", "name": "ci",
      "email": "a@example.com", "expires_in_s": 2592000, "worker_teams": ["a", "b"]})"));

  r = RunAt(server, {"key", "create", "--team", "x/y", "--role", "viewer", "-o", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(kKey));
  requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/v1/teams/x%2Fy/keys");
  EXPECT_EQ(json::parse(requests[1].body), json::parse(R"({"role": "viewer"})"));
}

TEST_F(IdentityCommandsTest, KeyCreateRefusesBadInputBeforeSending) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{201, kKey, {}}; });
  EXPECT_EQ(RunAt(server, {"key", "create", "--team", "ml"}).code, kExitUsage);
  EXPECT_EQ(RunAt(server, {"key", "create", "--team", "ml", "--role", "god"}).code, kExitUsage);
  EXPECT_EQ(RunAt(server, {"key", "create", "--role", "member"}).code, kExitUsage);
  RunResult r = RunAt(server, {"key", "create", "--team", "ml", "--role", "member",
                               "--expires-in", "30"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--expires-in 30: expected a number and a unit"), std::string::npos) << r.err;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(IdentityCommandsTest, ExpiresInParsing) {
  EXPECT_EQ(ParseExpiresIn("3600s").value(), 3600);
  EXPECT_EQ(ParseExpiresIn("90m").value(), 5400);
  EXPECT_EQ(ParseExpiresIn("12h").value(), 43200);
  EXPECT_EQ(ParseExpiresIn("30d").value(), 2592000);
  EXPECT_EQ(ParseExpiresIn("1s").value(), 1);
  EXPECT_EQ(ParseExpiresIn("3650d").value(), int64_t{3650} * 86400);
  EXPECT_EQ(ParseExpiresIn("007h").value(), 7 * 3600);
  for (const char* bad : {"", "s", "30", "0d", "0s", "-1d", "+1d", "1.5h", "30x", "30D", " 1d",
                          "1d ", "1 d", "3651d", "315360001s", "99999999999999999999s",
                          "d30", "1e3s"}) {
    auto r = ParseExpiresIn(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

TEST_F(IdentityCommandsTest, KeyListPrintsATable) {
  const std::string body = R"({"keys": [)" + std::string(kKey) +
                           R"(, {"id": "key_bbbbbbbbbbbb", "name": "", "email": "", "team": "ml",
      "role": "owner", "worker_teams": [], "created_at": "2026-11-21T09:00:00.000Z",
      "expires_at": null, "revoked_at": "2026-11-22T09:00:00.000Z",
      "last_used_at": "2026-11-21T09:30:00.000Z", "created_by": "x"}]})";
  TestHttpServer server([&](const RecordedRequest&) { return CannedResponse{200, body, {}}; });
  RunResult r = RunAt(server, {"key", "list", "--team", "ml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server.requests()[0].method + " " + server.requests()[0].target,
            "GET /v1/teams/ml/keys");
  EXPECT_EQ(r.out,
            "ID                NAME  EMAIL          ROLE    CREATED               EXPIRES          "
            "     REVOKED               LAST-USED\n"
            "key_0123456789ab  ci    a@example.com  worker  2026-11-22 10:00:00Z  2026-12-22 "
            "10:00:00Z  -                     -\n"
            "key_bbbbbbbbbbbb  -     -              owner   2026-11-21 09:00:00Z  -                "
            "     2026-11-22 09:00:00Z  2026-11-21 09:30:00Z\n");
  EXPECT_EQ(r.out.find("skf_"), std::string::npos);

  r = RunAt(server, {"key", "list", "--team", "ml", "-o", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out), json::parse(body));
  EXPECT_EQ(RunAt(server, {"key", "list"}).code, kExitUsage);
}

TEST_F(IdentityCommandsTest, KeyRevokeSendsDelete) {
  json revoked = json::parse(kKey);
  revoked.erase("key");
  revoked["revoked_at"] = "2026-11-24T08:00:00.000Z";
  TestHttpServer server([&](const RecordedRequest& req) {
    if (req.target.find("key_missing") != std::string::npos) {
      return CannedResponse{
          404, R"({"error": {"code": "not_found", "message": "no key key_missing in team ml"}})",
          {}};
    }
    return CannedResponse{200, revoked.dump(), {}};
  });
  RunResult r = RunAt(server, {"key", "revoke", "--team", "ml", "key_0123456789ab"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "revoked key key_0123456789ab in team ml at 2026-11-24 08:00:00Z\n");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target,
            "DELETE /v1/teams/ml/keys/key_0123456789ab");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer skf_k");

  r = RunAt(server, {"-o", "json", "key", "revoke", "--team", "ml", "key_0123456789ab"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out), revoked);

  r = RunAt(server, {"key", "revoke", "--team", "ml", "key_missing"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err, "skiff: not_found: no key key_missing in team ml\n");

  EXPECT_EQ(RunAt(server, {"key", "revoke", "--team", "ml"}).code, kExitUsage);

  std::string url = "http://127.0.0.1:" + std::to_string(testing::UnusedPort());
  r = Run({"--server", url, "--key", "skf_k", "key", "revoke", "--team", "ml", "key_1"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err.rfind("skiff: unavailable: ", 0), 0u) << r.err;
}

TEST_F(IdentityCommandsTest, WhoamiPrintsTeamRoleKeyAndEmail) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, kWhoami, {}}; });
  RunResult r = RunAt(server, {"whoami"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "team:      ml\n"
            "role:      owner\n"
            "key id:    key_aaaaaaaaaaaa\n"
            "email:     o@example.com\n");
  EXPECT_EQ(server.requests()[0].method + " " + server.requests()[0].target, "GET /v1/whoami");

  r = RunAt(server, {"whoami", "-o", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out), json::parse(kWhoami));
}

TEST_F(IdentityCommandsTest, WhoamiShowsAWorkerKeysTeams) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, R"({"team": "ops", "role": "worker", "user_id": "u", "email": "",
                                   "key_id": "key_w", "worker_teams": ["a", "b"]})", {}};
  });
  RunResult r = RunAt(server, {"whoami"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "team:      ops\n"
            "role:      worker\n"
            "key id:    key_w\n"
            "email:     -\n"
            "tasks of:  a, b\n");
}

TEST_F(IdentityCommandsTest, LoginChecksTheKeyAndWritesAPrivateConfigFile) {
  TestHttpServer server(WhoamiFor);
  setenv("XDG_CONFIG_HOME", (home_.path() + "/xdg").c_str(), 1);
  RunResult r = Run({"login", "--server", server.url() + "/", "--key", "skf_good"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string path = home_.path() + "/xdg/skiff/config.json";
  EXPECT_NE(r.out.find(path), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("team ml, role owner"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("skf_good"), std::string::npos) << "never print the key";
  EXPECT_EQ(r.err.find("skf_good"), std::string::npos);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(home_.path() + "/xdg/skiff"), 0700u);
  EXPECT_EQ(json::parse(ReadFile(path)),
            json({{"server", server.url()}, {"key", "skf_good"}}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "GET /v1/whoami");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer skf_good");

  // The next commands use the saved server and key.
  r = Run({"whoami"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("team:      ml\n"), std::string::npos) << r.out;
  EXPECT_EQ(server.requests().back().headers["authorization"], "Bearer skf_good");

  // No temporary file is left beside it.
  EXPECT_FALSE(std::ifstream(home_.path() + "/xdg/skiff/.config.json.tmp-" +
                             std::to_string(::getpid())).good());
}

TEST_F(IdentityCommandsTest, LoginKeepsOtherFieldsAndUsesHomeWithoutXdg) {
  TestHttpServer server(WhoamiFor);
  const std::string dir = home_.path() + "/.config/skiff";
  ASSERT_EQ(::mkdir((home_.path() + "/.config").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  const std::string path = dir + "/config.json";
  std::ofstream(path) << R"({"server": "http://old:1", "key": "skf_old", "theme": "dark"})";
  ::chmod(path.c_str(), 0644);

  RunResult r = Run({"-o", "json", "login", "--server", server.url(), "--key", "skf_good"});
  EXPECT_EQ(r.code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["config_file"], path);
  EXPECT_EQ(out["whoami"]["team"], "ml");
  EXPECT_EQ(r.out.find("skf_good"), std::string::npos);
  EXPECT_EQ(json::parse(ReadFile(path)),
            json({{"server", server.url()}, {"key", "skf_good"}, {"theme", "dark"}}));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir), 0755u) << "an existing folder keeps its mode";
}

TEST_F(IdentityCommandsTest, LoginRefusesABadKeyAndWritesNothing) {
  TestHttpServer server(WhoamiFor);
  RunResult r = Run({"login", "--server", server.url(), "--key", "skf_bad"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err, "skiff: unauthenticated: unknown API key\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ModeOf(home_.path() + "/.config"), 0u) << "nothing created";

  std::string url = "http://127.0.0.1:" + std::to_string(testing::UnusedPort());
  r = Run({"login", "--server", url, "--key", "skf_good"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_EQ(r.err.rfind("skiff: unavailable: ", 0), 0u) << r.err;
  EXPECT_EQ(ModeOf(home_.path() + "/.config"), 0u);
}

TEST_F(IdentityCommandsTest, LoginUsageErrors) {
  TestHttpServer server(WhoamiFor);
  EXPECT_EQ(Run({"login", "--server", server.url()}).code, kExitUsage);
  EXPECT_EQ(Run({"login", "--key", "skf_good"}).code, kExitUsage);
  EXPECT_EQ(Run({"login", "--server", "ftp://x", "--key", "skf_good"}).code, kExitUsage);
  EXPECT_TRUE(server.requests().empty());

  // A config file that is not a JSON object is the user's to fix, never overwritten.
  setenv("XDG_CONFIG_HOME", home_.path().c_str(), 1);
  ASSERT_EQ(::mkdir((home_.path() + "/skiff").c_str(), 0700), 0);
  const std::string path = home_.path() + "/skiff/config.json";
  std::ofstream(path) << "[1, 2";
  RunResult r = Run({"login", "--server", server.url(), "--key", "skf_good"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find(path + ": not a JSON object"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(path), "[1, 2");
}

}  // namespace
}  // namespace skiff::cli

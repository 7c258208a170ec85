// Task output search end to end: a line a task printed is found by job, by regex across the team's
// jobs, and through `skiff job logs --grep`; other teams' output stays invisible.
#include "core/ids.h"
#include "it_util.h"
#include "net/http_client.h"

namespace skiff::it {
namespace {

class LogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.workers = 2;
    o.extra_args = {"--task-output-bytes", "2048"};
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
    auto admin = server_->Client();
    for (const char* team : {"acme", "globex"}) {
      ASSERT_EQ(admin->Post("/v1/teams", Json{{"name", team}}.dump())->status, 201);
      auto k = admin->Post(std::string("/v1/teams/") + team + "/keys", R"({"role":"member"})");
      ASSERT_EQ(k->status, 201);
      clients_[team] = server_->ClientWithKey(Json::parse(k->body)["key"]);
      keys_[team] = Json::parse(k->body)["key"];
    }
  }

  std::string RunJob(const std::string& team, const Json& body) {
    auto r = clients_[team]->Post("/v1/jobs", body.dump());
    EXPECT_EQ(r->status, 201) << r->body;
    std::string id = Json::parse(r->body)["id"];
    EXPECT_TRUE(server_->WaitFinished(id, seconds(60)).ok());
    return id;
  }

  Json Get(const std::string& team, const std::string& path, int want = 200) {
    auto r = clients_[team]->Get(path);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    return Json::parse(r->body);
  }

  std::unique_ptr<TestServer> server_;
  std::map<std::string, std::unique_ptr<net::HttpClient>> clients_;
  std::map<std::string, std::string> keys_;
};

TEST_F(LogsTest, SearchFindsTheLinesTasksWrote) {
  std::string marker = "marker-" + RandomHex(6);
  std::string job = RunJob(
      "acme", {{"argv", {"sh", "-c", "echo start {{n}}; echo \"" + marker +
                                         " item {{n}}\" >&2; test {{n}} -ne 2 && echo end"}},
               {"items", {{{"n", 1}}, {{"n", 2}}, {{"n", 3}}}}});
  std::string other = RunJob("globex", ShJob("echo '" + marker + " secret of globex'"));

  // One job: everything, then narrowed by task, stream and a regex.
  Json all = Get("acme", "/v1/jobs/" + job + "/logs");
  EXPECT_EQ(all["lines"].size(), 8u) << all.dump();  // 3 x (start, marker) + 2 x end
  EXPECT_EQ(all["truncated"], false);
  Json t2 = Get("acme", "/v1/jobs/" + job + "/logs?task=t-0002&stream=stderr");
  ASSERT_EQ(t2["lines"].size(), 1u);
  EXPECT_EQ(t2["lines"][0]["text"], marker + " item 2");
  EXPECT_EQ(t2["lines"][0]["attempt"], 1);
  EXPECT_EQ(t2["lines"][0]["job"], job);
  Json grep = Get("acme", "/v1/jobs/" + job + "/logs?grep=" +
                              net::EscapeUrlComponent("item [13]$"));
  ASSERT_EQ(grep["lines"].size(), 2u);
  EXPECT_EQ(grep["lines"][0]["task"], "t-0001");
  EXPECT_EQ(grep["lines"][1]["task"], "t-0003");

  // Team-wide: the marker in acme's jobs only, by text and by regex, limit honoured.
  Json team = Get("acme", "/v1/logs?q=" + marker);
  EXPECT_EQ(team["lines"].size(), 3u) << team.dump();
  for (const Json& l : team["lines"]) EXPECT_EQ(l["job"], job);
  Json failed = Get("acme", "/v1/logs?regex=" + net::EscapeUrlComponent(marker + " item 2$") +
                                "&from=2020-01-01T00:00:00Z");
  ASSERT_EQ(failed["lines"].size(), 1u);
  EXPECT_EQ(failed["lines"][0]["task"], "t-0002");
  Json limited = Get("acme", "/v1/logs?q=" + marker + "&limit=2");
  EXPECT_EQ(limited["lines"].size(), 2u);
  EXPECT_EQ(limited["truncated"], true);
  Json future = Get("acme", "/v1/logs?q=" + marker + "&from=2100-01-01T00:00:00Z");
  EXPECT_TRUE(future["lines"].empty());
  Json globex = Get("globex", "/v1/logs?q=" + marker);
  ASSERT_EQ(globex["lines"].size(), 1u);
  EXPECT_EQ(globex["lines"][0]["job"], other);

  // Another team's job does not exist for the caller.
  Get("acme", "/v1/jobs/" + other + "/logs", 404);
  Get("acme", "/v1/logs?job=" + other, 404);

  // The CLI.
  auto cli = server_->RunCli({"job", "logs", job, "--grep", "item 3"},
                             {{"SKIFF_KEY", keys_["acme"]}});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, "t-0003 #1 stderr  " + marker + " item 3\n");
}

TEST_F(LogsTest, BadQueriesAreRefusedWithTheReason) {
  std::string job = RunJob("acme", ShJob("echo hi"));
  auto expect_400 = [&](const std::string& path, const std::string& says) {
    Json r = Get("acme", path, 400);
    EXPECT_NE(r["error"]["message"].get<std::string>().find(says), std::string::npos) << r.dump();
  };
  expect_400("/v1/jobs/" + job + "/logs?grep=" + net::EscapeUrlComponent("(oops"), "grep");
  expect_400("/v1/logs?regex=" + net::EscapeUrlComponent("a{1001}{1001}"), "regex");
  expect_400("/v1/jobs/" + job + "/logs?attempt=0", "attempt");
  expect_400("/v1/jobs/" + job + "/logs?stream=stdin", "stream");
  expect_400("/v1/logs?from=yesterday", "from");
  expect_400("/v1/logs?limit=100000", "limit");
  expect_400("/v1/logs?grep=x", "grep");  // /v1/logs takes regex, not grep
  auto cli = server_->RunCli({"job", "logs", job, "--grep", "(oops"},
                             {{"SKIFF_KEY", keys_["acme"]}});
  EXPECT_EQ(cli.exit_code, 3);
  EXPECT_NE(cli.err.find("grep"), std::string::npos) << cli.err;
  EXPECT_EQ(Get("acme", "/v1/jobs/" + job + "/logs")["lines"][0]["text"], "hi");
}

TEST_F(LogsTest, OutputIsBoundedByTaskOutputBytes) {
  // 5000 numbered lines; the server was started with --task-output-bytes 2048.
  std::string job = RunJob("acme", ShJob("seq 1 5000"));
  Json r = Get("acme", "/v1/jobs/" + job + "/logs?stream=stdout");
  size_t bytes = 0;
  for (const Json& l : r["lines"]) bytes += l["text"].get<std::string>().size() + 1;
  EXPECT_LE(bytes, 2048u);
  EXPECT_GT(bytes, 1500u);
  EXPECT_EQ(r["lines"].back()["text"], "5000");  // the tail is kept
  Json first = Get("acme", "/v1/jobs/" + job + "/logs?stream=stdout&grep=^1$");
  EXPECT_TRUE(first["lines"].empty());
}

}  // namespace
}  // namespace skiff::it

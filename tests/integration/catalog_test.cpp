// The catalog over HTTP through the real server: publish and read versions, visibility between
// teams, who may publish, bad templates and bad params (400 naming the field, the parameter and
// the rule), assets, and a job submitted from a template that runs and records template@version.
#include <fstream>

#include "core/ids.h"
#include "it_util.h"

namespace skiff::it {
namespace {

struct Answer {
  int status = 0;
  Json body;
  std::string raw;
  std::string content_type;
};

Answer Call(net::HttpClient& http, const std::string& method, const std::string& path,
            const std::string& body = "") {
  Result<net::HttpResponse> r = method == "GET" ? http.Get(path) : http.Post(path, body);
  if (!r.ok()) return {-1, Json(r.status().message()), "", ""};
  auto j = ParseJson(r->body);
  return {r->status, j.ok() ? *j : Json(nullptr), r->body, r->Header("content-type")};
}

std::string MakeKey(net::HttpClient& admin, const std::string& team, const std::string& role) {
  Answer a = Call(admin, "POST", "/v1/teams/" + team + "/keys", Json{{"role", role}}.dump());
  EXPECT_EQ(a.status, 201) << a.raw;
  return a.status == 201 ? a.body["key"].get<std::string>() : "";
}

std::string Message(const Answer& a) {
  if (a.body.is_object() && a.body.contains("error")) return a.body["error"]["message"];
  return a.raw;
}

// A template writing "<greeting> <count>" to the file given by `out`.
Json Greeter(const std::string& visibility, const std::string& greeting_default) {
  return {{"name", visibility == "public" ? "greeter" : "secret"},
          {"title", "Greeter"},
          {"visibility", visibility},
          {"params",
           {{{"name", "out"}, {"type", "string"}, {"required", true}, {"pattern", "/.+"}},
            {{"name", "greeting"}, {"type", "string"}, {"default", greeting_default}},
            {{"name", "count"}, {"type", "int"}, {"default", 3}, {"min", 1}, {"max", 9}}}},
          {"task", {{"argv", {"sh", "-c", "echo \"$G {{count}}\" > \"$OUT\""}},
                    {"env", {{"G", "{{greeting}}"}, {"OUT", "{{out}}"}}}}}};
}

class CatalogApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.workers = 2;
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
    admin_ = server_->Client();
    ASSERT_EQ(Call(*admin_, "POST", "/v1/teams", R"({"name":"media"})").status, 201);
    ASSERT_EQ(Call(*admin_, "POST", "/v1/teams", R"({"name":"other"})").status, 201);
    media_ = server_->ClientWithKey(MakeKey(*admin_, "media", "member"));
    viewer_ = server_->ClientWithKey(MakeKey(*admin_, "media", "viewer"));
    other_key_ = MakeKey(*admin_, "other", "member");
    other_ = server_->ClientWithKey(other_key_);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<net::HttpClient> admin_, media_, viewer_, other_;
  std::string other_key_;
};

TEST_F(CatalogApiTest, PublishVersionsAndVisibilityAcrossTeams) {
  Answer v1 = Call(*media_, "POST", "/v1/catalog", Greeter("public", "hello").dump());
  ASSERT_EQ(v1.status, 201) << v1.raw;
  EXPECT_EQ(v1.body["version"], 1);
  EXPECT_EQ(v1.body["team"], "media");
  Answer v2 = Call(*media_, "POST", "/v1/catalog", Greeter("public", "hi").dump());
  ASSERT_EQ(v2.status, 201) << v2.raw;
  EXPECT_EQ(v2.body["version"], 2);
  ASSERT_EQ(Call(*media_, "POST", "/v1/catalog", Greeter("team", "psst").dump()).status, 201);

  // Another team sees the public template, not the team one (404, as if it did not exist).
  Answer theirs = Call(*other_, "GET", "/v1/catalog");
  ASSERT_EQ(theirs.status, 200);
  ASSERT_EQ(theirs.body["templates"].size(), 1u) << theirs.raw;
  EXPECT_EQ(theirs.body["templates"][0]["name"], "greeter");
  EXPECT_EQ(theirs.body["templates"][0]["version"], 2);
  EXPECT_EQ(theirs.body["templates"][0]["versions"], Json::parse("[1, 2]"));
  Answer ours = Call(*viewer_, "GET", "/v1/catalog");
  EXPECT_EQ(ours.body["templates"].size(), 2u);
  EXPECT_EQ(Call(*other_, "GET", "/v1/catalog/secret").status, 404);
  EXPECT_EQ(Call(*other_, "GET", "/v1/catalog/secret?version=1").status, 404);
  EXPECT_EQ(Call(*viewer_, "GET", "/v1/catalog/secret").status, 200);
  Answer sneak = Call(*other_, "POST", "/v1/jobs",
                      R"({"template": "secret", "params": {"out": "/tmp/x"}})");
  EXPECT_EQ(sneak.status, 404) << sneak.raw;

  Answer current = Call(*other_, "GET", "/v1/catalog/greeter");
  ASSERT_EQ(current.status, 200);
  EXPECT_EQ(current.body["version"], 2);
  EXPECT_EQ(current.body["params"][1]["default"], "hi");
  Answer old = Call(*other_, "GET", "/v1/catalog/greeter?version=1");
  ASSERT_EQ(old.status, 200);
  EXPECT_EQ(old.body["params"][1]["default"], "hello");
  EXPECT_EQ(Call(*other_, "GET", "/v1/catalog/greeter?version=3").status, 404);
  Answer bad_version = Call(*other_, "GET", "/v1/catalog/greeter?version=two");
  EXPECT_EQ(bad_version.status, 400);
  EXPECT_EQ(Message(bad_version), "query parameter version: expected a positive integer");

  // Only the owner team publishes new versions; a viewer may not publish at all.
  Answer stolen = Call(*other_, "POST", "/v1/catalog", Greeter("public", "mine").dump());
  EXPECT_EQ(stolen.status, 403) << stolen.raw;
  EXPECT_EQ(Message(stolen),
            "template greeter belongs to another team; only its team may publish new versions");
  EXPECT_EQ(Call(*viewer_, "POST", "/v1/catalog", Greeter("public", "x").dump()).status, 403);
  Json for_media = Greeter("public", "x");
  for_media["name"] = "fresh";
  for_media["team"] = "media";
  EXPECT_EQ(Call(*other_, "POST", "/v1/catalog", for_media.dump()).status, 403);
  // Nothing of the refused publishes shows.
  EXPECT_EQ(Call(*media_, "GET", "/v1/catalog").body["templates"].size(), 2u);
  EXPECT_EQ(Call(*media_, "GET", "/v1/catalog/greeter").body["version"], 2);

  // The catalog is on the store: it survives a restart.
  server_->Restart();
  ASSERT_TRUE(server_->started());
  other_ = server_->ClientWithKey(other_key_);  // the new port
  EXPECT_EQ(Call(*other_, "GET", "/v1/catalog/greeter?version=1").body["params"][1]["default"],
            "hello");
}

TEST_F(CatalogApiTest, BadTemplatesAndBadParamsAre400NamingTheField) {
  Json bad = Greeter("public", "x");
  bad["task"]["argv"][2] = "echo {{cuont}}";
  Answer a = Call(*media_, "POST", "/v1/catalog", bad.dump());
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(Message(a), "task.argv[2]: unknown placeholder {{cuont}}");
  bad = Greeter("public", "x");
  bad["params"][2]["max"] = "nine";
  a = Call(*media_, "POST", "/v1/catalog", bad.dump());
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(Message(a), "params[2].max: expected an integer");
  EXPECT_EQ(Call(*media_, "POST", "/v1/catalog", "{not json").status, 400);
  EXPECT_EQ(Call(*media_, "GET", "/v1/catalog").body["templates"].size(), 0u);

  ASSERT_EQ(Call(*media_, "POST", "/v1/catalog", Greeter("public", "x").dump()).status, 201);
  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"template": "greeter"})", "params.out: missing (rule required)"},
           {R"({"template": "greeter", "params": {"out": "/x", "count": 10}})",
            "params.count: 10 is above the maximum 9 (rule max)"},
           {R"({"template": "greeter", "params": {"out": "/x", "count": "3"}})",
            "params.count: expected an integer (rule type)"},
           {R"({"template": "greeter", "params": {"out": "x"}})",
            "params.out: \"x\" does not match /.+ (rule pattern)"},
           {R"({"template": "greeter", "params": {"out": "/x", "colour": "red"}})",
            "params.colour: not a parameter of this template (rule unknown)"},
           {R"({"template": "greeter@5", "params": {"out": "/x"}})",
            "template greeter has no version 5"},
           {R"({"template": "nope", "params": {}})", "no template nope"},
       }) {
    Answer r = Call(*other_, "POST", "/v1/jobs", c.body);
    EXPECT_EQ(Message(r), c.message) << c.body;
    EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status << " " << c.body;
  }
  // The server is still up and accepted no job.
  Answer jobs = Call(*other_, "GET", "/v1/jobs");
  ASSERT_EQ(jobs.status, 200);
  EXPECT_EQ(jobs.body["jobs"].size(), 0u);
}

TEST_F(CatalogApiTest, JobFromATemplateRunsAndRecordsTemplateAndParams) {
  ASSERT_EQ(Call(*media_, "POST", "/v1/catalog", Greeter("public", "hello").dump()).status, 201);
  ASSERT_EQ(Call(*media_, "POST", "/v1/catalog", Greeter("public", "hi").dump()).status, 201);
  std::string out1 = server_->scratch() + "/one.txt";
  std::string out2 = server_->scratch() + "/two.txt";
  Answer job = Call(*other_, "POST", "/v1/jobs",
                    Json{{"template", "greeter@1"}, {"params", {{"out", out1}, {"count", 7}}}}
                        .dump());
  ASSERT_EQ(job.status, 201) << job.raw;
  EXPECT_EQ(job.body["template"], "greeter@1");
  EXPECT_EQ(job.body["team"], "other");
  EXPECT_EQ(job.body["name"], "greeter");
  EXPECT_EQ(job.body["params"], Json({{"out", out1}, {"greeting", "hello"}, {"count", 7}}));
  auto done = server_->WaitFinished(job.body["id"], seconds(30));
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ((*done)["status"], "succeeded") << done->dump();
  EXPECT_EQ((*done)["template"], "greeter@1");
  EXPECT_EQ(testing::ReadFileOrEmpty(out1), "hello 7\n");

  // The current version, with items as parameters: one task per output file.
  Answer two = Call(*other_, "POST", "/v1/jobs",
                    Json{{"template", "greeter"}, {"items", {{{"out", out1}}, {{"out", out2}}}}}
                        .dump());
  ASSERT_EQ(two.status, 201) << two.raw;
  EXPECT_EQ(two.body["template"], "greeter@2");
  auto done2 = server_->WaitFinished(two.body["id"], seconds(30));
  ASSERT_TRUE(done2.ok());
  EXPECT_EQ((*done2)["status"], "succeeded");
  EXPECT_EQ(testing::ReadFileOrEmpty(out1), "hi 3\n");
  EXPECT_EQ(testing::ReadFileOrEmpty(out2), "hi 3\n");

  // A 100-task job from the template: every task renders from the same params.
  std::string out3 = server_->scratch() + "/hundred.txt";
  Answer hundred = Call(*other_, "POST", "/v1/jobs",
                        Json{{"template", "greeter"}, {"params", {{"out", out3}, {"count", 9}}},
                             {"items", 100}}.dump());
  ASSERT_EQ(hundred.status, 201) << hundred.raw;
  auto done3 = server_->WaitFinished(hundred.body["id"], seconds(60));
  ASSERT_TRUE(done3.ok()) << done3.status().message();
  EXPECT_EQ((*done3)["status"], "succeeded");
  EXPECT_EQ((*done3)["counts"]["ok"], 100);
  EXPECT_EQ(testing::ReadFileOrEmpty(out3), "hi 9\n");
}

TEST_F(CatalogApiTest, AssetsUploadAndDownloadWithTheirContentType) {
  std::string bytes(3000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  Answer up = Call(*media_, "POST", "/v1/catalog/assets", bytes);
  ASSERT_EQ(up.status, 201) << up.raw;
  EXPECT_EQ(up.body["sha256"], Sha256Hex(bytes));
  EXPECT_EQ(up.body["size"], 3000);
  EXPECT_EQ(Call(*viewer_, "POST", "/v1/catalog/assets", bytes).status, 403);
  EXPECT_EQ(Call(*media_, "POST", "/v1/catalog/assets", "").status, 400);
  // Larger than the 10 MiB asset limit (the body itself is within --max-body).
  Answer big = Call(*media_, "POST", "/v1/catalog/assets", std::string((10u << 20) + 1, 'x'));
  EXPECT_EQ(big.status, 413) << big.raw;

  Json t = Greeter("team", "x");
  t["assets"] = {{{"name", "sample.bin"}, {"sha256", up.body["sha256"]},
                  {"content_type", "video/mp4"}}};
  Answer pub = Call(*media_, "POST", "/v1/catalog", t.dump());
  ASSERT_EQ(pub.status, 201) << pub.raw;
  EXPECT_EQ(pub.body["assets"][0]["size"], 3000);
  Answer down = Call(*viewer_, "GET", "/v1/catalog/secret/assets/sample.bin");
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.content_type, "video/mp4");
  EXPECT_EQ(down.raw, bytes);
  EXPECT_EQ(Call(*other_, "GET", "/v1/catalog/secret/assets/sample.bin").status, 404);
  EXPECT_EQ(Call(*viewer_, "GET", "/v1/catalog/secret/assets/other.bin").status, 404);
  t["assets"][0]["sha256"] = std::string(64, '0');
  Answer missing = Call(*media_, "POST", "/v1/catalog", t.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Message(missing),
            "assets[0].sha256: no asset with this hash was uploaded (POST /v1/catalog/assets)");
}

}  // namespace
}  // namespace skiff::it

namespace skiff::it {
namespace {

// The template verbs of the CLI against the real server: list, get (text and json, --version),
// publish (YAML; a bad file exits 2 naming the line, a refused template exits 3), demo (exit 0 for
// a succeeding demo, 1 for a failing one).
TEST(CatalogCliTest, ListGetPublishAndDemo) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  const std::string file = server.scratch() + "/hello.yaml";
  auto write = [&](const std::string& exit_code) {
    std::ofstream(file) << "name: hello\n"
                           "title: Say hello\n"
                           "visibility: public\n"
                           "params:\n"
                           "  - {name: who, type: string, default: world}\n"
                           "  - {name: code, type: int, default: " << exit_code << "}\n"
                           "task:\n"
                           "  argv: [sh, -c, 'echo \"hello $WHO\"; exit {{code}}']\n"
                           "  env: {WHO: '{{who}}'}\n";
  };
  write("0");
  testing::ProcessResult pub = server.RunCli({"template", "publish", file});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_EQ(pub.out, "published hello@1\n");
  write("1");
  ASSERT_EQ(server.RunCli({"template", "publish", file}).out, "published hello@2\n");

  testing::ProcessResult list = server.RunCli({"template", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("NAME"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("hello"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Say hello"), std::string::npos) << list.out;
  testing::ProcessResult json_list = server.RunCli({"template", "list", "-o", "json"});
  ASSERT_EQ(json_list.exit_code, 0);
  EXPECT_EQ(Json::parse(json_list.out)["templates"][0]["versions"], Json::parse("[1, 2]"));

  testing::ProcessResult get = server.RunCli({"template", "get", "hello", "--version", "1"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("hello@1  Say hello"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("who"), std::string::npos) << get.out;
  testing::ProcessResult get_json = server.RunCli({"template", "get", "hello", "-o", "json"});
  EXPECT_EQ(Json::parse(get_json.out)["version"], 2);
  testing::ProcessResult missing = server.RunCli({"template", "get", "nope"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("not_found: no template nope"), std::string::npos) << missing.err;

  // Demo: version 1 exits 0, version 2 (its default code is 1) fails and exits 1.
  testing::ProcessResult ok = server.RunCli({"template", "demo", "hello", "--version", "1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("succeeded"), std::string::npos) << ok.out;
  testing::ProcessResult ko = server.RunCli({"template", "demo", "hello"});
  EXPECT_EQ(ko.exit_code, 1) << ko.out << ko.err;
  auto job = server.GetJob(ko.out.substr(0, ko.out.find('\n')));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)["template"], "hello@2");
  EXPECT_EQ((*job)["counts"]["total"], 1);

  // --param typed by the schema: code=0 becomes the integer 0.
  testing::ProcessResult param = server.RunCli(
      {"job", "submit", "--template", "hello", "--param", "code=0", "--param", "who=you",
       "--watch"});
  EXPECT_EQ(param.exit_code, 0) << param.out << param.err;
  testing::ProcessResult no_eq = server.RunCli({"job", "submit", "--template", "hello",
                                                "--param", "code"});
  EXPECT_EQ(no_eq.exit_code, 2);
  EXPECT_NE(no_eq.err.find("--param code: expected NAME=VALUE"), std::string::npos);

  std::ofstream(file) << "name: hello\ntask: [unclosed\n";
  testing::ProcessResult broken = server.RunCli({"template", "publish", file});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("hello.yaml:3:1: end of sequence flow not found"), std::string::npos) << broken.err;
  std::ofstream(file) << "name: hello\ntask: {argv: [echo, '{{nobody}}']}\n";
  testing::ProcessResult refused = server.RunCli({"template", "publish", file});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("task.argv[1]: unknown placeholder {{nobody}}"), std::string::npos)
      << refused.err;
}

}  // namespace
}  // namespace skiff::it

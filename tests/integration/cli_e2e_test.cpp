// The `skiff` CLI end to end against a real server: job files in YAML, every verb, exit codes
// (0 ok, 1 watched job failed, 2 usage or input error, 3 server or network error).
#include <gtest/gtest.h>

#include "it_util.h"
#include "testing/canned_http_server.h"

namespace skiff::it {
namespace {

using skiff::testing::ProcessResult;
using skiff::testing::WriteFileOrDie;

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServerOptions o;
    o.workers = 2;
    o.lease_ms = 1500;  // heartbeats every 500 ms: cancelled tasks free their slots quickly
    server_ = new TestServer(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()); }
  void TearDown() override { server_->DumpLogsIfFailed(); }

  ProcessResult Cli(const std::vector<std::string>& args, const testing::Env& env = {}) {
    return server_->RunCli(args, env, seconds(60));
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = server_->scratch() + "/" + name;
    WriteFileOrDie(path, text);
    return path;
  }
  // Submits a YAML job file and returns the printed id ("" and a failure otherwise).
  std::string SubmitYaml(const std::string& name, const std::string& yaml) {
    ProcessResult r = Cli({"job", "submit", File(name, yaml)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string id = Trim(r.out);
    EXPECT_EQ(id.rfind("job_", 0), 0u) << "stdout: " << r.out;
    EXPECT_EQ(id.find('\n'), std::string::npos) << "stdout: " << r.out;
    return r.exit_code == 0 ? id : "";
  }

  static TestServer* server_;
};

TestServer* CliTest::server_ = nullptr;

TEST_F(CliTest, SubmitYamlGetJsonListAndWatchASucceedingJob) {
  std::string id = SubmitYaml("ok.yaml",
                              "# a job file\n"
                              "name: cli-yaml\n"
                              "argv: [sh, -c, 'echo {{word}} {{index}}']\n"
                              "params:\n"
                              "  word: hello\n"
                              "items: 3\n"
                              "max_attempts: 2\n"
                              "env:\n"
                              "  LANG: C\n");
  ASSERT_FALSE(id.empty());

  ProcessResult watch = Cli({"job", "watch", id});
  EXPECT_EQ(watch.exit_code, 0) << watch.out << watch.err;
  EXPECT_NE(watch.out.find("succeeded"), std::string::npos) << watch.out;

  ProcessResult get = Cli({"job", "get", id, "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  IT_ASSIGN_OR_FAIL(Json job, ParseJson(get.out));
  EXPECT_EQ(job["id"], id);
  EXPECT_EQ(job["name"], "cli-yaml");
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["spec"]["max_attempts"], 2);
  EXPECT_EQ(job["spec"]["env"]["LANG"], "C");
  EXPECT_EQ(AttemptsOf(job, "t-0003")[0]["stdout_tail"], "hello 2\n");

  ProcessResult text = Cli({"job", "get", id});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(id), std::string::npos) << text.out;

  ProcessResult list = Cli({"job", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  ProcessResult list_json = Cli({"job", "list", "--status", "succeeded", "-o", "json"});
  ASSERT_EQ(list_json.exit_code, 0) << list_json.err;
  IT_ASSIGN_OR_FAIL(Json page, ParseJson(list_json.out));
  bool found = false;
  for (const Json& j : page["jobs"]) found = found || j["id"] == id;
  EXPECT_TRUE(found) << list_json.out;
  ProcessResult all = Cli({"job", "list", "--all", "--limit", "1", "-o", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  IT_ASSIGN_OR_FAIL(Json every, ParseJson(all.out));
  IT_ASSIGN_OR_FAIL(std::vector<std::string> ids, server_->ListJobIds());
  EXPECT_EQ(every["jobs"].size(), ids.size());
}

TEST_F(CliTest, WatchExitsOneForAFailingJobAndRetryRunsItAgain) {
  std::string id = SubmitYaml("fail.yaml", "argv: [sh, -c, 'exit 5']\nitems: 2\n");
  ASSERT_FALSE(id.empty());
  ProcessResult watch = Cli({"job", "watch", id});
  EXPECT_EQ(watch.exit_code, 1) << watch.out << watch.err;
  EXPECT_NE(watch.out.find("failed"), std::string::npos) << watch.out;

  ProcessResult retry = Cli({"job", "retry", id});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find(id), std::string::npos) << retry.out;
  ProcessResult again = Cli({"job", "watch", id, "-o", "json"});
  EXPECT_EQ(again.exit_code, 1) << again.err;
  IT_ASSIGN_OR_FAIL(Json job, ParseJson(again.out));
  EXPECT_EQ(job["status"], "failed");
  IT_ASSIGN_OR_FAIL(Json full, server_->GetJob(id));
  EXPECT_EQ(AttemptsOf(full, "t-0001").size(), 2u) << "the retry did not run the task again";

  // submit --watch: the id, then progress, exit code of the job.
  ProcessResult sw = Cli({"job", "submit", "--watch", File("ok2.yaml", "argv: ['true']\n")});
  EXPECT_EQ(sw.exit_code, 0) << sw.out << sw.err;
  EXPECT_EQ(sw.out.rfind("job_", 0), 0u) << sw.out;
}

TEST_F(CliTest, CancelARunningJobAndRefuseASecondCancel) {
  std::string id = SubmitYaml("slow.yaml", "argv: [sleep, '5']\nitems: 2\n");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto job = server_->GetJob(id, false);
        return job.ok() && Count(*job, "running") == 2;
      },
      seconds(20)));
  ProcessResult cancel = Cli({"job", "cancel", id});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("cancelled"), std::string::npos) << cancel.out;
  ProcessResult watch = Cli({"job", "watch", id});
  EXPECT_EQ(watch.exit_code, 1) << watch.out;
  ProcessResult again = Cli({"job", "cancel", id});
  EXPECT_EQ(again.exit_code, 3) << again.out;
  EXPECT_NE(again.err.find("failed_precondition"), std::string::npos) << again.err;
  ProcessResult missing = Cli({"job", "get", "job_00000000000000000000000000"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;
}

TEST_F(CliTest, BadFilesExitTwoNamingTheLineAndServerRefusalsExitThree) {
  IT_ASSIGN_OR_FAIL(std::vector<std::string> before, server_->ListJobIds());
  std::string bad = File("bad.yaml", "name: bad\nargv: [sh, -c, 'true']\n  items: 3\n");
  ProcessResult r = Cli({"job", "submit", bad});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("bad.yaml:3"), std::string::npos) << "no file:line in: " << r.err;

  ProcessResult missing = Cli({"job", "submit", server_->scratch() + "/no-such.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("no-such.yaml"), std::string::npos) << missing.err;

  ProcessResult list_yaml = Cli({"job", "submit", File("list.yaml", "- a\n- b\n")});
  EXPECT_EQ(list_yaml.exit_code, 2) << list_yaml.err;

  // Valid YAML the server refuses: exit 3, the server's message on stderr, nothing on stdout.
  ProcessResult refused =
      Cli({"job", "submit", File("unknown.yaml", "argv: ['true']\nbogus_field: 1\n")});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("bogus_field"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("invalid_argument"), std::string::npos) << refused.err;
  EXPECT_TRUE(Trim(refused.out).empty()) << refused.out;
  ProcessResult range =
      Cli({"job", "submit", File("range.yaml", "argv: ['true']\nmax_attempts: 0\n")});
  EXPECT_EQ(range.exit_code, 3);
  EXPECT_NE(range.err.find("max_attempts"), std::string::npos) << range.err;

  IT_ASSIGN_OR_FAIL(std::vector<std::string> after, server_->ListJobIds());
  EXPECT_EQ(after.size(), before.size()) << "a refused submit created a job";

  // Usage errors: exit 2.
  EXPECT_EQ(Cli({"job", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(Cli({"job", "get"}).exit_code, 2);
  EXPECT_EQ(Cli({"job", "list", "--status", "bogus"}).exit_code, 2);
  EXPECT_EQ(Cli({"job", "list", "-o", "xml"}).exit_code, 2);
}

TEST_F(CliTest, NetworkAndAuthenticationErrorsExitThree) {
  ProcessResult wrong_key = Cli({"job", "list"}, {{"SKIFF_KEY", "skf_wrong"}});
  EXPECT_EQ(wrong_key.exit_code, 3);
  EXPECT_NE(wrong_key.err.find("unauthenticated"), std::string::npos) << wrong_key.err;
  ProcessResult no_key = Cli({"job", "list"}, {{"SKIFF_KEY", ""}});
  EXPECT_EQ(no_key.exit_code, 3);
  EXPECT_NE(no_key.err.find("SKIFF_KEY"), std::string::npos) << "no hint: " << no_key.err;
  int port = skiff::testing::UnusedPort();
  ProcessResult down =
      Cli({"job", "list"}, {{"SKIFF_SERVER", "http://127.0.0.1:" + std::to_string(port)}});
  EXPECT_EQ(down.exit_code, 3) << down.err;
  EXPECT_FALSE(down.err.empty());
  // --server and --key flags win over the environment.
  ProcessResult flags = Cli({"job", "list", "--server", server_->url(), "--key", server_->key()},
                            {{"SKIFF_SERVER", "http://127.0.0.1:" + std::to_string(port)},
                             {"SKIFF_KEY", "skf_wrong"}});
  EXPECT_EQ(flags.exit_code, 0) << flags.err;
}

TEST_F(CliTest, HelpOnEveryVerbExitsZero) {
  const std::vector<std::vector<std::string>> verbs = {
      {"--help"},          {"job", "--help"},          {"job", "submit", "--help"},
      {"job", "get", "--help"}, {"job", "list", "--help"}, {"job", "watch", "--help"},
      {"job", "cancel", "--help"}, {"job", "retry", "--help"}, {"up", "--help"},
      {"server", "--help"}, {"worker", "--help"}};
  for (const auto& args : verbs) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    ProcessResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
  EXPECT_EQ(Cli({}).exit_code, 2) << "no verb at all is a usage error";
}

}  // namespace
}  // namespace skiff::it

// Storage faults on the real folder backend and journal, without root: the server's file size
// limit (RLIMIT_FSIZE, lowered from outside with prlimit(2)) makes every write past the limit fail
// with EFBIG, as a full disk would. Writes are then refused with 503 naming the failure, nothing
// is acknowledged that was not written, the server stays up and serves reads, and it recovers by
// itself once the limit is lifted. Torn or corrupt job documents found at start-up are reported
// with their key and skipped.
#include <sys/resource.h>

#include <filesystem>
#include <iostream>

#include "it_util.h"

namespace skiff::it {
namespace {

// Sets the soft file size limit of `pid` (the hard limit stays as it is).
void SetFileSizeLimit(pid_t pid, rlim_t soft) {
  struct rlimit old = {};
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, nullptr, &old), 0) << std::strerror(errno);
  struct rlimit lim = {soft, old.rlim_max};
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &lim, nullptr), 0) << std::strerror(errno);
}

TEST(StorageFaultTest, FullDiskGets503AndTheServerRecoversByItselfWhenItClears) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  auto http = server.Client({1000, 10000});
  IT_ASSIGN_OR_FAIL(Json before, server.Submit(ShJob("echo before")));
  std::string before_id = before["id"];
  ASSERT_TRUE(server.WaitFinished(before_id, seconds(30)).ok());

  SetFileSizeLimit(server.pid(), 1);  // every write past the first byte of a file fails
  auto submit = http->Post("/v1/jobs", ShJob("echo during").dump());
  ASSERT_TRUE(submit.ok()) << submit.status().message();
  EXPECT_EQ(submit->status, 503) << submit->body;
  EXPECT_NE(submit->body.find("\"unavailable\""), std::string::npos) << submit->body;
  EXPECT_NE(submit->body.find("File too large"), std::string::npos)
      << "the 503 does not say what failed: " << submit->body;
  auto team = http->Post("/v1/teams", R"({"name":"during"})");
  ASSERT_TRUE(team.ok());
  EXPECT_EQ(team->status, 503) << "a store write during the fault: " << team->body;
  // Reads still work, and the server is up.
  auto read = http->Get("/v1/jobs/" + before_id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, 200);
  auto health = http->Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  std::cout << "during the fault: submit " << submit->status << " " << submit->body.substr(0, 160)
            << "\n";

  // The fault clears: writes work again without a restart.
  SetFileSizeLimit(server.pid(), RLIM_INFINITY);
  auto t0 = Clock::now();
  std::string after_id;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = http->Post("/v1/jobs", ShJob("echo after").dump());
        if (!r.ok() || r->status != 201) return false;
        auto j = ParseJson(r->body);
        after_id = j.ok() ? (*j)["id"].get<std::string>() : "";
        return !after_id.empty();
      },
      seconds(20), milliseconds(100)))
      << "writes did not recover after the fault cleared";
  std::cout << "writes recovered " << MsSince(t0) << " ms after the fault cleared\n";
  IT_ASSIGN_OR_FAIL(Json after, server.WaitFinished(after_id, seconds(30)));
  EXPECT_EQ(after["status"], "succeeded");
  auto team2 = http->Post("/v1/teams", R"({"name":"after"})");
  ASSERT_TRUE(team2.ok());
  EXPECT_EQ(team2->status, 201) << team2->body;

  // Acknowledged jobs survive a crash right after.
  server.Kill9();
  server.Restart();
  ASSERT_TRUE(server.started());
  for (const std::string& id : {before_id, after_id}) {
    IT_ASSIGN_OR_FAIL(Json j, server.WaitFinished(id, seconds(30)));
    EXPECT_EQ(j["status"], "succeeded") << id;
  }
}

TEST(StorageFaultTest, CorruptJobDocumentsAtStartUpAreReportedByKeyAndSkipped) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    IT_ASSIGN_OR_FAIL(Json j, server.Submit(ShJob("echo " + std::to_string(i))));
    ids.push_back(j["id"]);
    ASSERT_TRUE(server.WaitFinished(ids.back(), seconds(30)).ok());
  }
  ASSERT_EQ(server.Terminate(seconds(30)), 0);  // checkpoints every job as a document

  const std::string jobs_dir = server.data_dir() + "/store/jobs";
  const std::string torn = jobs_dir + "/" + ids[0] + ".json";
  std::string text = skiff::testing::ReadFileOrEmpty(torn);
  ASSERT_FALSE(text.empty()) << "no document at " << torn;
  skiff::testing::WriteFileOrDie(torn, text.substr(0, text.size() / 2));  // a torn write
  const std::string wrong = jobs_dir + "/" + ids[1] + ".json";
  skiff::testing::WriteFileOrDie(wrong, R"({"schema": 1, "id": 42, "tasks": "no"})");
  skiff::testing::WriteFileOrDie(jobs_dir + "/job_garbage.json", std::string("\x00\xff\xfe{", 4));

  server.Restart();
  ASSERT_TRUE(server.started()) << "the server did not start with corrupt documents";
  // The intact job is served; the log names each skipped key.
  IT_ASSIGN_OR_FAIL(Json intact, server.GetJob(ids[2]));
  EXPECT_EQ(intact["status"], "succeeded");
  std::string log;
  for (const auto& entry : std::filesystem::directory_iterator(server.scratch())) {
    if (entry.path().extension() == ".log") log += skiff::testing::ReadFileOrEmpty(entry.path());
  }
  for (const std::string& key : {"jobs/" + ids[0] + ".json", "jobs/" + ids[1] + ".json",
                                 std::string("jobs/job_garbage.json")}) {
    EXPECT_NE(log.find(key), std::string::npos) << "the log does not name " << key;
  }
  EXPECT_NE(log.find("skipping an unreadable job document"), std::string::npos);
  auto h = server.Client()->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  // New work is accepted.
  IT_ASSIGN_OR_FAIL(Json fresh, server.Submit(ShJob("echo fresh")));
  IT_ASSIGN_OR_FAIL(Json done, server.WaitFinished(fresh["id"], seconds(30)));
  EXPECT_EQ(done["status"], "succeeded");
}

}  // namespace
}  // namespace skiff::it

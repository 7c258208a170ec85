// The whole platform on S3: the real `skiff up --store s3://...` against s3rver (from npm) and
// against the project's signature-checking test S3, running a 1,000-task job to the end and
// surviving a restart with its documents in the bucket. The journal stays in the local data
// folder (<data>/journal) by design for now; no <data>/store folder is created.
#include <gtest/gtest.h>

#include <filesystem>

#include "it_util.h"
#include "store/s3/s3_store.h"
#include "store/s3/testing/s3_test_backends.h"
#include "store/s3/testing/s3_test_server.h"

namespace skiff::it {
namespace {

using store::s3::testing::S3TestServer;
constexpr int kTasks = 1000;

// Runs a 1,000-task skiff:noop job on `server`, restarts it, and checks the job is still there
// and that nothing was written to a local store folder. The job id.
std::string RunThousandTasksAndRestart(TestServer& server) {
  auto t0 = Clock::now();
  auto job = server.Submit({{"argv", {"skiff:noop"}}, {"items", kTasks}});
  EXPECT_TRUE(job.ok()) << job.status().message();
  if (!job.ok()) return "";
  std::string id = (*job)["id"];
  auto done = server.WaitFinished(id, seconds(120));
  EXPECT_TRUE(done.ok()) << done.status().message();
  if (!done.ok()) return id;
  EXPECT_EQ((*done)["status"], "succeeded");
  EXPECT_EQ(Count(*done, "ok"), kTasks);
  std::cout << kTasks << " noop tasks on S3 in " << MsSince(t0) << " ms\n";
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() + "/store"))
      << "documents went to the local folder, not to S3";
  EXPECT_EQ(server.Terminate(), 0);
  server.Restart();
  EXPECT_TRUE(server.started());
  auto again = server.GetJob(id);
  EXPECT_TRUE(again.ok()) << again.status().message();
  if (again.ok()) {
    EXPECT_EQ((*again)["status"], "succeeded");
    EXPECT_EQ(Count(*again, "ok"), kTasks);
  }
  return id;
}

TEST(S3PlatformTest, SkiffUpOnTheCheckingS3RunsAThousandTaskJob) {
  S3TestServer s3;
  TestServerOptions o;
  o.extra_args = {"--store", s3.StoreUrl("skiff")};
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::string id = RunThousandTasksAndRestart(server);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> keys = s3.Keys();
  EXPECT_NE(std::find(keys.begin(), keys.end(), "skiff/jobs/" + id + ".json"), keys.end())
      << "no job document in the bucket";
  auto stats = s3.stats();
  EXPECT_EQ(stats.rejected_signatures, 0u);
  std::cout << "S3 requests for the run and a restart: put=" << stats.put << " get=" << stats.get
            << " list=" << stats.list << " delete=" << stats.del << "\n";
}

TEST(S3PlatformTest, SkiffUpOnS3rverRunsAThousandTaskJob) {
  skiff::testing::TempDir dir;
  std::unique_ptr<skiff::testing::Subprocess> s3rver;
  std::string why;
  int port = store::s3::testing::StartS3rver(dir.path(), "skiff-it", &s3rver, &why);
  if (port == 0) GTEST_SKIP() << why;
  std::cout << "s3rver accepts any signature and ignores If-None-Match/If-Match: this run "
               "checks the platform on a third-party S3, not SigV4 or conditional puts\n";
  const std::string url =
      "s3://S3RVER:S3RVER@skiff-it/skiff?endpoint=http://127.0.0.1:" + std::to_string(port);
  TestServerOptions o;
  o.extra_args = {"--store", url};
  TestServer server(o);
  ASSERT_TRUE(server.started());
  std::string id = RunThousandTasksAndRestart(server);
  ASSERT_FALSE(id.empty());
  auto options = store::s3::ParseS3Url(url, nullptr);
  ASSERT_TRUE(options.ok());
  auto bucket = store::s3::S3Store::Open(*options);
  ASSERT_TRUE(bucket.ok()) << bucket.status().message();
  auto doc = (*bucket)->Get("jobs/" + id + ".json");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_NE(doc->bytes.find(id), std::string::npos);
  s3rver->Terminate(seconds(5));
}

TEST(S3PlatformTest, BadS3StoresStopStartupWithAClearMessage) {
  S3TestServer s3;
  skiff::testing::TempDir dir;
  std::string wrong_secret = s3.StoreUrl("skiff");
  wrong_secret.replace(wrong_secret.find(':', 5) + 1, 4, "nope");
  struct Case {
    std::string url;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"s3://skiff-test/p?colour=red", "unknown parameter \\\"colour"},
           {"s3://BAD/p", "bad bucket name"},
           {wrong_secret, "SignatureDoesNotMatch"},
           {"s3://AK:SK@skiff-test/p?endpoint=http://127.0.0.1:1&retries=0", "cannot use bucket"},
       }) {
    auto r = skiff::testing::RunProcess(
        {SKIFF_BINARY, "up", "--data", dir.path() + "/data", "--listen", "127.0.0.1:0", "--store",
         c.url},
        {{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}}, dir.path(), seconds(30));
    EXPECT_EQ(r.exit_code, 2) << c.url << "\n" << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(c.says), std::string::npos) << c.url << "\n" << r.out << r.err;
    EXPECT_EQ((r.out + r.err).find("nope"), std::string::npos) << "the secret was printed";
  }
  EXPECT_TRUE(s3.Keys().empty());
}

}  // namespace
}  // namespace skiff::it

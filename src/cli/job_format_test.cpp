#include "cli/job_format.h"

#include <gtest/gtest.h>

namespace skiff::cli {
namespace {

using nlohmann::json;

const char* kJob = R"({
  "schema": 1, "id": "job_01ABC", "team": "default", "name": "thumbnails",
  "created_at": "2026-11-22T10:00:00.000Z", "finished_at": "2026-11-22T10:01:05.123Z",
  "cancelled_at": null, "status": "failed",
  "counts": {"total": 3, "pending": 0, "running": 0, "ok": 1, "ko": 2},
  "tasks": {"t-0001": "ok", "t-0002": "ko", "t-0003": "ko"},
  "attempts": {
    "t-0001": [{"n": 1, "exit": 0, "result": "ok", "error": ""}],
    "t-0002": [{"n": 1, "exit": 1, "result": "failed", "error": ""},
               {"n": 2, "exit": 2, "result": "failed", "error": "",
                "stderr_tail": "warming up\nconvert: no such file a.png\n\n"}],
    "t-0003": [{"n": 1, "exit": null, "result": "timeout", "error": "killed after 60 s"}]
  },
  "future_field": {"x": 1}
})";

TEST(FormatJob, SummaryAndKoTasks) {
  EXPECT_EQ(FormatJob(json::parse(kJob)),
            "id:        job_01ABC\n"
            "name:      thumbnails\n"
            "status:    failed\n"
            "tasks:     total 3  ok 1  ko 2  running 0  pending 0\n"
            "created:   2026-11-22 10:00:00Z\n"
            "finished:  2026-11-22 10:01:05Z\n"
            "ko tasks:\n"
            "  t-0002  attempt 2  failed  exit 2  convert: no such file a.png\n"
            "  t-0003  attempt 1  timeout  killed after 60 s\n");
}

TEST(FormatJob, CapsKoLines) {
  std::string text = FormatJob(json::parse(kJob), 1);
  EXPECT_NE(text.find("  t-0002"), std::string::npos);
  EXPECT_EQ(text.find("  t-0003"), std::string::npos);
  EXPECT_NE(text.find("... 1 more ko tasks"), std::string::npos);
}

TEST(FormatJob, WithoutTasksAndCancelled) {
  json job = json::parse(kJob);
  job.erase("tasks");
  job.erase("attempts");
  job["cancelled_at"] = "2026-11-22T10:00:30.000Z";
  job["finished_at"] = nullptr;
  std::string text = FormatJob(job);
  EXPECT_NE(text.find("finished:  -\n"), std::string::npos);
  EXPECT_NE(text.find("cancelled: 2026-11-22 10:00:30Z\n"), std::string::npos);
  EXPECT_EQ(text.find("ko tasks"), std::string::npos);
}

TEST(KoTaskLine, NoAttemptAndEscapes) {
  EXPECT_EQ(KoTaskLine("t-0001", json::array()), "t-0001  no attempt");
  json attempts = json::parse(R"([{"n": 1, "result": "cancelled", "error": "bad\u001b[2Jthing"}])");
  EXPECT_EQ(KoTaskLine("t-0001", attempts), "t-0001  attempt 1  cancelled  bad?[2Jthing");
}

TEST(JobTable, Rows) {
  json jobs = json::parse(R"([
    {"id": "job_2", "status": "running", "name": "b", "created_at": "2026-11-22T10:05:00.000Z",
     "counts": {"total": 100, "ok": 50, "ko": 0}},
    {"id": "job_1", "status": "succeeded", "name": "", "created_at": "2026-11-22T10:00:00.000Z",
     "counts": {"total": 2, "ok": 2, "ko": 0}}])");
  EXPECT_EQ(JobTable(jobs),
            "ID     STATUS     TOTAL  OK  KO  CREATED               NAME\n"
            "job_2  running      100  50   0  2026-11-22 10:05:00Z  b\n"
            "job_1  succeeded      2   2   0  2026-11-22 10:00:00Z\n");
}

}  // namespace
}  // namespace skiff::cli

#include "obs/log_search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "core/time.h"

namespace skiff::obs {
namespace {

using ::testing::HasSubstr;

Json Job() {
  return Json::parse(R"({
    "id": "job_1",
    "attempts": {
      "t-0001": [
        {"n": 1, "ended_at": "2026-11-21T10:00:00.000Z", "stdout_tail": "start\nERROR disk full\n",
         "stderr_tail": "warn: slow"},
        {"n": 2, "ended_at": "2026-11-22T10:00:00.000Z", "stdout_tail": "start\ndone\n"}
      ],
      "t-0002": [
        {"n": 1, "ended_at": null, "started_at": "2026-11-22T10:00:00.000Z"}
      ],
      "t-0003": [
        {"n": 1, "ended_at": "2026-11-22T11:00:00.000Z", "stderr_tail": "error: code 42"}
      ]
    }})");
}

std::vector<std::string> Texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.task + "#" + std::to_string(l.attempt) + " " +
                                            l.stream + ":" + std::to_string(l.line) + " " + l.text);
  return out;
}

TEST(LogSearchTest, FiltersByTaskAttemptStreamTextRegexAndTime) {
  std::vector<LogLine> out;
  LogQuery all;
  EXPECT_TRUE(SearchJobLogs(Job(), all, 100, &out));
  EXPECT_EQ(Texts(out), (std::vector<std::string>{
                            "t-0001#1 stdout:1 start", "t-0001#1 stdout:2 ERROR disk full",
                            "t-0001#1 stderr:1 warn: slow", "t-0001#2 stdout:1 start",
                            "t-0001#2 stdout:2 done", "t-0003#1 stderr:1 error: code 42"}));
  EXPECT_EQ(out[0].job, "job_1");

  LogQuery re;
  re.regex = *CompileRegex("(?i)error.*\\d+|disk", "grep");
  out.clear();
  SearchJobLogs(Job(), re, 100, &out);
  EXPECT_EQ(Texts(out), (std::vector<std::string>{"t-0001#1 stdout:2 ERROR disk full",
                                                  "t-0003#1 stderr:1 error: code 42"}));

  LogQuery narrow;
  narrow.task = "t-0001";
  narrow.attempt = 2;
  narrow.stream = "stdout";
  narrow.text = "do";
  out.clear();
  SearchJobLogs(Job(), narrow, 100, &out);
  EXPECT_EQ(Texts(out), std::vector<std::string>{"t-0001#2 stdout:2 done"});

  LogQuery window;  // attempts that ended on 2026-11-22 before 11:00
  window.from_ms = *ParseTime("2026-11-22T00:00:00Z");
  window.to_ms = *ParseTime("2026-11-22T11:00:00Z");
  out.clear();
  SearchJobLogs(Job(), window, 100, &out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].attempt, 2);

  out.clear();
  EXPECT_FALSE(SearchJobLogs(Job(), all, 2, &out));  // stopped at the limit
  EXPECT_EQ(out.size(), 2u);
}

TEST(LogSearchTest, BadOrHugePatternsAreRefusedAndNoneCanHang) {
  auto bad = CompileRegex("(unclosed", "grep");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("grep: missing )"));
  EXPECT_FALSE(CompileRegex(std::string(1001, 'a'), "regex").ok());
  // A pattern that backtracks exponentially elsewhere is linear in RE2.
  LogQuery q;
  q.regex = *CompileRegex("(a+)+$", "grep");
  Json job = {{"id", "j"},
              {"attempts",
               {{"t-0001",
                 {{{"n", 1}, {"ended_at", "2026-11-22T10:00:00Z"},
                   {"stdout_tail", std::string(50000, 'a') + "!"}}}}}}};
  std::vector<LogLine> out;
  auto t0 = std::chrono::steady_clock::now();
  SearchJobLogs(job, q, 10, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

}  // namespace
}  // namespace skiff::obs

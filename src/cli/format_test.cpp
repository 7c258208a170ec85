#include "cli/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace skiff::cli {
namespace {

TEST(ProgressBar, FillsByFinishedTasks) {
  EXPECT_EQ(ProgressBar({1000, 481, 4, 512, 3}, 12), "[######......]");
  EXPECT_EQ(ProgressBar({10, 0, 0, 10, 0}, 10), "[##########]");
  EXPECT_EQ(ProgressBar({10, 10, 0, 0, 0}, 10), "[..........]");
  EXPECT_EQ(ProgressBar({0, 0, 0, 0, 0}, 4), "[....]");
  // Nearly done is not shown as done.
  EXPECT_EQ(ProgressBar({1000, 1, 0, 999, 0}, 10), "[#########.]");
}

TEST(FormatDuration, Units) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(3.2), "4s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(125), "2m05s");
  EXPECT_EQ(FormatDuration(3600), "1h00m");
  EXPECT_EQ(FormatDuration(3601), "1h01m");
  EXPECT_EQ(FormatDuration(-1), "--");
  EXPECT_EQ(FormatDuration(std::numeric_limits<double>::infinity()), "--");
  EXPECT_EQ(FormatDuration(std::nan("")), "--");
}

TEST(EtaSeconds, FromRemainingAndRate) {
  JobCounts counts{1000, 481, 4, 512, 3};
  EXPECT_DOUBLE_EQ(EtaSeconds(counts, 121.25), 485 / 121.25);
  EXPECT_EQ(EtaSeconds(counts, 0), -1);
  EXPECT_EQ(EtaSeconds(counts, -1), -1);
  EXPECT_EQ(EtaSeconds({10, 0, 0, 8, 2}, 0), 0);
}

TEST(FormatRate, OneDecimal) {
  EXPECT_EQ(FormatRate(120.54), "120.5");
  EXPECT_EQ(FormatRate(0), "0.0");
}

TEST(ProgressLine, MatchesTheDocumentedShape) {
  JobCounts counts{1000, 481, 4, 512, 3};
  EXPECT_EQ(ProgressLine(counts, 121.25, 12),
            "[######......]  ok 512  ko 3  running 4  pending 481  121.2 tasks/s  ETA 4s");
  EXPECT_EQ(ProgressLine(counts, -1, 4),
            "[##..]  ok 512  ko 3  running 4  pending 481  -- tasks/s  ETA --");
}

TEST(RateMeter, SlidingWindow) {
  RateMeter meter(10);
  EXPECT_EQ(meter.Rate(), -1);
  meter.Add(0, 0);
  EXPECT_EQ(meter.Rate(), -1);
  meter.Add(0.2, 5);
  EXPECT_EQ(meter.Rate(), -1);  // too short to say
  meter.Add(1, 10);
  EXPECT_DOUBLE_EQ(meter.Rate(), 10);
  for (int t = 2; t <= 30; ++t) meter.Add(t, 10 + (t - 1) * 100);
  // Only the last ten seconds count: 100 tasks/s, not the slow start.
  EXPECT_DOUBLE_EQ(meter.Rate(), 100);
}

TEST(CountsOf, TolerantReading) {
  auto job = nlohmann::json::parse(
      R"({"counts": {"total": 5, "pending": 1, "running": 1, "ok": 2, "ko": 1, "new": 9}})");
  JobCounts c = CountsOf(job);
  EXPECT_EQ(c.total, 5);
  EXPECT_EQ(c.pending, 1);
  EXPECT_EQ(c.running, 1);
  EXPECT_EQ(c.ok, 2);
  EXPECT_EQ(c.ko, 1);
  EXPECT_EQ(CountsOf(nlohmann::json::parse(R"({"counts": {"ok": "x"}})")).ok, 0);
  EXPECT_EQ(CountsOf(nlohmann::json()).total, 0);
}

TEST(FormatTable, AlignsColumns) {
  std::string table = FormatTable({"ID", "N", "NAME"}, {{"job_1", "5", "a"}, {"j2", "123", "bb"}},
                                  {1});
  EXPECT_EQ(table,
            "ID       N  NAME\n"
            "job_1    5  a\n"
            "j2     123  bb\n");
}

TEST(FormatTable, HeaderOnlyAndSanitizedCells) {
  EXPECT_EQ(FormatTable({"A", "B"}, {}), "A  B\n");
  EXPECT_EQ(FormatTable({"A"}, {{"x\ny\x1b[2J"}}), "A\nx?y?[2J\n");
}

TEST(Sanitize, ReplacesControlCharacters) {
  EXPECT_EQ(Sanitize("ok\tline\r\n\x7f"), "ok?line???");
  EXPECT_EQ(Sanitize("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept
}

TEST(FormatTime, IsoToDisplay) {
  EXPECT_EQ(FormatTime("2026-11-22T10:00:00.000Z"), "2026-11-22 10:00:00Z");
  EXPECT_EQ(FormatTime(nullptr), "-");
  EXPECT_EQ(FormatTime("yesterday"), "yesterday");
}

}  // namespace
}  // namespace skiff::cli

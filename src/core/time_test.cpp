#include "core/time.h"

#include <gtest/gtest.h>

namespace skiff {
namespace {

TEST(TimeTest, FormatKnownValues) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatTime(951782400123), "2000-02-29T00:00:00.123Z");
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimeTest, ParseKnownValues) {
  EXPECT_EQ(ParseTime("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(ParseTime("2000-02-29T00:00:00.123Z"), 951782400123);
  EXPECT_EQ(ParseTime("2000-02-29T00:00:00Z"), 951782400000);
  EXPECT_EQ(ParseTime("2000-02-29T00:00:00"), 951782400000);
  EXPECT_EQ(ParseTime("2000-02-29T00:00:00.5Z"), 951782400500);
  EXPECT_EQ(ParseTime("2000-02-29T00:00:00.12345Z"), 951782400123);  // extra digits dropped
}

TEST(TimeTest, RoundTrip) {
  for (int64_t ms : {int64_t{0}, int64_t{999}, int64_t{1790000000000}, int64_t{1790000000001},
                     int64_t{4102444799999}, int64_t{-1}, int64_t{-86400001}}) {
    auto back = ParseTime(FormatTime(ms));
    ASSERT_TRUE(back.has_value()) << FormatTime(ms);
    EXPECT_EQ(*back, ms) << FormatTime(ms);
  }
  for (int64_t ms = 1790000000000; ms < 1790000000000 + 400LL * 86400000; ms += 86399997) {
    EXPECT_EQ(ParseTime(FormatTime(ms)), ms);
  }
}

TEST(TimeTest, ParseRejects) {
  for (const char* bad : {"", "yesterday", "2026-11-22", "2026-11-22T10:00", "2026-13-01T00:00:00Z",
                          "2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z",
                          "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00Zjunk",
                          "2026-11-22T10:00:00+01:00", "2026-11-22 10:00:00Z"}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
}

TEST(TimeTest, SystemClockIsNow) {
  int64_t a = SystemClock()->NowMs();
  EXPECT_GT(a, 1700000000000);  // after 2023
  EXPECT_GE(SystemClock()->NowMs(), a);
  EXPECT_EQ(SystemClock(), SystemClock());
}

}  // namespace
}  // namespace skiff

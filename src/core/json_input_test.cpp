#include "core/json_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace skiff {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(ParseJsonTest, ParsesValidJson) {
  auto r = ParseJson(R"({"a": [1, 2.5, "x\u00e9", true, null]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["a"][2], "x\xC3\xA9");
  EXPECT_TRUE(ParseJson("3").ok());
}

TEST(ParseJsonTest, BadJsonIsInvalidArgumentWithPosition) {
  for (std::string_view bad : {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1} x", "{'a':1}"}) {
    auto r = ParseJson(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), StartsWith("body is not valid JSON")) << bad;
  }
  auto r = ParseJson("{\"a\": 1,\n \"b\": }");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("line 2"));
}

TEST(ParseJsonTest, InvalidUtf8IsRejected) {
  for (std::string_view bad : {std::string_view("\"\xff\""), std::string_view("\"a\xC3\""),
                               std::string_view("{\"k\xE2\x82\": 1}"),
                               std::string_view("\"\xC0\xAF\"")}) {
    auto r = ParseJson(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), StartsWith("body is not valid JSON"));
  }
}

TEST(ObjectReaderTest, ReadsKnownFieldsAndReportsUnknown) {
  Json j = {{"s", "x"}, {"i", 3}, {"f", 1.5}, {"b", true}, {"extra", 1}};
  ObjectReader r(j, "");
  EXPECT_EQ(r.String("s", 10), "x");
  EXPECT_EQ(r.Int("i", 0, 10), 3);
  EXPECT_EQ(r.Number("f", 0, 2), 1.5);
  EXPECT_EQ(r.Bool("b"), true);
  EXPECT_EQ(r.String("absent", 10), std::nullopt);
  EXPECT_FALSE(r.failed());
  Status st = r.Done();
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "extra: unknown field");
}

TEST(ObjectReaderTest, PathPrefixesMessages) {
  Json j = {{"name", 3}};
  ObjectReader r(j, "items[3]");
  EXPECT_EQ(r.String("name", 10), std::nullopt);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.Done().message(), "items[3].name: expected a string");
  EXPECT_EQ(r.PathOf("x"), "items[3].x");

  ObjectReader not_object(Json::array(), "items[1]");
  EXPECT_EQ(not_object.Done().message(), "items[1]: expected an object");
}

TEST(ObjectReaderTest, FirstErrorWins) {
  Json j = {{"a", "x"}, {"b", "y"}};
  ObjectReader r(j, "");
  r.Int("a", 0, 1);
  r.Bool("b");
  r.Fail("c", "custom");
  EXPECT_EQ(r.Done().message(), "a: expected an integer");
}

TEST(ObjectReaderTest, IntAcceptsIntegralFloatsAndChecksRange) {
  Json j = {{"a", 2.0}, {"b", 2.5}, {"c", 11}, {"d", -1}, {"e", 18446744073709551615ull},
            {"f", 1e300}};
  {
    ObjectReader r(j, "");
    EXPECT_EQ(r.Int("a", 0, 10), 2);
  }
  auto error_of = [&](const char* name) {
    ObjectReader r(j, "");
    EXPECT_EQ(r.Int(name, 0, 10), std::nullopt);
    return r.Done().message();
  };
  EXPECT_EQ(error_of("b"), "b: expected an integer");
  EXPECT_EQ(error_of("c"), "c: must be between 0 and 10");
  EXPECT_EQ(error_of("d"), "d: must be between 0 and 10");
  EXPECT_EQ(error_of("e"), "e: out of range");
  EXPECT_EQ(error_of("f"), "f: expected an integer");
}

TEST(ObjectReaderTest, StringLengthAndBool) {
  Json j = {{"s", "abcdef"}, {"b", 1}};
  ObjectReader r(j, "");
  EXPECT_EQ(r.String("s", 5), std::nullopt);
  EXPECT_EQ(r.Done().message(), "s: longer than 5 bytes");
  ObjectReader r2(j, "");
  EXPECT_EQ(r2.Bool("b"), std::nullopt);
  EXPECT_EQ(r2.Done().message(), "b: expected true or false");
}

TEST(ObjectReaderTest, NullIsAbsentAndFieldMarksKnown) {
  Json j = {{"a", nullptr}, {"b", {1, 2}}};
  ObjectReader r(j, "");
  EXPECT_EQ(r.String("a", 5), std::nullopt);
  const Json* b = r.Field("b");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->is_array());
  EXPECT_TRUE(r.Done().ok());
}

TEST(SanitizeUtf8Test, ValidTextUnchanged) {
  std::string s = "plain, \xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, \x7F";
  EXPECT_EQ(SanitizeUtf8(s), s);
  EXPECT_EQ(SanitizeUtf8(""), "");
}

TEST(SanitizeUtf8Test, InvalidSequencesBecomeReplacement) {
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a" + kReplacement + "b");
  EXPECT_EQ(SanitizeUtf8("\xC3"), kReplacement);                       // truncated
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), kReplacement + kReplacement);     // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80").substr(0, 3), kReplacement);  // above U+10FFFF
  EXPECT_EQ(SanitizeUtf8("\x80x"), kReplacement + "x");                 // lone continuation
  std::string out = SanitizeUtf8(std::string("\xE2\x82") + "\xC3\xA9");
  EXPECT_EQ(out, kReplacement + kReplacement + "\xC3\xA9");
}

bool IsValidUtf8(const std::string& s) { return SanitizeUtf8(s) == s; }

TEST(Utf8TailTest, NeverCutsACharacter) {
  std::string euro = "\xE2\x82\xAC";  // 3 bytes
  std::string s;
  for (int i = 0; i < 10; ++i) s += euro + "a" + "\xF0\x9F\x98\x80";  // 8 bytes per round
  for (size_t max = 0; max <= s.size() + 2; ++max) {
    std::string t = Utf8Tail(s, max);
    EXPECT_LE(t.size(), max) << max;
    EXPECT_TRUE(IsValidUtf8(t)) << max;
    EXPECT_EQ(s.substr(s.size() - t.size()), t) << max;  // a suffix of the input
    EXPECT_GE(t.size() + 3, std::min(max, s.size())) << max;  // at most 3 bytes dropped
  }
  EXPECT_EQ(Utf8Tail(s, 1000), s);
  EXPECT_EQ(Utf8Tail("abc" + euro, 3), euro);
  EXPECT_EQ(Utf8Tail("abc" + euro, 2), "");
  EXPECT_EQ(Utf8Tail("abcdef", 3), "def");
}

TEST(Utf8TailTest, SanitisesInvalidInputWithinTheLimit) {
  EXPECT_EQ(Utf8Tail("ab\xff", 10), "ab" + kReplacement);
  std::string t = Utf8Tail("\x80\x80\x80\x80\x80z", 5);  // only continuation bytes
  EXPECT_TRUE(IsValidUtf8(t));
  EXPECT_LE(t.size(), 5u);
  // Replacements are 3 bytes for 1: the result still fits in max_bytes.
  EXPECT_EQ(Utf8Tail("\xff\xff\xff", 3), kReplacement);
  EXPECT_EQ(Utf8Tail("\xff\xff\xff", 5), kReplacement);
  std::string binary;
  for (int i = 0; i < 5000; ++i) binary.push_back(static_cast<char>(i * 131 % 256));
  for (size_t max : {0u, 1u, 2u, 3u, 100u, 2048u}) {
    std::string tail = Utf8Tail(binary, max);
    EXPECT_LE(tail.size(), max);
    EXPECT_TRUE(IsValidUtf8(tail));
    EXPECT_GE(tail.size() + 3, max);
  }
}

TEST(DumpJsonTest, InvalidUtf8DoesNotThrow) {
  Json j = {{"s", std::string("a\xff")}};
  std::string out;
  EXPECT_NO_THROW(out = DumpJson(j));
  EXPECT_EQ(out, "{\"s\":\"a" + kReplacement + "\"}");
  EXPECT_EQ(DumpJson(Json{{"a", 1}}, 2), "{\n  \"a\": 1\n}");
}

}  // namespace
}  // namespace skiff

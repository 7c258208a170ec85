#include "cli/yaml_json.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

json Yaml(const std::string& text) {
  auto doc = YamlToJson(text, "job.yaml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : json();
}

std::string YamlError(const std::string& text) {
  auto doc = YamlToJson(text, "job.yaml");
  EXPECT_FALSE(doc.ok());
  if (doc.ok()) return "";
  EXPECT_EQ(doc.status().code(), Code::kInvalidArgument);
  return doc.status().message();
}

TEST(YamlToJson, PlainScalarTypes) {
  json doc = Yaml(
      "a: null\nb: ~\nc:\nd: true\ne: False\nf: 42\ng: -7\nh: 3.5\ni: 1e3\nj: hello\n"
      "k: 0x1F\nl: 0o17\nm: yes\nn: .inf\no: +12\np: .5\nq: 1_000\n");
  EXPECT_TRUE(doc["a"].is_null());
  EXPECT_TRUE(doc["b"].is_null());
  EXPECT_TRUE(doc["c"].is_null());
  EXPECT_EQ(doc["d"], json(true));
  EXPECT_EQ(doc["e"], json(false));
  EXPECT_TRUE(doc["f"].is_number_integer());
  EXPECT_EQ(doc["f"], 42);
  EXPECT_EQ(doc["g"], -7);
  EXPECT_TRUE(doc["h"].is_number_float());
  EXPECT_DOUBLE_EQ(doc["h"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(doc["i"].get<double>(), 1000.0);
  EXPECT_EQ(doc["j"], "hello");
  EXPECT_EQ(doc["k"], 31);
  EXPECT_EQ(doc["l"], 15);
  EXPECT_EQ(doc["m"], "yes");  // YAML 1.2: not a boolean
  EXPECT_EQ(doc["n"], ".inf");
  EXPECT_EQ(doc["o"], 12);
  EXPECT_DOUBLE_EQ(doc["p"].get<double>(), 0.5);
  EXPECT_EQ(doc["q"], "1_000");
}

TEST(YamlToJson, QuotedAndBlockScalarsStayStrings) {
  json doc = Yaml("a: \"8080\"\nb: 'true'\nc: \"null\"\nd: ''\ne: |\n  line1\n  line2\nf: '1.5'\n");
  EXPECT_EQ(doc["a"], "8080");
  EXPECT_EQ(doc["b"], "true");
  EXPECT_EQ(doc["c"], "null");
  EXPECT_EQ(doc["d"], "");
  EXPECT_EQ(doc["e"], "line1\nline2\n");
  EXPECT_EQ(doc["f"], "1.5");
}

TEST(YamlToJson, ExplicitTags) {
  json doc = Yaml("a: !!str 123\nb: !!int \"7\"\nc: !!float 2\n");
  EXPECT_EQ(doc["a"], "123");
  EXPECT_EQ(doc["b"], 7);
  EXPECT_TRUE(doc["c"].is_number_float());
  EXPECT_NE(YamlError("a: !custom x\n").find("unsupported tag"), std::string::npos);
  EXPECT_NE(YamlError("a: !!int abc\n").find("not a valid !!int"), std::string::npos);
}

TEST(YamlToJson, NestedJob) {
  json doc = Yaml(R"(name: thumbnails
argv: [convert, "{{src}}", -resize, "{{size}}", "{{dst}}"]
env:
  LANG: C
timeout_s: 60
params: {size: 320x240}
items:
  - {src: a.png, dst: a.jpg}
  - src: b.png
    dst: b.jpg
    n: 2
)");
  json want = json::parse(R"({
    "name": "thumbnails",
    "argv": ["convert", "{{src}}", "-resize", "{{size}}", "{{dst}}"],
    "env": {"LANG": "C"}, "timeout_s": 60, "params": {"size": "320x240"},
    "items": [{"src": "a.png", "dst": "a.jpg"}, {"src": "b.png", "dst": "b.jpg", "n": 2}]})");
  EXPECT_EQ(doc, want);
}

TEST(YamlToJson, AnchorsAndAliasesExpand) {
  json doc = Yaml("base: &b {x: 1}\ncopy: *b\n");
  EXPECT_EQ(doc["copy"], json({{"x", 1}}));
}

TEST(YamlToJson, EmptyDocumentIsNull) { EXPECT_TRUE(Yaml("").is_null()); }

TEST(YamlToJson, SyntaxErrorNamesFileLineAndColumn) {
  std::string message = YamlError("name: x\nargv: [a, b\nenv: {}\n");
  EXPECT_EQ(message.rfind("job.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find(":3:"), std::string::npos) << message;
}

TEST(YamlToJson, BadIndentationNamesLine) {
  std::string message = YamlError("a:\n  b: 1\n c: 2\n");
  EXPECT_EQ(message.rfind("job.yaml:3:", 0), 0u) << message;
}

TEST(YamlToJson, DuplicateKeyIsAnError) {
  std::string message = YamlError("a: 1\nb: 2\na: 3\n");
  EXPECT_EQ(message, "job.yaml:3:1: duplicate key \"a\"");
}

TEST(YamlToJson, ComplexKeyIsAnError) {
  EXPECT_NE(YamlError("? [a, b]\n: c\n").find("key must be a scalar"), std::string::npos);
}

TEST(YamlToJson, IntegerOutOfRange) {
  std::string message = YamlError("a: 1\nbig: 99999999999999999999999\n");
  EXPECT_EQ(message.rfind("job.yaml:2:6: integer", 0), 0u) << message;
  EXPECT_EQ(Yaml("a: 18446744073709551615\n")["a"], json(18446744073709551615ull));
  EXPECT_EQ(Yaml("a: -9223372036854775808\n")["a"], json(INT64_MIN));
}

TEST(YamlToJson, SeveralDocumentsAreAnError) {
  std::string message = YamlError("a: 1\n---\nb: 2\n");
  EXPECT_NE(message.find("expected one YAML document"), std::string::npos) << message;
}

// Found by tests/fuzz/fuzz_yaml: yaml-cpp 0.7's LoadAll never returned on a stray ',' (it made a
// null document per loop until memory ran out), so `skiff job submit` hung on such a file.
TEST(YamlToJson, StrayCommaIsAnErrorNotAHang) {
  for (const char* text : {",", ",\n", "\n,\n", "# c\n,"}) {
    SCOPED_TRACE(text);
    auto doc = YamlToJson(text, "job.yaml");
    ASSERT_FALSE(doc.ok());
    EXPECT_EQ(doc.status().code(), Code::kInvalidArgument);
  }
  EXPECT_NE(YamlError(",").find("job.yaml:1:1"), std::string::npos) << YamlError(",");
}

TEST(YamlToJson, EmptyDocumentsAndTrailingMarkersStillWork) {
  EXPECT_TRUE(Yaml("").is_null());
  EXPECT_TRUE(Yaml("# only a comment\n").is_null());
  EXPECT_TRUE(Yaml("---\n...\n").is_null());
  EXPECT_EQ(Yaml("---\na: 1\n...\n")["a"], json(1));
  EXPECT_EQ(Yaml("a: 1\n---\n")["a"], json(1));
}

TEST(ParseJson, ErrorNamesLineAndColumn) {
  auto doc = ParseJson("{\n  \"a\": 1,\n  \"b\" 2\n}", "job.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(doc.status().message().rfind("job.json:3:7: ", 0), 0u) << doc.status().message();
}

// Found by fuzz_yaml: a number too large for a double threw out_of_range out of ParseJson.
TEST(ParseJson, NumberOverflowIsAnErrorNotACrash) {
  auto doc = ParseJson("20000000E658040060098870688", "job.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), Code::kInvalidArgument);
  EXPECT_NE(doc.status().message().find("job.json"), std::string::npos) << doc.status().message();
  EXPECT_NE(doc.status().message().find("overflow"), std::string::npos) << doc.status().message();
}

TEST(ParseDocument, AutoTriesJsonThenYaml) {
  auto json_doc = ParseDocument("{\"a\": \"1\"}", "<stdin>", DocFormat::kAuto);
  ASSERT_TRUE(json_doc.ok());
  EXPECT_EQ((*json_doc)["a"], "1");
  auto yaml_doc = ParseDocument("a: 1\n", "<stdin>", DocFormat::kAuto);
  ASSERT_TRUE(yaml_doc.ok());
  EXPECT_EQ((*yaml_doc)["a"], 1);
  auto bad = ParseDocument("a: [\n", "<stdin>", DocFormat::kAuto);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("<stdin>:", 0), 0u);
}

TEST(ParseDocument, JsonFormatIsStrict) {
  EXPECT_FALSE(ParseDocument("a: 1\n", "x.json", DocFormat::kJson).ok());
}

TEST(FormatForPath, ByExtension) {
  EXPECT_EQ(FormatForPath("a/job.json"), DocFormat::kJson);
  EXPECT_EQ(FormatForPath("job.yaml"), DocFormat::kYaml);
  EXPECT_EQ(FormatForPath("job.yml"), DocFormat::kYaml);
  EXPECT_EQ(FormatForPath("job"), DocFormat::kAuto);
}

TEST(ReadDocument, ReadsFilesAndReportsMissingOnes) {
  skiff::testing::TempDir dir;
  std::string path = dir.path() + "/job.yml";
  std::ofstream(path) << "argv: [echo, hi]\n";
  auto doc = ReadDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)["argv"], json({"echo", "hi"}));

  auto missing = ReadDocument(dir.path() + "/nope.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("nope.yaml"), std::string::npos);
  EXPECT_FALSE(ReadDocument(dir.path()).ok());
}

}  // namespace
}  // namespace skiff::cli

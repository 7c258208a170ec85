// The parameter schema: each rule when published, and each rule's error when a value breaks it
// (the message names the parameter and the rule).
#include "catalog/params.h"

#include <gtest/gtest.h>

namespace skiff::catalog {
namespace {

std::vector<ParamSpec> Schema(const char* text) {
  auto schema = ParseParamSchema(Json::parse(text), "params");
  EXPECT_TRUE(schema.ok()) << schema.status().message();
  return schema.ok() ? *schema : std::vector<ParamSpec>{};
}

std::string SchemaError(const char* text) {
  auto schema = ParseParamSchema(Json::parse(text), "params");
  EXPECT_FALSE(schema.ok()) << text;
  return schema.ok() ? "" : schema.status().message();
}

std::string ParamsError(const std::vector<ParamSpec>& schema, const char* given) {
  auto r = ResolveParams(schema, Json::parse(given), "params", true);
  EXPECT_FALSE(r.ok()) << given;
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
  return r.ok() ? "" : r.status().message();
}

constexpr const char* kVideo = R"([
  {"name": "input", "type": "string", "required": true, "pattern": "/[A-Za-z0-9_./-]+"},
  {"name": "height", "type": "int", "default": 240, "min": 16, "max": 2160},
  {"name": "fps", "type": "number", "default": 12.5, "min": 1, "max": 60},
  {"name": "keep_audio", "type": "bool", "default": false},
  {"name": "preset", "type": "enum", "values": ["ultrafast", "fast"], "default": "fast"},
  {"name": "label", "type": "string"}
])";

TEST(ParamsTest, DefaultsFillWhatIsNotGiven) {
  auto schema = Schema(kVideo);
  auto r = ResolveParams(schema, Json::parse(R"({"input": "/in/a.mp4", "height": 480})"),
                         "params", true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, Json::parse(R"({"input": "/in/a.mp4", "height": 480, "fps": 12.5,
                                "keep_audio": false, "preset": "fast"})"));
  // Without fill: only what was given, and no required check.
  auto partial = ResolveParams(schema, Json::parse(R"({"height": 480})"), "items[0]", false);
  ASSERT_TRUE(partial.ok()) << partial.status().message();
  EXPECT_EQ(*partial, Json::parse(R"({"height": 480})"));
}

TEST(ParamsTest, EachRuleNamesTheParameterAndTheRule) {
  auto s = Schema(kVideo);
  EXPECT_EQ(ParamsError(s, R"({})"), "params.input: missing (rule required)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "heigth": 3})"),
            "params.heigth: not a parameter of this template (rule unknown)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "height": "480"})"),
            "params.height: expected an integer (rule type)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "height": 480.5})"),
            "params.height: expected an integer (rule type)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "height": 8})"),
            "params.height: 8 is below the minimum 16 (rule min)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "height": 5000})"),
            "params.height: 5000 is above the maximum 2160 (rule max)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "fps": 60.5})"),
            "params.fps: 60.5 is above the maximum 60 (rule max)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "fps": "fast"})"),
            "params.fps: expected a number (rule type)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "keep_audio": 1})"),
            "params.keep_audio: expected true or false (rule type)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "preset": "slow"})"),
            "params.preset: \"slow\" is not one of ultrafast, fast (rule enum)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a b"})"),
            "params.input: \"/a b\" does not match /[A-Za-z0-9_./-]+ (rule pattern)");
  EXPECT_EQ(ParamsError(s, R"({"input": 7})"), "params.input: expected a string (rule type)");
  EXPECT_EQ(ParamsError(s, R"({"input": "/a", "label": "a\u0000b"})"),
            "params.label: contains NUL (rule type)");
  EXPECT_EQ(ParamsError(s, R"([1])"), "params: expected an object");
}

TEST(ParamsTest, PatternMustMatchTheWholeValue) {
  auto s = Schema(R"([{"name": "code", "type": "string", "pattern": "[a-z]{3}"}])");
  EXPECT_TRUE(ResolveParams(s, Json::parse(R"({"code": "abc"})"), "params", true).ok());
  EXPECT_NE(ParamsError(s, R"({"code": "abcd"})").find("(rule pattern)"), std::string::npos);
  EXPECT_NE(ParamsError(s, R"({"code": "xabc"})").find("(rule pattern)"), std::string::npos);
}

TEST(ParamsTest, BigIntegersCompareExactly) {
  auto s = Schema(R"([{"name": "n", "type": "int", "min": -5, "max": 9007199254740993}])");
  EXPECT_TRUE(ResolveParams(s, Json::parse(R"({"n": 9007199254740993})"), "params", true).ok());
  EXPECT_NE(ParamsError(s, R"({"n": 9007199254740994})").find("(rule max)"), std::string::npos);
  EXPECT_NE(ParamsError(s, R"({"n": -6})").find("(rule min)"), std::string::npos);
  EXPECT_TRUE(ResolveParams(s, Json::parse(R"({"n": 0})"), "params", true).ok());
}

TEST(ParamsTest, SchemaErrorsNameTheField) {
  EXPECT_EQ(SchemaError(R"({})"), "params: expected an array of parameters");
  EXPECT_EQ(SchemaError(R"([{"type": "int"}])"), "params[0].name: required");
  EXPECT_EQ(SchemaError(R"([{"name": "a b", "type": "int"}])").substr(0, 32),
            "params[0].name: \"a b\" is not a p");
  EXPECT_EQ(SchemaError(R"([{"name": "job", "type": "int"}])"),
            "params[0].name: \"job\" is reserved for the built-in {{job}} placeholder");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int"}, {"name": "a", "type": "int"}])"),
            "params[1].name: \"a\" is declared twice");
  EXPECT_EQ(SchemaError(R"([{"name": "a"}])"), "params[0].type: required");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "float"}])"),
            "params[0].type: expected string, int, number, bool or enum");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "string", "min": 1}])"),
            "params[0].min: only for int or number");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "max": 1.5}])"),
            "params[0].max: expected an integer");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "min": 5, "max": 1}])"),
            "params[0].max: less than min");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "pattern": "x"}])"),
            "params[0].pattern: only for string");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "string", "pattern": "(x"}])")
                .substr(0, 50),
            "params[0].pattern: not a valid RE2 expression: mis");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "enum"}])"),
            "params[0].values: required for an enum");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "enum", "values": []}])"),
            "params[0].values: expected 1 to 1000 strings");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "enum", "values": ["x", "x"]}])"),
            "params[0].values: \"x\" appears twice");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "values": ["x"]}])"),
            "params[0].values: only for enum");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "default": 1, "required": true}])"),
            "params[0].default: a required parameter has no default");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "default": 99, "max": 10}])"),
            "params[0].default: 99 is above the maximum 10 (rule max)");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "bool", "default": "no"}])"),
            "params[0].default: expected true or false (rule type)");
  EXPECT_EQ(SchemaError(R"([{"name": "a", "type": "int", "step": 2}])"),
            "params[0].step: unknown field");
}

TEST(ParamsTest, SchemaRoundTrips) {
  auto s = Schema(kVideo);
  auto again = ParseParamSchema(ParamSchemaToJson(s), "params");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(ParamSchemaToJson(*again), ParamSchemaToJson(s));
  EXPECT_EQ(ParamSchemaToJson(s)[0]["pattern"], "/[A-Za-z0-9_./-]+");
}

}  // namespace
}  // namespace skiff::catalog

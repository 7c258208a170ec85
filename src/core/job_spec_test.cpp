#include "core/job_spec.h"

#include "core/job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace skiff {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Json Body(std::string_view text) { return Json::parse(text); }

// The error of parsing `body`, which must fail with `code`.
std::string ErrorOf(const Json& body, Code code = Code::kInvalidArgument) {
  auto r = ParseJobSubmission(body);
  EXPECT_FALSE(r.ok()) << body.dump();
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  return r.status().message();
}

TEST(ParseJobSubmissionTest, MinimalBodyGetsDefaults) {
  auto r = ParseJobSubmission(Body(R"({"argv": ["echo"]})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.argv, std::vector<std::string>{"echo"});
  EXPECT_TRUE(r->spec.env.empty());
  EXPECT_EQ(r->spec.timeout_s, 3600);
  EXPECT_EQ(r->spec.max_attempts, 1);
  EXPECT_EQ(r->spec.backoff_ms, 1000);
  EXPECT_EQ(r->name, "");
  EXPECT_EQ(r->correlation_id, "");
  EXPECT_EQ(r->params, Json::object());
  EXPECT_TRUE(r->items.is_null());
  EXPECT_EQ(r->item_count, 1u);
}

TEST(ParseJobSubmissionTest, EveryField) {
  auto r = ParseJobSubmission(Body(R"({
    "name": "thumbnails",
    "argv": ["convert", "{{src}}", "-resize", "{{size}}"],
    "env": {"LANG": "C", "_X1": "{{size}}"},
    "timeout_s": 60.5,
    "max_attempts": 3,
    "backoff_ms": 250,
    "params": {"size": "320x240", "n": 3, "b": true},
    "items": [{"src": "a.png"}, {"src": "b.png", "k": 1.5}],
    "correlation_id": "c0ffee"
  })"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "thumbnails");
  EXPECT_EQ(r->correlation_id, "c0ffee");
  EXPECT_EQ(r->spec.argv.size(), 4u);
  EXPECT_EQ(r->spec.argv[1], "{{src}}");
  EXPECT_EQ(r->spec.env.at("LANG"), "C");
  EXPECT_EQ(r->spec.env.at("_X1"), "{{size}}");
  EXPECT_DOUBLE_EQ(r->spec.timeout_s, 60.5);
  EXPECT_EQ(r->spec.max_attempts, 3);
  EXPECT_EQ(r->spec.backoff_ms, 250);
  EXPECT_EQ(r->params["size"], "320x240");
  EXPECT_EQ(r->params["n"], 3);
  ASSERT_TRUE(r->items.is_array());
  EXPECT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->item_count, 2u);
}

TEST(ParseJobSubmissionTest, NullFieldsMeanAbsent) {
  auto r = ParseJobSubmission(
      Body(R"({"argv": ["x"], "name": null, "env": null, "params": null, "items": null})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->item_count, 1u);
}

TEST(ParseJobSubmissionTest, ItemsAsInteger) {
  auto r = ParseJobSubmission(Body(R"({"argv": ["x"], "items": 250})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->item_count, 250u);
  EXPECT_TRUE(r->items.is_null());

  r = ParseJobSubmission(Json{{"argv", {"x"}}, {"items", kMaxItems}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->item_count, kMaxItems);
}

TEST(ParseJobSubmissionTest, BodyMustBeAnObject) {
  EXPECT_THAT(ErrorOf(Body("[1]")), HasSubstr("body: expected an object"));
  EXPECT_THAT(ErrorOf(Body("\"x\"")), HasSubstr("body"));
}

TEST(ParseJobSubmissionTest, UnknownFieldIsNamed) {
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "argz": 1})")), "argz: unknown field");
}

TEST(ParseJobSubmissionTest, WrongTypesNameTheField) {
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "name": 3})")), StartsWith("name: expected a string"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "correlation_id": []})")),
              StartsWith("correlation_id:"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "timeout_s": "60"})")),
              StartsWith("timeout_s: expected a number"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "max_attempts": 1.5})")),
              StartsWith("max_attempts: expected an integer"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "backoff_ms": true})")),
              StartsWith("backoff_ms: expected an integer"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": "echo"})")), StartsWith("argv: expected an array"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["echo", 3]})")), StartsWith("argv[1]: expected a string"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "env": ["A"]})")), StartsWith("env: expected"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "env": {"A": 1}})")),
              StartsWith("env.A: expected a string"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "params": [1]})")),
              StartsWith("params: expected an object"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "items": "3"})")), StartsWith("items: expected"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "items": 2.5})")), StartsWith("items: expected"));
}

TEST(ParseJobSubmissionTest, OutOfRangeValuesNameTheField) {
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "timeout_s": 0})")), StartsWith("timeout_s: must be"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "timeout_s": 604801})")),
              StartsWith("timeout_s: must be"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "max_attempts": 0})")),
              StartsWith("max_attempts: must be between 1 and 100"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "max_attempts": 101})")),
              StartsWith("max_attempts: must be between 1 and 100"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "backoff_ms": -1})")), StartsWith("backoff_ms:"));
  EXPECT_THAT(ErrorOf(Json{{"argv", {"x"}}, {"name", std::string(201, 'n')}}),
              StartsWith("name: longer than 200 bytes"));
  EXPECT_THAT(ErrorOf(Json{{"argv", {"x"}}, {"correlation_id", std::string(129, 'c')}}),
              StartsWith("correlation_id: longer than 128"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "items": 0})")), StartsWith("items: must be at least 1"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv": ["x"], "items": -5})")), StartsWith("items:"));
}

TEST(ParseJobSubmissionTest, Argv) {
  EXPECT_EQ(ErrorOf(Body(R"({"name": "x"})")), "argv: required");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": null})")), "argv: required");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": []})")), "argv: must not be empty");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["", "x"]})")), "argv[0]: must not be empty");
  EXPECT_EQ(ErrorOf(Json{{"argv", {"a", std::string("b\0c", 3)}}}), "argv[1]: contains NUL");
  EXPECT_EQ(ErrorOf(Json{{"argv", {"a", std::string(kMaxArgBytes + 1, 'x')}}}), "argv[1]: too long");
  Json many = Json::array();
  for (size_t i = 0; i <= kMaxArgs; ++i) many.push_back("a");
  EXPECT_THAT(ErrorOf(Json{{"argv", many}}), StartsWith("argv: more than"));
  // Later arguments may be empty.
  EXPECT_TRUE(ParseJobSubmission(Body(R"({"argv": ["x", ""]})")).ok());
}

TEST(ParseJobSubmissionTest, EnvNames) {
  for (const char* bad : {"1A", "A-B", "A B", "", "é", "A=B"}) {
    Json body = {{"argv", {"x"}}, {"env", {{bad, "v"}}}};
    EXPECT_EQ(ErrorOf(body), "env." + std::string(bad) + ": not a valid variable name") << bad;
  }
  for (const char* good : {"A", "_", "a_1", "PATH", "_9"}) {
    Json body = {{"argv", {"x"}}, {"env", {{good, "v"}}}};
    EXPECT_TRUE(ParseJobSubmission(body).ok()) << good;
  }
  EXPECT_EQ(ErrorOf(Json{{"argv", {"x"}}, {"env", {{"A", std::string("a\0b", 3)}}}}),
            "env.A: contains NUL");
}

TEST(ParseJobSubmissionTest, TooManyItemsIsResourceExhausted) {
  EXPECT_THAT(ErrorOf(Json{{"argv", {"x"}}, {"items", kMaxItems + 1}}, Code::kResourceExhausted),
              StartsWith("items: more than 100000"));
  Json items = Json::array();
  for (size_t i = 0; i <= kMaxItems; ++i) items.push_back(Json::object());
  EXPECT_THAT(ErrorOf(Json{{"argv", {"x"}}, {"items", items}}, Code::kResourceExhausted),
              StartsWith("items: more than"));
}

TEST(ParseJobSubmissionTest, ItemsArrayRules) {
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "items": []})")), "items: must not be empty");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "items": [{"a": 1}, 3]})")),
            "items[1]: expected an object");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "items": [{"a": 1}, {"b": [1]}]})")),
            "items[1].b: expected a string, number or boolean");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "items": [{"a": {"x": 1}}]})")),
            "items[0].a: expected a string, number or boolean");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "items": [{"a": null}]})")),
            "items[0].a: expected a string, number or boolean");
  EXPECT_EQ(ErrorOf(Body(R"({"argv": ["x"], "params": {"p": [1]}})")),
            "params.p: expected a string, number or boolean");
  EXPECT_THAT(ErrorOf(Json{{"argv", {"x"}}, {"items", {{{"a", std::string(kMaxArgBytes + 1, 'x')}}}}}),
              StartsWith("items[0].a: longer than"));
}

TEST(RenderTemplateTest, LookupOrderItemThenParamsThenBuiltins) {
  Json item = {{"x", "from-item"}};
  Json params = {{"x", "from-params"}, {"y", "param-y"}, {"job", "param-job"}};
  std::map<std::string, std::string> builtins = {{"x", "b"}, {"y", "b"}, {"job", "j"}, {"task", "t"}};
  auto r = RenderTemplate("{{x}} {{y}} {{job}} {{task}}", item, params, builtins);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "from-item param-y param-job t");
}

TEST(RenderTemplateTest, ScalarsRenderAsJson) {
  Json item = {{"i", 42}, {"f", 1.5}, {"t", true}, {"n", -3}, {"s", "a\"b"}};
  auto r = RenderTemplate("{{i}}|{{f}}|{{t}}|{{n}}|{{s}}", item, Json::object(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "42|1.5|true|-3|a\"b");
  r = RenderTemplate("{{b}}", Json::object(), Json{{"b", false}}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "false");
}

TEST(RenderTemplateTest, PlainTextAndEdges) {
  EXPECT_EQ(*RenderTemplate("", Json(), Json(), {}), "");
  EXPECT_EQ(*RenderTemplate("no placeholders { } }}", Json(), Json(), {}), "no placeholders { } }}");
  Json item = {{"a", "A"}};
  EXPECT_EQ(*RenderTemplate("{{a}}{{a}}", item, Json(), {}), "AA");
  EXPECT_EQ(*RenderTemplate("x{{a}}}y", item, Json(), {}), "xA}y");
  EXPECT_EQ(*RenderTemplate("pre-{{a}}-post", item, Json(), {}), "pre-A-post");
}

TEST(RenderTemplateTest, SpacesInsideBracesAreIgnored) {
  Json item = {{"name", "v"}};
  EXPECT_EQ(*RenderTemplate("{{ name }}|{{name  }}|{{  name}}", item, Json(), {}), "v|v|v");
}

TEST(RenderTemplateTest, UnknownPlaceholderIsNamed) {
  auto r = RenderTemplate("a {{nope}} b", Json{{"x", 1}}, Json{{"y", 2}}, {{"job", "j"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("{{nope}}"));
  r = RenderTemplate("{{ spaced }}", Json(), Json(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("{{spaced}}"));
}

TEST(RenderTemplateTest, UnterminatedPlaceholder) {
  auto r = RenderTemplate("a {{b", Json{{"b", 1}}, Json(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("unterminated"));
  EXPECT_THAT(r.status().message(), HasSubstr("a {{b"));
}

TEST(RetryDelayTest, DoublesFromBackoff) {
  TaskSpec spec;
  spec.backoff_ms = 1000;
  EXPECT_EQ(RetryDelayMs(spec, 1, 1.0), 1000);
  EXPECT_EQ(RetryDelayMs(spec, 2, 1.0), 2000);
  EXPECT_EQ(RetryDelayMs(spec, 3, 1.0), 4000);
  EXPECT_EQ(RetryDelayMs(spec, 5, 1.0), 16000);
  EXPECT_EQ(RetryDelayMs(spec, 0, 1.0), 1000);  // n below 1 counts as the first
}

TEST(RetryDelayTest, CappedAtTenMinutes) {
  TaskSpec spec;
  spec.backoff_ms = 1000;
  EXPECT_EQ(RetryDelayMs(spec, 10, 1.0), 512000);
  EXPECT_EQ(RetryDelayMs(spec, 11, 1.0), 600000);
  EXPECT_EQ(RetryDelayMs(spec, 100, 1.0), 600000);
  EXPECT_EQ(RetryDelayMs(spec, 5000, 1.0), 600000);  // 2^4999 overflows a double: still capped
  spec.backoff_ms = 3600000;
  EXPECT_EQ(RetryDelayMs(spec, 1, 1.0), 600000);
}

TEST(RetryDelayTest, JitterScales) {
  TaskSpec spec;
  spec.backoff_ms = 1000;
  EXPECT_EQ(RetryDelayMs(spec, 2, 0.8), 1600);
  EXPECT_EQ(RetryDelayMs(spec, 2, 1.2), 2400);
  spec.backoff_ms = 0;
  EXPECT_EQ(RetryDelayMs(spec, 7, 1.2), 0);
}

}  // namespace
}  // namespace skiff

namespace skiff {
namespace {

TEST(ParseNotifySpecTest, WebhookAndEmailAreKeptNormalised) {
  auto sub = ParseJobSubmission(
      Body(R"({"argv":["true"],"notify":{"webhook":"https://hooks.example.com/x?a=1","email":true}})"));
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  EXPECT_EQ(sub->notify["webhook"], "https://hooks.example.com/x?a=1");
  EXPECT_EQ(sub->notify["email"], true);
  auto none = ParseJobSubmission(Body(R"({"argv":["true"]})"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->notify.is_null());
  Job job = NewJob(std::move(sub).value(), "job_1", "acme", "u", 1000);
  auto back = JobFromDocument(JobToDocument(job));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->notify, job.notify);
  EXPECT_FALSE(back->unknown.contains("notify"));
}

TEST(ParseNotifySpecTest, ErrorsNameTheField) {
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":true})")), StartsWith("notify: "));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"webhook":"file:///etc/passwd"}})")),
              StartsWith("notify.webhook: "));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"webhook":"http://a b"}})")),
              StartsWith("notify.webhook: "));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"webhook":"https:///path"}})")),
              StartsWith("notify.webhook: "));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"email":1}})")),
              StartsWith("notify.email: "));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"slack":"x"}})")),
              HasSubstr("notify.slack"));
  EXPECT_THAT(ErrorOf(Body(R"({"argv":["true"],"notify":{"email":false}})")),
              StartsWith("notify: set webhook"));
}

}  // namespace
}  // namespace skiff

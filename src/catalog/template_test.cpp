// The template document: strict parsing at publish time (errors name the field), the tolerant
// reader for stored documents, and template references.
#include "catalog/template.h"

#include <gtest/gtest.h>

namespace skiff::catalog {
namespace {

Json Good() {
  return Json::parse(R"({
    "name": "thumbs", "title": "Thumbnails", "description": "one frame per item",
    "visibility": "public",
    "params": [{"name": "width", "type": "int", "default": 160, "min": 16, "max": 4096},
               {"name": "src", "type": "string", "required": true}],
    "task": {"argv": ["thumb", "--width={{width}}", "{{src}}", "{{job}}-{{task}}-{{index}}"],
             "env": {"W": "{{width}}"}, "timeout_s": 30, "max_attempts": 2, "items": 3}
  })");
}

std::string Error(const Json& doc) {
  auto t = ParseTemplate(doc);
  EXPECT_FALSE(t.ok()) << doc.dump();
  return t.ok() ? "" : t.status().message();
}

TEST(TemplateTest, ParsesAndFillsDefaults) {
  auto t = ParseTemplate(Good());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->name, "thumbs");
  EXPECT_EQ(t->visibility, "public");
  EXPECT_EQ(t->params.size(), 2u);
  EXPECT_EQ(t->task["items"], 3);
  EXPECT_EQ(t->task["max_attempts"], 2);
  EXPECT_EQ(t->task["backoff_ms"], 1000);  // the job spec's default
  Json no_title = Good();
  no_title.erase("title");
  no_title.erase("visibility");
  auto d = ParseTemplate(no_title);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->title, "thumbs");
  EXPECT_EQ(d->visibility, "team");  // private unless said otherwise
}

TEST(TemplateTest, ErrorsNameTheField) {
  auto with = [](const char* field, Json value) {
    Json d = Good();
    d[field] = std::move(value);
    return d;
  };
  EXPECT_EQ(Error(with("name", "Thumbs")).substr(0, 34), "name: \"Thumbs\" is not a template n");
  EXPECT_EQ(Error(with("name", "assets")).substr(0, 34), "name: \"assets\" is not a template n");
  EXPECT_EQ(Error(with("visibility", "everyone")), "visibility: expected public or team");
  EXPECT_EQ(Error(with("colour", "red")), "colour: unknown field");
  EXPECT_EQ(Error(with("schema", 2)), "schema: must be between 1 and 1");
  EXPECT_EQ(Error(with("params", Json::parse(R"([{"name": "w"}])"))), "params[0].type: required");
  Json no_task = Good();
  no_task.erase("task");
  EXPECT_EQ(Error(no_task), "task: required");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": []})"))), "task.argv: must not be empty");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x"], "max_attempts": 0})"))),
            "task.max_attempts: must be between 1 and 100");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x"], "params": {}})"))),
            "task.params: unknown field");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x", "--w={{widht}}"]})"))),
            "task.argv[1]: unknown placeholder {{widht}}");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x"], "env": {"A": "{{nope"}})"))),
            "task.env.A: unterminated placeholder '{{' in \"{{nope\"");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x"], "items": [{"width": 8}]})"))),
            "task.items[0].width: 8 is below the minimum 16 (rule min)");
  EXPECT_EQ(Error(with("task", Json::parse(R"({"argv": ["x"], "items": [{"w": 8}]})"))),
            "task.items[0].w: not a parameter of this template (rule unknown)");
  EXPECT_EQ(Error(with("assets", Json::parse(R"([{"name": "a.mp4", "sha256": "00",
                                                   "content_type": "video/mp4"}])"))),
            "assets[0].sha256: expected 64 lower-case hex digits (the upload's answer)");
  std::string hex(64, 'a');
  EXPECT_EQ(Error(with("assets", Json::array({{{"name", ".x"}, {"sha256", hex},
                                               {"content_type", "video/mp4"}}}))),
            "assets[0].name: expected 1 to 100 of A-Z a-z 0-9 . _ -, not starting with '.'");
  EXPECT_EQ(Error(with("assets", Json::array({{{"name", "x"}, {"sha256", hex},
                                               {"content_type", "video"}}}))),
            "assets[0].content_type: expected a media type such as video/mp4");
  EXPECT_EQ(Error(with("assets", Json::array({{{"name", "x"}, {"sha256", hex},
                                               {"content_type", "a/b"}},
                                              {{"name", "x"}, {"sha256", hex},
                                               {"content_type", "a/b"}}}))),
            "assets[1].name: \"x\" appears twice");
  EXPECT_EQ(Error(Json::array()), "template: expected an object");
}

TEST(TemplateTest, StoredDocumentRoundTripsAndKeepsUnknownFields) {
  auto t = ParseTemplate(Good());
  ASSERT_TRUE(t.ok());
  t->version = 4;
  t->team = "media";
  t->published_ms = 1790000000123;
  t->published_by = "abc";
  Json doc = TemplateToDocument(*t);
  doc["added_later"] = {{"x", 1}};
  auto back = TemplateFromDocument(doc);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->version, 4);
  EXPECT_EQ(back->published_ms, 1790000000123);
  EXPECT_EQ(TemplateToDocument(*back), doc);
  // A fetched document can be published again: server-assigned fields are ignored...
  auto again = ParseTemplate(TemplateToDocument(*t));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->version, 0);
  // ...but a field no version knows is still an error on input.
  EXPECT_EQ(Error(doc), "added_later: unknown field");
}

TEST(TemplateTest, References) {
  std::string name;
  int version = -1;
  ASSERT_TRUE(ParseTemplateRef("video-preview", "template", &name, &version).ok());
  EXPECT_EQ(name, "video-preview");
  EXPECT_EQ(version, 0);
  ASSERT_TRUE(ParseTemplateRef("video-preview@12", "template", &name, &version).ok());
  EXPECT_EQ(version, 12);
  for (const char* bad : {"", "@3", "x@", "x@0", "x@03", "x@-1", "x@1.5", "X", "x@1234567890"}) {
    Status st = ParseTemplateRef(bad, "template", &name, &version);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(st.message().rfind("template: ", 0), 0u) << st.message();
  }
}

}  // namespace
}  // namespace skiff::catalog

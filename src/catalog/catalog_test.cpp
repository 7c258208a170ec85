// Catalog on a store: publish and read versions, visibility between teams, ownership of a name,
// assets, and job submissions built from a template (params checked, defaults filled, the task
// rendered by core's renderer).
#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "core/job.h"
#include "store/memory/memory_store.h"

namespace skiff::catalog {
namespace {

const Viewer kMedia{"media", "u-media", false};
const Viewer kOther{"other", "u-other", false};
const Viewer kAdmin{"default", "u-admin", true};

Json Doc(const std::string& name, const std::string& visibility, const std::string& title = "") {
  Json d = Json::parse(R"({
    "params": [{"name": "height", "type": "int", "default": 240, "min": 16, "max": 2160},
               {"name": "input", "type": "string", "required": true, "pattern": "/.+"},
               {"name": "mode", "type": "enum", "values": ["fast", "slow"], "default": "fast"}],
    "task": {"argv": ["enc", "{{input}}", "-h", "{{height}}", "{{job}}/{{task}}"],
             "env": {"MODE": "{{mode}}"}, "items": 2}})");
  d["name"] = name;
  d["visibility"] = visibility;
  if (!title.empty()) d["title"] = title;
  return d;
}

class CatalogTest : public ::testing::Test {
 protected:
  store::MemoryStore store_;
  Catalog catalog_{&store_, SystemClock()};
};

TEST_F(CatalogTest, PublishWritesAVersionDocumentThenMovesHead) {
  auto empty = catalog_.List(kMedia);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)["templates"].size(), 0u);

  auto v1 = catalog_.Publish(Doc("enc", "public", "Encoder"), kMedia);
  ASSERT_TRUE(v1.ok()) << v1.status().message();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->team, "media");
  EXPECT_EQ(v1->published_by, "u-media");
  auto v2 = catalog_.Publish(Doc("enc", "public", "Encoder 2"), kMedia);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);

  // Immutable version documents, and a HEAD naming them.
  auto doc1 = store_.Get(VersionKey("enc", 1));
  ASSERT_TRUE(doc1.ok());
  EXPECT_EQ(Json::parse(doc1->bytes)["title"], "Encoder");
  EXPECT_EQ(store_.Put(VersionKey("enc", 1), "x", store::Precondition::IfAbsent()).status().code(),
            Code::kFailedPrecondition);
  auto head = catalog_.ReadHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 2u);
  EXPECT_EQ(head->templates.at("enc").version, 2);
  EXPECT_EQ(head->templates.at("enc").versions, (std::vector<int>{1, 2}));
  EXPECT_EQ(head->templates.at("enc").title, "Encoder 2");

  auto current = catalog_.Get("enc", 0, kOther);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2);
  auto old = catalog_.Get("enc", 1, kOther);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->title, "Encoder");
  auto missing = catalog_.Get("enc", 3, kOther);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "template enc has no version 3");
  EXPECT_EQ(catalog_.Get("nope", 0, kOther).status().message(), "no template nope");
}

TEST_F(CatalogTest, TeamTemplatesAreVisibleOnlyToTheirTeam) {
  ASSERT_TRUE(catalog_.Publish(Doc("pub", "public"), kMedia).ok());
  ASSERT_TRUE(catalog_.Publish(Doc("priv", "team"), kMedia).ok());
  auto names = [&](const Viewer& who) {
    std::vector<std::string> out;
    auto list = catalog_.List(who);
    EXPECT_TRUE(list.ok());
    for (const Json& t : (*list)["templates"]) out.push_back(t["name"]);
    return out;
  };
  EXPECT_EQ(names(kMedia), (std::vector<std::string>{"priv", "pub"}));
  EXPECT_EQ(names(kOther), (std::vector<std::string>{"pub"}));
  EXPECT_EQ(names(kAdmin), (std::vector<std::string>{"priv", "pub"}));
  EXPECT_EQ(catalog_.Get("priv", 0, kOther).status().code(), Code::kNotFound);
  EXPECT_EQ(catalog_.Get("priv", 1, kOther).status().code(), Code::kNotFound);
  EXPECT_TRUE(catalog_.Get("priv", 0, kAdmin).ok());
  auto sub = catalog_.BuildSubmission(Json::parse(R"({"template": "priv",
                                                      "params": {"input": "/a"}})"), kOther);
  EXPECT_EQ(sub.status().code(), Code::kNotFound);
}

TEST_F(CatalogTest, OnlyTheOwnerTeamPublishesANewVersion) {
  ASSERT_TRUE(catalog_.Publish(Doc("enc", "public"), kMedia).ok());
  auto theirs = catalog_.Publish(Doc("enc", "public"), kOther);
  EXPECT_EQ(theirs.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(theirs.status().message(),
            "template enc belongs to another team; only its team may publish new versions");
  Json for_media = Doc("fresh", "public");
  for_media["team"] = "media";
  auto elsewhere = catalog_.Publish(for_media, kOther);
  EXPECT_EQ(elsewhere.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(elsewhere.status().message(),
            "team: you may publish templates only for your team other");
  // An admin publishes for any team, but does not move a name to another team.
  auto by_admin = catalog_.Publish(for_media, kAdmin);
  ASSERT_TRUE(by_admin.ok()) << by_admin.status().message();
  EXPECT_EQ(by_admin->team, "media");
  Json move = Doc("enc", "public");
  move["team"] = "other";
  EXPECT_EQ(catalog_.Publish(move, kAdmin).status().code(), Code::kFailedPrecondition);
  auto head = catalog_.ReadHead();
  EXPECT_EQ(head->templates.at("enc").versions.size(), 1u);  // nothing half-written
  EXPECT_EQ(head->seq, 2u);
}

TEST_F(CatalogTest, InvalidDocumentWritesNothing) {
  Json bad = Doc("enc", "public");
  bad["task"]["argv"][1] = "{{inptu}}";
  auto r = catalog_.Publish(bad, kMedia);
  EXPECT_EQ(r.status().message(), "task.argv[1]: unknown placeholder {{inptu}}");
  auto keys = store_.List({"catalog/", "", 100});
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->keys.empty());
}

TEST_F(CatalogTest, AVersionNumberHeadDoesNotNameIsSkippedAndNeverServed) {
  ASSERT_TRUE(catalog_.Publish(Doc("enc", "public"), kMedia).ok());
  // A publish that wrote version 2 and crashed before moving HEAD.
  ASSERT_TRUE(store_.Put(VersionKey("enc", 2), "{\"orphan\": true}").ok());
  EXPECT_EQ(catalog_.Get("enc", 2, kMedia).status().code(), Code::kNotFound);
  auto next = catalog_.Publish(Doc("enc", "public"), kMedia);
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->version, 3);
  EXPECT_EQ(catalog_.ReadHead()->templates.at("enc").versions, (std::vector<int>{1, 3}));
  EXPECT_EQ(catalog_.Get("enc", 2, kMedia).status().code(), Code::kNotFound);
}

TEST_F(CatalogTest, ADamagedHeadIsAnInternalErrorNotTheCallers) {
  ASSERT_TRUE(catalog_.Publish(Doc("enc", "public"), kMedia).ok());
  ASSERT_TRUE(store_.Put(std::string(kHeadKey), "{\"templates\": 3}").ok());
  auto list = catalog_.List(kMedia);
  EXPECT_EQ(list.status().code(), Code::kInternal);
  EXPECT_EQ(list.status().message().rfind("catalog/HEAD.json: ", 0), 0u) << list.status().message();
  EXPECT_EQ(catalog_.Publish(Doc("enc", "public"), kMedia).status().code(), Code::kInternal);
}

TEST_F(CatalogTest, AssetsAreContentAddressedAndServedWithTheirType) {
  const std::string bytes("\x00\x01sample video bytes", 20);
  auto up = catalog_.PutAsset(bytes);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ((*up)["sha256"], Sha256Hex(bytes));
  EXPECT_EQ((*up)["size"], bytes.size());
  EXPECT_TRUE(catalog_.PutAsset(bytes).ok());  // idempotent
  EXPECT_EQ(catalog_.PutAsset("").status().code(), Code::kInvalidArgument);
  Catalog small(&store_, SystemClock(), {.max_asset_bytes = 4});
  EXPECT_EQ(small.PutAsset("12345").status().code(), Code::kResourceExhausted);

  Json d = Doc("enc", "team");
  d["assets"] = Json::array({{{"name", "sample.mp4"}, {"sha256", Sha256Hex(bytes)},
                              {"content_type", "video/mp4"}}});
  auto t = catalog_.Publish(d, kMedia);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->assets[0].size, static_cast<int64_t>(bytes.size()));
  auto blob = catalog_.GetAsset("enc", 0, "sample.mp4", kMedia);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->bytes, bytes);
  EXPECT_EQ(blob->content_type, "video/mp4");
  EXPECT_EQ(catalog_.GetAsset("enc", 0, "sample.mp4", kOther).status().code(), Code::kNotFound);
  EXPECT_EQ(catalog_.GetAsset("enc", 0, "other.mp4", kMedia).status().message(),
            "template enc@1 has no asset other.mp4");

  d["assets"][0]["sha256"] = std::string(64, 'e');
  auto missing = catalog_.Publish(d, kMedia);
  EXPECT_EQ(missing.status().message(),
            "assets[0].sha256: no asset with this hash was uploaded (POST /v1/catalog/assets)");
}

TEST_F(CatalogTest, SubmissionFromATemplateRendersLikeAnyJob) {
  ASSERT_TRUE(catalog_.Publish(Doc("enc", "public"), kMedia).ok());
  auto sub = catalog_.BuildSubmission(
      Json::parse(R"({"template": "enc", "params": {"input": "/v/a.mp4", "mode": "slow"}})"),
      kOther);
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  EXPECT_EQ(sub->template_ref, "enc@1");
  EXPECT_EQ(sub->name, "enc");
  EXPECT_EQ(sub->item_count, 2u);  // the template's items
  EXPECT_EQ(sub->params, Json::parse(R"({"input": "/v/a.mp4", "height": 240, "mode": "slow"})"));
  Job job = NewJob(std::move(sub).value(), "job_1", "other", "u-other", 1000);
  EXPECT_EQ(job.template_ref, "enc@1");
  EXPECT_EQ(JobToDocument(job)["template"], "enc@1");
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  ASSERT_TRUE(RenderTask(job, 1, 1, &argv, &env).ok());
  EXPECT_EQ(argv, (std::vector<std::string>{"enc", "/v/a.mp4", "-h", "240", "job_1/" + TaskId(1, 2)}));
  EXPECT_EQ(env["MODE"], "slow");
  auto back = JobFromDocument(JobToDocument(job));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->template_ref, "enc@1");

  // Items are parameters too: each is checked, and a required parameter may come from them.
  auto items = catalog_.BuildSubmission(Json::parse(R"({"template": "enc@1", "items": [
      {"input": "/v/1.mp4"}, {"input": "/v/2.mp4", "height": 720}]})"), kOther);
  ASSERT_TRUE(items.ok()) << items.status().message();
  Job j2 = NewJob(std::move(items).value(), "job_2", "other", "u-other", 1000);
  ASSERT_TRUE(RenderTask(j2, 1, 1, &argv, &env).ok());
  EXPECT_EQ(argv[1], "/v/2.mp4");
  EXPECT_EQ(argv[3], "720");
  // A parameter value is inserted as it is, never rendered again.
  auto literal = catalog_.BuildSubmission(
      Json::parse(R"({"template": "enc", "params": {"input": "/{{job}}"}, "items": 1})"), kOther);
  ASSERT_TRUE(literal.ok());
  Job j3 = NewJob(std::move(literal).value(), "job_3", "other", "u-other", 1000);
  ASSERT_TRUE(RenderTask(j3, 0, 1, &argv, &env).ok());
  EXPECT_EQ(argv[1], "/{{job}}");
}

TEST_F(CatalogTest, SubmissionErrorsNameTheParameterAndTheRule) {
  ASSERT_TRUE(catalog_.Publish(Doc("enc", "public"), kMedia).ok());
  auto err = [&](const char* body) {
    auto r = catalog_.BuildSubmission(Json::parse(body), kOther);
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? "" : r.status().message();
  };
  EXPECT_EQ(err(R"({"template": "enc"})"), "params.input: missing (rule required)");
  EXPECT_EQ(err(R"({"template": "enc", "params": {"input": "/a", "height": 9999}})"),
            "params.height: 9999 is above the maximum 2160 (rule max)");
  EXPECT_EQ(err(R"({"template": "enc", "params": {"input": "relative"}})"),
            "params.input: \"relative\" does not match /.+ (rule pattern)");
  EXPECT_EQ(err(R"({"template": "enc", "params": {"input": "/a", "mode": "x"}})"),
            "params.mode: \"x\" is not one of fast, slow (rule enum)");
  EXPECT_EQ(err(R"({"template": "enc", "items": [{"input": "/a"}, {"height": 20}]})"),
            "params.input: missing (rule required)");
  EXPECT_EQ(err(R"({"template": "enc", "items": [{"input": "/a", "colour": 1}]})"),
            "items[0].colour: not a parameter of this template (rule unknown)");
  EXPECT_EQ(err(R"({"template": "enc", "params": {"input": "/a"}, "argv": ["x"]})"),
            "argv: unknown field (a job from a template takes template, params, items, name and "
            "correlation_id)");
  EXPECT_EQ(err(R"({"template": "enc@7", "params": {"input": "/a"}})"),
            "template enc has no version 7");
  EXPECT_EQ(err(R"({"template": "Enc"})"),
            "template: \"Enc\" is not a template name or name@version");
  EXPECT_EQ(err(R"({"template": "enc", "params": {"input": "/a"}, "items": 0})"),
            "items: must be at least 1");
}

}  // namespace
}  // namespace skiff::catalog

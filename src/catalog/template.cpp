#include "catalog/template.h"

#include <climits>
#include <map>
#include <set>

#include "core/job_spec.h"
#include "core/time.h"

namespace skiff::catalog {
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool ValidAssetName(const std::string& s) {
  if (s.empty() || s.size() > 100 || s[0] == '.') return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool ValidContentType(const std::string& s) {
  if (s.empty() || s.size() > 100 || s.find('/') == std::string::npos) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The task spec: the fields of a job submission's spec plus its items, checked by the job
// submission parser itself, and every placeholder checked against the parameters.
Result<Json> ParseTask(const Json& task, const std::vector<ParamSpec>& params) {
  if (!task.is_object()) return InvalidArgument("task: expected an object");
  static const std::set<std::string> kFields = {"argv",       "env",   "timeout_s", "max_attempts",
                                                "backoff_ms", "items"};
  for (auto it = task.begin(); it != task.end(); ++it) {
    if (!kFields.count(it.key())) return InvalidArgument("task." + it.key() + ": unknown field");
  }
  auto sub = ParseJobSubmission(task);
  if (!sub.ok()) return Status(sub.status().code(), "task." + sub.status().message());
  Json out = {{"argv", sub->spec.argv},
              {"env", sub->spec.env},
              {"timeout_s", sub->spec.timeout_s},
              {"max_attempts", sub->spec.max_attempts},
              {"backoff_ms", sub->spec.backoff_ms}};
  if (sub->items.is_array()) {
    for (size_t i = 0; i < sub->items.size(); ++i) {
      auto item = ResolveParams(params, sub->items[i], "task.items[" + std::to_string(i) + "]",
                                /*fill=*/false);
      if (!item.ok()) return item.status();
    }
    out["items"] = sub->items;
  } else {
    out["items"] = sub->item_count;
  }
  // Every placeholder must name a parameter or a built-in: render with sample values.
  Json sample = Json::object();
  for (const ParamSpec& p : params) sample[p.name] = SampleValue(p);
  const std::map<std::string, std::string> builtins = {
      {"job", "job"}, {"task", "t-0"}, {"index", "0"}};
  const Json no_item = Json::object();
  for (size_t i = 0; i < sub->spec.argv.size(); ++i) {
    auto r = RenderTemplate(sub->spec.argv[i], no_item, sample, builtins);
    if (!r.ok()) {
      return InvalidArgument("task.argv[" + std::to_string(i) + "]: " + r.status().message());
    }
  }
  for (const auto& [k, v] : sub->spec.env) {
    auto r = RenderTemplate(v, no_item, sample, builtins);
    if (!r.ok()) return InvalidArgument("task.env." + k + ": " + r.status().message());
  }
  return out;
}

Result<std::vector<Asset>> ParseAssets(const Json& assets, bool stored) {
  if (!assets.is_array()) return InvalidArgument("assets: expected an array");
  if (assets.size() > kMaxAssets) {
    return InvalidArgument("assets: more than " + std::to_string(kMaxAssets) + " assets");
  }
  std::vector<Asset> out;
  std::set<std::string> names;
  for (size_t i = 0; i < assets.size(); ++i) {
    const std::string at = "assets[" + std::to_string(i) + "]";
    ObjectReader r(assets[i], at);
    if (r.failed()) return r.Done();
    Asset a;
    a.name = r.String("name", 100).value_or("");
    a.sha256 = r.String("sha256", 64).value_or("");
    a.content_type = r.String("content_type", 100).value_or("");
    auto size = r.Int("size", 0, INT64_MAX);
    RETURN_IF_ERROR(r.Done());
    if (!ValidAssetName(a.name)) {
      return InvalidArgument(at + ".name: expected 1 to 100 of A-Z a-z 0-9 . _ -, not starting "
                                  "with '.'");
    }
    if (!names.insert(a.name).second) {
      return InvalidArgument(at + ".name: \"" + a.name + "\" appears twice");
    }
    if (!IsHex64(a.sha256)) {
      return InvalidArgument(at + ".sha256: expected 64 lower-case hex digits (the upload's "
                                  "answer)");
    }
    if (!ValidContentType(a.content_type)) {
      return InvalidArgument(at + ".content_type: expected a media type such as video/mp4");
    }
    if (stored && size) a.size = *size;
    out.push_back(std::move(a));
  }
  return out;
}

Result<Template> Parse(const Json& doc, bool stored) {
  if (!doc.is_object()) return InvalidArgument("template: expected an object");
  ObjectReader r(doc, "");
  Template t;
  auto schema = r.Int("schema", 1, Template::kSchema);
  (void)schema;
  t.name = r.String("name", 63).value_or("");
  auto version = r.Int("version", 1, INT_MAX);
  t.title = r.String("title", 200).value_or("");
  t.description = r.String("description", 10000).value_or("");
  t.team = r.String("team", 63).value_or("");
  t.visibility = r.String("visibility", 10).value_or("team");
  const Json* params = r.Field("params");
  const Json* task = r.Field("task");
  const Json* assets = r.Field("assets");
  auto published_at = r.String("published_at", 40);
  auto published_by = r.String("published_by", 200);
  if (r.failed()) return r.Done();
  if (stored) {
    static const std::set<std::string> kKnown = {
        "schema", "name",   "version", "title",        "description", "team",
        "visibility", "params", "task", "assets", "published_at", "published_by"};
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (!kKnown.count(it.key())) t.unknown[it.key()] = *it;
    }
  } else {
    RETURN_IF_ERROR(r.Done());
  }
  if (t.name.empty()) return InvalidArgument("name: required");
  if (!ValidTemplateName(t.name)) {
    return InvalidArgument("name: \"" + t.name + "\" is not a template name (1 to 63 of a-z, 0-9 "
                           "and -, starting with a letter or digit; not \"assets\")");
  }
  if (t.title.empty()) t.title = t.name;
  if (t.visibility != "public" && t.visibility != "team") {
    return InvalidArgument("visibility: expected public or team");
  }
  if (params != nullptr) {
    ASSIGN_OR_RETURN(t.params, ParseParamSchema(*params, "params"));
  }
  if (task == nullptr) return InvalidArgument("task: required");
  ASSIGN_OR_RETURN(t.task, ParseTask(*task, t.params));
  if (assets != nullptr) {
    ASSIGN_OR_RETURN(t.assets, ParseAssets(*assets, stored));
  }
  if (stored) {
    if (!version) return InvalidArgument("version: missing");
    t.version = static_cast<int>(*version);
    if (published_at) {
      auto ms = ParseTime(*published_at);
      if (!ms) return InvalidArgument("published_at: expected an ISO-8601 UTC time");
      t.published_ms = *ms;
    }
    t.published_by = published_by.value_or("");
  }
  return t;
}

}  // namespace

bool ValidTemplateName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name == "assets") return false;
  if (name[0] == '-') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<Template> ParseTemplate(const Json& doc) { return Parse(doc, false); }

Result<Template> TemplateFromDocument(const Json& doc) { return Parse(doc, true); }

Json TemplateToDocument(const Template& t) {
  Json doc = t.unknown.is_object() ? t.unknown : Json::object();
  doc["schema"] = Template::kSchema;
  doc["name"] = t.name;
  doc["version"] = t.version;
  doc["title"] = t.title;
  doc["description"] = t.description;
  doc["team"] = t.team;
  doc["visibility"] = t.visibility;
  doc["params"] = ParamSchemaToJson(t.params);
  doc["task"] = t.task;
  Json assets = Json::array();
  for (const Asset& a : t.assets) {
    assets.push_back({{"name", a.name}, {"sha256", a.sha256}, {"content_type", a.content_type},
                      {"size", a.size}});
  }
  doc["assets"] = std::move(assets);
  doc["published_at"] = t.published_ms > 0 ? Json(FormatTime(t.published_ms)) : Json(nullptr);
  doc["published_by"] = t.published_by;
  return doc;
}

Status ParseTemplateRef(const std::string& ref, const std::string& field, std::string* name,
                        int* version) {
  size_t at = ref.find('@');
  *name = ref.substr(0, at);
  *version = 0;
  if (!ValidTemplateName(*name)) {
    return InvalidArgument(field + ": \"" + ref + "\" is not a template name or name@version");
  }
  if (at != std::string::npos) {
    std::string v = ref.substr(at + 1);
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos ||
        v[0] == '0') {
      return InvalidArgument(field + ": the version after @ must be a positive integer");
    }
    *version = std::stoi(v);
  }
  return OkStatus();
}

}  // namespace skiff::catalog

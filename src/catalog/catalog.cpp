#include "catalog/catalog.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "core/ids.h"

namespace skiff::catalog {
namespace {

// A short random pause before retrying a HEAD that another publisher moved first.
void Backoff(int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  int cap_us = std::min(50 * (attempt + 1), 5000);
  std::uniform_int_distribution<int> d(0, cap_us);
  std::this_thread::sleep_for(std::chrono::microseconds(d(rng)));
}

Json EntryToJson(const std::string& name, const HeadEntry& e) {
  return {{"name", name},
          {"version", e.version},
          {"versions", e.versions},
          {"team", e.team},
          {"visibility", e.visibility},
          {"title", e.title},
          {"description", e.description},
          {"updated_at", FormatTime(e.updated_ms)}};
}

}  // namespace

std::string VersionKey(const std::string& name, int version) {
  return "catalog/templates/" + name + "/" + std::to_string(version) + ".json";
}

std::string AssetKey(const std::string& sha256) { return "catalog/assets/sha256/" + sha256; }

Json HeadToDocument(const Head& head) {
  Json templates = Json::object();
  for (const auto& [name, e] : head.templates) {
    Json j = EntryToJson(name, e);
    j.erase("name");
    templates[name] = std::move(j);
  }
  return {{"schema", Head::kSchema},
          {"seq", head.seq},
          {"updated_at", FormatTime(head.updated_ms)},
          {"templates", std::move(templates)}};
}

Result<Head> HeadFromDocument(const Json& doc) {
  if (!doc.is_object()) return InvalidArgument("expected an object");
  Head head;
  try {
    head.seq = doc.value("seq", uint64_t{0});
    head.updated_ms = ParseTime(doc.value("updated_at", "")).value_or(0);
    const Json& templates = doc.at("templates");
    if (!templates.is_object()) return InvalidArgument("templates: expected an object");
    for (auto it = templates.begin(); it != templates.end(); ++it) {
      HeadEntry e;
      e.version = it->at("version").get<int>();
      e.versions = it->at("versions").get<std::vector<int>>();
      e.team = it->at("team").get<std::string>();
      e.visibility = it->at("visibility").get<std::string>();
      e.title = it->value("title", "");
      e.description = it->value("description", "");
      e.updated_ms = ParseTime(it->value("updated_at", "")).value_or(0);
      if (e.versions.empty() || e.versions.back() != e.version) {
        return InvalidArgument("templates." + it.key() +
                               ": version is not the last of versions");
      }
      head.templates[it.key()] = std::move(e);
    }
  } catch (const Json::exception& ex) {
    return InvalidArgument(ex.what());
  }
  return head;
}

Catalog::Catalog(store::ObjectStore* store, Clock* clock, CatalogOptions opts)
    : store_(store), clock_(clock), opts_(opts) {}

bool Catalog::Visible(const HeadEntry& e, const Viewer& who) {
  return e.visibility == "public" || who.admin || e.team == who.team;
}

Result<const HeadEntry*> Catalog::Find(const Head& head, const std::string& name,
                                       const Viewer& who) {
  auto it = head.templates.find(name);
  if (it == head.templates.end() || !Visible(it->second, who)) {
    return NotFound("no template " + name);
  }
  return &it->second;
}

Result<Head> Catalog::ReadHead() {
  auto obj = store_->Get(kHeadKey);
  if (!obj.ok()) {
    if (obj.status().code() == Code::kNotFound) return Head{};
    return obj.status();
  }
  // A damaged HEAD is the server's fault, not the caller's: Internal, never a 400.
  auto doc = ParseJson(obj->bytes);
  if (!doc.ok()) return Internal(std::string(kHeadKey) + ": " + doc.status().message());
  auto head = HeadFromDocument(*doc);
  if (!head.ok()) return Internal(std::string(kHeadKey) + ": " + head.status().message());
  head->etag = obj->etag;
  return head;
}

Result<Json> Catalog::List(const Viewer& who) {
  ASSIGN_OR_RETURN(Head head, ReadHead());
  Json list = Json::array();
  for (const auto& [name, e] : head.templates) {  // std::map: sorted by name
    if (Visible(e, who)) list.push_back(EntryToJson(name, e));
  }
  return Json{{"seq", head.seq}, {"templates", std::move(list)}};
}

Result<Template> Catalog::Get(const std::string& name, int version, const Viewer& who) {
  ASSIGN_OR_RETURN(Head head, ReadHead());
  ASSIGN_OR_RETURN(const HeadEntry* e, Find(head, name, who));
  int v = version > 0 ? version : e->version;
  if (!std::binary_search(e->versions.begin(), e->versions.end(), v)) {
    return NotFound("template " + name + " has no version " + std::to_string(v));
  }
  auto obj = store_->Get(VersionKey(name, v));
  if (!obj.ok()) {
    if (obj.status().code() == Code::kNotFound) {
      return Internal("catalog HEAD names " + name + "@" + std::to_string(v) +
                      " but its document is missing");
    }
    return obj.status();
  }
  auto doc = ParseJson(obj->bytes);
  if (!doc.ok()) return Internal(VersionKey(name, v) + ": " + doc.status().message());
  auto t = TemplateFromDocument(*doc);
  if (!t.ok()) return Internal(VersionKey(name, v) + ": " + t.status().message());
  return t;
}

Result<Template> Catalog::Publish(const Json& body, const Viewer& who) {
  ASSIGN_OR_RETURN(Template t, ParseTemplate(body));
  const std::string team = t.team.empty() ? who.team : t.team;
  if (team.empty()) return InvalidArgument("team: required");
  if (!who.admin && team != who.team) {
    return PermissionDenied("team: you may publish templates only for your team " + who.team);
  }
  t.team = team;
  t.published_by = who.user_id;
  for (size_t i = 0; i < t.assets.size(); ++i) {
    auto blob = store_->Get(AssetKey(t.assets[i].sha256));
    if (!blob.ok()) {
      if (blob.status().code() == Code::kNotFound) {
        return InvalidArgument("assets[" + std::to_string(i) + "].sha256: no asset with this "
                               "hash was uploaded (POST /v1/catalog/assets)");
      }
      return blob.status();
    }
    t.assets[i].size = static_cast<int64_t>(blob->bytes.size());
  }

  int written = 0;  // the version number of the document this call wrote, 0 before
  for (int attempt = 0; attempt < opts_.max_publish_attempts; ++attempt) {
    if (attempt > 0) Backoff(attempt);
    ASSIGN_OR_RETURN(Head head, ReadHead());
    auto it = head.templates.find(t.name);
    if (it != head.templates.end() && it->second.team != team) {
      if (!who.admin) {
        return PermissionDenied("template " + t.name + " belongs to another team; only its "
                                "team may publish new versions");
      }
      return FailedPrecondition("team: template " + t.name + " belongs to team " +
                                it->second.team);
    }
    const int latest = it == head.templates.end() ? 0 : it->second.versions.back();
    if (written <= latest) {
      // Write a new immutable document after the latest published version. A number already
      // taken belongs to a publish HEAD does not name (in flight, lost or crashed): skip it.
      for (int v = latest + 1; v <= latest + 1000; ++v) {
        t.version = v;
        t.published_ms = clock_->NowMs();
        auto put = store_->Put(VersionKey(t.name, v), DumpJson(TemplateToDocument(t), 2),
                               store::Precondition::IfAbsent());
        if (put.ok()) {
          written = v;
          break;
        }
        if (put.status().code() != Code::kFailedPrecondition) return put.status();
      }
      if (written <= latest) return Unavailable("catalog: no free version number for " + t.name);
    }
    Head next = head;
    HeadEntry& e = next.templates[t.name];
    e.version = written;
    e.versions.push_back(written);
    e.team = team;
    e.visibility = t.visibility;
    e.title = t.title;
    e.description = t.description;
    e.updated_ms = t.published_ms;
    next.seq = head.seq + 1;
    next.updated_ms = clock_->NowMs();
    auto pre = head.etag.empty() ? store::Precondition::IfAbsent()
                                 : store::Precondition::IfMatch(head.etag);
    auto put = store_->Put(kHeadKey, DumpJson(HeadToDocument(next), 2), pre);
    if (put.ok()) return t;
    if (put.status().code() != Code::kFailedPrecondition) return put.status();
  }
  return Unavailable("catalog: HEAD kept changing; publish of " + t.name + " not done, try again");
}

Result<Json> Catalog::PutAsset(std::string_view bytes) {
  if (bytes.empty()) return InvalidArgument("asset: the body is empty");
  if (bytes.size() > opts_.max_asset_bytes) {
    return ResourceExhausted("asset: larger than " + std::to_string(opts_.max_asset_bytes) +
                             " bytes");
  }
  std::string hex = Sha256Hex(bytes);
  auto put = store_->Put(AssetKey(hex), bytes, store::Precondition::IfAbsent());
  // Already there: content-addressed, so the stored bytes are these bytes.
  if (!put.ok() && put.status().code() != Code::kFailedPrecondition) return put.status();
  return Json{{"sha256", hex}, {"size", bytes.size()}};
}

Result<AssetBlob> Catalog::GetAsset(const std::string& name, int version,
                                    const std::string& asset, const Viewer& who) {
  ASSIGN_OR_RETURN(Template t, Get(name, version, who));
  for (const Asset& a : t.assets) {
    if (a.name != asset) continue;
    ASSIGN_OR_RETURN(store::Object obj, store_->Get(AssetKey(a.sha256)));
    return AssetBlob{std::move(obj.bytes), a.content_type};
  }
  return NotFound("template " + name + "@" + std::to_string(t.version) + " has no asset " + asset);
}

Result<JobSubmission> Catalog::BuildSubmission(const Json& body, const Viewer& who) {
  ObjectReader r(body, "");
  if (r.failed()) return r.Done();
  auto ref = r.String("template", 200);
  const Json* params = r.Field("params");
  const Json* items = r.Field("items");
  auto job_name = r.String("name", 200);
  auto correlation_id = r.String("correlation_id", 128);
  if (Status st = r.Done(); !st.ok()) {
    return Status(st.code(), st.message() + " (a job from a template takes template, params, "
                                            "items, name and correlation_id)");
  }
  if (!ref) return InvalidArgument("template: required");
  std::string name;
  int version = 0;
  RETURN_IF_ERROR(ParseTemplateRef(*ref, "template", &name, &version));
  ASSIGN_OR_RETURN(Template t, Get(name, version, who));

  const Json given = params != nullptr ? *params : Json::object();
  ASSIGN_OR_RETURN(Json resolved, ResolveParams(t.params, given, "params", /*fill=*/false));
  Json job_items = items != nullptr ? *items : t.task.value("items", Json(1));
  // Defaults fill what neither params nor every item gives; a required parameter must be given.
  for (const ParamSpec& p : t.params) {
    if (resolved.contains(p.name)) continue;
    bool every_item = job_items.is_array() && !job_items.empty();
    if (every_item) {
      for (const Json& item : job_items) {
        every_item = every_item && item.is_object() && item.contains(p.name);
      }
    }
    if (every_item) continue;
    if (!p.default_value.is_null()) {
      resolved[p.name] = p.default_value;
    } else if (p.required) {
      return InvalidArgument("params." + p.name + ": missing (rule required)");
    }
  }
  if (job_items.is_array()) {
    for (size_t i = 0; i < job_items.size(); ++i) {
      auto item = ResolveParams(t.params, job_items[i], "items[" + std::to_string(i) + "]",
                                /*fill=*/false);
      if (!item.ok()) return item.status();
    }
  }
  Json sub_body = t.task;
  sub_body["items"] = job_items;
  sub_body["params"] = resolved;
  sub_body["name"] = job_name.value_or(t.name);
  if (correlation_id) sub_body["correlation_id"] = *correlation_id;
  ASSIGN_OR_RETURN(JobSubmission sub, ParseJobSubmission(sub_body));
  sub.template_ref = t.name + "@" + std::to_string(t.version);
  return sub;
}

}  // namespace skiff::catalog

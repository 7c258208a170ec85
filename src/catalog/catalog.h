// Catalog: the templates customers run jobs from, kept on the ObjectStore without a database.
//
// Storage (docs/catalog.md):
//   catalog/templates/<name>/<version>.json  one immutable document per published version
//                                           (written with IfAbsent, never changed)
//   catalog/HEAD.json                       the catalog snapshot: every template's current
//                                           version, its published versions, and what a listing
//                                           shows; replaced only with IfMatch(etag)
//   catalog/assets/sha256/<hex>             preview assets, content-addressed
// Publishing writes the version document first and then moves HEAD with a conditional put
// (retrying on FailedPrecondition), so a reader, who reads HEAD once and then only documents HEAD
// names, sees one whole catalog version: the newest or an older one, never a mix. A version
// document HEAD does not name (a publish that lost a race or crashed before moving HEAD) is never
// served; its number is skipped.
//
// The catalog keeps no cache: every call reads HEAD, so several servers may share one store.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/template.h"
#include "core/job_spec.h"
#include "core/time.h"
#include "store/object_store.h"

namespace skiff::catalog {

inline constexpr std::string_view kHeadKey = "catalog/HEAD.json";

struct CatalogOptions {
  size_t max_asset_bytes = 10u << 20;  // largest preview asset
  int max_publish_attempts = 100;      // HEAD conditional-put retries before Unavailable
};

// Who is asking: the caller's team, user id and whether they administer the platform.
struct Viewer {
  std::string team;
  std::string user_id;
  bool admin = false;
};

// One template's line in HEAD.
struct HeadEntry {
  int version = 0;            // the current version
  std::vector<int> versions;  // every published version, ascending
  std::string team;
  std::string visibility;
  std::string title;
  std::string description;
  int64_t updated_ms = 0;
};

// The catalog snapshot.
struct Head {
  static constexpr int kSchema = 1;
  uint64_t seq = 0;  // +1 per publish
  int64_t updated_ms = 0;
  std::map<std::string, HeadEntry> templates;
  std::string etag;  // "" when HEAD does not exist yet
};

Json HeadToDocument(const Head& head);
// InvalidArgument saying what is malformed.
Result<Head> HeadFromDocument(const Json& doc);

// The key of a version document.
std::string VersionKey(const std::string& name, int version);
std::string AssetKey(const std::string& sha256);

struct AssetBlob {
  std::string bytes;
  std::string content_type;
};

class Catalog {
 public:
  Catalog(store::ObjectStore* store, Clock* clock, CatalogOptions opts = {});

  // The current snapshot (empty when nothing was ever published).
  Result<Head> ReadHead();

  // The templates `who` may see (public ones and their team's; every one for an admin), from one
  // snapshot: {"seq": N, "templates": [{name, version, versions, title, description, team,
  // visibility, updated_at}, ...]} sorted by name.
  Result<Json> List(const Viewer& who);

  // The document of a template's current version, or of `version` (0: current). NotFound when the
  // template does not exist or is not visible to `who`, or has no such version.
  Result<Template> Get(const std::string& name, int version, const Viewer& who);

  // Publishes a new version of the template in `body` (the document as ParseTemplate reads it).
  // The owner team is body.team or the caller's team; the first publish of a name claims it for
  // that team. PermissionDenied when a non-admin publishes for another team or a name owned by
  // another team; FailedPrecondition when an admin would move a name to another team;
  // InvalidArgument naming the field for a bad document or an asset not uploaded; Unavailable when
  // HEAD stayed contended for every attempt. Returns the stored document.
  Result<Template> Publish(const Json& body, const Viewer& who);

  // Stores an asset's bytes under their SHA-256 (idempotent). ResourceExhausted over
  // max_asset_bytes. Returns {"sha256", "size"}.
  Result<Json> PutAsset(std::string_view bytes);

  // An asset of a template version visible to `who`, with the content type its template declares.
  Result<AssetBlob> GetAsset(const std::string& name, int version, const std::string& asset,
                             const Viewer& who);

  // A job submission from a template: body is {"template": "name" | "name@N", "params": {...},
  // "items": N | [...], "name", "correlation_id"}. Params are checked against the schema (errors
  // name the parameter and the rule) and defaults filled in; item fields are parameters too.
  // The task spec keeps its placeholders: the coordinator renders them per task as for any job.
  // NotFound when the template is not visible to `who`.
  Result<JobSubmission> BuildSubmission(const Json& body, const Viewer& who);

 private:
  static bool Visible(const HeadEntry& e, const Viewer& who);
  Result<const HeadEntry*> Find(const Head& head, const std::string& name, const Viewer& who);

  store::ObjectStore* const store_;
  Clock* const clock_;
  const CatalogOptions opts_;
};

}  // namespace skiff::catalog

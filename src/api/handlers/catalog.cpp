// /v1/catalog: list, read and publish templates; upload and download their preview assets.
#include "api/api.h"
#include "catalog/catalog.h"

namespace skiff::api {
namespace {

// ?version=N (absent: 0, the current version).
Result<int> VersionQuery(const Request& req) {
  auto it = req.query.find("version");
  if (it == req.query.end()) return 0;
  const std::string& v = it->second;
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos ||
      v[0] == '0') {
    return InvalidArgument("query parameter version: expected a positive integer");
  }
  return std::stoi(v);
}

Response List(catalog::Catalog* cat, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto list = cat->List(ViewerOf(who));
  if (!list.ok()) return Response::Error(list.status());
  return Response::Json(200, *list);
}

Response Get(catalog::Catalog* cat, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"version"}); !st.ok()) return Response::Error(st);
  auto version = VersionQuery(req);
  if (!version.ok()) return Response::Error(version.status());
  auto t = cat->Get(req.params["name"], *version, ViewerOf(who));
  if (!t.ok()) return Response::Error(t.status());
  return Response::Json(200, catalog::TemplateToDocument(*t));
}

Response Publish(catalog::Catalog* cat, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto body = ParseJson(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto t = cat->Publish(*body, ViewerOf(who));
  if (!t.ok()) return Response::Error(t.status());
  Response r = Response::Json(201, catalog::TemplateToDocument(*t));
  r.headers.emplace_back("Location",
                         "/v1/catalog/" + t->name + "?version=" + std::to_string(t->version));
  return r;
}

Response PutAsset(catalog::Catalog* cat, Request& req) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto stored = cat->PutAsset(req.body);
  if (!stored.ok()) return Response::Error(stored.status());
  return Response::Json(201, *stored);
}

Response GetAsset(catalog::Catalog* cat, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"version"}); !st.ok()) return Response::Error(st);
  auto version = VersionQuery(req);
  if (!version.ok()) return Response::Error(version.status());
  auto blob = cat->GetAsset(req.params["name"], *version, req.params["asset"], ViewerOf(who));
  if (!blob.ok()) return Response::Error(blob.status());
  Response r;
  r.status = 200;
  r.content_type = blob->content_type;
  r.body = std::move(blob->bytes);
  // Uploaded bytes are served as their template declares them, never sniffed or run as a page.
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy", "sandbox");
  return r;
}

}  // namespace

catalog::Viewer ViewerOf(const Principal& p) { return {p.team, p.user_id, p.admin()}; }

void RegisterCatalogRoutes(Router& router, catalog::Catalog* cat) {
  router.Add("GET", "/v1/catalog", Permission::kRead,
             [cat](Request& req, const Principal& who) { return List(cat, req, who); });
  router.Add("POST", "/v1/catalog", Permission::kWrite,
             [cat](Request& req, const Principal& who) { return Publish(cat, req, who); });
  router.Add("POST", "/v1/catalog/assets", Permission::kWrite,
             [cat](Request& req, const Principal&) { return PutAsset(cat, req); });
  router.Add("GET", "/v1/catalog/{name}", Permission::kRead,
             [cat](Request& req, const Principal& who) { return Get(cat, req, who); });
  router.Add("GET", "/v1/catalog/{name}/assets/{asset}", Permission::kRead,
             [cat](Request& req, const Principal& who) { return GetAsset(cat, req, who); });
}

}  // namespace skiff::api

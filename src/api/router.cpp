#include "api/router.h"

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::api {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string FormatRate(double per_second) {
  std::string s = std::to_string(per_second);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kPublic: return "public";
    case Permission::kAny: return "any";
    case Permission::kRead: return "read";
    case Permission::kWrite: return "write";
    case Permission::kOwner: return "owner";
    case Permission::kWorker: return "worker";
    case Permission::kAdmin: return "admin";
  }
  return "?";
}

coord::Caller AsCaller(const Principal& p) { return {p.team, p.user_id, p.admin()}; }

bool RoleAllows(std::string_view role, Permission p) {
  switch (p) {
    case Permission::kPublic: return true;
    case Permission::kAny: return !role.empty();
    case Permission::kOwner: return role == "admin" || role == "owner";
    case Permission::kRead:
      return role == "admin" || role == "owner" || role == "member" || role == "viewer";
    case Permission::kWrite: return role == "admin" || role == "owner" || role == "member";
    case Permission::kWorker: return role == "admin" || role == "worker";
    case Permission::kAdmin: return role == "admin";
  }
  return false;
}

void Router::Add(std::string method, std::string pattern, Permission perm, Handler handler) {
  routes_.push_back({std::move(method), pattern, Split(pattern), perm, std::move(handler)});
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, r.perm});
  return out;
}

Response Router::Handle(Request& req) {
  std::vector<std::string> segs = Split(req.path);
  const Route* match = nullptr;
  bool path_known = false;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segs[i].empty()) ok = false;
        params[p.substr(1, p.size() - 2)] = segs[i];
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    path_known = true;
    if (r.method == req.method) {
      match = &r;
      req.params = std::move(params);
      req.route = r.pattern;
      break;
    }
  }
  if (match == nullptr) {
    if (path_known) return Response::Error(405, "method_not_allowed",
                                           req.method + " is not allowed on " + req.path);
    return Response::Error(404, "not_found", "no route for " + req.path);
  }
  Principal principal;
  if (match->perm != Permission::kPublic) {
    auto who = auth_->Authenticate(req.Header("authorization"), req.remote);
    if (!who.ok()) {
      if (who.status().code() == Code::kResourceExhausted) {  // failed too often: slow down
        Response r = Response::Error(429, "resource_exhausted", who.status().message());
        r.headers.emplace_back("Retry-After", "60");
        return r;
      }
      Response r = Response::Error(who.status());
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    principal = std::move(who).value();
    req.user_id = principal.user_id;
    req.team = principal.team;
    if (limiter_ != nullptr) {
      if (int64_t wait_ms = limiter_->Take(principal.user_id); wait_ms > 0) {
        int64_t wait_s = (wait_ms + 999) / 1000;
        Response r = Response::Error(
            429, "resource_exhausted",
            "rate limit of " + FormatRate(limiter_->per_second()) +
                " requests a second for this key exceeded; retry in " + std::to_string(wait_s) +
                " s");
        r.headers.emplace_back("Retry-After", std::to_string(wait_s));
        return r;
      }
    }
    if (!RoleAllows(principal.role, match->perm)) {
      return Response::Error(403, "permission_denied",
                             "role " + principal.role + " may not " + req.method + " " + req.path);
    }
  }
  try {
    return match->handler(req, principal);
  } catch (const std::exception& e) {
    obs::Error("handler threw", {{"route", req.path}, {"error", e.what()}});
    return Response::Error(500, "internal", "internal error");
  }
}

}  // namespace skiff::api

#include "api/router.h"

#include <openssl/crypto.h>

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

}  // namespace

BootstrapKeyAuthenticator::BootstrapKeyAuthenticator(std::string key_sha256_hex)
    : key_hash_(std::move(key_sha256_hex)) {}

Result<Principal> BootstrapKeyAuthenticator::Authenticate(std::string_view authorization) {
  if (authorization.empty()) {
    return Unauthenticated("missing Authorization header (expected 'Bearer skf_...')");
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || authorization.substr(0, 7) != kBearer) {
    return Unauthenticated("malformed Authorization header (expected 'Bearer skf_...')");
  }
  std::string_view key = authorization.substr(kBearer.size());
  if (key.size() > 512) return Unauthenticated("API key too long");
  std::string hash = Sha256Hex(key);
  if (hash.size() != key_hash_.size() ||
      CRYPTO_memcmp(hash.data(), key_hash_.data(), hash.size()) != 0) {
    return Unauthenticated("unknown API key");
  }
  return Principal{"default", hash, "admin"};
}

bool RoleAllows(std::string_view role, Permission p) {
  switch (p) {
    case Permission::kPublic: return true;
    case Permission::kRead:
      return role == "admin" || role == "owner" || role == "member" || role == "viewer";
    case Permission::kWrite: return role == "admin" || role == "owner" || role == "member";
    case Permission::kWorker: return role == "admin" || role == "worker";
    case Permission::kAdmin: return role == "admin";
  }
  return false;
}

void Router::Add(std::string method, std::string pattern, Permission perm, Handler handler) {
  routes_.push_back({std::move(method), Split(pattern), perm, std::move(handler)});
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
    auto who = auth_->Authenticate(req.Header("authorization"));
    if (!who.ok()) return Response::Error(who.status());
    principal = std::move(who).value();
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

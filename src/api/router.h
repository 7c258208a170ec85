// Router: the route table and the one place where callers are authenticated and authorized.
//
// Each route names its permission. Handle() matches method and path ("{name}" segments become
// Request::params), resolves the caller from the Authorization header through the Authenticator,
// checks the permission, and calls the handler. Unknown path: 404; known path, other method: 405.
// Thread-safe after construction (routes are added before the server starts).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/http.h"
#include "api/rate_limit.h"
#include "coord/coordinator.h"
#include "identity/principal.h"

namespace skiff::api {

enum class Permission {
  kPublic,  // no key needed (health)
  kAny,     // any valid key or token (whoami)
  kRead,    // viewer, member, owner of the team; admin
  kWrite,   // member, owner; admin (submit, cancel, retry)
  kOwner,   // owner of the team; admin (keys) -- the handler checks which team
  kWorker,  // worker keys; admin (the worker protocol)
  kAdmin,   // platform administration (teams)
};
std::string_view PermissionName(Permission p);

using identity::Principal;

// What the coordinator needs to know about the caller.
coord::Caller AsCaller(const Principal& p);

bool RoleAllows(std::string_view role, Permission p);

using Handler = std::function<Response(Request&, const Principal&)>;

class Router {
 public:
  explicit Router(identity::Authenticator* auth) : auth_(auth) {}
  void Add(std::string method, std::string pattern, Permission perm, Handler handler);
  // Limits each authenticated key's request rate (429 with Retry-After over it); nullptr: off.
  void SetRateLimiter(RateLimiter* limiter) { limiter_ = limiter; }
  Response Handle(Request& req);

  struct RouteInfo {
    std::string method;
    std::string pattern;
    Permission perm;
  };
  // The route table, for docs and the authorization matrix test.
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" matches one segment
    Permission perm;
    Handler handler;
  };
  identity::Authenticator* auth_;
  RateLimiter* limiter_ = nullptr;
  std::vector<Route> routes_;
};

}  // namespace skiff::api

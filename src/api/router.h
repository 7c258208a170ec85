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
#include "coord/coordinator.h"

namespace skiff::api {

enum class Permission {
  kPublic,  // no key needed (health)
  kRead,    // any key of the team
  kWrite,   // submit, cancel, retry
  kWorker,  // the worker protocol
  kAdmin,   // platform administration
};

struct Principal {
  std::string team;
  std::string user_id;  // SHA-256 hex of the key
  std::string role;     // "admin", "owner", "member", "viewer", "worker"

  coord::Caller AsCaller() const { return {team, user_id, role == "admin"}; }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the raw header value. Unauthenticated with a message saying what is wrong
  // (missing, malformed, unknown key).
  virtual Result<Principal> Authenticate(std::string_view authorization) = 0;
};

// The single bootstrap admin key (until identity lands): compares SHA-256 hashes in constant time.
class BootstrapKeyAuthenticator : public Authenticator {
 public:
  explicit BootstrapKeyAuthenticator(std::string key_sha256_hex);
  Result<Principal> Authenticate(std::string_view authorization) override;

 private:
  std::string key_hash_;
};

bool RoleAllows(std::string_view role, Permission p);

using Handler = std::function<Response(Request&, const Principal&)>;

class Router {
 public:
  explicit Router(Authenticator* auth) : auth_(auth) {}
  void Add(std::string method, std::string pattern, Permission perm, Handler handler);
  Response Handle(Request& req);

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{id}" matches one segment
    Permission perm;
    Handler handler;
  };
  Authenticator* auth_;
  std::vector<Route> routes_;
};

}  // namespace skiff::api

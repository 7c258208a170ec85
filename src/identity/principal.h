// Principal: who is making a request, resolved once by the router from the Authorization header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace skiff::identity {

// Roles: "admin" (platform-wide), "owner" / "member" / "viewer" (within `team`), "worker" (runs
// tasks; optionally only the teams in `worker_teams`).
struct Principal {
  std::string team;
  std::string user_id;  // SHA-256 hex of the API key (or "oidc:" + subject for tokens)
  std::string role;
  std::string email;
  std::string key_id;   // "" for tokens
  std::vector<std::string> worker_teams;  // worker keys: the teams whose tasks it may run (empty: all)

  bool admin() const { return role == "admin"; }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the raw header value; `remote` the client address (for rate limiting).
  // Unauthenticated saying what is wrong (missing, malformed, unknown, revoked, expired);
  // ResourceExhausted when the address failed too often recently.
  virtual Result<Principal> Authenticate(std::string_view authorization,
                                         std::string_view remote) = 0;
};

}  // namespace skiff::identity

// Identity: teams and API keys, kept as one JSON document per table on the object store
// ("identity/teams.json", "identity/keys.json"), changed with conditional puts so several servers
// writing at once never lose a write. Keys are "skf_" + 43 base62 characters (256 bits), shown
// once at creation; only their SHA-256 is stored, and that hash is the key's user id on jobs,
// usage and logs. The bootstrap admin key (a file in the data folder) is always accepted.
//
// Thread-safe. Documents are cached and re-read when another server may have changed them (every
// second, and at once on an unknown key, at most once a second). Last-used times are kept in
// memory and written in batches.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <condition_variable>
#include <unordered_map>
#include <vector>

#include "core/json_input.h"
#include "core/time.h"
#include "identity/jwt.h"
#include "identity/principal.h"
#include "store/object_store.h"

namespace skiff::identity {

inline constexpr std::string_view kBootstrapTeam = "default";

struct Team {
  std::string name;
  int64_t created_ms = 0;
  std::string created_by;  // user id
};

struct KeyRecord {
  std::string id;  // "key_" + 12 hex: names the key in the API without revealing it
  std::string hash;
  std::string name;
  std::string email;
  std::string team;
  std::string role;
  std::vector<std::string> worker_teams;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: never
  int64_t revoked_ms = 0;  // 0: not revoked
  int64_t last_used_ms = 0;
  std::string created_by;
};

struct NewKey {
  std::string team;
  std::string name;
  std::string email;
  std::string role;
  int64_t expires_ms = 0;
  std::vector<std::string> worker_teams;
};

struct IdentityOptions {
  std::string bootstrap_key_hash;   // SHA-256 hex of the bootstrap admin key
  int64_t reload_ms = 1000;         // re-read the documents this often (revocation delay)
  int64_t last_used_flush_ms = 30000;
  int max_failures_per_minute = 30;  // per client address
};

Json TeamToJson(const Team& t);
Json KeyToJson(const KeyRecord& k);  // never includes the hash
bool ValidTeamName(std::string_view name);
bool ValidRole(std::string_view role);

class Identity : public Authenticator {
 public:
  static Result<std::unique_ptr<Identity>> Open(store::ObjectStore* store, Clock* clock,
                                                IdentityOptions opts);
  ~Identity() override;

  Result<Principal> Authenticate(std::string_view authorization, std::string_view remote) override;

  // AlreadyExists if the team exists; InvalidArgument for a bad name.
  Result<Team> CreateTeam(const std::string& name, const Principal& by);
  Result<std::vector<Team>> ListTeams();
  Result<std::optional<Team>> GetTeam(const std::string& name);

  // Returns the record and the plaintext key (shown once). NotFound if the team does not exist.
  Result<std::pair<KeyRecord, std::string>> CreateKey(const NewKey& req, const Principal& by);
  Result<std::vector<KeyRecord>> ListKeys(const std::string& team);
  // NotFound if the team has no such key. Revoking twice is fine.
  Result<KeyRecord> RevokeKey(const std::string& team, const std::string& key_id);

  // The email of the key whose user id (hash) is `user_id`, revoked keys included; "" when the key
  // has none or is unknown (the bootstrap key, OIDC users). For usage records and notifications.
  std::string EmailOf(const std::string& user_id);

  // Accepts OIDC JWTs from `cfg.issuer` as bearer tokens besides skf_ keys (call before serving).
  // The token's team must exist; its user id is "oidc:" + the token's subject. Fails when the
  // configuration is bad or the JWKS cannot be loaded.
  Status EnableOidc(OidcConfig cfg);

  // Writes pending last-used times now (tests, shutdown).
  Status FlushLastUsedForTest();
  void Shutdown();

 private:
  struct Doc {
    Json json;
    std::string etag;  // "" when absent
    int64_t loaded_ms = 0;
  };
  Identity(store::ObjectStore* store, Clock* clock, IdentityOptions opts);
  Status Load(const std::string& key, Doc* doc);
  // Read-modify-write with a conditional put, retried on conflict. `change` edits the JSON and
  // returns an error to abort.
  Status Update(const std::string& key, Doc* doc,
                const std::function<Status(Json&)>& change);
  Status MaybeReload(bool force);
  void IndexKeysLocked();
  bool RecordFailure(std::string_view remote);
  Result<Principal> VerifyToken(std::string_view token);
  void FlushLoop();
  Status FlushLastUsed();

  store::ObjectStore* const store_;
  Clock* const clock_;
  const IdentityOptions opts_;

  std::mutex mu_;
  Doc teams_;
  Doc keys_;
  std::unordered_map<std::string, KeyRecord> by_hash_;
  std::unordered_map<std::string, int64_t> last_used_;  // key id -> ms, not yet written
  int64_t last_forced_reload_ms_ = 0;
  std::unordered_map<std::string, std::pair<int64_t, int>> failures_;  // remote -> minute, count

  std::mutex write_mu_;  // one writer of the documents at a time in this process
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread flusher_;
  std::unique_ptr<JwtVerifier> jwt_;
};

}  // namespace skiff::identity

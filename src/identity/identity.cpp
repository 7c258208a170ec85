#include "identity/identity.h"

#include <openssl/crypto.h>
#include <strings.h>

#include <algorithm>

#include "core/ids.h"
#include "obs/log.h"

namespace skiff::identity {
namespace {

constexpr char kTeamsKey[] = "identity/teams.json";
constexpr char kKeysKey[] = "identity/keys.json";

Json TimeOrNull(int64_t ms) { return ms == 0 ? Json(nullptr) : Json(FormatTime(ms)); }
int64_t TimeOf(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return 0;
  return ParseTime(it->get<std::string>()).value_or(0);
}

KeyRecord KeyFromJson(const std::string& id, const Json& j) {
  KeyRecord k;
  k.id = id;
  k.hash = j.value("hash", "");
  k.name = j.value("name", "");
  k.email = j.value("email", "");
  k.team = j.value("team", "");
  k.role = j.value("role", "");
  if (auto it = j.find("worker_teams"); it != j.end() && it->is_array()) {
    for (const Json& t : *it) {
      if (t.is_string()) k.worker_teams.push_back(t.get<std::string>());
    }
  }
  k.created_ms = TimeOf(j, "created_at");
  k.expires_ms = TimeOf(j, "expires_at");
  k.revoked_ms = TimeOf(j, "revoked_at");
  k.last_used_ms = TimeOf(j, "last_used_at");
  k.created_by = j.value("created_by", "");
  return k;
}

Json KeyToDoc(const KeyRecord& k) {
  Json j = KeyToJson(k);
  j.erase("id");
  j["hash"] = k.hash;
  return j;
}

bool IsBase62(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

bool SameHash(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Team> FindTeam(Json& doc, const std::string& name) {
  auto& teams = doc["teams"];
  auto it = teams.find(name);
  if (it == teams.end()) return std::nullopt;
  return Team{name, TimeOf(*it, "created_at"), it->value("created_by", "")};
}

}  // namespace

Json TeamToJson(const Team& t) {
  return {{"name", t.name}, {"created_at", FormatTime(t.created_ms)}, {"created_by", t.created_by}};
}

Json KeyToJson(const KeyRecord& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"email", k.email},
          {"team", k.team},
          {"role", k.role},
          {"worker_teams", k.worker_teams},
          {"created_at", FormatTime(k.created_ms)},
          {"expires_at", TimeOrNull(k.expires_ms)},
          {"revoked_at", TimeOrNull(k.revoked_ms)},
          {"last_used_at", TimeOrNull(k.last_used_ms)},
          {"created_by", k.created_by}};
}

bool ValidTeamName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool ValidRole(std::string_view role) {
  return role == "admin" || role == "owner" || role == "member" || role == "viewer" ||
         role == "worker";
}

Identity::Identity(store::ObjectStore* store, Clock* clock, IdentityOptions opts)
    : store_(store), clock_(clock), opts_(std::move(opts)) {}

Result<std::unique_ptr<Identity>> Identity::Open(store::ObjectStore* store, Clock* clock,
                                                 IdentityOptions opts) {
  std::unique_ptr<Identity> id(new Identity(store, clock, std::move(opts)));
  RETURN_IF_ERROR(id->Load(kTeamsKey, &id->teams_));
  RETURN_IF_ERROR(id->Load(kKeysKey, &id->keys_));
  // The bootstrap team, so the bootstrap admin's jobs have a home.
  Status st = id->Update(kTeamsKey, &id->teams_, [&](Json& doc) -> Status {
    if (doc["teams"].contains(kBootstrapTeam)) return AlreadyExists("");
    doc["teams"][std::string(kBootstrapTeam)] = {{"created_at", FormatTime(clock->NowMs())},
                                                 {"created_by", "bootstrap"}};
    return OkStatus();
  });
  if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
  id->flusher_ = std::thread([p = id.get()] { p->FlushLoop(); });
  return id;
}

Identity::~Identity() { Shutdown(); }

Status Identity::Load(const std::string& key, Doc* doc) {
  auto obj = store_->Get(key);
  Doc fresh;
  if (obj.ok()) {
    auto parsed = ParseJson(obj->bytes);
    if (!parsed.ok() || !parsed->is_object()) {
      return Internal(key + " is not a JSON object; fix or restore it");
    }
    fresh.json = std::move(parsed).value();
    fresh.etag = obj->etag;
  } else if (obj.status().code() == Code::kNotFound) {
    fresh.json = Json::object();
  } else {
    return obj.status();
  }
  const char* table = key == kTeamsKey ? "teams" : "keys";
  if (!fresh.json.contains(table) || !fresh.json[table].is_object()) {
    fresh.json[table] = Json::object();
  }
  fresh.json["schema"] = 1;
  fresh.loaded_ms = clock_->NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  *doc = std::move(fresh);
  // The index must follow every read of the key table: MaybeReload trusts loaded_ms, so an
  // un-indexed read (an Update that reloaded on a conflict, then gave up) would leave revoked keys
  // usable until the next reload.
  if (doc == &keys_) IndexKeysLocked();
  return OkStatus();
}

void Identity::IndexKeysLocked() {
  by_hash_.clear();
  for (auto it = keys_.json["keys"].begin(); it != keys_.json["keys"].end(); ++it) {
    KeyRecord k = KeyFromJson(it.key(), *it);
    if (!k.hash.empty()) by_hash_[k.hash] = std::move(k);
  }
}

Status Identity::Update(const std::string& key, Doc* doc,
                        const std::function<Status(Json&)>& change) {
  std::lock_guard<std::mutex> writer(write_mu_);
  // Start from the stored version, not the cache: `change` must judge what other servers wrote
  // since (revoking a key created elsewhere a second ago, recording last-used times of such keys).
  RETURN_IF_ERROR(Load(key, doc));
  for (int attempt = 0; attempt < 50; ++attempt) {
    Json next;
    std::string etag;
    {
      std::lock_guard<std::mutex> lock(mu_);
      next = doc->json;
      etag = doc->etag;
    }
    RETURN_IF_ERROR(change(next));
    auto put = store_->Put(key, DumpJson(next, 1),
                           etag.empty() ? store::Precondition::IfAbsent()
                                        : store::Precondition::IfMatch(etag));
    if (put.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      doc->json = std::move(next);
      doc->etag = *put;
      doc->loaded_ms = clock_->NowMs();
      if (doc == &keys_) IndexKeysLocked();
      return OkStatus();
    }
    if (put.status().code() != Code::kFailedPrecondition) return put.status();
    // Another server wrote first: read its version and apply the change again on top.
    RETURN_IF_ERROR(Load(key, doc));
  }
  return Unavailable("too much contention writing " + key + "; retry");
}

Status Identity::MaybeReload(bool force) {
  int64_t now = clock_->NowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool stale = now - keys_.loaded_ms >= opts_.reload_ms;
    if (!stale && !(force && now - last_forced_reload_ms_ >= 1000)) return OkStatus();
    if (force) last_forced_reload_ms_ = now;
  }
  std::lock_guard<std::mutex> writer(write_mu_);
  if (!force) {  // requests that queued here behind another reload need no second one
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_.loaded_ms >= now) return OkStatus();
  }
  RETURN_IF_ERROR(Load(kTeamsKey, &teams_));
  return Load(kKeysKey, &keys_);
}

bool Identity::RecordFailure(std::string_view remote) {
  std::string addr(remote.substr(0, remote.rfind(':')));
  int64_t minute = clock_->NowMs() / 60000;
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_.size() > 100000) failures_.clear();  // bounded memory under a spray of addresses
  auto& [m, count] = failures_[addr];
  if (m != minute) {
    m = minute;
    count = 0;
  }
  return ++count > opts_.max_failures_per_minute;
}

Result<Principal> Identity::Authenticate(std::string_view authorization,
                                         std::string_view remote) {
  {
    std::string addr(remote.substr(0, remote.rfind(':')));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = failures_.find(addr);
    if (it != failures_.end() && it->second.first == clock_->NowMs() / 60000 &&
        it->second.second >= opts_.max_failures_per_minute) {
      return ResourceExhausted("too many failed authentications from " + addr +
                               "; retry in a minute");
    }
  }
  auto fail = [&](std::string msg) -> Result<Principal> {
    RecordFailure(remote);
    return Unauthenticated(std::move(msg));
  };
  if (authorization.empty()) return fail("missing Authorization header (expected 'Bearer skf_...')");
  // The scheme is case-insensitive (RFC 9110 11.1).
  if (authorization.size() < 8 || ::strncasecmp(authorization.data(), "Bearer ", 7) != 0) {
    return fail("malformed Authorization header (expected 'Bearer <key or token>')");
  }
  std::string_view token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.rfind("skf_", 0) != 0) {
    if (jwt_ && JwtVerifier::LooksLikeJwt(token)) {
      auto p = VerifyToken(token);
      if (!p.ok()) return fail(p.status().message());
      return p;
    }
    return fail("malformed API key (expected skf_ followed by letters and digits)");
  }
  if (token.size() > 200 || !IsBase62(token.substr(4))) {
    return fail("malformed API key (expected skf_ followed by letters and digits)");
  }
  std::string hash = Sha256Hex(token);
  if (SameHash(hash, opts_.bootstrap_key_hash)) {
    Principal p;
    p.team = std::string(kBootstrapTeam);
    p.user_id = hash;
    p.role = "admin";
    p.key_id = "bootstrap";
    return p;
  }
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      Status st = MaybeReload(true);
      if (!st.ok()) return Unavailable("cannot read the key table: " + st.message());
    } else {
      (void)MaybeReload(false);
    }
    std::optional<KeyRecord> found;
    int64_t now = clock_->NowMs();
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = by_hash_.find(hash);
      if (it != by_hash_.end() && SameHash(it->second.hash, hash)) {
        found = it->second;
        if (found->revoked_ms == 0 && (found->expires_ms == 0 || found->expires_ms > now)) {
          last_used_[found->id] = now;
        }
      }
    }
    if (!found) continue;
    if (found->revoked_ms != 0) return fail("API key " + found->id + " was revoked");
    if (found->expires_ms != 0 && found->expires_ms <= now) {
      return fail("API key " + found->id + " has expired");
    }
    Principal p;
    p.team = found->team;
    p.user_id = hash;
    p.role = found->role;
    p.email = found->email;
    p.key_id = found->id;
    p.worker_teams = found->worker_teams;
    return p;
  }
  return fail("unknown API key");
}

Status Identity::EnableOidc(OidcConfig cfg) {
  ASSIGN_OR_RETURN(jwt_, JwtVerifier::Create(std::move(cfg)));
  return OkStatus();
}

Result<Principal> Identity::VerifyToken(std::string_view token) {
  ASSIGN_OR_RETURN(TokenIdentity t, jwt_->Verify(token, clock_->NowMs()));
  if (!ValidTeamName(t.team)) {
    return Unauthenticated("token's team '" + t.team + "' is not a valid team name");
  }
  ASSIGN_OR_RETURN(std::optional<Team> team, GetTeam(t.team));
  if (!team) return Unauthenticated("token's team '" + t.team + "' does not exist");
  Principal p;
  p.team = t.team;
  p.user_id = "oidc:" + t.subject;
  p.role = t.role;
  p.email = t.email;
  return p;
}

Result<Team> Identity::CreateTeam(const std::string& name, const Principal& by) {
  if (!ValidTeamName(name)) {
    return InvalidArgument("name: 1-63 characters of a-z, 0-9, '-' and '_', starting with a "
                           "letter or digit");
  }
  Team t{name, clock_->NowMs(), by.user_id};
  RETURN_IF_ERROR(MaybeReload(false));
  RETURN_IF_ERROR(Update(kTeamsKey, &teams_, [&](Json& doc) -> Status {
    if (doc["teams"].contains(name)) return AlreadyExists("team " + name + " already exists");
    doc["teams"][name] = {{"created_at", FormatTime(t.created_ms)}, {"created_by", t.created_by}};
    return OkStatus();
  }));
  return t;
}

Result<std::vector<Team>> Identity::ListTeams() {
  RETURN_IF_ERROR(MaybeReload(false));
  std::vector<Team> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = teams_.json["teams"].begin(); it != teams_.json["teams"].end(); ++it) {
    out.push_back({it.key(), TimeOf(*it, "created_at"), it->value("created_by", "")});
  }
  return out;
}

Result<std::optional<Team>> Identity::GetTeam(const std::string& name) {
  RETURN_IF_ERROR(MaybeReload(false));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto team = FindTeam(teams_.json, name)) return team;
  }
  // Another server may have created it since our last read: a key for a team made a second ago
  // elsewhere must not be refused. Callers are authenticated (admins, owners naming worker
  // teams), so this is at most one read per request.
  {
    std::lock_guard<std::mutex> writer(write_mu_);
    RETURN_IF_ERROR(Load(kTeamsKey, &teams_));
  }
  std::lock_guard<std::mutex> lock(mu_);
  return FindTeam(teams_.json, name);
}

Result<std::pair<KeyRecord, std::string>> Identity::CreateKey(const NewKey& req,
                                                              const Principal& by) {
  if (!ValidRole(req.role)) {
    return InvalidArgument("role: expected admin, owner, member, viewer or worker");
  }
  ASSIGN_OR_RETURN(std::optional<Team> team, GetTeam(req.team));
  if (!team) return NotFound("no team " + req.team);
  for (const std::string& t : req.worker_teams) {
    ASSIGN_OR_RETURN(std::optional<Team> wt, GetTeam(t));
    if (!wt) return InvalidArgument("worker_teams: no team " + t);
  }
  std::string plaintext = "skf_" + RandomBase62(43);
  KeyRecord k;
  k.id = "key_" + RandomHex(6);
  k.hash = Sha256Hex(plaintext);
  k.name = req.name;
  k.email = req.email;
  k.team = req.team;
  k.role = req.role;
  k.worker_teams = req.worker_teams;
  k.created_ms = clock_->NowMs();
  k.expires_ms = req.expires_ms;
  k.created_by = by.user_id;
  RETURN_IF_ERROR(Update(kKeysKey, &keys_, [&](Json& doc) -> Status {
    // 48-bit ids: unlikely to collide, but a collision must not replace another key's record.
    while (doc["keys"].contains(k.id)) k.id = "key_" + RandomHex(6);
    doc["keys"][k.id] = KeyToDoc(k);
    return OkStatus();
  }));
  return std::make_pair(k, plaintext);
}

Result<std::vector<KeyRecord>> Identity::ListKeys(const std::string& team) {
  RETURN_IF_ERROR(MaybeReload(false));
  std::vector<KeyRecord> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = keys_.json["keys"].begin(); it != keys_.json["keys"].end(); ++it) {
    KeyRecord k = KeyFromJson(it.key(), *it);
    if (k.team != team) continue;
    if (auto lu = last_used_.find(k.id); lu != last_used_.end()) {
      k.last_used_ms = std::max(k.last_used_ms, lu->second);
    }
    out.push_back(std::move(k));
  }
  std::sort(out.begin(), out.end(),
            [](const KeyRecord& a, const KeyRecord& b) {
              return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
            });
  return out;
}

Result<KeyRecord> Identity::RevokeKey(const std::string& team, const std::string& key_id) {
  KeyRecord out;
  RETURN_IF_ERROR(Update(kKeysKey, &keys_, [&](Json& doc) -> Status {
    auto it = doc["keys"].find(key_id);
    if (it == doc["keys"].end() || it->value("team", "") != team) {
      return NotFound("no key " + key_id + " in team " + team);
    }
    if (!it->contains("revoked_at") || (*it)["revoked_at"].is_null()) {
      (*it)["revoked_at"] = FormatTime(clock_->NowMs());
    }
    out = KeyFromJson(key_id, *it);
    return OkStatus();
  }));
  return out;
}

Status Identity::FlushLastUsed() {
  std::unordered_map<std::string, int64_t> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending.swap(last_used_);
  }
  if (pending.empty()) return OkStatus();
  Status st = Update(kKeysKey, &keys_, [&](Json& doc) -> Status {
    for (const auto& [id, ms] : pending) {
      auto it = doc["keys"].find(id);
      if (it == doc["keys"].end()) continue;
      if (TimeOf(*it, "last_used_at") < ms) (*it)["last_used_at"] = FormatTime(ms);
    }
    return OkStatus();
  });
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, ms] : pending) last_used_[id] = std::max(last_used_[id], ms);
  }
  return st;
}

Status Identity::FlushLastUsedForTest() { return FlushLastUsed(); }

void Identity::FlushLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(opts_.last_used_flush_ms));
    if (stopping_) break;
    lock.unlock();
    Status st = FlushLastUsed();
    if (!st.ok()) obs::Warn("identity: writing last-used times failed", {{"error", st.message()}});
    lock.lock();
  }
}

void Identity::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  (void)FlushLastUsed();
}

std::string Identity::EmailOf(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(user_id);
  return it == by_hash_.end() ? std::string() : it->second.email;
}

}  // namespace skiff::identity

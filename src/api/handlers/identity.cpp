// /v1/teams, /v1/teams/{team}/keys, /v1/whoami.
#include "api/api.h"
#include "core/time.h"

namespace skiff::api {
namespace {

// A team's keys are managed by its owners and by admins. Another team's keys do not exist for
// the caller (404, so team names don't leak); a non-owner of the same team gets 403.
std::optional<Response> CheckTeamOwner(const Principal& who, const std::string& team) {
  if (who.admin()) return std::nullopt;
  if (who.team != team) return Response::Error(404, "not_found", "no team " + team);
  if (who.role != "owner") {
    return Response::Error(403, "permission_denied", "only an owner of team " + team +
                                                         " may manage its keys");
  }
  return std::nullopt;
}

Response CreateTeam(identity::Identity* id, const AuditFn& audit, Request& req,
                    const Principal& who) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto body = ParseJson(req.body);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body, "");
  auto name = r.String("name", 63);
  if (Status st = r.Done(); !st.ok()) return Response::Error(st);
  if (!name) return Response::Error(InvalidArgument("name: required"));
  auto team = id->CreateTeam(*name, who);
  if (!team.ok()) return Response::Error(team.status());
  if (audit) audit("team.created", req, team->name, {{"by", who.user_id}});
  return Response::Json(201, identity::TeamToJson(*team));
}

Response ListTeams(identity::Identity* id, Request& req) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto teams = id->ListTeams();
  if (!teams.ok()) return Response::Error(teams.status());
  Json out = Json::array();
  for (const auto& t : *teams) out.push_back(identity::TeamToJson(t));
  return Response::Json(200, {{"teams", out}});
}

Response CreateKey(identity::Identity* id, Clock* clock, const AuditFn& audit, Request& req,
                   const Principal& who) {
  const std::string& team = req.params["team"];
  if (auto denied = CheckTeamOwner(who, team)) return *denied;
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto body = ParseJson(req.body);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body, "");
  identity::NewKey nk;
  nk.team = team;
  nk.name = r.String("name", 200).value_or("");
  nk.email = r.String("email", 320).value_or("");
  nk.role = r.String("role", 20).value_or("member");
  auto expires_at = r.String("expires_at", 40);
  auto expires_in = r.Int("expires_in_s", 1, int64_t{10} * 365 * 86400);
  const Json* wt = r.Field("worker_teams");
  if (Status st = r.Done(); !st.ok()) return Response::Error(st);
  if (!identity::ValidRole(nk.role)) {
    return Response::Error(InvalidArgument("role: expected admin, owner, member, viewer or worker"));
  }
  if (nk.role == "admin" && !who.admin()) {
    return Response::Error(403, "permission_denied", "only an admin may create admin keys");
  }
  if (!nk.email.empty() && nk.email.find('@') == std::string::npos) {
    return Response::Error(InvalidArgument("email: not an email address"));
  }
  if (expires_at) {
    auto t = ParseTime(*expires_at);
    if (!t) return Response::Error(InvalidArgument("expires_at: expected an ISO-8601 UTC time"));
    if (*t <= clock->NowMs()) return Response::Error(InvalidArgument("expires_at: in the past"));
    nk.expires_ms = *t;
  } else if (expires_in) {
    nk.expires_ms = clock->NowMs() + *expires_in * 1000;
  }
  if (wt != nullptr) {
    if (nk.role != "worker") {
      return Response::Error(InvalidArgument("worker_teams: only for role worker"));
    }
    if (!wt->is_array()) return Response::Error(InvalidArgument("worker_teams: expected an array"));
    for (const Json& t : *wt) {
      if (!t.is_string()) {
        return Response::Error(InvalidArgument("worker_teams: expected team names"));
      }
      nk.worker_teams.push_back(t.get<std::string>());
    }
  }
  auto created = id->CreateKey(nk, who);
  if (!created.ok()) return Response::Error(created.status());
  Json out = identity::KeyToJson(created->first);
  if (audit) {
    audit("key.created", req, team,
          {{"key_id", created->first.id}, {"role", created->first.role}, {"by", who.user_id}});
  }
  out["key"] = created->second;  // shown once
  return Response::Json(201, out);
}

Response ListKeys(identity::Identity* id, Request& req, const Principal& who) {
  const std::string& team = req.params["team"];
  if (auto denied = CheckTeamOwner(who, team)) return *denied;
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto exists = id->GetTeam(team);
  if (!exists.ok()) return Response::Error(exists.status());
  if (!*exists) return Response::Error(404, "not_found", "no team " + team);
  auto keys = id->ListKeys(team);
  if (!keys.ok()) return Response::Error(keys.status());
  Json out = Json::array();
  for (const auto& k : *keys) out.push_back(identity::KeyToJson(k));
  return Response::Json(200, {{"keys", out}});
}

Response RevokeKey(identity::Identity* id, const AuditFn& audit, Request& req,
                   const Principal& who) {
  const std::string& team = req.params["team"];
  if (auto denied = CheckTeamOwner(who, team)) return *denied;
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto k = id->RevokeKey(team, req.params["key"]);
  if (!k.ok()) return Response::Error(k.status());
  if (audit) audit("key.revoked", req, team, {{"key_id", k->id}, {"by", who.user_id}});
  return Response::Json(200, identity::KeyToJson(*k));
}

}  // namespace

void RegisterIdentityRoutes(Router& router, identity::Identity* id, Clock* clock, AuditFn audit) {
  router.Add("POST", "/v1/teams", Permission::kAdmin,
             [id, audit](Request& req, const Principal& who) {
               return CreateTeam(id, audit, req, who);
             });
  router.Add("GET", "/v1/teams", Permission::kAdmin,
             [id](Request& req, const Principal&) { return ListTeams(id, req); });
  router.Add("POST", "/v1/teams/{team}/keys", Permission::kOwner,
             [id, clock, audit](Request& req, const Principal& who) {
               return CreateKey(id, clock, audit, req, who);
             });
  router.Add("GET", "/v1/teams/{team}/keys", Permission::kOwner,
             [id](Request& req, const Principal& who) { return ListKeys(id, req, who); });
  router.Add("DELETE", "/v1/teams/{team}/keys/{key}", Permission::kOwner,
             [id, audit](Request& req, const Principal& who) {
               return RevokeKey(id, audit, req, who);
             });
  router.Add("GET", "/v1/whoami", Permission::kAny, [](Request&, const Principal& who) {
    Json out = {{"team", who.team}, {"role", who.role}, {"user_id", who.user_id},
                {"email", who.email}, {"key_id", who.key_id}};
    if (!who.worker_teams.empty()) out["worker_teams"] = who.worker_teams;
    return Response::Json(200, out);
  });
}

}  // namespace skiff::api

// /v1/jobs/{id}/notifications and /v1/teams/{team}/webhook-secret. docs/notifications.md.
#include "api/api.h"
#include "notify/notifier.h"

namespace skiff::api {

void RegisterNotifyRoutes(Router& router, notify::Notifier* notifier, coord::Coordinator* c,
                          identity::Identity* id) {
  router.Add("GET", "/v1/jobs/{id}/notifications", Permission::kRead,
             [notifier, c](Request& req, const Principal& who) {
               if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
               const std::string& job = req.params["id"];
               auto visible = c->GetJob(job, AsCaller(who), /*include_tasks=*/false);
               if (!visible.ok()) return Response::Error(visible.status());
               auto docs = notifier->Deliveries(job);
               if (!docs.ok()) return Response::Error(docs.status());
               return Response::Json(200, {{"job", job},
                                           {"notify", visible->value("notify", Json(nullptr))},
                                           {"notifications", *docs}});
             });
  router.Add("GET", "/v1/teams/{team}/webhook-secret", Permission::kOwner,
             [notifier, id](Request& req, const Principal& who) {
               if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
               const std::string& team = req.params["team"];
               if (!who.admin() && who.team != team) {
                 return Response::Error(404, "not_found", "no team " + team);
               }
               auto exists = id->GetTeam(team);
               if (!exists.ok()) return Response::Error(exists.status());
               if (!exists->has_value()) {
                 return Response::Error(404, "not_found", "no team " + team);
               }
               auto secret = notifier->TeamSecret(team);
               if (!secret.ok()) return Response::Error(secret.status());
               return Response::Json(200, {{"team", team},
                                           {"secret", *secret},
                                           {"algorithm", "hmac-sha256"},
                                           {"header", "X-Skiff-Signature"}});
             });
}

}  // namespace skiff::api

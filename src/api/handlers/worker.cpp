// /v1/worker/*: the worker protocol over HTTP (core/worker_protocol.h).
#include "api/api.h"
#include "core/worker_protocol.h"

namespace skiff::api {

void RegisterWorkerRoutes(Router& router, coord::Coordinator* c) {
  router.Add("POST", "/v1/worker/lease", Permission::kWorker,
             [c](Request& req, const Principal& who) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Response::Error(body.status());
    auto lr = ParseLeaseRequest(*body);
    if (!lr.ok()) return Response::Error(lr.status());
    if (lr->worker.empty()) lr->worker = req.remote;
    lr->teams = who.worker_teams;
    auto out = c->Lease(*lr);
    return out.ok() ? Response::Json(200, LeaseResponseToJson(*out)) : Response::Error(out.status());
  });
  router.Add("POST", "/v1/worker/heartbeat", Permission::kWorker,
             [c](Request& req, const Principal&) {
               auto body = ParseJson(req.body);
               if (!body.ok()) return Response::Error(body.status());
               auto leases = ParseHeartbeatRequest(*body);
               if (!leases.ok()) return Response::Error(leases.status());
               auto out = c->Heartbeat(*leases);
               return out.ok() ? Response::Json(200, HeartbeatResponseToJson(*out))
                               : Response::Error(out.status());
             });
  router.Add("POST", "/v1/worker/complete", Permission::kWorker,
             [c](Request& req, const Principal&) {
               auto body = ParseJson(req.body);
               if (!body.ok()) return Response::Error(body.status());
               auto reports = ParseCompleteRequest(*body);
               if (!reports.ok()) return Response::Error(reports.status());
               auto out = c->Complete(std::move(reports).value());
               return out.ok() ? Response::Json(200, CompleteResponseToJson(*out))
                               : Response::Error(out.status());
             });
}

}  // namespace skiff::api

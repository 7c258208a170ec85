// GET /metrics: every series of the process in the Prometheus text format 0.0.4.
//
// Admin only: series carry team names, which one team must not learn about another. A scrape
// config passes the key as a bearer token (docs/observability.md).
#include "api/api.h"
#include "obs/metrics.h"

namespace skiff::api {

void RegisterMetricsRoutes(Router& router, obs::Metrics* metrics) {
  router.Add("GET", "/metrics", Permission::kAdmin,
             [metrics](Request& req, const Principal&) {
               if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
               Response r;
               r.content_type = std::string(obs::kMetricsContentType);
               r.body = metrics->Render();
               return r;
             });
}

}  // namespace skiff::api

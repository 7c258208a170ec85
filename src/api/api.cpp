#include "api/api.h"

namespace skiff::api {

void RegisterRoutes(Router& router, const ApiDeps& deps) {
  RegisterHealthRoutes(router, deps.ready);
  RegisterJobRoutes(router, deps.coordinator, deps.catalog);
  if (deps.catalog != nullptr) RegisterCatalogRoutes(router, deps.catalog);
  RegisterWorkerRoutes(router, deps.coordinator);
  RegisterIdentityRoutes(router, deps.identity, deps.clock, AuditTo(deps.events));
  if (deps.usage != nullptr) RegisterUsageRoutes(router, deps.usage, deps.clock);
  if (deps.notifier != nullptr) {
    RegisterNotifyRoutes(router, deps.notifier, deps.coordinator, deps.identity);
  }
  if (deps.events != nullptr) RegisterEventRoutes(router, deps.events);
  RegisterLogRoutes(router, deps.coordinator);
  RegisterMetricsRoutes(router, deps.metrics ? deps.metrics : &obs::Metrics::Default());
}

Status CheckQuery(const Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : req.query) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) return InvalidArgument("query parameter " + k + ": unknown");
  }
  return OkStatus();
}

}  // namespace skiff::api

// The HTTP API of skiff: which routes exist and what they call. docs/api.md describes them.
#pragma once

#include <functional>

#include "api/router.h"
#include "catalog/catalog.h"
#include "coord/coordinator.h"
#include "core/time.h"
#include "events/event_log.h"
#include "identity/identity.h"
#include "obs/metrics.h"

namespace skiff::usage {
class UsageMeter;
}
namespace skiff::notify {
class Notifier;
}

namespace skiff::api {

struct ApiDeps {
  coord::Coordinator* coordinator = nullptr;
  identity::Identity* identity = nullptr;
  Clock* clock = nullptr;
  std::function<bool()> ready;  // /readyz
  usage::UsageMeter* usage = nullptr;      // /v1/usage routes when set
  notify::Notifier* notifier = nullptr;    // notification routes when set
  catalog::Catalog* catalog = nullptr;
  obs::Metrics* metrics = nullptr;  // /metrics; nullptr: obs::Metrics::Default()
  events::EventLog* events = nullptr;  // /v1/events and audit events; nullptr: neither
};

// Records an audit event (a team or key change) made by `req`'s caller, for `team`.
using AuditFn = std::function<void(std::string_view type, const Request& req,
                                   const std::string& team, Json data)>;

// Registers every route on `router`.
void RegisterRoutes(Router& router, const ApiDeps& deps);

// Handlers per resource (handlers/<resource>.cpp).
// `cat` (may be null: no catalog) resolves jobs submitted from a template.
void RegisterJobRoutes(Router& router, coord::Coordinator* coordinator, catalog::Catalog* cat);
void RegisterCatalogRoutes(Router& router, catalog::Catalog* cat);
void RegisterWorkerRoutes(Router& router, coord::Coordinator* coordinator);
void RegisterIdentityRoutes(Router& router, identity::Identity* id, Clock* clock,
                            AuditFn audit = nullptr);
void RegisterEventRoutes(Router& router, events::EventLog* log);
void RegisterLogRoutes(Router& router, coord::Coordinator* coordinator);
// An AuditFn appending to `log` (nullptr: none).
AuditFn AuditTo(events::EventLog* log);
void RegisterHealthRoutes(Router& router, std::function<bool()> ready);
void RegisterUsageRoutes(Router& router, usage::UsageMeter* meter, Clock* clock);
void RegisterNotifyRoutes(Router& router, notify::Notifier* notifier, coord::Coordinator* c,
                          identity::Identity* id);

// The catalog's view of the caller.
catalog::Viewer ViewerOf(const Principal& p);
void RegisterMetricsRoutes(Router& router, obs::Metrics* metrics);

// Strict query parameters: InvalidArgument naming the first parameter not in `allowed`.
Status CheckQuery(const Request& req, std::initializer_list<std::string_view> allowed);

}  // namespace skiff::api

// The HTTP API of skiff: which routes exist and what they call. docs/api.md describes them.
#pragma once

#include <functional>

#include "api/router.h"
#include "coord/coordinator.h"
#include "core/time.h"
#include "identity/identity.h"
#include "obs/metrics.h"

namespace skiff::api {

struct ApiDeps {
  coord::Coordinator* coordinator = nullptr;
  identity::Identity* identity = nullptr;
  Clock* clock = nullptr;
  std::function<bool()> ready;  // /readyz
  obs::Metrics* metrics = nullptr;  // /metrics; nullptr: obs::Metrics::Default()
};

// Registers every route on `router`.
void RegisterRoutes(Router& router, const ApiDeps& deps);

// Handlers per resource (handlers/<resource>.cpp).
void RegisterJobRoutes(Router& router, coord::Coordinator* coordinator);
void RegisterWorkerRoutes(Router& router, coord::Coordinator* coordinator);
void RegisterIdentityRoutes(Router& router, identity::Identity* id, Clock* clock);
void RegisterHealthRoutes(Router& router, std::function<bool()> ready);
void RegisterMetricsRoutes(Router& router, obs::Metrics* metrics);

// Strict query parameters: InvalidArgument naming the first parameter not in `allowed`.
Status CheckQuery(const Request& req, std::initializer_list<std::string_view> allowed);

}  // namespace skiff::api

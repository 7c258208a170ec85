#include "api/api.h"

namespace skiff::api {

void RegisterHealthRoutes(Router& router, std::function<bool()> ready) {
  router.Add("GET", "/healthz", Permission::kPublic, [](Request&, const Principal&) {
    return Response::Json(200, {{"ok", true}});
  });
  router.Add("GET", "/readyz", Permission::kPublic, [ready](Request&, const Principal&) {
    bool r = !ready || ready();
    return Response::Json(r ? 200 : 503, {{"ready", r}});
  });
}

}  // namespace skiff::api

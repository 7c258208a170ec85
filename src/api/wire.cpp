#include "api/wire.h"

#include <cctype>

namespace skiff::api {

Request RequestFromBeast(BeastRequest&& msg, std::string remote) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.remote = std::move(remote);
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(f.value());
  }
  req.body = std::move(msg.body());
  return req;
}

Response Dispatch(Router& router, Request& req) {
  Status st = ParseTarget(req.target, &req.path, &req.query);
  return st.ok() ? router.Handle(req) : Response::Error(st);
}

}  // namespace skiff::api

// From a parsed HTTP/1.1 message to a routed response: the part of request handling that sits
// between Beast's parser and the Router, shared by HttpServer and the fuzz targets (tests/fuzz/),
// so the fuzzers exercise exactly what the server runs.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "api/http.h"
#include "api/router.h"

namespace skiff::api {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Moves method, target, headers (names lower-cased) and body out of `msg`.
Request RequestFromBeast(BeastRequest&& msg, std::string remote);

// Decodes the target (400 naming the problem when it is malformed) and hands the request to the
// router.
Response Dispatch(Router& router, Request& req);

}  // namespace skiff::api

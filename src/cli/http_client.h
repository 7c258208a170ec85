// The CLI talks to the server through the shared HTTP client (net/http_client.h).
#pragma once

#include "net/http_client.h"

namespace skiff::cli {
using net::EscapeUrlComponent;
using net::HttpClient;
using net::HttpClientOptions;
using net::HttpHeaders;
using net::HttpResponse;
}  // namespace skiff::cli

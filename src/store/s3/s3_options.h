// S3Options: where an S3Store talks to and how, parsed from a store URL and the environment.
//
//   s3://bucket/prefix?region=eu-west-1&endpoint=http://127.0.0.1:9000&path_style=1
//   s3://ACCESS_KEY:SECRET@bucket/prefix   (percent-encode '/' and '+' in the secret; prefer env)
//
// Query parameters: region, endpoint (scheme://host[:port]), path_style (0|1), timeout_ms (each
// request), retries (attempts after the first), pool (kept-alive connections). The URL wins over
// the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (then
// AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (then AWS_ENDPOINT_URL). Without an endpoint the
// store talks to AWS (https://s3.<region>.amazonaws.com) with virtual-hosted addressing; with a
// custom endpoint path-style is the default (MinIO, Ceph RGW and s3rver expect it).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/s3/sigv4.h"

namespace skiff::store::s3 {

struct S3Options {
  std::string bucket;
  std::string prefix;          // "" or ending in '/': every key is stored as prefix + key
  std::string region = "us-east-1";
  std::string endpoint;        // "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000"
  bool path_style = false;     // https://host/bucket/key instead of https://bucket.host/key
  Credentials credentials;
  int timeout_ms = 30000;      // one request, connect included
  int connect_timeout_ms = 5000;
  int retries = 4;             // extra attempts on 5xx, throttling and connection errors
  int pool_size = 16;          // easy handles (connections) kept alive between requests
};

// Reads the environment variable `name` (nullptr when unset). Tests pass their own.
using GetEnv = std::function<const char*(const char*)>;

// Parses "s3://..." (see above). InvalidArgument naming the url and the problem: no bucket, a bad
// bucket name, an unknown or malformed parameter, or no credentials at all.
Result<S3Options> ParseS3Url(std::string_view url, const GetEnv& env);

}  // namespace skiff::store::s3

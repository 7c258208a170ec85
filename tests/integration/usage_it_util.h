// Helpers of the usage and notification integration tests: HTTP calls returning status + JSON,
// keys made through the API, and a strict RFC 4180 reader to check exported CSV.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "it_util.h"

namespace skiff::it {

struct Answer {
  int status = 0;
  Json body;
  std::string raw;
};

inline Answer Call(net::HttpClient& http, const std::string& method, const std::string& path,
                   const std::string& body = "") {
  Result<net::HttpResponse> r = method == "GET" ? http.Get(path) : http.Post(path, body);
  if (!r.ok()) return {-1, Json(r.status().message()), ""};
  auto j = ParseJson(r->body);
  return {r->status, j.ok() ? *j : Json(), r->body};
}

// Creates a key through the API; returns the key.
inline std::string MakeKey(net::HttpClient& admin, const std::string& team, const Json& fields) {
  Answer a = Call(admin, "POST", "/v1/teams/" + team + "/keys", fields.dump());
  EXPECT_EQ(a.status, 201) << a.raw;
  return a.status == 201 ? a.body["key"].get<std::string>() : "";
}

// Parses RFC 4180 CSV strictly (CRLF record ends, quoted fields with "" for a quote). Sets *ok
// to false on any malformed input.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text, bool* ok) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  *ok = true;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) {
          *ok = false;
          return rows;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '"') {
        if (text[i] == '\n') {
          *ok = false;  // a bare LF outside quotes
          return rows;
        }
        field += text[i++];
      }
    }
    if (i < text.size() && text[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (i + 1 < text.size() && text[i] == '\r' && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
    } else {
      *ok = false;
      return rows;
    }
  }
  if (!row.empty() || !field.empty()) *ok = false;  // the last record lacks its CRLF
  return rows;
}

// Server options: `workers` in-process workers and extra flags.
inline TestServerOptions Opts(int workers, std::vector<std::string> extra = {}) {
  TestServerOptions o;
  o.workers = workers;
  o.extra_args = std::move(extra);
  return o;
}

inline const std::vector<std::string> kUsageColumns = {
    "time",   "kind",         "team",        "user_id",     "email",        "job",
    "round",  "template",     "task",        "attempts",    "result",       "wall_seconds",
    "cpu_seconds", "peak_rss_kb", "stdout_bytes", "stderr_bytes"};

}  // namespace skiff::it

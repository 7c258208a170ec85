// Small helpers shared by the integration tests (black-box: the real `skiff` binary over HTTP).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <string>
#include <thread>

#include "core/json_input.h"
#include "testing/test_server.h"

namespace skiff::it {

using skiff::Json;
using skiff::testing::TestServer;
using skiff::testing::TestServerOptions;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

#define IT_CONCAT_INNER(a, b) a##b
#define IT_CONCAT(a, b) IT_CONCAT_INNER(a, b)
// ASSERT that a Result is ok (printing its message) and move its value into `lhs`.
#define IT_ASSIGN_OR_FAIL(lhs, expr) IT_ASSIGN_OR_FAIL_IMPL(IT_CONCAT(it_r_, __LINE__), lhs, expr)
#define IT_ASSIGN_OR_FAIL_IMPL(tmp, lhs, expr)                       \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().message(); \
  lhs = std::move(tmp).value()

// A job body running `sh -c script` with the given extra fields merged in.
inline Json ShJob(const std::string& script, const Json& extra = Json::object()) {
  Json body = {{"argv", {"sh", "-c", script}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = *it;
  return body;
}

// Milliseconds since the epoch of "2026-11-22T10:00:00.123Z" (-1 when it does not parse).
inline int64_t ParseTimeMs(const Json& v) {
  if (!v.is_string()) return -1;
  std::string s = v.get<std::string>();
  std::tm tm = {};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

// Polls `pred` every `every` until it is true or `timeout` passes; whether it became true.
inline bool WaitUntil(const std::function<bool()>& pred, milliseconds timeout,
                      milliseconds every = milliseconds(20)) {
  auto end = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(every);
  }
}

inline int64_t MsSince(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

// The job's attempts of one task ([] when it has none).
inline Json AttemptsOf(const Json& job, const std::string& task) {
  if (!job.contains("attempts") || !job["attempts"].contains(task)) return Json::array();
  return job["attempts"][task];
}

inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = s.find_first_not_of(" \n");
  return b == std::string::npos ? "" : s.substr(b);
}

// Counts of a job ({"total", "pending", "running", "ok", "ko"}).
inline int Count(const Json& job, const char* name) { return job["counts"][name].get<int>(); }

}  // namespace skiff::it

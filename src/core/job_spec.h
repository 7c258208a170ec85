// What a user submits: the task spec, job params and items, parsed strictly from the API body, and
// the placeholder rendering that turns spec + item into one task's argv and env.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"

namespace skiff {

inline constexpr size_t kMaxItems = 100000;
inline constexpr size_t kMaxArgs = 4096;
inline constexpr size_t kMaxArgBytes = 128 * 1024;

struct TaskSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  double timeout_s = 3600;
  int max_attempts = 1;
  int64_t backoff_ms = 1000;
  Json unknown;  // fields of a stored spec this version does not know, written back unchanged
};

struct JobSubmission {
  std::string name;
  std::string correlation_id;
  std::string traceparent;  // W3C trace context of the submitting request (a header, not the body)
  TaskSpec spec;
  Json params = Json::object();  // object of scalars
  Json items;                    // array of objects of scalars, or null when only item_count
  size_t item_count = 1;
  // What to tell when the job finishes: {"webhook": URL, "email": bool} (normalised by
  // ParseNotifySpec); null when the submission has no "notify".
  Json notify;
  std::string template_ref;  // "name@version" when built from a catalog template, else ""
};

// Parses the "notify" field of a submission: an object with "webhook" (an http:// or https:// URL)
// and/or "email" (a boolean). InvalidArgument naming the field ("notify.webhook: ...").
Result<Json> ParseNotifySpec(const Json& notify);

// Parses a POST /v1/jobs body. InvalidArgument naming the field on any unknown field, wrong type,
// empty argv, out-of-range value, or too many items; ResourceExhausted when items exceed kMaxItems.
Result<JobSubmission> ParseJobSubmission(const Json& body);

// Renders `{{name}}` placeholders: looked up in `item`, then `params`, then `builtins`. Strings are
// inserted as they are; numbers and booleans as JSON writes them. InvalidArgument naming the
// placeholder when it is unknown or unterminated.
Result<std::string> RenderTemplate(std::string_view text, const Json& item, const Json& params,
                                   const std::map<std::string, std::string>& builtins);

// Delay before retry after failed attempt `n` (1-based): backoff_ms * 2^(n-1), capped at 10
// minutes, scaled by `jitter` (callers pass a random value in [0.8, 1.2]).
int64_t RetryDelayMs(const TaskSpec& spec, int n, double jitter);

}  // namespace skiff

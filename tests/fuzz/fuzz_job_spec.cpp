// POST /v1/jobs bodies: JSON parsing, the strict job submission reader, and template rendering of
// every task of an accepted submission (bounded to a few items per input).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/job_spec.h"
#include "core/json_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = skiff::ParseJson(text);
  if (!body.ok()) return 0;
  auto sub = skiff::ParseJobSubmission(*body);
  if (!sub.ok()) return 0;
  std::map<std::string, std::string> builtins = {{"task_index", "0"}, {"job_id", "job_fuzz"}};
  size_t n = sub->items.is_array() ? sub->items.size() : 1;
  for (size_t i = 0; i < n && i < 4; ++i) {
    skiff::Json item = sub->items.is_array() ? sub->items[i] : skiff::Json::object();
    for (const std::string& arg : sub->spec.argv) {
      (void)skiff::RenderTemplate(arg, item, sub->params, builtins);
    }
    for (const auto& [k, v] : sub->spec.env) {
      (void)skiff::RenderTemplate(v, item, sub->params, builtins);
    }
  }
  for (int attempt = 1; attempt <= 3; ++attempt) (void)skiff::RetryDelayMs(sub->spec, attempt, 1.0);
  return 0;
}

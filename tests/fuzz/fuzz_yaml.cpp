// Job files the CLI reads (`skiff job submit -f job.yaml`): YAML (and JSON) to JSON, then the
// server's submission reader on the result, as the server would see it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/yaml_json.h"
#include "core/job_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto yaml = skiff::cli::YamlToJson(text, "fuzz.yaml");
  if (yaml.ok()) {
    (void)skiff::ParseJobSubmission(*yaml);
    // As `skiff job submit` does: a YAML string need not be valid UTF-8, and dump() says so with
    // a type_error, which the CLI turns into "a string is not valid UTF-8" (exit 2).
    try {
      (void)yaml->dump();
    } catch (const nlohmann::json::type_error&) {
    }
  }
  (void)skiff::cli::ParseJson(text, "fuzz.json");
  return 0;
}

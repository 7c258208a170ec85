// Strict reading of API input objects: every field is known, every type is right, and each error
// names the field by its path ("items[3].name: expected a string"). Outputs use nlohmann::json
// directly; this is for inputs only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace skiff {

using Json = nlohmann::json;

// Parses text as JSON; InvalidArgument with the parser's position on bad JSON or bad UTF-8.
Result<Json> ParseJson(std::string_view text);

// Reads the fields of one JSON object. Call Done() last: it reports fields nobody asked for.
class ObjectReader {
 public:
  // `path` prefixes every message ("" for the body itself, "items[3]").
  ObjectReader(const Json& obj, std::string path);

  // Each getter returns nullopt when the field is absent (or null), and records an error on a wrong
  // type or a value out of range; the first error wins.
  std::optional<std::string> String(std::string_view name, size_t max_bytes);
  std::optional<int64_t> Int(std::string_view name, int64_t min, int64_t max);
  std::optional<double> Number(std::string_view name, double min, double max);
  std::optional<bool> Bool(std::string_view name);
  const Json* Field(std::string_view name);  // any type, marks the field as known

  // Records an error about a field (for checks the caller does itself).
  void Fail(std::string_view name, std::string_view message);
  std::string PathOf(std::string_view name) const;

  // First error, or an error naming the first unknown field, or ok.
  Status Done();
  bool failed() const { return !status_.ok(); }

 private:
  const Json& obj_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
  Status status_;
};

}  // namespace skiff

namespace skiff {

// Serialises compactly; invalid UTF-8 inside strings becomes U+FFFD instead of throwing.
std::string DumpJson(const Json& j, int indent = -1);

// Replaces every invalid UTF-8 sequence in `s` with U+FFFD.
std::string SanitizeUtf8(std::string_view s);

// The end of `s`, sanitised, in at most `max_bytes` bytes: no UTF-8 sequence is cut, and an
// invalid byte near the end counts as the 3 bytes of its U+FFFD.
std::string Utf8Tail(std::string_view s, size_t max_bytes);

}  // namespace skiff

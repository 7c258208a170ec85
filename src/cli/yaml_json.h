// Job files: JSON or YAML text -> nlohmann::json, with errors that name the file, line and column.
//
// YAML follows the 1.2 core schema for plain (unquoted) scalars: null, Null, NULL, ~ and an empty
// value are null; true/false (also True, TRUE...) are booleans; decimal, 0x and 0o integers are
// integers; decimals with a '.' or an exponent are numbers; everything else, including yes/no/on/off,
// .inf and .nan, is a string. Quoted and block scalars are always strings ("8080" stays a string).
// Mapping keys are taken as written. Anchors and aliases are expanded. Explicit standard tags
// (!!str, !!int, !!float, !!bool, !!null) are honoured; other tags are an error.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace skiff::cli {

enum class DocFormat {
  kJson,
  kYaml,
  kAuto,  // JSON first, then YAML
};

// Converts one YAML document. InvalidArgument "<source>:<line>:<column>: <what>" (1-based) for a
// syntax error, a duplicate or non-scalar key, an out-of-range integer, more than one document, or
// a document too large once aliases are expanded.
Result<nlohmann::json> YamlToJson(std::string_view text, std::string_view source);

// Parses JSON text. InvalidArgument "<source>:<line>:<column>: <what>" on a syntax error.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source);

// Parses `text` in `format`. For kAuto, text that is not valid JSON is read as YAML and a failure
// reports the YAML error.
Result<nlohmann::json> ParseDocument(std::string_view text, std::string_view source,
                                     DocFormat format);

// The format a path's extension implies: .json -> kJson, .yaml/.yml -> kYaml, else kAuto.
DocFormat FormatForPath(std::string_view path);

// Reads `path` ("-" is standard input, named "<stdin>" in errors) and parses it by its extension.
// InvalidArgument when the file cannot be read.
Result<nlohmann::json> ReadDocument(const std::string& path);

}  // namespace skiff::cli

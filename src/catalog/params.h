// The parameter schema of a template and the validation of submitted parameters against it.
//
// A schema is an ordered list of parameters. Each has a name, a type (string, int, number, bool,
// enum) and optional rules: default, required, min/max (int and number), pattern (string; an RE2
// that must match the whole value) and values (enum). Every error message names the parameter and
// the rule it broke: `params.height: 5000 is above the maximum 2160 (rule max)`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace skiff::catalog {

enum class ParamType { kString, kInt, kNumber, kBool, kEnum };
std::string_view ParamTypeName(ParamType t);

inline constexpr size_t kMaxParams = 100;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  std::string description;
  Json default_value;  // null when the parameter has no default
  bool required = false;
  Json min;                         // number or null (int and number only)
  Json max;                         // number or null
  std::string pattern;              // "" for none (string only)
  std::vector<std::string> values;  // the choices of an enum
  std::shared_ptr<const re2::RE2> re;  // `pattern` compiled
};

// Parses a schema (a JSON array of parameter objects) strictly: unknown fields, a bad name, a
// reserved name (job, task, index: the built-in placeholders), a duplicate, a rule that does not
// fit the type, a pattern RE2 cannot compile, or a default that breaks the rules are
// InvalidArgument naming the field by its path ("params[2].pattern: ...").
Result<std::vector<ParamSpec>> ParseParamSchema(const Json& params, const std::string& path);

// The schema as stored and shown (the same shape ParseParamSchema reads).
Json ParamSchemaToJson(const std::vector<ParamSpec>& schema);

// Checks one value against its parameter's type and rules. InvalidArgument
// "<path>: <what> (rule <rule>)" where rule is type, min, max, pattern or enum.
Status CheckParamValue(const ParamSpec& spec, const Json& value, const std::string& path);

// Checks a submitted object of parameters: every field must be a parameter of the schema (rule
// unknown) and satisfy its rules. With `fill` the result holds the defaults of the parameters not
// given, and a required parameter that is missing is an error (rule required). `path` is the
// object's path in messages ("params", "items[3]").
Result<Json> ResolveParams(const std::vector<ParamSpec>& schema, const Json& given,
                           const std::string& path, bool fill);

// A value of the parameter's type (its default, else the first enum value, else a plain value),
// for checking that every placeholder of a task spec renders; it is not checked against the rules.
Json SampleValue(const ParamSpec& spec);

}  // namespace skiff::catalog

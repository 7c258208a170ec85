#include "catalog/params.h"

#include <re2/re2.h>

#include <cctype>
#include <set>

#include "core/job_spec.h"

namespace skiff::catalog {
namespace {

bool IsParamName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

bool ParseType(const std::string& s, ParamType* t) {
  static const std::pair<const char*, ParamType> kTypes[] = {
      {"string", ParamType::kString}, {"int", ParamType::kInt}, {"number", ParamType::kNumber},
      {"bool", ParamType::kBool},     {"enum", ParamType::kEnum}};
  for (const auto& [name, type] : kTypes) {
    if (s == name) {
      *t = type;
      return true;
    }
  }
  return false;
}

// a < b for two JSON numbers, exactly when both are integers.
bool Less(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      // Compare as unsigned when both are non-negative, else the negative one is smaller.
      bool an = !a.is_number_unsigned() && a.get<int64_t>() < 0;
      bool bn = !b.is_number_unsigned() && b.get<int64_t>() < 0;
      if (an != bn) return an;
      if (an) return a.get<int64_t>() < b.get<int64_t>();
      return a.get<uint64_t>() < b.get<uint64_t>();
    }
    return a.get<int64_t>() < b.get<int64_t>();
  }
  return a.get<double>() < b.get<double>();
}

std::string Quote(const std::string& s) {
  std::string shown = s.size() > 80 ? s.substr(0, 80) + "..." : s;
  return Json(shown).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Rule(std::string_view what, std::string_view rule) {
  return std::string(what) + " (rule " + std::string(rule) + ")";
}

}  // namespace

std::string_view ParamTypeName(ParamType t) {
  switch (t) {
    case ParamType::kString: return "string";
    case ParamType::kInt: return "int";
    case ParamType::kNumber: return "number";
    case ParamType::kBool: return "bool";
    case ParamType::kEnum: return "enum";
  }
  return "?";
}

Result<std::vector<ParamSpec>> ParseParamSchema(const Json& params, const std::string& path) {
  if (!params.is_array()) return InvalidArgument(path + ": expected an array of parameters");
  if (params.size() > kMaxParams) {
    return InvalidArgument(path + ": more than " + std::to_string(kMaxParams) + " parameters");
  }
  std::vector<ParamSpec> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    ObjectReader r(params[i], at);
    if (r.failed()) return r.Done();
    ParamSpec p;
    auto name = r.String("name", 64);
    auto type = r.String("type", 16);
    if (auto d = r.String("description", 2000)) p.description = *d;
    if (auto req = r.Bool("required")) p.required = *req;
    const Json* def = r.Field("default");
    const Json* min = r.Field("min");
    const Json* max = r.Field("max");
    auto pattern = r.String("pattern", 1000);
    const Json* values = r.Field("values");
    RETURN_IF_ERROR(r.Done());
    if (!name) return InvalidArgument(at + ".name: required");
    if (!IsParamName(*name)) {
      return InvalidArgument(at + ".name: \"" + *name +
                             "\" is not a parameter name (a letter or _, then letters, digits "
                             "or _; at most 64)");
    }
    if (*name == "job" || *name == "task" || *name == "index") {
      return InvalidArgument(at + ".name: \"" + *name + "\" is reserved for the built-in {{" +
                             *name + "}} placeholder");
    }
    if (!seen.insert(*name).second) {
      return InvalidArgument(at + ".name: \"" + *name + "\" is declared twice");
    }
    p.name = *name;
    if (!type) return InvalidArgument(at + ".type: required");
    if (!ParseType(*type, &p.type)) {
      return InvalidArgument(at + ".type: expected string, int, number, bool or enum");
    }
    const bool numeric = p.type == ParamType::kInt || p.type == ParamType::kNumber;
    for (auto [field, v] : {std::pair{"min", min}, std::pair{"max", max}}) {
      if (v == nullptr) continue;
      if (!numeric) return InvalidArgument(at + "." + field + ": only for int or number");
      if (p.type == ParamType::kInt ? !v->is_number_integer() : !v->is_number()) {
        return InvalidArgument(at + "." + field + ": expected " +
                               (p.type == ParamType::kInt ? "an integer" : "a number"));
      }
    }
    if (min) p.min = *min;
    if (max) p.max = *max;
    if (min && max && Less(*max, *min)) return InvalidArgument(at + ".max: less than min");
    if (pattern) {
      if (p.type != ParamType::kString) return InvalidArgument(at + ".pattern: only for string");
      auto re = std::make_shared<re2::RE2>(*pattern, re2::RE2::Quiet);
      if (!re->ok()) {
        return InvalidArgument(at + ".pattern: not a valid RE2 expression: " + re->error());
      }
      p.pattern = *pattern;
      p.re = std::move(re);
    }
    if (values != nullptr) {
      if (p.type != ParamType::kEnum) return InvalidArgument(at + ".values: only for enum");
      if (!values->is_array() || values->empty() || values->size() > 1000) {
        return InvalidArgument(at + ".values: expected 1 to 1000 strings");
      }
      std::set<std::string> distinct;
      for (const Json& v : *values) {
        if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
            v.get_ref<const std::string&>().size() > 200) {
          return InvalidArgument(at + ".values: expected non-empty strings of at most 200 bytes");
        }
        if (!distinct.insert(v.get<std::string>()).second) {
          return InvalidArgument(at + ".values: " + Quote(v.get<std::string>()) +
                                 " appears twice");
        }
        p.values.push_back(v.get<std::string>());
      }
    } else if (p.type == ParamType::kEnum) {
      return InvalidArgument(at + ".values: required for an enum");
    }
    if (def != nullptr) {
      if (p.required) {
        return InvalidArgument(at + ".default: a required parameter has no default");
      }
      RETURN_IF_ERROR(CheckParamValue(p, *def, at + ".default"));
      p.default_value = *def;
    }
    out.push_back(std::move(p));
  }
  return out;
}

Json ParamSchemaToJson(const std::vector<ParamSpec>& schema) {
  Json out = Json::array();
  for (const ParamSpec& p : schema) {
    Json j = {{"name", p.name}, {"type", ParamTypeName(p.type)}};
    if (!p.description.empty()) j["description"] = p.description;
    if (p.required) j["required"] = true;
    if (!p.default_value.is_null()) j["default"] = p.default_value;
    if (!p.min.is_null()) j["min"] = p.min;
    if (!p.max.is_null()) j["max"] = p.max;
    if (!p.pattern.empty()) j["pattern"] = p.pattern;
    if (p.type == ParamType::kEnum) j["values"] = p.values;
    out.push_back(std::move(j));
  }
  return out;
}

Status CheckParamValue(const ParamSpec& p, const Json& v, const std::string& path) {
  switch (p.type) {
    case ParamType::kString:
    case ParamType::kEnum: {
      if (!v.is_string()) return InvalidArgument(path + ": " + Rule("expected a string", "type"));
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() > kMaxArgBytes) {
        return InvalidArgument(path + ": " + Rule("longer than " +
                                                  std::to_string(kMaxArgBytes) + " bytes", "type"));
      }
      if (s.find('\0') != std::string::npos) {
        return InvalidArgument(path + ": " + Rule("contains NUL", "type"));
      }
      if (p.type == ParamType::kEnum) {
        for (const std::string& choice : p.values) {
          if (choice == s) return OkStatus();
        }
        std::string list;
        for (const std::string& choice : p.values) list += (list.empty() ? "" : ", ") + choice;
        return InvalidArgument(path + ": " + Rule(Quote(s) + " is not one of " + list, "enum"));
      }
      if (p.re && !re2::RE2::FullMatch(s, *p.re)) {
        return InvalidArgument(path + ": " + Rule(Quote(s) + " does not match " + p.pattern,
                                                  "pattern"));
      }
      return OkStatus();
    }
    case ParamType::kBool:
      if (!v.is_boolean()) return InvalidArgument(path + ": " + Rule("expected true or false",
                                                                     "type"));
      return OkStatus();
    case ParamType::kInt:
    case ParamType::kNumber:
      if (p.type == ParamType::kInt && !v.is_number_integer()) {
        return InvalidArgument(path + ": " + Rule("expected an integer", "type"));
      }
      if (!v.is_number()) return InvalidArgument(path + ": " + Rule("expected a number", "type"));
      if (!p.min.is_null() && Less(v, p.min)) {
        return InvalidArgument(path + ": " + Rule(v.dump() + " is below the minimum " +
                                                  p.min.dump(), "min"));
      }
      if (!p.max.is_null() && Less(p.max, v)) {
        return InvalidArgument(path + ": " + Rule(v.dump() + " is above the maximum " +
                                                  p.max.dump(), "max"));
      }
      return OkStatus();
  }
  return OkStatus();
}

Result<Json> ResolveParams(const std::vector<ParamSpec>& schema, const Json& given,
                           const std::string& path, bool fill) {
  if (!given.is_object()) return InvalidArgument(path + ": expected an object");
  for (auto it = given.begin(); it != given.end(); ++it) {
    bool known = false;
    for (const ParamSpec& p : schema) known = known || p.name == it.key();
    if (!known) {
      return InvalidArgument(path + "." + it.key() + ": " +
                             Rule("not a parameter of this template", "unknown"));
    }
  }
  Json out = Json::object();
  for (const ParamSpec& p : schema) {
    const std::string at = path + "." + p.name;
    auto it = given.find(p.name);
    if (it != given.end() && !it->is_null()) {
      RETURN_IF_ERROR(CheckParamValue(p, *it, at));
      out[p.name] = *it;
    } else if (fill && !p.default_value.is_null()) {
      out[p.name] = p.default_value;
    } else if (fill && p.required) {
      return InvalidArgument(at + ": " + Rule("missing", "required"));
    }
  }
  return out;
}

Json SampleValue(const ParamSpec& p) {
  if (!p.default_value.is_null()) return p.default_value;
  switch (p.type) {
    case ParamType::kString: return "x";
    case ParamType::kInt: return p.min.is_null() ? Json(0) : p.min;
    case ParamType::kNumber: return p.min.is_null() ? Json(0.0) : p.min;
    case ParamType::kBool: return false;
    case ParamType::kEnum: return p.values.empty() ? Json("") : Json(p.values.front());
  }
  return Json();
}

}  // namespace skiff::catalog

#include "core/job_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace skiff {
namespace {

bool IsEnvName(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

// An object whose values are strings, numbers or booleans (item or params).
Status CheckScalarObject(const Json& obj, const std::string& path) {
  if (!obj.is_object()) return InvalidArgument(path + ": expected an object");
  if (obj.size() > 1000) return InvalidArgument(path + ": more than 1000 fields");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!IsScalar(*it)) {
      return InvalidArgument(path + "." + it.key() + ": expected a string, number or boolean");
    }
    if (it->is_string() && it->get_ref<const std::string&>().size() > kMaxArgBytes) {
      return InvalidArgument(path + "." + it.key() + ": longer than " +
                             std::to_string(kMaxArgBytes) + " bytes");
    }
  }
  return OkStatus();
}

std::string ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

Result<JobSubmission> ParseJobSubmission(const Json& body) {
  JobSubmission sub;
  ObjectReader r(body, "");
  if (r.failed()) return r.Done();
  if (auto v = r.String("name", 200)) sub.name = *v;
  if (auto v = r.String("correlation_id", 128)) sub.correlation_id = *v;
  if (auto v = r.Number("timeout_s", 0.001, 604800)) sub.spec.timeout_s = *v;
  if (auto v = r.Int("max_attempts", 1, 100)) sub.spec.max_attempts = static_cast<int>(*v);
  if (auto v = r.Int("backoff_ms", 0, 3600000)) sub.spec.backoff_ms = *v;

  const Json* argv = r.Field("argv");
  if (r.failed()) return r.Done();
  if (argv == nullptr) return InvalidArgument("argv: required");
  if (!argv->is_array()) return InvalidArgument("argv: expected an array of strings");
  if (argv->empty()) return InvalidArgument("argv: must not be empty");
  if (argv->size() > kMaxArgs) {
    return InvalidArgument("argv: more than " + std::to_string(kMaxArgs) + " arguments");
  }
  for (size_t i = 0; i < argv->size(); ++i) {
    const Json& a = (*argv)[i];
    std::string path = "argv[" + std::to_string(i) + "]";
    if (!a.is_string()) return InvalidArgument(path + ": expected a string");
    const auto& s = a.get_ref<const std::string&>();
    if (s.size() > kMaxArgBytes) return InvalidArgument(path + ": too long");
    if (s.find('\0') != std::string::npos) return InvalidArgument(path + ": contains NUL");
    sub.spec.argv.push_back(s);
  }
  if (sub.spec.argv[0].empty()) return InvalidArgument("argv[0]: must not be empty");

  if (const Json* env = r.Field("env")) {
    if (!env->is_object()) return InvalidArgument("env: expected an object of strings");
    if (env->size() > 1000) return InvalidArgument("env: more than 1000 variables");
    for (auto it = env->begin(); it != env->end(); ++it) {
      if (!IsEnvName(it.key())) {
        return InvalidArgument("env." + it.key() + ": not a valid variable name");
      }
      if (!it->is_string()) return InvalidArgument("env." + it.key() + ": expected a string");
      const auto& s = it->get_ref<const std::string&>();
      if (s.size() > kMaxArgBytes) return InvalidArgument("env." + it.key() + ": too long");
      if (s.find('\0') != std::string::npos) {
        return InvalidArgument("env." + it.key() + ": contains NUL");
      }
      sub.spec.env[it.key()] = s;
    }
  }
  if (const Json* params = r.Field("params")) {
    RETURN_IF_ERROR(CheckScalarObject(*params, "params"));
    sub.params = *params;
  }
  if (const Json* items = r.Field("items")) {
    if (items->is_number_integer()) {
      int64_t n = items->get<int64_t>();
      if (n < 1) return InvalidArgument("items: must be at least 1");
      if (static_cast<uint64_t>(n) > kMaxItems) {
        return ResourceExhausted("items: more than " + std::to_string(kMaxItems) +
                                 " tasks in one job");
      }
      sub.item_count = static_cast<size_t>(n);
    } else if (items->is_array()) {
      if (items->empty()) return InvalidArgument("items: must not be empty");
      if (items->size() > kMaxItems) {
        return ResourceExhausted("items: more than " + std::to_string(kMaxItems) +
                                 " tasks in one job");
      }
      for (size_t i = 0; i < items->size(); ++i) {
        RETURN_IF_ERROR(CheckScalarObject((*items)[i], "items[" + std::to_string(i) + "]"));
      }
      sub.items = *items;
      sub.item_count = items->size();
    } else {
      return InvalidArgument("items: expected an array of objects or a positive integer");
    }
  }
  if (const Json* notify = r.Field("notify")) {
    ASSIGN_OR_RETURN(sub.notify, ParseNotifySpec(*notify));
  }
  RETURN_IF_ERROR(r.Done());
  return sub;
}

Result<Json> ParseNotifySpec(const Json& notify) {
  if (!notify.is_object()) return InvalidArgument("notify: expected an object");
  ObjectReader r(notify, "notify");
  Json out = Json::object();
  if (auto v = r.String("webhook", 2048)) {
    const std::string& url = *v;
    bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
    size_t host_at = url.find("://") + 3;
    bool clean = std::all_of(url.begin(), url.end(), [](char c) {
      return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
    });
    if (!scheme || !clean || url.size() <= host_at || url[host_at] == '/') {
      r.Fail("webhook", "expected an http:// or https:// URL with a host");
    } else {
      out["webhook"] = url;
    }
  }
  if (auto v = r.Bool("email")) out["email"] = *v;
  RETURN_IF_ERROR(r.Done());
  if (!out.contains("webhook") && !out.value("email", false)) {
    return InvalidArgument("notify: set webhook, or email to true");
  }
  return out;
}

Result<std::string> RenderTemplate(std::string_view text, const Json& item, const Json& params,
                                   const std::map<std::string, std::string>& builtins) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      return out;
    }
    out.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("unterminated placeholder '{{' in \"" + std::string(text) + "\"");
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    std::string key(name);
    if (item.is_object() && item.contains(key)) {
      out += ScalarText(item[key]);
    } else if (params.is_object() && params.contains(key)) {
      out += ScalarText(params[key]);
    } else if (auto it = builtins.find(key); it != builtins.end()) {
      out += it->second;
    } else {
      return InvalidArgument("unknown placeholder {{" + key + "}}");
    }
    pos = close + 2;
  }
}

int64_t RetryDelayMs(const TaskSpec& spec, int n, double jitter) {
  constexpr double kCapMs = 600000;
  double d = static_cast<double>(spec.backoff_ms) * std::pow(2.0, std::max(0, n - 1));
  d = std::min(d, kCapMs) * jitter;
  return static_cast<int64_t>(d);
}

}  // namespace skiff

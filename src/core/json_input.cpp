#include "core/json_input.h"

#include <cmath>

namespace skiff {

Result<Json> ParseJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions to get the position and reason; the cost only hits bad input.
    try {
      Json again = Json::parse(text);
      (void)again;
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find("parse error");
      return InvalidArgument("body is not valid JSON: " +
                             (pos == std::string::npos ? what : what.substr(pos)));
    } catch (const std::exception& e) {
      return InvalidArgument(std::string("body is not valid JSON: ") + e.what());
    }
    return InvalidArgument("body is not valid JSON");
  }
  return j;
}

ObjectReader::ObjectReader(const Json& obj, std::string path) : obj_(obj), path_(std::move(path)) {
  if (!obj_.is_object()) {
    status_ = InvalidArgument((path_.empty() ? std::string("body") : path_) +
                              ": expected an object");
  }
}

std::string ObjectReader::PathOf(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

void ObjectReader::Fail(std::string_view name, std::string_view message) {
  if (status_.ok()) status_ = InvalidArgument(PathOf(name) + ": " + std::string(message));
}

const Json* ObjectReader::Field(std::string_view name) {
  known_.emplace(name);
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(name);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> ObjectReader::String(std::string_view name, size_t max_bytes) {
  const Json* f = Field(name);
  if (f == nullptr) return std::nullopt;
  if (!f->is_string()) {
    Fail(name, "expected a string");
    return std::nullopt;
  }
  const auto& s = f->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    Fail(name, "longer than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> ObjectReader::Int(std::string_view name, int64_t min, int64_t max) {
  const Json* f = Field(name);
  if (f == nullptr) return std::nullopt;
  int64_t v;
  if (f->is_number_integer()) {
    if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      Fail(name, "out of range");
      return std::nullopt;
    }
    v = f->get<int64_t>();
  } else if (f->is_number_float() && std::isfinite(f->get<double>()) &&
             std::floor(f->get<double>()) == f->get<double>() &&
             std::fabs(f->get<double>()) < 9e15) {
    v = static_cast<int64_t>(f->get<double>());
  } else {
    Fail(name, "expected an integer");
    return std::nullopt;
  }
  if (v < min || v > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> ObjectReader::Number(std::string_view name, double min, double max) {
  const Json* f = Field(name);
  if (f == nullptr) return std::nullopt;
  if (!f->is_number()) {
    Fail(name, "expected a number");
    return std::nullopt;
  }
  double v = f->get<double>();
  if (!(v >= min && v <= max)) {
    Json lo = min, hi = max;
    Fail(name, "must be between " + lo.dump() + " and " + hi.dump());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ObjectReader::Bool(std::string_view name) {
  const Json* f = Field(name);
  if (f == nullptr) return std::nullopt;
  if (!f->is_boolean()) {
    Fail(name, "expected true or false");
    return std::nullopt;
  }
  return f->get<bool>();
}

Status ObjectReader::Done() {
  if (!status_.ok()) return status_;
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    if (known_.find(it.key()) == known_.end()) {
      return InvalidArgument(PathOf(it.key()) + ": unknown field");
    }
  }
  return OkStatus();
}

}  // namespace skiff

namespace skiff {

std::string DumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

namespace {
// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SeqLen(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}
}  // namespace

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t n = Utf8SeqLen(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string Utf8Tail(std::string_view s, size_t max_bytes) {
  if (s.size() > max_bytes) {
    size_t start = s.size() - max_bytes;
    // Skip continuation bytes so the tail starts at a character boundary.
    size_t skipped = 0;
    while (start < s.size() && skipped < 3 &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      ++start;
      ++skipped;
    }
    s = s.substr(start);
  }
  std::string out = SanitizeUtf8(s);
  if (out.size() > max_bytes) {
    // Each invalid byte became a 3-byte U+FFFD: cut again, now at a boundary of valid UTF-8.
    size_t start = out.size() - max_bytes;
    while (start < out.size() && (static_cast<unsigned char>(out[start]) & 0xC0) == 0x80) ++start;
    out.erase(0, start);
  }
  return out;
}

}  // namespace skiff

#include "store/object_store.h"

#include <string>

namespace skiff::store {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// Keys can hold any bytes, so messages show them escaped ("x\x00y") and cut to a readable length.
std::string Printable(std::string_view key) {
  constexpr size_t kShown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < key.size() && i < kShown; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  if (key.size() > kShown) out += "... (" + std::to_string(key.size()) + " bytes)";
  return out;
}

Status Invalid(std::string_view what, std::string_view key, std::string_view rule) {
  return InvalidArgument("invalid " + std::string(what) + " " + Printable(key) + ": " +
                         std::string(rule));
}

Status Check(std::string_view what, std::string_view key) {
  if (key.empty()) return Invalid(what, key, "must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return Invalid(what, key, "longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  if (key.front() == '/') return Invalid(what, key, "must not start with '/'");
  for (char ch : key) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == 0) return Invalid(what, key, "must not contain a NUL byte");
    if (c == '\\') return Invalid(what, key, "must not contain a backslash");
    if (c < 0x20 || c == 0x7f) return Invalid(what, key, "must not contain a control character");
  }
  size_t begin = 0;
  while (begin <= key.size()) {
    size_t end = key.find('/', begin);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(begin, end - begin);
    if (segment.empty()) return Invalid(what, key, "has an empty segment ('//' or a trailing '/')");
    if (segment == "." || segment == "..") {
      return Invalid(what, key, "has a '" + std::string(segment) + "' segment");
    }
    if (segment.front() == '.') {
      return Invalid(what, key,
                     "segment \"" + std::string(segment) +
                         "\" starts with '.' (reserved for the store's own files)");
    }
    begin = end + 1;
  }
  return OkStatus();
}

}  // namespace

Status ValidateKey(std::string_view key) { return Check("key", key); }

Status ObjectStore::PutMany(const std::vector<PutItem>& items) {
  for (const PutItem& item : items) RETURN_IF_ERROR(ValidateKey(item.key));
  Status first;
  for (const PutItem& item : items) {
    auto put = Put(item.key, item.bytes);
    if (!put.ok() && first.ok()) first = put.status();
  }
  return first;
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return OkStatus();
  if (prefix.size() > kMaxKeyBytes) {
    return Invalid("prefix", prefix, "longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  if (prefix.front() == '/') return Invalid("prefix", prefix, "must not start with '/'");
  if (prefix.back() == '/') prefix.remove_suffix(1);
  return Check("prefix", prefix);
}

}  // namespace skiff::store

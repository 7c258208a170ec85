#include "cli/yaml_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

namespace skiff::cli {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 200;
constexpr size_t kMaxNodes = 4'000'000;  // after alias expansion; a job has at most 100,000 items
constexpr char kTagPrefix[] = "tag:yaml.org,2002:";

std::string Where(std::string_view source, const YAML::Mark& mark) {
  std::string out(source);
  if (mark.line >= 0) out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return out;
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDec(char c) { return c >= '0' && c <= '9'; }
bool IsOct(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsYamlInt(std::string_view s) {
  if (s.substr(0, 2) == "0x") return AllOf(s.substr(2), IsHex);
  if (s.substr(0, 2) == "0o") return AllOf(s.substr(2), IsOct);
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return AllOf(s, IsDec);
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsYamlFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDec(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = digits();
  size_t frac_digits = 0;
  bool dot = i < s.size() && s[i] == '.';
  if (dot) {
    ++i;
    frac_digits = digits();
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

class Converter {
 public:
  explicit Converter(std::string_view source) : source_(source) {}

  Result<json> Convert(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxNodes) {
      return Error(node, "document too large (more than " + std::to_string(kMaxNodes) + " values)");
    }
    if (depth > kMaxDepth) return Error(node, "nested too deeply");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return Scalar(node);
      case YAML::NodeType::Sequence: {
        if (!IsCollectionTag(node.Tag(), "seq")) return Error(node, "unsupported tag " + node.Tag());
        json out = json::array();
        for (const YAML::Node& child : node) {
          ASSIGN_OR_RETURN(json value, Convert(child, depth + 1));
          out.push_back(std::move(value));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        if (!IsCollectionTag(node.Tag(), "map")) return Error(node, "unsupported tag " + node.Tag());
        json out = json::object();
        for (const auto& entry : node) {
          const YAML::Node& key = entry.first;
          if (!key.IsScalar() && !key.IsNull()) return Error(key, "a mapping key must be a scalar");
          std::string name = key.IsScalar() ? key.Scalar() : "";
          if (out.contains(name)) return Error(key, "duplicate key \"" + name + "\"");
          ASSIGN_OR_RETURN(json value, Convert(entry.second, depth + 1));
          out[name] = std::move(value);
        }
        return out;
      }
    }
    return Error(node, "unknown node type");
  }

 private:
  static bool IsCollectionTag(const std::string& tag, const char* kind) {
    return tag.empty() || tag == "?" || tag == "!" || tag == std::string(kTagPrefix) + kind;
  }

  Status Error(const YAML::Node& node, const std::string& what) const {
    return InvalidArgument(Where(source_, node.Mark()) + ": " + what);
  }

  Result<json> Scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!") return json(text);  // quoted or block scalar
    std::string_view type = "?";
    if (tag.rfind(kTagPrefix, 0) == 0) {
      type = std::string_view(tag).substr(sizeof(kTagPrefix) - 1);
    } else if (tag != "?" && !tag.empty()) {
      return Error(node, "unsupported tag " + tag);
    }
    if (type == "str") return json(text);
    if ((type == "?" || type == "null") && OneOf(text, {"", "~", "null", "Null", "NULL"})) {
      return json(nullptr);
    }
    if (type == "?" || type == "bool") {
      if (OneOf(text, {"true", "True", "TRUE"})) return json(true);
      if (OneOf(text, {"false", "False", "FALSE"})) return json(false);
    }
    if ((type == "?" || type == "int") && IsYamlInt(text)) return Integer(node, text);
    if ((type == "?" || type == "float") && (IsYamlFloat(text) || IsYamlInt(text))) {
      return Float(node, text);
    }
    if (type == "?") return json(text);
    return Error(node, "\"" + text + "\" is not a valid !!" + std::string(type));
  }

  Result<json> Integer(const YAML::Node& node, std::string_view text) {
    int base = 10;
    bool negative = false;
    if (text.substr(0, 2) == "0x" || text.substr(0, 2) == "0o") {
      base = text[1] == 'x' ? 16 : 8;
      text.remove_prefix(2);
    } else if (text[0] == '-' || text[0] == '+') {
      negative = text[0] == '-';
      text.remove_prefix(1);
    }
    uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (ec == std::errc() && end == text.data() + text.size()) {
      if (!negative && magnitude <= static_cast<uint64_t>(INT64_MAX)) {
        return json(static_cast<int64_t>(magnitude));
      }
      if (!negative) return json(magnitude);
      if (magnitude <= static_cast<uint64_t>(INT64_MAX) + 1) {
        return json(static_cast<int64_t>(0 - magnitude));
      }
    }
    return Error(node, "integer " + node.Scalar() + " is out of range (quote it for a string)");
  }

  Result<json> Float(const YAML::Node& node, std::string_view text) {
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Error(node, "number " + node.Scalar() + " is out of range (quote it for a string)");
    }
    return json(value);
  }

  std::string_view source_;
  size_t nodes_ = 0;
};

std::string JsonErrorWhat(const std::string& what) {
  // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
  std::string out = what;
  if (size_t bracket = out.find("] "); out.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
    out = out.substr(bracket + 2);
  }
  if (size_t column = out.find(", column "); column != std::string::npos) {
    if (size_t colon = out.find(": ", column); colon != std::string::npos) out = out.substr(colon + 2);
  }
  return out;
}

// Where a document starts and whether it holds anything but an empty (null) root.
class DocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    events = 0;
    empty_root = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (events++ == 0 && anchor == YAML::NullAnchor) {
      empty_root = true;
      null_mark = mark;
    }
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    ++events;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnMapEnd() override {}

  YAML::Mark start;
  YAML::Mark null_mark;
  int events = 0;
  bool empty_root = false;
};

// Whether `text` has a line that is not blank, a comment, a directive or a document marker.
bool HasContent(std::string_view text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos) {
      line.remove_prefix(b);
      if (line[0] != '#' && line[0] != '%' && line.substr(0, 3) != "---" &&
          line.substr(0, 3) != "...") {
        return true;
      }
    }
    pos = end + 1;
  }
  return false;
}

// Counts the documents of `text`, stopping at two (the second's start in `*second`) and at the
// first empty one. Not YAML::LoadAll: yaml-cpp 0.7's LoadAll never returns on a stray ',' at the
// top level, making a null document per loop until memory runs out (yaml-cpp issue 1040; found
// by tests/fuzz/fuzz_yaml). A file with content but an empty first document is such a case.
Result<int> CountDocuments(std::string_view text, std::string_view source,
                           std::optional<YAML::Mark>* second) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentProbe probe;
  int docs = 0;
  while (docs < 2 && parser.HandleNextDocument(probe)) {
    if (probe.empty_root) {
      if (docs == 0 && HasContent(text)) {
        return InvalidArgument(Where(source, probe.null_mark) +
                               ": no YAML value here (a stray ',' or flow indicator?)");
      }
      break;
    }
    if (++docs == 2) *second = probe.start;
  }
  return docs;
}

}  // namespace

Result<json> YamlToJson(std::string_view text, std::string_view source) {
  YAML::Node doc;
  try {
    std::optional<YAML::Mark> second;
    ASSIGN_OR_RETURN(int docs, CountDocuments(text, source, &second));
    if (docs == 0) return json(nullptr);
    if (docs > 1) {
      return InvalidArgument(Where(source, *second) + ": expected one YAML document, found more");
    }
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(Where(source, e.mark) + ": " + e.msg);
  }
  try {
    return Converter(source).Convert(doc, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(Where(source, e.mark) + ": " + e.msg);
  }
}

Result<json> ParseJson(std::string_view text, std::string_view source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based offset of the last character read.
    size_t offset = e.byte == 0 ? 0 : std::min<size_t>(e.byte - 1, text.size());
    size_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return InvalidArgument(std::string(source) + ":" + std::to_string(line) + ":" +
                           std::to_string(offset - line_start + 1) + ": " + JsonErrorWhat(e.what()));
  } catch (const json::exception& e) {
    // Not a syntax error but a value nlohmann cannot hold (a number that overflows a double).
    return InvalidArgument(std::string(source) + ": " + JsonErrorWhat(e.what()));
  }
}

Result<json> ParseDocument(std::string_view text, std::string_view source, DocFormat format) {
  switch (format) {
    case DocFormat::kJson:
      return ParseJson(text, source);
    case DocFormat::kYaml:
      return YamlToJson(text, source);
    case DocFormat::kAuto: {
      json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!doc.is_discarded()) return doc;
      return YamlToJson(text, source);
    }
  }
  return InvalidArgument(std::string(source) + ": unknown format");
}

DocFormat FormatForPath(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".json")) return DocFormat::kJson;
  if (ends_with(".yaml") || ends_with(".yml")) return DocFormat::kYaml;
  return DocFormat::kAuto;
}

Result<json> ReadDocument(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return ParseDocument(text.str(), "<stdin>", DocFormat::kAuto);
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return InvalidArgument(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot open: " + std::strerror(errno));
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument(path + ": read error");
  return ParseDocument(text.str(), path, FormatForPath(path));
}

}  // namespace skiff::cli

#include "store/s3/s3_xml.h"

#include <expat.h>

#include <functional>
#include <memory>

namespace skiff::store::s3 {
namespace {

constexpr size_t kMaxText = 64 * 1024;  // no S3 element we read is longer (keys: 1 KiB)

// Collects the text of elements by their path from the root ("ListBucketResult/Contents/Key").
struct Collector {
  std::vector<std::string> path;
  std::string text;
  std::string error;
  XML_Parser parser = nullptr;
  // Called with the element's path and its text when it closes.
  std::function<void(const std::string&, std::string)> on_text;

  std::string Joined() const {
    std::string out;
    for (const auto& p : path) out += (out.empty() ? "" : "/") + p;
    return out;
  }
};

void Fail(Collector* c, std::string why) {
  if (c->error.empty()) c->error = std::move(why);
  XML_StopParser(c->parser, XML_FALSE);
}

void OnStart(void* user, const XML_Char* name, const XML_Char**) {
  auto* c = static_cast<Collector*>(user);
  std::string_view n(name);
  // Namespaced names come as "uri|local" (XML_ParserCreateNS): keep the local part.
  if (size_t bar = n.rfind('|'); bar != std::string_view::npos) n.remove_prefix(bar + 1);
  if (c->path.size() >= 8) return Fail(c, "nested too deep");
  c->path.emplace_back(n);
  c->text.clear();
}

void OnEnd(void* user, const XML_Char*) {
  auto* c = static_cast<Collector*>(user);
  if (c->on_text) c->on_text(c->Joined(), std::move(c->text));
  c->text.clear();
  if (!c->path.empty()) c->path.pop_back();
}

void OnText(void* user, const XML_Char* s, int len) {
  auto* c = static_cast<Collector*>(user);
  if (c->text.size() + static_cast<size_t>(len) > kMaxText) return Fail(c, "element text too long");
  c->text.append(s, static_cast<size_t>(len));
}

void OnDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  Fail(static_cast<Collector*>(user), "a DOCTYPE is not accepted");
}

// Parses `xml`, calling c->on_text; the error message or "".
std::string Run(std::string_view xml, Collector* c) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, '|'), XML_ParserFree);
  if (!parser) return "out of memory";
  c->parser = parser.get();
  XML_SetUserData(parser.get(), c);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), OnDoctype);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) !=
      XML_STATUS_OK) {
    if (!c->error.empty()) return c->error;
    return std::string("malformed XML: ") + XML_ErrorString(XML_GetErrorCode(parser.get()));
  }
  return c->error;
}

}  // namespace

Result<ListPage> ParseListPage(std::string_view xml) {
  ListPage page;
  std::string root;
  Collector c;
  c.on_text = [&](const std::string& path, std::string text) {
    if (root.empty()) root = path.substr(0, path.find('/'));
    if (path == "ListBucketResult/Contents/Key") {
      page.keys.push_back(std::move(text));
    } else if (path == "ListBucketResult/IsTruncated") {
      page.is_truncated = text == "true";
    } else if (path == "ListBucketResult/NextContinuationToken") {
      page.next_token = std::move(text);
    }
  };
  if (xml.size() > (64u << 20)) return InvalidArgument("S3 list answer: larger than 64 MiB");
  if (std::string err = Run(xml, &c); !err.empty()) {
    return InvalidArgument("S3 list answer: " + err);
  }
  if (root != "ListBucketResult") {
    return InvalidArgument("S3 list answer: root element is not ListBucketResult");
  }
  if (page.is_truncated && page.next_token.empty()) {
    return InvalidArgument("S3 list answer: truncated without a NextContinuationToken");
  }
  return page;
}

ErrorDoc ParseErrorDoc(std::string_view xml) {
  ErrorDoc doc;
  Collector c;
  c.on_text = [&](const std::string& path, std::string text) {
    if (path == "Error/Code") doc.code = std::move(text);
    if (path == "Error/Message") doc.message = std::move(text);
  };
  if (xml.size() > (1u << 20) || !Run(xml, &c).empty()) return {};
  return doc;
}

}  // namespace skiff::store::s3

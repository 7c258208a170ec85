#include "store/open_store.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "store/fs/fs_store.h"
#include "store/memory/memory_store.h"
#include "store/s3/s3_store.h"

namespace skiff::store {
namespace {

constexpr std::string_view kFormats =
    "use memory:, file:///abs/path, file:rel/path, a plain path or s3://bucket/prefix?region=..&endpoint=..&path_style=0|1";

Status BadUrl(std::string_view url, std::string_view why) {
  return InvalidArgument("store url \"" + std::string(url) + "\": " + std::string(why) + " (" +
                         std::string(kFormats) + ")");
}

// The scheme of "scheme:rest" (RFC 3986: a letter, then letters, digits, '+', '-', '.'), or "".
std::string_view SchemeOf(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  if (!std::isalpha(static_cast<unsigned char>(url[0]))) return {};
  for (size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(url[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return url.substr(0, colon);
}

Result<std::unique_ptr<ObjectStore>> OpenFolder(std::string_view url, std::string_view path) {
  if (path.empty()) return BadUrl(url, "names no folder");
  ASSIGN_OR_RETURN(std::unique_ptr<FsStore> store, FsStore::Open(std::string(path)));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenStore(std::string_view url) {
  if (url.empty()) return BadUrl(url, "is empty");
  std::string_view scheme = SchemeOf(url);
  if (scheme.empty()) return OpenFolder(url, url);  // a plain path
  std::string_view rest = url.substr(scheme.size() + 1);
  if (scheme == "memory") {
    if (!rest.empty()) return BadUrl(url, "memory: takes nothing after the colon");
    return std::unique_ptr<ObjectStore>(std::make_unique<MemoryStore>());
  }
  if (scheme == "file") {
    if (!rest.starts_with("//")) return OpenFolder(url, rest);  // file:rel/path
    rest.remove_prefix(2);
    // file:///abs/path has an empty host; "localhost" is the only other host that is local.
    if (rest.starts_with("localhost/")) rest.remove_prefix(std::string_view("localhost").size());
    if (!rest.starts_with('/')) return BadUrl(url, "file:// URLs need an absolute path");
    return OpenFolder(url, rest);
  }
  if (scheme == "s3") {
    ASSIGN_OR_RETURN(s3::S3Options options, s3::ParseS3Url(url, [](const char* name) {
                       return static_cast<const char*>(std::getenv(name));
                     }));
    ASSIGN_OR_RETURN(std::unique_ptr<s3::S3Store> store, s3::S3Store::Open(std::move(options)));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  return BadUrl(url, "unknown scheme \"" + std::string(scheme) + ":\"");
}

}  // namespace skiff::store

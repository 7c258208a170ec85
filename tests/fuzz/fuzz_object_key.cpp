// Object keys and list prefixes as a client could send them. ValidateKey / ValidatePrefix must
// never crash and must agree with the documented key rules (store/object_store.h); an accepted key
// must round-trip through the folder backend, which maps it to a path under its root.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "store/fs/fs_store.h"
#include "store/object_store.h"

namespace {

// The rules of object_store.h, written independently of object_store.cpp.
bool DocumentedValid(std::string_view key) {
  if (key.empty() || key.size() > 1024 || key.front() == '/') return false;
  for (char ch : key) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  size_t begin = 0;
  while (true) {
    size_t end = key.find('/', begin);
    std::string_view seg = key.substr(begin, end == std::string_view::npos ? end : end - begin);
    if (seg.empty() || seg.front() == '.') return false;  // covers "." and ".."
    if (end == std::string_view::npos) return true;
    begin = end + 1;
  }
}

skiff::store::FsStore* Store() {
  static std::unique_ptr<skiff::store::FsStore> store = [] {
    auto s = skiff::store::FsStore::Open(skiff::fuzz::ScratchDir() + "/store");
    if (!s.ok()) std::abort();
    return std::move(s).value();
  }();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view key(reinterpret_cast<const char*>(data), size);
  bool valid = skiff::store::ValidateKey(key).ok();
  if (valid != DocumentedValid(key)) std::abort();
  (void)skiff::store::ValidatePrefix(key);
  if (!valid) return 0;
  skiff::store::FsStore* store = Store();
  std::string bytes = "v:" + std::string(key);
  auto put = store->Put(key, bytes, skiff::store::Precondition::None());
  if (put.ok()) {
    auto got = store->Get(key);
    if (!got.ok() || got->bytes != bytes) std::abort();  // acknowledged but not readable back
    if (!store->Remove(key).ok()) std::abort();
  }
  return 0;
}

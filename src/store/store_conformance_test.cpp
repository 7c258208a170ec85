// The ObjectStore contract, run against every backend in store_test_backends.h.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/store_test_backends.h"

namespace skiff::store {
namespace {

template <typename B>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override { SKIFF_SKIP_UNAVAILABLE(backend_); }
  ObjectStore& store() { return backend_.store(); }

  // Lists with one request, failing the test on error.
  ListResult ListOrDie(std::string prefix, std::string start_after = "", size_t limit = 1000) {
    auto r = store().List({std::move(prefix), std::move(start_after), limit});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ListResult{};
  }

  void PutOrDie(const std::string& key, const std::string& bytes = "x") {
    auto r = store().Put(key, bytes);
    ASSERT_TRUE(r.ok()) << key << ": " << r.status().ToString();
  }

  B backend_;
};
TYPED_TEST_SUITE(StoreConformanceTest, Backends, BackendNames);

std::string AllBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s + std::string("\0\0tail\0", 7);
}

TYPED_TEST(StoreConformanceTest, GetMissingIsNotFound) {
  auto r = this->store().Get("jobs/none.json");
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().ToString();
  EXPECT_EQ(this->store().Get("nofolder/deeper/x").status().code(), Code::kNotFound);
}

TYPED_TEST(StoreConformanceTest, PutGetRoundTripsBinaryBytes) {
  const std::string bytes = AllBytes();
  auto put = this->store().Put("blobs/bin", bytes);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_FALSE(put->empty());
  auto got = this->store().Get("blobs/bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->bytes, bytes);
  EXPECT_EQ(got->etag, *put);
}

TYPED_TEST(StoreConformanceTest, EmptyAndLargeObjects) {
  ASSERT_TRUE(this->store().Put("empty", "").ok());
  auto got = this->store().Get("empty");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, "");
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 % 251);
  ASSERT_TRUE(this->store().Put("big", big).ok());
  got = this->store().Get("big");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->bytes == big);
}

TYPED_TEST(StoreConformanceTest, OverwriteChangesEtag) {
  auto v1 = this->store().Put("doc", "version 1");
  auto v2 = this->store().Put("doc", "version 2");
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_NE(*v1, *v2);
  auto got = this->store().Get("doc");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, "version 2");
  EXPECT_EQ(got->etag, *v2);
}

TYPED_TEST(StoreConformanceTest, IfAbsent) {
  SKIFF_SKIP_WITHOUT_CONDITIONS(TypeParam);
  auto first = this->store().Put("k", "first", Precondition::IfAbsent());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = this->store().Put("k", "second", Precondition::IfAbsent());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition) << second.status().ToString();
  auto got = this->store().Get("k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, "first");
  EXPECT_EQ(got->etag, *first);
  // After a remove the key is absent again.
  ASSERT_TRUE(this->store().Remove("k").ok());
  EXPECT_TRUE(this->store().Put("k", "third", Precondition::IfAbsent()).ok());
}

TYPED_TEST(StoreConformanceTest, IfMatch) {
  SKIFF_SKIP_WITHOUT_CONDITIONS(TypeParam);
  auto v1 = this->store().Put("k", "one");
  ASSERT_TRUE(v1.ok());
  auto v2 = this->store().Put("k", "two", Precondition::IfMatch(*v1));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  // The etag we just replaced is stale now.
  auto stale = this->store().Put("k", "three", Precondition::IfMatch(*v1));
  EXPECT_EQ(stale.status().code(), Code::kFailedPrecondition);
  auto wrong = this->store().Put("k", "three", Precondition::IfMatch("not-an-etag"));
  EXPECT_EQ(wrong.status().code(), Code::kFailedPrecondition);
  auto empty = this->store().Put("k", "three", Precondition::IfMatch(""));
  EXPECT_EQ(empty.status().code(), Code::kFailedPrecondition);
  auto got = this->store().Get("k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, "two");
  EXPECT_EQ(got->etag, *v2);
  // IfMatch on an absent key fails and creates nothing.
  auto absent = this->store().Put("other", "x", Precondition::IfMatch(*v2));
  EXPECT_EQ(absent.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(this->store().Get("other").status().code(), Code::kNotFound);
}

TYPED_TEST(StoreConformanceTest, PutManyWritesEveryObject) {
  this->PutOrDie("jobs/b.json", "old b");
  std::vector<PutItem> items;
  for (int i = 0; i < 20; ++i) {
    items.push_back({"jobs/" + std::string(1, static_cast<char>('a' + i)) + ".json",
                     "doc " + std::to_string(i)});
  }
  items.push_back({"other/deep/x", AllBytes()});
  ASSERT_TRUE(this->store().PutMany(items).ok());
  for (const PutItem& item : items) {
    auto got = this->store().Get(item.key);
    ASSERT_TRUE(got.ok()) << item.key;
    EXPECT_EQ(got->bytes, item.bytes) << item.key;
  }
  EXPECT_EQ(this->ListOrDie("jobs/").keys.size(), 20u);
  EXPECT_TRUE(this->store().PutMany({}).ok());
  EXPECT_TRUE(this->store().PutMany({{"one", "1"}}).ok());
  EXPECT_EQ(this->store().Get("one")->bytes, "1");
}

TYPED_TEST(StoreConformanceTest, PutManyWithAnInvalidKeyWritesNothing) {
  auto st = this->store().PutMany({{"fine/a", "a"}, {"../escape", "b"}});
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  EXPECT_EQ(this->store().Get("fine/a").status().code(), Code::kNotFound);
}

TYPED_TEST(StoreConformanceTest, RemoveThenGet) {
  this->PutOrDie("a/b.json");
  ASSERT_TRUE(this->store().Remove("a/b.json").ok());
  EXPECT_EQ(this->store().Get("a/b.json").status().code(), Code::kNotFound);
  EXPECT_TRUE(this->store().Remove("a/b.json").ok());        // already absent
  EXPECT_TRUE(this->store().Remove("never/was/here").ok());  // folders absent too
  EXPECT_TRUE(this->ListOrDie("").keys.empty());
}

TYPED_TEST(StoreConformanceTest, ListOrderPrefixStartAfterLimit) {
  // '-' < '/' < '0' in bytes, so a naive folder-by-folder walk would get this order wrong.
  const std::vector<std::string> keys = {
      "a-b",  "a/x", "a/y/z", "a0", "b", "jobs/job1.json", "jobs/job2.json", "jobs/other.json",
      "jobsx"};
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) this->PutOrDie(*it);
  EXPECT_EQ(this->ListOrDie("").keys, keys);
  EXPECT_FALSE(this->ListOrDie("").truncated);
  using V = std::vector<std::string>;
  EXPECT_EQ(this->ListOrDie("jobs/jo").keys, (V{"jobs/job1.json", "jobs/job2.json"}));
  EXPECT_EQ(this->ListOrDie("jobs/").keys.size(), 3u);
  EXPECT_EQ(this->ListOrDie("jobs").keys.size(), 4u);
  EXPECT_EQ(this->ListOrDie("a").keys, (V{"a-b", "a/x", "a/y/z", "a0"}));
  EXPECT_EQ(this->ListOrDie("a/y").keys, (V{"a/y/z"}));
  EXPECT_TRUE(this->ListOrDie("nope/").keys.empty());
  EXPECT_TRUE(this->ListOrDie("a/x/").keys.empty());  // a/x is an object, not a folder
  EXPECT_EQ(this->ListOrDie("", "a/x").keys.front(), "a/y/z");
  EXPECT_EQ(this->ListOrDie("", "a/").keys.front(), "a/x");
  EXPECT_EQ(this->ListOrDie("a", "a/y/z").keys, (V{"a0"}));
  EXPECT_EQ(this->ListOrDie("", "jobsx").keys, V{});

  auto page = this->ListOrDie("", "", 2);
  EXPECT_EQ(page.keys, (V{"a-b", "a/x"}));
  EXPECT_TRUE(page.truncated);
  auto exact = this->ListOrDie("jobs/", "", 3);
  EXPECT_EQ(exact.keys.size(), 3u);
  EXPECT_FALSE(exact.truncated);
  auto none = this->ListOrDie("", "", 0);
  EXPECT_TRUE(none.keys.empty());
  EXPECT_TRUE(none.truncated);
  // Paging with start_after = the last key returned visits every key once.
  V all;
  std::string after;
  for (;;) {
    auto p = this->ListOrDie("", after, 2);
    all.insert(all.end(), p.keys.begin(), p.keys.end());
    if (!p.truncated) break;
    after = p.keys.back();
  }
  EXPECT_EQ(all, keys);
}

TYPED_TEST(StoreConformanceTest, ListNestedFolders) {
  this->PutOrDie("a/b/c/d.json");
  this->PutOrDie("a/b/c2");
  this->PutOrDie("a/bc");
  using V = std::vector<std::string>;
  EXPECT_EQ(this->ListOrDie("a/b/").keys, (V{"a/b/c/d.json", "a/b/c2"}));
  EXPECT_EQ(this->ListOrDie("a/b").keys, (V{"a/b/c/d.json", "a/b/c2", "a/bc"}));
  EXPECT_EQ(this->ListOrDie("a/b/c/").keys, (V{"a/b/c/d.json"}));
}

// Every (prefix, start_after, limit) against a std::set holding the same keys.
TYPED_TEST(StoreConformanceTest, ListMatchesAReferenceModel) {
  SKIFF_SKIP_WITHOUT_BYTE_ORDER_PAGES(TypeParam);
  // Folder names and leaf names differ, so no key is also a folder (the fs backend cannot).
  const std::vector<std::string> folders = {"a", "a-b", "ab", "b.d"};
  const std::vector<std::string> leaves = {"x", "x.json", "x-1", "y0", "Z"};
  std::mt19937 rng(42);
  std::set<std::string> model;
  for (int i = 0; i < 60; ++i) {
    std::string key;
    for (int depth = rng() % 3; depth > 0; --depth) key += folders[rng() % folders.size()] + "/";
    key += leaves[rng() % leaves.size()];
    if (model.insert(key).second) this->PutOrDie(key, key);
  }
  std::set<std::string> prefixes = {""};
  for (const auto& k : model) {
    for (size_t n = 1; n <= k.size(); ++n) prefixes.insert(k.substr(0, n));
  }
  for (const auto& prefix : prefixes) {
    if (!ValidatePrefix(prefix).ok()) continue;  // e.g. "a/x." ends in a partial "." segment
    for (const std::string& after : {std::string(), std::string("a/"), std::string("a-b/y0"),
                                     std::string("ab"), prefix, prefix + "x"}) {
      if (!ValidatePrefix(after).ok()) continue;
      std::vector<std::string> want;
      for (auto it = model.upper_bound(after); it != model.end(); ++it) {
        if (it->starts_with(prefix)) want.push_back(*it);
      }
      for (size_t limit : {size_t{1}, size_t{3}, size_t{1000}}) {
        auto got = this->ListOrDie(prefix, after, limit);
        size_t n = std::min(limit, want.size());
        ASSERT_EQ(got.keys, std::vector<std::string>(want.begin(), want.begin() + n))
            << "prefix=" << prefix << " after=" << after << " limit=" << limit;
        ASSERT_EQ(got.truncated, want.size() > limit) << prefix << " " << after << " " << limit;
      }
    }
  }
}

TYPED_TEST(StoreConformanceTest, InvalidKeysAreRejectedEverywhere) {
  const std::vector<std::string> bad = {"",
                                        "/abs",
                                        "a/../b",
                                        "..",
                                        "a//b",
                                        "a/./b",
                                        std::string("x\0y", 3),
                                        ".hidden",
                                        "a/.tmp-1",
                                        "a/",
                                        "../escape",
                                        "a\\b",
                                        "a\nb",
                                        ".",
                                        "a/..",
                                        std::string(2000, 'k')};
  for (const auto& key : bad) {
    SCOPED_TRACE(::testing::PrintToString(key));
    auto& s = this->store();
    EXPECT_EQ(s.Get(key).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(s.Put(key, "x").status().code(), Code::kInvalidArgument);
    EXPECT_EQ(s.Put(key, "x", Precondition::IfAbsent()).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(s.Put(key, "x", Precondition::IfMatch("e")).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(s.Remove(key).code(), Code::kInvalidArgument);
    if (key != "" && key != "a/") {  // both are fine as a List prefix
      EXPECT_EQ(s.List({key, "", 10}).status().code(), Code::kInvalidArgument);
      EXPECT_EQ(s.List({"", key, 10}).status().code(), Code::kInvalidArgument);
    }
  }
  EXPECT_TRUE(this->ListOrDie("").keys.empty());
  std::vector<std::string> on_disk = this->backend_.FilesOnDisk();
  if (!on_disk.empty()) {
    EXPECT_EQ(on_disk, (std::vector<std::string>{"root", "root/.lock"}));
  }
}

TYPED_TEST(StoreConformanceTest, PeerSeesWrites) {
  SKIFF_SKIP_WITHOUT_CONDITIONS(TypeParam);
  auto put = this->store().Put("shared/doc", "hello");
  ASSERT_TRUE(put.ok());
  auto got = this->backend_.peer().Get("shared/doc");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, "hello");
  EXPECT_EQ(got->etag, *put);
  EXPECT_EQ(this->backend_.peer().Put("shared/doc", "x", Precondition::IfAbsent()).status().code(),
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace skiff::store

// Catalog snapshot consistency under concurrent publishing and reading: several publishers (each
// with its own Catalog and, for the folder store, its own store handle, like separate servers)
// publish new versions of several templates while readers check that every HEAD they read is
// whole: each version it lists exists and is the document HEAD says, its summary matches the
// current version's document, and the snapshot sequence never goes back.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "store/fs/fs_store.h"
#include "store/memory/memory_store.h"
#include "testing/temp_dir.h"

namespace skiff::catalog {
namespace {

constexpr int kPublishers = 4;
constexpr int kPerPublisher = 12;
constexpr int kReaders = 2;
constexpr int kTemplates = 3;

Json Doc(int tmpl, int publisher, int n) {
  return {{"name", "t" + std::to_string(tmpl)},
          {"title", "p" + std::to_string(publisher) + "#" + std::to_string(n)},
          {"visibility", "team"},
          {"params", Json::array({{{"name", "n"}, {"type", "int"}, {"default", n}}})},
          {"task", {{"argv", {"echo", "{{n}}"}}}}};
}

// Checks one snapshot; returns an error message or "".
std::string CheckSnapshot(store::ObjectStore& store, const Head& head) {
  for (const auto& [name, e] : head.templates) {
    if (e.versions.empty() || e.versions.back() != e.version) return name + ": bad versions";
    for (size_t i = 1; i < e.versions.size(); ++i) {
      if (e.versions[i] <= e.versions[i - 1]) return name + ": versions not increasing";
    }
    for (int v : e.versions) {
      auto obj = store.Get(VersionKey(name, v));
      if (!obj.ok()) return name + "@" + std::to_string(v) + ": " + obj.status().ToString();
      auto t = TemplateFromDocument(Json::parse(obj->bytes));
      if (!t.ok()) return name + "@" + std::to_string(v) + ": " + t.status().message();
      if (t->name != name || t->version != v || t->team != e.team) {
        return name + "@" + std::to_string(v) + ": document does not match HEAD";
      }
      if (v == e.version && t->title != e.title) {
        return name + ": HEAD's title is not the current version's";
      }
    }
  }
  return "";
}

template <typename MakeStore>
void RunRace(MakeStore make_store) {
  std::unique_ptr<store::ObjectStore> check_store = make_store();
  std::atomic<int> publishers_left{kPublishers};
  std::atomic<int> snapshots{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::map<std::string, std::set<int>> published;  // what Publish acknowledged
  const Viewer who{"media", "u", false};

  std::vector<std::thread> threads;
  for (int p = 0; p < kPublishers; ++p) {
    threads.emplace_back([&, p] {
      std::unique_ptr<store::ObjectStore> store = make_store();
      Catalog catalog(store.get(), SystemClock());
      // Start once every reader has read a first snapshot, so reading and publishing overlap.
      while (snapshots.load() < kReaders) std::this_thread::yield();
      for (int n = 0; n < kPerPublisher; ++n) {
        int tmpl = (p + n) % kTemplates;
        auto t = catalog.Publish(Doc(tmpl, p, n), who);
        std::lock_guard<std::mutex> lock(mu);
        if (!t.ok()) {
          errors.push_back("publish: " + t.status().ToString());
        } else if (!published[t->name].insert(t->version).second) {
          errors.push_back("version acknowledged twice: " + t->name);
        }
      }
      --publishers_left;
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      std::unique_ptr<store::ObjectStore> store = make_store();
      Catalog catalog(store.get(), SystemClock());
      uint64_t last_seq = 0;
      // Bounded: stops when the publishers are done (and after one more read), or after 20000.
      for (int i = 0; i < 20000; ++i) {
        bool last = publishers_left.load() == 0;
        auto head = catalog.ReadHead();
        std::string err = head.ok() ? CheckSnapshot(*store, *head) : head.status().ToString();
        if (err.empty() && head->seq < last_seq) err = "HEAD went back";
        if (head.ok()) last_seq = head->seq;
        ++snapshots;
        if (!err.empty()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back("reader: " + err);
          return;
        }
        if (last) return;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e;

  Catalog catalog(check_store.get(), SystemClock());
  auto head = catalog.ReadHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, static_cast<uint64_t>(kPublishers * kPerPublisher));
  EXPECT_EQ(CheckSnapshot(*check_store, *head), "");
  for (const auto& [name, versions] : published) {
    const HeadEntry& e = head->templates.at(name);
    EXPECT_EQ(std::set<int>(e.versions.begin(), e.versions.end()), versions) << name;
  }
  EXPECT_GT(snapshots.load(), kReaders);  // the readers read while publishing went on
}

TEST(CatalogRaceTest, MemoryStoreSnapshotsAreWhole) {
  auto shared = std::make_shared<store::MemoryStore>();
  // Every handle is the one MemoryStore (a non-owning view).
  struct View : store::ObjectStore {
    std::shared_ptr<store::MemoryStore> s;
    explicit View(std::shared_ptr<store::MemoryStore> m) : s(std::move(m)) {}
    Result<store::Object> Get(std::string_view k) override { return s->Get(k); }
    Result<std::string> Put(std::string_view k, std::string_view b,
                            const store::Precondition& p) override {
      return s->Put(k, b, p);
    }
    Status Remove(std::string_view k) override { return s->Remove(k); }
    Result<store::ListResult> List(const store::ListRequest& r) override { return s->List(r); }
    std::string_view Backend() const override { return "memory"; }
  };
  RunRace([&]() -> std::unique_ptr<store::ObjectStore> { return std::make_unique<View>(shared); });
}

TEST(CatalogRaceTest, FolderStoreSnapshotsAreWholeAcrossHandles) {
  skiff::testing::TempDir dir;
  std::string root = dir.path() + "/store";
  RunRace([&]() -> std::unique_ptr<store::ObjectStore> {
    auto s = store::FsStore::Open(root);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  });
}

}  // namespace
}  // namespace skiff::catalog

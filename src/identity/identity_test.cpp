// Identity on the memory and folder stores: teams, keys, authentication, rate limit, last-used
// times, and several servers (threads, then processes) writing the same documents.
#include "identity/identity.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/ids.h"
#include "store/fs/fs_store.h"
#include "store/memory/memory_store.h"
#include "testing/temp_dir.h"

namespace skiff::identity {
namespace {

// 2026-11-22T10:00:00.000Z: a whole minute, so rate-limit windows start with the test.
constexpr int64_t kStart = 1795341600000;
const std::string kBootstrap = "skf_" + std::string(43, 'B');
constexpr char kTeamsDoc[] = "identity/teams.json";
constexpr char kKeysDoc[] = "identity/keys.json";

class FakeClock : public Clock {
 public:
  int64_t NowMs() override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_{kStart};
};

IdentityOptions Options() {
  IdentityOptions opts;
  opts.bootstrap_key_hash = Sha256Hex(kBootstrap);
  opts.last_used_flush_ms = 3600 * 1000;  // the flusher thread stays out of the way; tests flush
  opts.max_failures_per_minute = 5;
  return opts;
}

std::string Bearer(const std::string& key) { return "Bearer " + key; }

// Every stored byte, all objects concatenated.
std::string AllStoredBytes(store::ObjectStore& store) {
  auto listed = store.List({});
  EXPECT_TRUE(listed.ok());
  std::string all;
  for (const std::string& key : listed->keys) all += store.Get(key).value().bytes;
  return all;
}

// Every file under `root`, including the store's own (temporary files, the lock file).
std::string AllFileBytes(const std::string& root) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    all += text.str();
  }
  return all;
}

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    id_ = Identity::Open(&store_, &clock_, Options()).value();
    admin_ = id_->Authenticate(Bearer(kBootstrap), "10.0.0.1:4000").value();
  }

  std::pair<KeyRecord, std::string> NewKeyIn(Identity& id, const std::string& team,
                                             const std::string& role = "member",
                                             int64_t expires_ms = 0) {
    NewKey req;
    req.team = team;
    req.role = role;
    req.name = "laptop";
    req.email = "ann@example.com";
    req.expires_ms = expires_ms;
    return id.CreateKey(req, admin_).value();
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<Identity> id_;
  Principal admin_;
};

TEST_F(IdentityTest, BootstrapKeyIsAdminOfTheDefaultTeam) {
  EXPECT_EQ(admin_.team, "default");
  EXPECT_EQ(admin_.role, "admin");
  EXPECT_TRUE(admin_.admin());
  EXPECT_EQ(admin_.key_id, "bootstrap");
  EXPECT_EQ(admin_.user_id, Sha256Hex(kBootstrap));
  EXPECT_TRUE(id_->Authenticate("bearer " + kBootstrap + "  ", "10.0.0.1:1").ok());
  EXPECT_TRUE(id_->Authenticate("BEARER " + kBootstrap, "10.0.0.1:1").ok());

  auto team = id_->GetTeam("default").value();
  ASSERT_TRUE(team.has_value());
  EXPECT_EQ(team->created_by, "bootstrap");
  EXPECT_EQ(team->created_ms, kStart);
  // A second server on the same store keeps the first one's team.
  clock_.Advance(1000);
  auto second = Identity::Open(&store_, &clock_, Options()).value();
  EXPECT_EQ(second->GetTeam("default").value()->created_ms, kStart);
  EXPECT_EQ(second->ListTeams().value().size(), 1u);
}

TEST_F(IdentityTest, CreateTeamChecksNamesAndDuplicates) {
  for (const char* good : {"ml", "a-b_c", "0x", "z"}) {
    auto team = id_->CreateTeam(good, admin_);
    ASSERT_TRUE(team.ok()) << good << ": " << team.status().message();
    EXPECT_EQ(team->name, good);
    EXPECT_EQ(team->created_by, admin_.user_id);
    EXPECT_EQ(team->created_ms, kStart);
  }
  for (const std::string& bad : {std::string(), std::string("-a"), std::string("_a"),
                                 std::string("Ml"), std::string("a b"), std::string("a/b"),
                                 std::string("a.b"), std::string(64, 'a'), std::string("caf\xc3\xa9"),
                                 std::string("a\nb")}) {
    auto team = id_->CreateTeam(bad, admin_);
    EXPECT_EQ(team.status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(id_->CreateTeam(std::string(63, 'a'), admin_).ok());

  auto dup = id_->CreateTeam("ml", admin_);
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_NE(dup.status().message().find("ml"), std::string::npos);
  EXPECT_EQ(id_->CreateTeam("default", admin_).status().code(), Code::kAlreadyExists);

  std::set<std::string> names;
  auto teams = id_->ListTeams().value();
  for (const Team& t : teams) names.insert(t.name);
  EXPECT_EQ(names, (std::set<std::string>{"default", "ml", "a-b_c", "0x", "z",
                                          std::string(63, 'a')}));
  EXPECT_FALSE(id_->GetTeam("nope").value().has_value());
  // Persisted: a fresh instance sees them.
  auto again = Identity::Open(&store_, &clock_, Options()).value();
  EXPECT_EQ(again->ListTeams().value().size(), names.size());
}

TEST_F(IdentityTest, CreatedKeyIsRandomShownOnceAndStoredAsAHash) {
  ASSERT_TRUE(id_->CreateTeam("ml", admin_).ok());
  auto [record, key] = NewKeyIn(*id_, "ml", "owner");
  EXPECT_TRUE(std::regex_match(key, std::regex("skf_[0-9A-Za-z]{43}"))) << key;
  EXPECT_TRUE(std::regex_match(record.id, std::regex("key_[0-9a-f]{12}"))) << record.id;
  EXPECT_EQ(record.hash, Sha256Hex(key));
  EXPECT_EQ(record.team, "ml");
  EXPECT_EQ(record.role, "owner");
  EXPECT_EQ(record.created_ms, kStart);
  EXPECT_EQ(record.created_by, admin_.user_id);
  EXPECT_FALSE(KeyToJson(record).contains("hash"));
  EXPECT_EQ(KeyToJson(record).dump().find(key), std::string::npos);

  clock_.Advance(1);
  auto [other_record, other] = NewKeyIn(*id_, "ml");
  EXPECT_NE(other, key);
  EXPECT_NE(other_record.id, record.id);

  const std::string stored = AllStoredBytes(store_);
  EXPECT_EQ(stored.find(key), std::string::npos) << "the plaintext key is never stored";
  EXPECT_EQ(stored.find(key.substr(4)), std::string::npos);
  EXPECT_EQ(stored.find(other.substr(4)), std::string::npos);
  EXPECT_NE(stored.find(Sha256Hex(key)), std::string::npos);
  EXPECT_NE(store_.Get(kKeysDoc).value().bytes.find(record.id), std::string::npos);

  auto who = id_->Authenticate(Bearer(key), "10.0.0.2:1");
  ASSERT_TRUE(who.ok()) << who.status().message();
  EXPECT_EQ(who->team, "ml");
  EXPECT_EQ(who->role, "owner");
  EXPECT_EQ(who->email, "ann@example.com");
  EXPECT_EQ(who->key_id, record.id);
  EXPECT_EQ(who->user_id, Sha256Hex(key));
  EXPECT_FALSE(who->admin());

  auto listed = id_->ListKeys("ml").value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, record.id);
  EXPECT_EQ(listed[0].name, "laptop");
  EXPECT_TRUE(id_->ListKeys("default").value().empty());
}

TEST_F(IdentityTest, CreateKeyChecksTeamRoleAndWorkerTeams) {
  ASSERT_TRUE(id_->CreateTeam("ml", admin_).ok());
  NewKey req;
  req.team = "ml";
  req.role = "root";
  EXPECT_EQ(id_->CreateKey(req, admin_).status().code(), Code::kInvalidArgument);
  req.role = "member";
  req.team = "nope";
  EXPECT_EQ(id_->CreateKey(req, admin_).status().code(), Code::kNotFound);
  req.team = "ml";
  req.role = "worker";
  req.worker_teams = {"default", "nope"};
  EXPECT_EQ(id_->CreateKey(req, admin_).status().code(), Code::kInvalidArgument);
  req.worker_teams = {"default", "ml"};
  auto created = id_->CreateKey(req, admin_).value();
  auto who = id_->Authenticate(Bearer(created.second), "10.0.0.2:1").value();
  EXPECT_EQ(who.role, "worker");
  EXPECT_EQ(who.worker_teams, (std::vector<std::string>{"default", "ml"}));
  EXPECT_TRUE(id_->ListKeys("ml").value().size() == 1);
}

TEST_F(IdentityTest, RevokedKeyIsRefused) {
  auto [record, key] = NewKeyIn(*id_, "default");
  ASSERT_TRUE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
  clock_.Advance(1000);
  auto revoked = id_->RevokeKey("default", record.id).value();
  EXPECT_EQ(revoked.revoked_ms, kStart + 1000);
  auto who = id_->Authenticate(Bearer(key), "10.0.0.2:1");
  EXPECT_EQ(who.status().code(), Code::kUnauthenticated);
  EXPECT_NE(who.status().message().find("revoked"), std::string::npos) << who.status().message();

  clock_.Advance(1000);
  EXPECT_EQ(id_->RevokeKey("default", record.id).value().revoked_ms, kStart + 1000)
      << "revoking twice keeps the first time";
  EXPECT_EQ(id_->RevokeKey("default", "key_000000000000").status().code(), Code::kNotFound);
  ASSERT_TRUE(id_->CreateTeam("ml", admin_).ok());
  EXPECT_EQ(id_->RevokeKey("ml", record.id).status().code(), Code::kNotFound)
      << "a key is revoked through its own team only";
}

TEST_F(IdentityTest, ExpiredKeyIsRefused) {
  auto [record, key] = NewKeyIn(*id_, "default", "viewer", kStart + 3600 * 1000);
  EXPECT_TRUE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
  clock_.Advance(3600 * 1000 - 1);
  EXPECT_TRUE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
  clock_.Advance(1);
  auto who = id_->Authenticate(Bearer(key), "10.0.0.2:1");
  EXPECT_EQ(who.status().code(), Code::kUnauthenticated);
  EXPECT_NE(who.status().message().find("expired"), std::string::npos) << who.status().message();
}

TEST_F(IdentityTest, UnknownKeyIsRefused) {
  auto who = id_->Authenticate(Bearer("skf_" + RandomBase62(43)), "10.0.0.2:1");
  EXPECT_EQ(who.status().code(), Code::kUnauthenticated);
  EXPECT_NE(who.status().message().find("unknown"), std::string::npos) << who.status().message();
}

TEST_F(IdentityTest, MalformedHeadersAreUnauthenticated) {
  const std::string valid = NewKeyIn(*id_, "default").second;
  int n = 0;
  for (const std::string& header :
       {std::string(), valid, "Basic " + valid, std::string("Basic x"), std::string("Bearer "),
        std::string("Bearer"), std::string("Bearer    "), "Bearer" + valid, "Token " + valid,
        std::string("Bearer not-a-key"), "Bearer " + valid.substr(0, 20) + "-" + valid.substr(21),
        "Bearer " + valid + "!", "Bearer skf_" + std::string(300, 'a'),
        "Bearer " + valid + std::string(1000, 'x'), "Bearer " + valid + "\n",
        std::string("Bearer skf_\xc3\xa9"), "Bearer " + valid + " " + valid}) {
    // A fresh address each time: these tests the parsing, not the rate limit.
    auto who = id_->Authenticate(header, "10.1.0." + std::to_string(++n) + ":1");
    EXPECT_EQ(who.status().code(), Code::kUnauthenticated) << "[" << header << "]";
    EXPECT_EQ(who.status().message().find(valid), std::string::npos) << "never echo the key";
  }
  EXPECT_TRUE(id_->Authenticate(Bearer(valid), "10.1.0.1:1").ok());
}

TEST_F(IdentityTest, FailedAuthenticationsAreLimitedPerAddress) {
  const std::string unknown = Bearer("skf_" + RandomBase62(43));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(id_->Authenticate(unknown, "10.0.0.9:" + std::to_string(1000 + i)).status().code(),
              Code::kUnauthenticated)
        << i;
  }
  // Over the limit: refused before the key is even looked at, whatever the port.
  auto limited = id_->Authenticate(unknown, "10.0.0.9:2000");
  EXPECT_EQ(limited.status().code(), Code::kResourceExhausted);
  EXPECT_NE(limited.status().message().find("10.0.0.9"), std::string::npos);
  EXPECT_EQ(id_->Authenticate(Bearer(kBootstrap), "10.0.0.9:2001").status().code(),
            Code::kResourceExhausted);
  // Another address is unaffected.
  EXPECT_TRUE(id_->Authenticate(Bearer(kBootstrap), "10.0.0.10:1").ok());
  EXPECT_EQ(id_->Authenticate(unknown, "[2001:db8::1]:443").status().code(),
            Code::kUnauthenticated);
  // The next minute starts afresh.
  clock_.Advance(59 * 1000);
  EXPECT_EQ(id_->Authenticate(unknown, "10.0.0.9:1").status().code(), Code::kResourceExhausted);
  clock_.Advance(1000);
  EXPECT_TRUE(id_->Authenticate(Bearer(kBootstrap), "10.0.0.9:1").ok());
  EXPECT_EQ(id_->Authenticate(unknown, "10.0.0.9:1").status().code(), Code::kUnauthenticated);
}

TEST_F(IdentityTest, LastUsedIsKeptInMemoryThenWritten) {
  auto [record, key] = NewKeyIn(*id_, "default");
  EXPECT_EQ(id_->ListKeys("default").value()[0].last_used_ms, 0);
  clock_.Advance(5000);
  ASSERT_TRUE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
  EXPECT_EQ(id_->ListKeys("default").value()[0].last_used_ms, kStart + 5000);
  auto doc = ParseJson(store_.Get(kKeysDoc).value().bytes).value();
  EXPECT_TRUE(doc["keys"][record.id]["last_used_at"].is_null()) << "not written at each use";

  ASSERT_TRUE(id_->FlushLastUsedForTest().ok());
  doc = ParseJson(store_.Get(kKeysDoc).value().bytes).value();
  EXPECT_EQ(doc["keys"][record.id]["last_used_at"], FormatTime(kStart + 5000));
  auto other = Identity::Open(&store_, &clock_, Options()).value();
  EXPECT_EQ(other->ListKeys("default").value()[0].last_used_ms, kStart + 5000);

  // A refused use is not a use; an older time never replaces a newer one.
  ASSERT_TRUE(id_->RevokeKey("default", record.id).ok());
  clock_.Advance(5000);
  EXPECT_FALSE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
  ASSERT_TRUE(id_->FlushLastUsedForTest().ok());
  EXPECT_EQ(id_->ListKeys("default").value()[0].last_used_ms, kStart + 5000);
}

TEST_F(IdentityTest, KeyCreatedOnOneServerWorksOnAnother) {
  auto b = Identity::Open(&store_, &clock_, Options()).value();
  // A team created on a is usable on b at once, before b's periodic re-read.
  ASSERT_TRUE(id_->CreateTeam("ml", admin_).ok());
  NewKey req;
  req.team = "ml";
  req.role = "member";
  auto on_b = b->CreateKey(req, admin_);
  ASSERT_TRUE(on_b.ok()) << on_b.status().message();

  auto [record, key] = NewKeyIn(*id_, "default");
  // b has not re-read the key table since; an unknown key makes it look at once.
  auto who = b->Authenticate(Bearer(key), "10.0.0.2:1");
  ASSERT_TRUE(who.ok()) << who.status().message();
  EXPECT_EQ(who->key_id, record.id);

  // b revokes a key that a created after b's last read, and a sees it on its next read.
  auto [second_record, second] = NewKeyIn(*id_, "default");
  auto revoked = b->RevokeKey("default", second_record.id);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  clock_.Advance(Options().reload_ms);
  auto refused = id_->Authenticate(Bearer(second), "10.0.0.2:1");
  EXPECT_EQ(refused.status().code(), Code::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("revoked"), std::string::npos);
  // Both keys a created before b's revoke are still there: b's write lost none of a's.
  auto c = Identity::Open(&store_, &clock_, Options()).value();
  EXPECT_EQ(c->ListKeys("default").value().size(), 2u);
  EXPECT_EQ(c->ListKeys("ml").value().size(), 1u);
}

TEST_F(IdentityTest, ReloadsOnUnknownKeysAreThrottled) {
  auto b = Identity::Open(&store_, &clock_, Options()).value();
  clock_.Advance(2000);
  EXPECT_FALSE(b->Authenticate(Bearer("skf_" + RandomBase62(43)), "10.0.0.3:1").ok());
  auto key = NewKeyIn(*id_, "default").second;
  EXPECT_EQ(b->Authenticate(Bearer(key), "10.0.0.2:1").status().code(), Code::kUnauthenticated)
      << "at most one forced re-read a second";
  clock_.Advance(1000);
  EXPECT_TRUE(b->Authenticate(Bearer(key), "10.0.0.2:1").ok());
}

TEST_F(IdentityTest, TwoServersCreatingKeysAtOnceLoseNoWrite) {
  auto b = Identity::Open(&store_, &clock_, Options()).value();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::string>> keys(kThreads);
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Identity& id = t % 2 == 0 ? *id_ : *b;
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kPerThread; ++i) {
        NewKey req;
        req.team = "default";
        req.role = "member";
        auto created = id.CreateKey(req, admin_);
        if (!created.ok()) {
          ++failures;
          continue;
        }
        keys[t].push_back(created->second);
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);

  auto c = Identity::Open(&store_, &clock_, Options()).value();
  EXPECT_EQ(c->ListKeys("default").value().size(), static_cast<size_t>(kThreads * kPerThread));
  clock_.Advance(Options().reload_ms);
  for (const auto& list : keys) {
    for (const std::string& key : list) {
      EXPECT_TRUE(id_->Authenticate(Bearer(key), "10.0.0.2:1").ok());
      EXPECT_TRUE(b->Authenticate(Bearer(key), "10.0.0.2:1").ok());
    }
  }
}

TEST_F(IdentityTest, BrokenDocumentIsAnError) {
  ASSERT_TRUE(store_.Put(kTeamsDoc, "[1, 2]").ok());
  auto broken = Identity::Open(&store_, &clock_, Options());
  EXPECT_EQ(broken.status().code(), Code::kInternal);
  EXPECT_NE(broken.status().message().find(kTeamsDoc), std::string::npos);
}

// The folder store: what reaches the disk, and servers in separate processes.
class IdentityFsTest : public ::testing::Test {
 protected:
  skiff::testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(IdentityFsTest, PlaintextKeysNeverReachTheDisk) {
  const std::string root = dir_.path() + "/store";
  auto store = store::FsStore::Open(root).value();
  auto id = Identity::Open(store.get(), &clock_, Options()).value();
  Principal admin = id->Authenticate(Bearer(kBootstrap), "10.0.0.1:1").value();
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) {
    NewKey req;
    req.team = "default";
    req.role = i == 0 ? "admin" : "member";
    keys.push_back(id->CreateKey(req, admin).value().second);
    ASSERT_TRUE(id->Authenticate(Bearer(keys.back()), "10.0.0.2:1").ok());
  }
  ASSERT_TRUE(id->FlushLastUsedForTest().ok());
  const std::string disk = AllFileBytes(root);
  for (const std::string& key : keys) {
    EXPECT_EQ(disk.find(key.substr(4)), std::string::npos);
    EXPECT_NE(disk.find(Sha256Hex(key)), std::string::npos);
  }
  EXPECT_EQ(disk.find(kBootstrap.substr(4)), std::string::npos);
}

// Creates `count` keys in team "default" through its own store and Identity on `root`, once
// `start` is readable; writes the keys to `out`, one a line. The exit status tells success.
[[noreturn]] void ChildCreatesKeys(const std::string& root, const std::string& out, int start,
                                   int count) {
  char go;
  if (::read(start, &go, 1) < 0) std::_Exit(10);
  int code = 0;
  {
    FakeClock clock;
    auto store = store::FsStore::Open(root);
    if (!store.ok()) std::_Exit(11);
    auto id = Identity::Open(store->get(), &clock, Options());
    if (!id.ok()) {
      std::fprintf(stderr, "child open: %s\n", id.status().message().c_str());
      std::_Exit(12);
    }
    Principal by;
    by.user_id = "child";
    std::ofstream keys(out);
    for (int i = 0; i < count && code == 0; ++i) {
      NewKey req;
      req.team = "default";
      req.role = "member";
      auto created = (*id)->CreateKey(req, by);
      if (!created.ok()) {
        std::fprintf(stderr, "child create: %s\n", created.status().message().c_str());
        code = 13;
        break;
      }
      keys << created->second << "\n";
    }
    keys.close();
    if (!keys) code = 14;
    (*id)->Shutdown();
  }
  std::_Exit(code);
}

TEST_F(IdentityFsTest, TwoProcessesCreatingKeysLoseNoWrite) {
  const std::string root = dir_.path() + "/store";
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  // fork() before this test starts any thread: each child opens its own store and Identity.
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      ::close(start[1]);
      ChildCreatesKeys(root, dir_.path() + "/keys" + std::to_string(c), start[0], 40);
    }
  }
  ::close(start[0]);
  ::close(start[1]);  // both children read EOF at once and start together
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  auto store = store::FsStore::Open(root).value();
  auto id = Identity::Open(store.get(), &clock_, Options()).value();
  auto listed = id->ListKeys("default").value();
  EXPECT_EQ(listed.size(), 80u);
  std::set<std::string> ids;
  for (const KeyRecord& k : listed) ids.insert(k.id);
  EXPECT_EQ(ids.size(), 80u);
  EXPECT_EQ(id->ListTeams().value().size(), 1u);
  int authenticated = 0;
  for (int c = 0; c < 2; ++c) {
    std::ifstream in(dir_.path() + "/keys" + std::to_string(c));
    std::string key;
    while (std::getline(in, key)) {
      auto who = id->Authenticate(Bearer(key), "10.0.0.2:1");
      EXPECT_TRUE(who.ok()) << who.status().message();
      authenticated += who.ok() ? 1 : 0;
    }
  }
  EXPECT_EQ(authenticated, 80);
}

}  // namespace
}  // namespace skiff::identity

// FsStore-specific behaviour: the on-disk layout, failed writes, torn reads, symlinks, and
// conditional puts across processes.
#include "store/fs/fs_store.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/fs/posix_io.h"
#include "testing/temp_dir.h"

namespace skiff::store {
namespace {

namespace fs = std::filesystem;

class FsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() + "/root";
    auto s = FsStore::Open(root_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  // Every entry under the root (hidden ones included), relative, sorted.
  std::vector<std::string> Tree() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      out.push_back(fs::relative(e.path(), root_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  skiff::testing::TempDir tmp_;
  std::string root_;
  std::unique_ptr<FsStore> store_;
};

// Runs `child` in a forked process and returns its exit status (-1 if it did not exit).
int RunInChild(const std::function<int()>& child) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(child());
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST_F(FsStoreTest, OpenCreatesTheRootAndRejectsBadRoots) {
  auto nested = FsStore::Open(tmp_.path() + "/x/y/z");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_TRUE(fs::is_directory(tmp_.path() + "/x/y/z"));
  EXPECT_EQ((*nested)->root(), tmp_.path() + "/x/y/z");
  EXPECT_EQ((*nested)->Backend(), "fs");
  EXPECT_EQ(FsStore::Open("").status().code(), Code::kInvalidArgument);
  std::ofstream(tmp_.path() + "/file") << "not a folder";
  EXPECT_FALSE(FsStore::Open(tmp_.path() + "/file").ok());
}

TEST_F(FsStoreTest, OneReadableFilePerKeyAndContentEtags) {
  auto etag = store_->Put("jobs/job_01.json", "{\"schema\": 1}");
  ASSERT_TRUE(etag.ok());
  EXPECT_EQ(ReadFile(root_ + "/jobs/job_01.json"), "{\"schema\": 1}");
  EXPECT_EQ(*etag, ContentEtag("{\"schema\": 1}"));
  EXPECT_EQ(etag->size(), 32u);
  // Same bytes, same etag, at any key and after a reopen.
  EXPECT_EQ(*store_->Put("other", "{\"schema\": 1}"), *etag);
  store_.reset();
  auto reopened = FsStore::Open(root_);
  ASSERT_TRUE(reopened.ok());
  auto got = (*reopened)->Get("jobs/job_01.json");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->etag, *etag);
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "jobs", "jobs/job_01.json", "other"}));
}

TEST_F(FsStoreTest, AFailedRenameLeavesNoTempFile) {
  ASSERT_TRUE(store_->Put("a/b/c", "deep").ok());
  // "a/b" is a folder: the temp file is written, then the rename fails.
  auto over_folder = store_->Put("a/b", "x");
  EXPECT_EQ(over_folder.status().code(), Code::kFailedPrecondition)
      << over_folder.status().ToString();
  // "a/b/c" is a file, so it cannot hold "a/b/c/d".
  auto under_file = store_->Put("a/b/c/d", "x");
  EXPECT_EQ(under_file.status().code(), Code::kFailedPrecondition)
      << under_file.status().ToString();
  EXPECT_EQ(store_->Get("a/b").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Get("a/b/c/d").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Remove("a/b").ok());
  EXPECT_TRUE(store_->Remove("a/b/c/d").ok());
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "a", "a/b", "a/b/c"}));
  EXPECT_EQ(store_->Get("a/b/c")->bytes, "deep");
}

TEST_F(FsStoreTest, PutManyLeavesNoTempFileWhenOneRenameFails) {
  ASSERT_TRUE(store_->Put("a/b/c", "deep").ok());
  // "a/b" is a folder: its rename fails; the others land.
  Status st = store_->PutMany({{"a/x", "1"}, {"a/b", "2"}, {"a/y", "3"}});
  EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(store_->Get("a/x")->bytes, "1");
  EXPECT_EQ(store_->Get("a/y")->bytes, "3");
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "a", "a/b", "a/b/c", "a/x", "a/y"}));
}

TEST_F(FsStoreTest, AWriteErrorLeavesTheOldVersionAndNoTempFile) {
  ASSERT_TRUE(store_->Put("doc", "old").ok());
  // In a child, a file-size limit makes write() fail with EFBIG halfway through the new version.
  int code = RunInChild([&] {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    auto store = FsStore::Open(root_);
    if (!store.ok()) return 11;
    if ((*store)->Put("doc", std::string(100000, 'n')).ok()) return 12;
    if ((*store)->Put("fresh/doc", std::string(100000, 'n')).ok()) return 13;
    return 0;
  });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(store_->Get("doc")->bytes, "old");
  EXPECT_EQ(store_->Get("fresh/doc").status().code(), Code::kNotFound);
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "doc", "fresh"}));
}

TEST_F(FsStoreTest, AReadOnlyRootFailsCleanly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  ASSERT_TRUE(store_->Put("doc", "old").ok());
  ASSERT_EQ(::chmod(root_.c_str(), 0555), 0);
  auto put = store_->Put("doc", "new");
  auto nested = store_->Put("new/doc", "new");
  ::chmod(root_.c_str(), 0755);
  EXPECT_EQ(put.status().code(), Code::kPermissionDenied) << put.status().ToString();
  EXPECT_FALSE(nested.ok());
  EXPECT_EQ(store_->Get("doc")->bytes, "old");
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "doc"}));
}

TEST_F(FsStoreTest, HiddenAndForeignFilesAreNeverListed) {
  ASSERT_TRUE(store_->Put("jobs/a.json", "a").ok());
  std::ofstream(root_ + "/.tmp-0123456789abcdef") << "half";
  std::ofstream(root_ + "/jobs/.tmp-feedfacecafebeef") << "half";
  fs::create_directories(root_ + "/.trash/jobs");
  std::ofstream(root_ + "/.trash/jobs/b.json") << "b";
  std::ofstream(root_ + "/jobs/bad\\name") << "b";  // not a valid key
  auto all = store_->List({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->keys, (std::vector<std::string>{"jobs/a.json"}));
  EXPECT_EQ(store_->Get(".tmp-0123456789abcdef").status().code(), Code::kInvalidArgument);
}

TEST_F(FsStoreTest, GetAndListCreateNothing) {
  ASSERT_TRUE(store_->Put("jobs/a.json", "a").ok());
  std::vector<std::string> before = Tree();
  EXPECT_EQ(store_->Get("new/folder/x").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->List({"new/folder/", "", 10}).ok());
  EXPECT_TRUE(store_->List({"jobs/", "jobs/a", 10}).ok());
  EXPECT_TRUE(store_->Remove("new/folder/x").ok());
  EXPECT_EQ(store_->Put("new/x", "x", Precondition::IfMatch("e")).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(Tree(), before);
}

TEST_F(FsStoreTest, LongSegmentIsInvalidArgument) {
  auto put = store_->Put("jobs/" + std::string(300, 's'), "x");
  EXPECT_EQ(put.status().code(), Code::kInvalidArgument) << put.status().ToString();
}

TEST_F(FsStoreTest, SymlinksAreNeverFollowed) {
  std::string outside = tmp_.path() + "/outside";
  fs::create_directories(outside);
  std::ofstream(outside + "/secret") << "secret";
  fs::create_directory_symlink(outside, root_ + "/evil");
  fs::create_symlink(outside + "/secret", root_ + "/link");
  EXPECT_EQ(store_->Get("evil/secret").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Get("link").status().code(), Code::kNotFound);
  EXPECT_FALSE(store_->Put("evil/planted", "x").ok());
  EXPECT_FALSE(store_->Put("evil/secret", "x", Precondition::IfAbsent()).ok());
  EXPECT_TRUE(store_->Remove("evil/secret").ok());
  auto list = store_->List({});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->keys.empty());
  EXPECT_EQ(ReadFile(outside + "/secret"), "secret");
  EXPECT_FALSE(fs::exists(outside + "/planted"));
}

TEST_F(FsStoreTest, ReadersNeverSeeATornObject) {
  const std::string a(1 << 20, 'a');
  const std::string b(300 * 1024, 'b');
  ASSERT_TRUE(store_->Put("doc", a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    auto other = FsStore::Open(root_);
    ASSERT_TRUE(other.ok());
    while (!done) {
      auto got = (*other)->Get("doc");
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->bytes == a || got->bytes == b) << "torn read of " << got->bytes.size();
      ASSERT_EQ(got->etag, ContentEtag(got->bytes));
      ++reads;
    }
  });
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store_->Put("doc", i % 2 ? a : b).ok());
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(Tree(), (std::vector<std::string>{".lock", "doc"}));
}

// Forks kChildren processes (before this test starts any thread); each opens its own FsStore on
// the shared folder and runs `work`, which returns a count written to the parent through a pipe.
// Returns the counts, or fails the test if a child fails.
std::vector<long> RunChildren(int children, const std::function<long(FsStore&)>& work,
                              const std::string& root) {
  std::vector<std::pair<pid_t, int>> kids;
  for (int i = 0; i < children; ++i) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      auto store = FsStore::Open(root);
      long count = store.ok() ? work(**store) : -1;
      bool wrote = ::write(fds[1], &count, sizeof(count)) == sizeof(count);
      ::_exit(count >= 0 && wrote ? 0 : 1);
    }
    ::close(fds[1]);
    kids.emplace_back(pid, fds[0]);
  }
  std::vector<long> counts;
  for (auto [pid, fd] : kids) {
    long count = -1;
    EXPECT_EQ(::read(fd, &count, sizeof(count)), static_cast<ssize_t>(sizeof(count)));
    ::close(fd);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid;
    counts.push_back(count);
  }
  return counts;
}

TEST_F(FsStoreTest, IfMatchIncrementsAcrossProcessesLoseNothing) {
  constexpr int kChildren = 4;
  constexpr long kIncrements = 150;
  ASSERT_TRUE(store_->Put("counter", "0").ok());
  auto counts = RunChildren(
      kChildren,
      [](FsStore& store) -> long {
        long done = 0;
        while (done < kIncrements) {
          auto cur = store.Get("counter");
          if (!cur.ok()) return -1;
          std::string next = std::to_string(std::stol(cur->bytes) + 1);
          auto put = store.Put("counter", next, Precondition::IfMatch(cur->etag));
          if (put.ok()) {
            ++done;
          } else if (put.status().code() != Code::kFailedPrecondition) {
            return -1;
          }
        }
        return done;
      },
      root_);
  long total = 0;
  for (long c : counts) total += c;
  EXPECT_EQ(total, kChildren * kIncrements);
  EXPECT_EQ(store_->Get("counter")->bytes, std::to_string(total));
}

TEST_F(FsStoreTest, IfAbsentAcrossProcessesHasOneWinnerPerKey) {
  constexpr int kChildren = 4;
  constexpr int kKeys = 200;
  auto counts = RunChildren(
      kChildren,
      [](FsStore& store) -> long {
        long won = 0;
        for (int k = 0; k < kKeys; ++k) {
          auto put = store.Put("claims/" + std::to_string(k), std::to_string(::getpid()),
                               Precondition::IfAbsent());
          if (put.ok()) {
            ++won;
          } else if (put.status().code() != Code::kFailedPrecondition) {
            return -1;
          }
        }
        return won;
      },
      root_);
  long total = 0;
  for (long c : counts) total += c;
  EXPECT_EQ(total, kKeys);
  auto list = store_->List({"claims/", "", 1000});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->keys.size(), static_cast<size_t>(kKeys));
}

}  // namespace
}  // namespace skiff::store

#include "core/ids.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace skiff {
namespace {

TEST(TaskIdTest, FourDigitsUpTo9999Tasks) {
  EXPECT_EQ(TaskId(0, 1), "t-0001");
  EXPECT_EQ(TaskId(1, 3), "t-0002");
  EXPECT_EQ(TaskId(41, 100), "t-0042");
  EXPECT_EQ(TaskId(9998, 9999), "t-9999");
}

TEST(TaskIdTest, WiderFrom10000Tasks) {
  EXPECT_EQ(TaskId(0, 10000), "t-00001");
  EXPECT_EQ(TaskId(9999, 10000), "t-10000");
  EXPECT_EQ(TaskId(99999, 100000), "t-100000");
  EXPECT_EQ(TaskId(0, 100000), "t-000001");
}

TEST(TaskIdTest, RoundTrip) {
  for (size_t total : {1u, 7u, 9999u, 10000u, 12345u, 100000u}) {
    for (size_t i : {size_t{0}, total / 2, total - 1}) {
      std::string id = TaskId(i, total);
      EXPECT_EQ(TaskIndex(id, total), static_cast<int64_t>(i)) << id << " of " << total;
    }
  }
}

TEST(TaskIdTest, TaskIndexRejects) {
  EXPECT_EQ(TaskIndex("t-0000", 5), -1);   // 1-based
  EXPECT_EQ(TaskIndex("t-0006", 5), -1);   // past the end
  EXPECT_EQ(TaskIndex("t-001", 5), -1);    // too narrow
  EXPECT_EQ(TaskIndex("t-00001", 5), -1);  // too wide for a small job
  EXPECT_EQ(TaskIndex("t-0001", 10000), -1);  // too narrow for a big job
  EXPECT_EQ(TaskIndex("x-0001", 5), -1);
  EXPECT_EQ(TaskIndex("t-00a1", 5), -1);
  EXPECT_EQ(TaskIndex("t--001", 5), -1);
  EXPECT_EQ(TaskIndex("t-+001", 5), -1);
  EXPECT_EQ(TaskIndex("", 5), -1);
  EXPECT_EQ(TaskIndex("t-", 5), -1);
  EXPECT_EQ(TaskIndex("t-0001 ", 5), -1);
}

TEST(NewJobIdTest, ShapeAndAlphabet) {
  std::string id = NewJobId(1790000000000);
  ASSERT_EQ(id.size(), 4u + 26u);
  EXPECT_EQ(id.substr(0, 4), "job_");
  for (char c : id.substr(4)) {
    EXPECT_NE(std::string("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c), std::string::npos) << c;
  }
}

TEST(NewJobIdTest, SortsByTime) {
  std::vector<std::string> ids;
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{31}, int64_t{32}, int64_t{1790000000000},
                    int64_t{1790000000001}, int64_t{1790000999999}, int64_t{4102444800000}}) {
    ids.push_back(NewJobId(t));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  // Many ids at random later times also sort by their time.
  std::vector<std::pair<int64_t, std::string>> pairs;
  for (int64_t t = 1790000000000; t < 1790000000000 + 2000 * 997; t += 997) {
    pairs.emplace_back(t, NewJobId(t));
  }
  std::vector<std::pair<int64_t, std::string>> by_id = pairs;
  std::sort(by_id.begin(), by_id.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_EQ(by_id, pairs);
}

TEST(NewJobIdTest, SortsInCreationOrderWithinAMillisecondAndWhenTheClockStepsBack) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(NewJobId(1800000000000));
  ids.push_back(NewJobId(1799999999000));  // the clock stepped back a second
  ids.push_back(NewJobId(1800000000001));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(NewJobIdTest, UniqueAcrossThreadsInTheSameMillisecond) {
  std::set<std::string> ids;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 5000; ++i) mine.push_back(NewJobId(1790000000000));
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 20000u);
}

TEST(RandomTest, LengthsAndAlphabets) {
  std::string b = RandomBase62(40);
  EXPECT_EQ(b.size(), 40u);
  for (char c : b) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_NE(RandomBase62(40), b);
  EXPECT_EQ(RandomBase62(0), "");
  std::string h = RandomHex(16);
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(16), h);
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace skiff

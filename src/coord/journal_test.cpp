#include "coord/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "testing/temp_dir.h"

namespace skiff::coord {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Records = std::vector<std::pair<uint64_t, std::string>>;

class JournalTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.path() + "/journal"; }

  // Opens the journal, collecting what it replays into replayed_.
  std::unique_ptr<Journal> Open(JournalOptions opts = {}) {
    replayed_.clear();
    auto j = Journal::Open(dir(), opts, [this](uint64_t seq, std::string_view payload) {
      replayed_.emplace_back(seq, std::string(payload));
    });
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }

  // Appends each payload and waits for it to be durable; returns the records written.
  static Records AppendAll(Journal& j, const std::vector<std::string>& payloads) {
    Records out;
    for (const auto& p : payloads) {
      uint64_t seq = j.Append(p);
      EXPECT_TRUE(j.WaitDurable(seq).ok());
      out.emplace_back(seq, p);
    }
    return out;
  }

  // Segment files, oldest first.
  std::vector<std::string> Segments() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir())) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string SegmentPath(size_t i) const { return dir() + "/" + Segments().at(i); }
  // The last segment that has any bytes.
  std::string LastNonEmptySegment() const {
    std::string last;
    for (const auto& name : Segments()) {
      if (fs::file_size(dir() + "/" + name) > 0) last = dir() + "/" + name;
    }
    return last;
  }

  static std::vector<std::string> Payloads(int n, const std::string& prefix = "rec-") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }

  skiff::testing::TempDir tmp_;
  Records replayed_;
};

TEST_F(JournalTest, EmptyJournalStartsAtOne) {
  auto j = Open();
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(replayed_.empty());
  EXPECT_EQ(j->last_seq(), 0u);
  EXPECT_EQ(j->Append("a"), 1u);
  EXPECT_EQ(j->Append("b"), 2u);
  EXPECT_EQ(j->last_seq(), 2u);
  EXPECT_TRUE(j->WaitDurable(2).ok());
  EXPECT_TRUE(j->WaitDurable(0).ok());
  EXPECT_EQ(j->WaitDurable(3).code(), Code::kInternal);  // not appended: would never return
}

TEST_F(JournalTest, ReopenReplaysTheSameRecordsInOrder) {
  Records written;
  {
    auto j = Open();
    ASSERT_NE(j, nullptr);
    written = AppendAll(*j, Payloads(50));
    // Binary payloads and an empty one survive as they are.
    auto more = AppendAll(*j, {std::string("\0\x01\xff", 3), "", std::string(100000, 'x')});
    written.insert(written.end(), more.begin(), more.end());
    JournalStats st = j->stats();
    EXPECT_EQ(st.records, 53u);
    EXPECT_GE(st.batches, 1u);
    EXPECT_GT(st.bytes, 100000u);
  }
  auto j = Open();
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(replayed_, written);
  EXPECT_EQ(j->last_seq(), 53u);
  // New appends continue the sequence, and a third open sees both sessions.
  Records more = AppendAll(*j, {"after-reopen"});
  EXPECT_EQ(more[0].first, 54u);
  j.reset();
  written.insert(written.end(), more.begin(), more.end());
  j = Open();
  EXPECT_EQ(replayed_, written);
}

TEST_F(JournalTest, CloseFlushesBufferedRecords) {
  {
    auto j = Open();
    for (const auto& p : Payloads(20)) j->Append(p);
    j->Close();
    j->Close();  // idempotent
    EXPECT_EQ(j->WaitDurable(20).code(), Code::kOk);
  }
  auto j = Open();
  EXPECT_EQ(replayed_.size(), 20u);
}

TEST_F(JournalTest, TornTailIsCutAndEarlierRecordsSurvive) {
  Records written;
  {
    auto j = Open();
    written = AppendAll(*j, Payloads(10));
  }
  std::string last = LastNonEmptySegment();
  ASSERT_FALSE(last.empty());
  // Cut the last record in half: header intact, payload short.
  fs::resize_file(last, fs::file_size(last) - 3);
  {
    auto j = Open();
    ASSERT_NE(j, nullptr);
    written.pop_back();
    EXPECT_EQ(replayed_, written);
    EXPECT_EQ(j->last_seq(), 9u);
    // Appends after the cut reuse the lost seq and land in a fresh segment.
    auto more = AppendAll(*j, {"new-10", "new-11"});
    EXPECT_EQ(more[0].first, 10u);
    written.insert(written.end(), more.begin(), more.end());
  }
  auto j = Open();
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(replayed_, written);
}

TEST_F(JournalTest, TornHeaderIsCut) {
  {
    auto j = Open();
    AppendAll(*j, Payloads(3));
  }
  std::string last = LastNonEmptySegment();
  // Leave only part of the third record's 16-byte header.
  uintmax_t size = fs::file_size(last);
  fs::resize_file(last, size - (std::string("rec-2").size() + 10));
  auto j = Open();
  ASSERT_NE(j, nullptr);
  EXPECT_THAT(replayed_, ElementsAre(std::pair<uint64_t, std::string>{1, "rec-0"},
                                     std::pair<uint64_t, std::string>{2, "rec-1"}));
}

TEST_F(JournalTest, GarbageTailIsCut) {
  Records written;
  {
    auto j = Open();
    written = AppendAll(*j, Payloads(5));
  }
  for (const std::string& garbage :
       {std::string(7, '\0'), std::string(40, '\0'), std::string("\x05\0\0\0garbagegarbage!!", 20),
        std::string("\xff\xff\xff\xff", 4) + std::string(30, 'z')}) {
    // Each open starts a fresh segment: the garbage goes to the newest one, as a torn write would.
    std::string last = SegmentPath(Segments().size() - 1);
    uintmax_t good_size = fs::file_size(last);
    {
      std::ofstream f(last, std::ios::app | std::ios::binary);
      f << garbage;
    }
    auto j = Open();
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(replayed_, written);
    EXPECT_EQ(fs::file_size(last), good_size);  // the tail was cut from the file
  }
  auto j = Open();
  auto more = AppendAll(*j, {"ok"});
  EXPECT_EQ(more[0].first, 6u);
  j.reset();
  written.insert(written.end(), more.begin(), more.end());
  j = Open();
  EXPECT_EQ(replayed_, written);
}

TEST_F(JournalTest, CorruptRecordWithValidLookingLengthIsCut) {
  Records written;
  {
    auto j = Open();
    written = AppendAll(*j, Payloads(4));
  }
  std::string last = LastNonEmptySegment();
  {
    // Flip one payload byte of the last record: its CRC no longer matches.
    std::fstream f(last, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('#');
  }
  auto j = Open();
  ASSERT_NE(j, nullptr);
  written.pop_back();
  EXPECT_EQ(replayed_, written);
}

TEST_F(JournalTest, CorruptionInAnEarlierSegmentIsAnError) {
  {
    auto j = Open();
    AppendAll(*j, Payloads(5, "first-"));
  }
  {
    auto j = Open();  // a second session writes a second segment
    AppendAll(*j, Payloads(5, "second-"));
  }
  ASSERT_GE(Segments().size(), 2u);
  std::string first = SegmentPath(0);
  {
    std::fstream f(first, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);  // inside the first record's payload
    f.put('#');
  }
  auto j = Journal::Open(dir(), {}, [](uint64_t, std::string_view) {});
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInternal);
  EXPECT_THAT(j.status().message(), HasSubstr(Segments()[0]));
  EXPECT_THAT(j.status().message(), HasSubstr("offset 0"));
}

TEST_F(JournalTest, TruncatedEarlierSegmentIsAnError) {
  {
    auto j = Open();
    AppendAll(*j, Payloads(5, "first-"));
  }
  std::string first = LastNonEmptySegment();
  {
    auto j = Open();
    AppendAll(*j, Payloads(5, "second-"));
  }
  fs::resize_file(first, fs::file_size(first) - 2);
  auto j = Journal::Open(dir(), {}, [](uint64_t, std::string_view) {});
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInternal);
}

TEST_F(JournalTest, RotatesIntoSegmentsNamedByFirstSeq) {
  JournalOptions opts;
  opts.segment_bytes = 100;  // every record (16 + ~6 bytes) batch: a few per segment
  Records written;
  {
    auto j = Open(opts);
    written = AppendAll(*j, Payloads(30));
  }
  std::vector<std::string> segs = Segments();
  EXPECT_GE(segs.size(), 5u);
  EXPECT_EQ(segs[0], "00000000000000000001.log");
  for (const auto& s : segs) {
    EXPECT_EQ(s.size(), 24u);
    EXPECT_LE(fs::file_size(dir() + "/" + s), 100u);
  }
  auto j = Open(opts);
  EXPECT_EQ(replayed_, written);
}

TEST_F(JournalTest, DropBeforeRemovesOnlyFullyCoveredClosedSegments) {
  JournalOptions opts;
  opts.segment_bytes = 100;
  auto j = Open(opts);
  Records written = AppendAll(*j, Payloads(40));
  std::vector<std::string> before = Segments();
  ASSERT_GE(before.size(), 5u);
  auto first_seq = [](const std::string& name) { return std::stoull(name.substr(0, 20)); };

  // Nothing is covered below the second segment's first seq minus one.
  uint64_t second = first_seq(before[1]);
  j->DropBefore(second - 1);
  EXPECT_EQ(Segments(), before);
  // Exactly the first segment is covered.
  j->DropBefore(second);
  std::vector<std::string> after = Segments();
  EXPECT_EQ(after, std::vector<std::string>(before.begin() + 1, before.end()));
  // A seq in the middle of a segment keeps that segment.
  uint64_t third = first_seq(before[2]), fourth = first_seq(before[3]);
  ASSERT_LT(third + 1, fourth);
  j->DropBefore(third + 1);
  after = Segments();
  EXPECT_EQ(after.front(), before[2]);
  // Everything: the current (last) segment always stays.
  j->DropBefore(1000000);
  after = Segments();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0], before.back());
  uint64_t kept_from = first_seq(after[0]);
  j.reset();

  j = Open(opts);
  ASSERT_NE(j, nullptr);
  Records expect;
  for (const auto& r : written) {
    if (r.first >= kept_from) expect.push_back(r);
  }
  EXPECT_EQ(replayed_, expect);
  EXPECT_EQ(j->last_seq(), 40u);
}

// All segments but an empty current one dropped: the next seq must still follow the last one
// written, or records appended after a restart would get seqs that documents already cover.
TEST_F(JournalTest, SeqsContinueAfterEverythingWasDropped) {
  {
    auto j = Open();
    AppendAll(*j, Payloads(10));
  }
  {
    auto j = Open();  // starts an empty segment at seq 11
    EXPECT_EQ(replayed_.size(), 10u);
    j->DropBefore(11);
    EXPECT_EQ(Segments().size(), 1u);
  }
  auto j = Open();
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(replayed_.empty());
  EXPECT_EQ(j->last_seq(), 10u);
  uint64_t seq = j->Append("next");
  EXPECT_EQ(seq, 11u);
  ASSERT_TRUE(j->WaitDurable(seq).ok());
  j.reset();
  j = Open();
  EXPECT_THAT(replayed_, ElementsAre(std::pair<uint64_t, std::string>{11, "next"}));
}

TEST_F(JournalTest, ConcurrentAppendsGetUniqueIncreasingSeqsAndAllReplay) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  JournalOptions opts;
  opts.segment_bytes = 4096;  // rotate under load too
  std::vector<Records> per_thread(kThreads);
  {
    auto j = Open(opts);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string p = "t" + std::to_string(t) + "-" + std::to_string(i);
          uint64_t seq = j->Append(p);
          // Wait on some, not all: group commit must still cover the unwaited ones.
          if (i % 3 == 0) {
            EXPECT_TRUE(j->WaitDurable(seq).ok());
          }
          per_thread[t].emplace_back(seq, p);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_LT(j->stats().batches, static_cast<uint64_t>(kThreads * kPerThread));
  }
  std::set<uint64_t> all;
  std::map<uint64_t, std::string> by_seq;
  for (const Records& recs : per_thread) {
    for (size_t i = 1; i < recs.size(); ++i) EXPECT_LT(recs[i - 1].first, recs[i].first);
    for (const auto& [seq, p] : recs) {
      all.insert(seq);
      by_seq[seq] = p;
    }
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));

  auto j = Open(opts);
  ASSERT_EQ(replayed_.size(), by_seq.size());
  size_t k = 0;
  for (const auto& [seq, p] : by_seq) {
    EXPECT_EQ(replayed_[k].first, seq);
    EXPECT_EQ(replayed_[k].second, p);
    ++k;
  }
}

TEST_F(JournalTest, WaitAfterCloseIsUnavailableForUnwrittenRecords) {
  auto j = Open();
  j->Close();
  uint64_t seq = j->Append("too late");
  Status st = j->WaitDurable(seq);
  EXPECT_EQ(st.code(), Code::kUnavailable);
}

TEST_F(JournalTest, OpenFailsOnAnUncreatableFolder) {
  auto j = Journal::Open(tmp_.path() + "/no/such/parent", {}, [](uint64_t, std::string_view) {});
  EXPECT_FALSE(j.ok());
}

}  // namespace
}  // namespace skiff::coord

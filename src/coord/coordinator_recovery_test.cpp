// Recovery: what a restart or a crash keeps. Every acknowledged change survives; attempts that were
// running end as lease_expired and their tasks are leasable again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "coord/coordinator.h"
#include "coord/coordinator_test_util.h"

namespace skiff::coord {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

size_t CountSegments(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".log";
  return n;
}

std::vector<std::string> TaskNames(const std::vector<LeasedTask>& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks) out.push_back(t.task);
  return out;
}

LeasedTask Find(const std::vector<LeasedTask>& tasks, const std::string& task) {
  for (const auto& t : tasks) {
    if (t.task == task) return t;
  }
  ADD_FAILURE() << "no leased " << task;
  return {};
}

TEST_F(CoordinatorTest, CrashFromJournalOnlyKeepsEveryAcknowledgedChange) {
  Open();
  std::string a = Submit(Body(4, 2, 0), alice_, "key-a");
  std::string b = Submit(Body(1));
  std::string c = Submit(Body(2));
  auto leased = Lease(100);
  ASSERT_EQ(leased.size(), 7u);
  Finish(Find(leased, "t-0001"), 0);  // several jobs have a t-0001: finish the right ones
  std::vector<LeasedTask> of_a, of_b;
  for (const auto& t : leased) {
    if (t.job == a) of_a.push_back(t);
    if (t.job == b) of_b.push_back(t);
  }
  ASSERT_EQ(of_a.size(), 4u);
  // Job a: t-0001 ok, t-0002 failed once (pending again), t-0003 running, t-0004 re-queued below.
  for (const auto& t : of_a) {
    if (t.task == "t-0001") Finish(t, 0);
    if (t.task == "t-0002") Finish(t, 3);
  }
  auto again = Lease(10, 200);  // a's t-0002 comes back (backoff 0)
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].job, a);
  Finish(again[0], 0);
  Finish(of_b.at(0), 0);
  ASSERT_TRUE(coord_->Cancel(c, alice_).ok());
  // Nothing was checkpointed: this recovery reads the journal alone.
  auto docs = store_.List({"jobs/", "", 100});
  ASSERT_TRUE(docs.ok());
  ASSERT_THAT(docs->keys, IsEmpty());

  CrashAndReopen();

  Json ja = Get(a);
  EXPECT_EQ(ja["status"], "running");
  EXPECT_EQ(ja["tasks"]["t-0001"], "ok");
  EXPECT_EQ(ja["tasks"]["t-0002"], "ok");
  EXPECT_EQ(ja["attempts"]["t-0002"].size(), 2u);
  EXPECT_EQ(ja["attempts"]["t-0002"][0]["result"], "failed");
  EXPECT_EQ(ja["attempts"]["t-0002"][0]["exit"], 3);
  EXPECT_EQ(ja["attempts"]["t-0002"][1]["result"], "ok");
  // The interrupted attempts still run, on a fresh lease: their worker may have survived.
  for (const char* t : {"t-0003", "t-0004"}) {
    ASSERT_EQ(ja["attempts"][t].size(), 1u) << t;
    EXPECT_TRUE(ja["attempts"][t][0]["result"].is_null()) << t;
    EXPECT_TRUE(ja["tasks"][t].is_null()) << t;
  }
  EXPECT_EQ(Get(b)["status"], "succeeded");
  EXPECT_EQ(Get(b)["attempts"]["t-0001"][0]["stdout_tail"], "out of t-0001");
  Json jc = Get(c);
  EXPECT_EQ(jc["status"], "cancelled");
  EXPECT_EQ(jc["tasks"], Json({{"t-0001", "ko"}, {"t-0002", "ko"}}));

  // The idempotency key still names job a.
  bool created = true;
  EXPECT_EQ(Submit(Body(9), alice_, "key-a", &created), a);
  EXPECT_FALSE(created);

  // Nobody heartbeats them: once the lease time passes they end lease_expired and are leasable
  // again, as their second attempt; nothing else is.
  EXPECT_THAT(Lease(100), IsEmpty());
  clock_.Advance(Options().lease_ms + 1);
  ASSERT_TRUE(WaitFor([&] {
    return Get(a)["attempts"]["t-0003"][0]["result"] == "lease_expired" &&
           Get(a)["attempts"]["t-0004"][0]["result"] == "lease_expired";
  }));
  auto after = Lease(100, 200);
  EXPECT_THAT(TaskNames(after), UnorderedElementsAre("t-0003", "t-0004"));
  for (const auto& t : after) {
    EXPECT_EQ(t.job, a);
    EXPECT_EQ(t.attempt, 2);
    Finish(t, 0);
  }
  EXPECT_EQ(Get(a)["status"], "succeeded");
  EXPECT_THAT(Lease(10, 20), IsEmpty());
}

TEST_F(CoordinatorTest, CleanShutdownCheckpointsAndReopens) {
  Open();
  std::string id = Submit(Body(2, 1));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  Finish(t[0], 0);
  coord_.reset();  // Shutdown: final checkpoint
  Json doc = StoredDoc(id);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["schema"], 1);
  EXPECT_EQ(doc["tasks"], Json({{"t-0001", "ok"}, {"t-0002", nullptr}}));
  EXPECT_FALSE(doc.contains("status"));  // derived, never stored
  EXPECT_GT(doc["seq"].get<uint64_t>(), 0u);

  Open();
  Json job = Get(id);
  EXPECT_EQ(job["tasks"], doc["tasks"]);
  EXPECT_EQ(job["attempts"]["t-0001"].size(), 1u);
  auto rest = Lease(10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].task, "t-0002");
  EXPECT_EQ(rest[0].attempt, 1);
}

TEST_F(CoordinatorTest, CheckpointThenDroppedSegmentsKeepTheState) {
  segment_bytes_ = 512;  // a few records per segment
  Open();
  std::string id = Submit(Body(6, 2, 0));
  auto t = Lease(6);
  ASSERT_EQ(t.size(), 6u);
  for (size_t i = 0; i < 3; ++i) Finish(t[i], 0);
  std::string jdir = Options().journal_dir;
  size_t before = CountSegments(jdir);
  ASSERT_GE(before, 3u);
  ASSERT_TRUE(coord_->CheckpointForTest().ok());
  EXPECT_LT(CountSegments(jdir), before);  // covered segments were dropped
  EXPECT_TRUE(StoredDoc(id).is_object());

  // Changes after the checkpoint live only in the journal.
  Finish(t[3], 0);
  Finish(t[4], 1);  // failed once: pending again
  CrashAndReopen();

  Json job = Get(id);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(job["tasks"][t[i].task], "ok") << t[i].task;
  EXPECT_TRUE(job["tasks"][t[4].task].is_null());
  EXPECT_EQ(job["attempts"][t[4].task][0]["result"], "failed");
  EXPECT_TRUE(job["attempts"][t[5].task][0]["result"].is_null());  // still running, fresh lease
  for (const auto& [task, attempts] : job["attempts"].items()) {
    EXPECT_EQ(attempts.size(), 1u) << task;  // nothing applied twice
  }
  clock_.Advance(Options().lease_ms + 1);
  ASSERT_TRUE(WaitFor(
      [&] { return Get(id)["attempts"][t[5].task][0]["result"] == "lease_expired"; }));
  auto again = Lease(10, 200);
  EXPECT_THAT(TaskNames(again), UnorderedElementsAre(t[4].task, t[5].task));
  for (const auto& x : again) Finish(x, 0);
  EXPECT_EQ(Get(id)["status"], "succeeded");
}

TEST_F(CoordinatorTest, RecordsTheDocumentCoversAreNotAppliedTwice) {
  Open();
  std::string id = Submit(Body(2, 3, 0));
  auto t = Lease(2);
  ASSERT_EQ(t.size(), 2u);
  Finish(Find(t, "t-0001"), 1);
  auto again = Lease(1, 200);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_EQ(again[0].attempt, 2);
  // The document now covers every record; the journal still holds them all (one segment).
  ASSERT_TRUE(coord_->CheckpointForTest().ok());
  uint64_t doc_seq = StoredDoc(id)["seq"].get<uint64_t>();
  CrashAndReopen();

  Json job = Get(id);
  ASSERT_EQ(job["attempts"]["t-0001"].size(), 2u);
  EXPECT_EQ(job["attempts"]["t-0001"][0]["result"], "failed");
  EXPECT_TRUE(job["attempts"]["t-0001"][1]["result"].is_null());  // running on a fresh lease
  ASSERT_EQ(job["attempts"]["t-0002"].size(), 1u);
  EXPECT_TRUE(job["attempts"]["t-0002"][0]["result"].is_null());
  clock_.Advance(Options().lease_ms + 1);  // nobody heartbeats: both leases expire
  ASSERT_TRUE(WaitFor([&] {
    Json j = Get(id);
    return j["attempts"]["t-0001"][1]["result"] == "lease_expired" &&
           j["attempts"]["t-0002"][0]["result"] == "lease_expired";
  }));
  ASSERT_TRUE(coord_->CheckpointForTest().ok());
  doc_seq = StoredDoc(id)["seq"].get<uint64_t>();

  // A document newer than anything in the journal (another coordinator wrote it) wins, and the
  // records it covers are skipped.
  coord_->AbandonForTest();
  coord_.reset();
  Json doc = StoredDoc(id);
  ASSERT_TRUE(doc.is_object());
  ASSERT_GE(doc["seq"].get<uint64_t>(), doc_seq);
  doc["tasks"]["t-0002"] = "ok";
  doc["attempts"]["t-0002"] = Json::array({{{"n", 1}, {"round", 0}, {"worker", "elsewhere"},
                                            {"started_at", "2026-09-21T00:00:00.000Z"},
                                            {"ended_at", "2026-09-21T00:00:01.000Z"},
                                            {"result", "ok"}, {"exit", 0}}});
  uint64_t newer = doc_seq + 1000;
  doc["seq"] = newer;
  ASSERT_TRUE(store_.Put("jobs/" + id + ".json", doc.dump()).ok());
  Open();
  job = Get(id);
  EXPECT_EQ(job["tasks"]["t-0002"], "ok");
  ASSERT_EQ(job["attempts"]["t-0002"].size(), 1u);
  EXPECT_EQ(job["attempts"]["t-0002"][0]["worker"], "elsewhere");
  // New records are numbered above the document's seq, so they count after the next crash.
  auto last = Lease(10, 200);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].task, "t-0001");
  Finish(last[0], 0);
  CrashAndReopen();
  EXPECT_EQ(Get(id)["status"], "succeeded");
}

// Restarts that leave the journal with only an empty segment must not restart its numbering.
TEST_F(CoordinatorTest, RepeatedRestartsKeepAcknowledgedResults) {
  Open();
  std::string id = Submit(Body(2, 1));
  Finish(Lease(1).at(0), 0);
  coord_.reset();  // checkpoint
  Open();
  coord_.reset();  // checkpoint again: drops the old segment, leaving only an empty one
  Open();
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  Finish(t[0], 0);  // acknowledged: must survive a crash
  CrashAndReopen();
  Json job = Get(id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["attempts"][t[0].task].size(), 1u);
}

TEST_F(CoordinatorTest, LostJournalFolderDoesNotHideNewRecords) {
  Open();
  std::string id = Submit(Body(2, 1));
  Finish(Lease(1).at(0), 0);
  coord_.reset();
  fs::remove_all(Options().journal_dir);  // e.g. a new machine with the same store
  Open();
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  Finish(t[0], 0);
  CrashAndReopen();
  EXPECT_EQ(Get(id)["status"], "succeeded");
}

TEST_F(CoordinatorTest, UnreadableDocumentIsSkipped) {
  ASSERT_TRUE(store_.Put("jobs/job_BROKEN.json", "{not json").ok());
  ASSERT_TRUE(store_.Put("jobs/job_EMPTY.json", "{}").ok());
  Open();
  std::string id = Submit(Body(1));
  Finish(Lease(1).at(0), 0);
  coord_.reset();
  Open();
  EXPECT_EQ(Get(id)["status"], "succeeded");
  EXPECT_EQ(coord_->Stats().jobs, 1u);
}

TEST_F(CoordinatorTest, BackgroundCheckpointWritesDirtyDocuments) {
  CoordinatorOptions o = Options();
  o.checkpoint_interval_ms = 20;
  Open(o);
  std::string id = Submit(Body(2));
  // A running job's changes wait checkpoint_delay_ms to be written together.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(StoredDoc(id).is_null());
  clock_.Advance(o.checkpoint_delay_ms);
  ASSERT_TRUE(Eventually([&] { return StoredDoc(id).is_object(); }));
  // A finished one is written at the next checkpoint.
  auto leased = Lease(2);
  ASSERT_EQ(leased.size(), 2u);
  Finish(leased[0], 0);
  Finish(leased[1], 0);
  ASSERT_TRUE(Eventually([&] { return StoredDoc(id)["finished_at"].is_string(); }));
  EXPECT_EQ(StoredDoc(id)["tasks"]["t-0002"], "ok");
}

}  // namespace
}  // namespace skiff::coord

namespace skiff::coord {
namespace {

// A standalone worker keeps running its task while the server restarts: after recovery its lease
// is still good, its heartbeat extends it and its result is accepted.
TEST_F(CoordinatorTest, AWorkerThatOutlivesARestartReportsAsUsual) {
  Open();
  std::string id = Submit(Body(1));
  auto t = Lease(1);
  ASSERT_EQ(t.size(), 1u);
  CrashAndReopen();
  auto hb = coord_->Heartbeat({t[0].lease});
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->extended, std::vector<std::string>{t[0].lease});
  Finish(t[0], 0);
  Json job = Get(id);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["attempts"]["t-0001"].size(), 1u);
}

}  // namespace
}  // namespace skiff::coord

// Job events: what a listener hears, in order, and that "job.finished" survives a crash until
// every listener has handled it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "coord/coordinator.h"
#include "coord/coordinator_test_util.h"

namespace skiff::coord {
namespace {

using ::testing::ElementsAre;

// Collects every event it is given.
class Recorder {
 public:
  EventListener Listener() {
    return [this](const std::vector<JobEvent>& batch) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.insert(events_.end(), batch.begin(), batch.end());
    };
  }
  std::vector<JobEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<std::string> Types(const std::string& job) {
    std::vector<std::string> out;
    for (const JobEvent& e : Events()) {
      if (e.job == job) out.push_back(e.type);
    }
    return out;
  }
  // The job.finished events of `job`.
  std::vector<JobEvent> Finished(const std::string& job) {
    std::vector<JobEvent> out;
    for (const JobEvent& e : Events()) {
      if (e.job == job && e.type == kEventJobFinished) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<JobEvent> events_;
};

class CoordinatorEventsTest : public CoordinatorTest {
 protected:
  // Runs a one-task job to "ok"; returns its id.
  std::string RunOneTask() {
    std::string id = Submit(Body(1));
    auto leased = LeaseAtLeast(1);
    for (const auto& t : leased) {
      if (t.job == id) Finish(t, 0);
    }
    return id;
  }
  bool Acked(const std::string& id) {
    EXPECT_TRUE(coord_->CheckpointForTest().ok());
    return StoredDoc(id).value("finish_acked", false);
  }
};

TEST_F(CoordinatorEventsTest, ListenerHearsEveryChangeInOrder) {
  Open();
  Recorder rec;
  coord_->AddListener(rec.Listener());
  std::string id = Submit(Body(2, /*max_attempts=*/2));
  auto leased = Lease(10);
  ASSERT_EQ(leased.size(), 2u);
  Finish(leased[0], 0);
  Finish(leased[1], 7);  // fails once: retried
  auto again = LeaseAtLeast(1);
  ASSERT_EQ(again.size(), 1u);
  Finish(again[0], 7);  // and again: no attempt left
  ASSERT_TRUE(Eventually([&] { return rec.Finished(id).size() == 1; }));

  EXPECT_THAT(rec.Types(id), ElementsAre("job.created", "task.leased", "task.leased", "task.ok",
                                         "task.retried", "task.leased", "task.ko",
                                         "job.finished"));
  std::vector<JobEvent> all = rec.Events();
  const JobEvent& created = all[0];
  EXPECT_EQ(created.team, "acme");
  EXPECT_EQ(created.user_id, "alice-hash");
  EXPECT_FALSE(created.correlation_id.empty());
  EXPECT_EQ(created.data["tasks"], 2);
  const JobEvent& ko = all[6];
  EXPECT_EQ(ko.task_id, leased[1].task);
  EXPECT_EQ(ko.attempt, 2);
  EXPECT_EQ(ko.data["result"], "failed");
  EXPECT_EQ(ko.data["exit"], 7);
  EXPECT_EQ(ko.data["wall_ms"], 5);
  EXPECT_GT(ko.data["stdout_bytes"].get<int>(), 0);

  JobEvent fin = rec.Finished(id)[0];
  EXPECT_EQ(fin.data["status"], "failed");
  EXPECT_EQ(fin.data["counts"]["ok"], 1);
  EXPECT_EQ(fin.data["counts"]["ko"], 1);
  EXPECT_FALSE(fin.recovered);
  ASSERT_NE(fin.doc, nullptr);
  EXPECT_EQ(fin.doc->attempts[1].size(), 2u);  // the whole job: every attempt is there
}

TEST_F(CoordinatorEventsTest, CancelAndLeaseExpiryAreEvents) {
  Open();
  Recorder rec;
  coord_->AddListener(rec.Listener());
  std::string expiring = Submit(Body(1, 2));
  ASSERT_EQ(Lease(10).size(), 1u);
  clock_.Advance(1000);  // past lease_ms: the timer ends the attempt, a retry follows
  ASSERT_TRUE(Eventually([&] { return rec.Types(expiring).size() == 3; }));
  JobEvent expired = rec.Events().back();
  EXPECT_EQ(expired.type, "task.lease_expired");
  EXPECT_EQ(expired.data["retry"], true);

  std::string cancelled = Submit(Body(3));
  ASSERT_TRUE(coord_->Cancel(cancelled, alice_).ok());
  ASSERT_TRUE(Eventually([&] { return rec.Finished(cancelled).size() == 1; }));
  EXPECT_THAT(rec.Types(cancelled), ElementsAre("job.created", "job.cancelled", "job.finished"));
  EXPECT_EQ(rec.Finished(cancelled)[0].data["status"], "cancelled");
}

TEST_F(CoordinatorEventsTest, UnacknowledgedFinishIsAnnouncedAgainAfterACrash) {
  Open();
  std::string id = RunOneTask();  // nobody listens: the finish stays unacknowledged
  CrashAndReopen();
  Recorder rec;
  coord_->AddListener(rec.Listener());
  ASSERT_TRUE(Eventually([&] { return rec.Finished(id).size() == 1; }));
  JobEvent fin = rec.Finished(id)[0];
  EXPECT_TRUE(fin.recovered);
  EXPECT_EQ(fin.data["status"], "succeeded");
  EXPECT_EQ(fin.round, 0);
  ASSERT_NE(fin.doc, nullptr);
  EXPECT_EQ(fin.doc->tasks[0], TaskState::kOk);

  // Handled now: the acknowledgement is recorded, and a later crash does not announce it again.
  ASSERT_TRUE(Eventually([&] { return Acked(id); }));
  CrashAndReopen();
  Recorder after;
  coord_->AddListener(after.Listener());
  std::string next = RunOneTask();
  ASSERT_TRUE(Eventually([&] { return after.Finished(next).size() == 1; }));
  EXPECT_TRUE(after.Finished(id).empty());  // delivered in order: it would have come first
}

TEST_F(CoordinatorEventsTest, AcknowledgementFromTheJournalAloneSurvivesACrash) {
  Open();
  Recorder rec;
  coord_->AddListener(rec.Listener());
  std::string id = RunOneTask();
  ASSERT_TRUE(Eventually([&] { return rec.Finished(id).size() == 1; }));
  // The "acked" record is appended right after the listeners return (microseconds); give it ample
  // time, then crash without any checkpoint: the replayed journal must carry it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CrashAndReopen();
  Recorder after;
  coord_->AddListener(after.Listener());
  std::string next = RunOneTask();
  ASSERT_TRUE(Eventually([&] { return after.Finished(next).size() == 1; }));
  EXPECT_TRUE(after.Finished(id).empty());
}

TEST_F(CoordinatorEventsTest, ARetriedJobFinishesAgainInANewRound) {
  Open();
  Recorder rec;
  coord_->AddListener(rec.Listener());
  std::string id = Submit(Body(1));
  Finish(LeaseAtLeast(1)[0], 1);
  ASSERT_TRUE(Eventually([&] { return rec.Finished(id).size() == 1; }));
  ASSERT_TRUE(coord_->Retry(id, alice_).ok());
  Finish(LeaseAtLeast(1)[0], 0);
  ASSERT_TRUE(Eventually([&] { return rec.Finished(id).size() == 2; }));
  auto fins = rec.Finished(id);
  EXPECT_EQ(fins[0].round, 0);
  EXPECT_EQ(fins[0].data["status"], "failed");
  EXPECT_EQ(fins[1].round, 1);
  EXPECT_EQ(fins[1].data["status"], "succeeded");
  EXPECT_THAT(rec.Types(id), ElementsAre("job.created", "task.leased", "task.ko", "job.finished",
                                         "job.retried", "task.leased", "task.ok",
                                         "job.finished"));
}

}  // namespace
}  // namespace skiff::coord

namespace skiff::coord {
namespace {

TEST_F(CoordinatorTest, JobTextMatchesTheDocumentAndFollowsChanges) {
  Open();
  std::string id = Submit(Body(1));
  auto text = coord_->GetJobText(id, alice_, true);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(Json::parse(*text), Get(id));  // running: built fresh
  Finish(LeaseAtLeast(1)[0], 1);
  auto finished = coord_->GetJobText(id, alice_, true);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(Json::parse(*finished)["status"], "failed");
  EXPECT_EQ(*coord_->GetJobText(id, alice_, true), *finished);  // kept, same bytes
  EXPECT_EQ(Json::parse(*coord_->GetJobText(id, alice_, false)),
            coord_->GetJob(id, alice_, false).value());
  // A change (retry) is seen at once, not the kept text.
  ASSERT_TRUE(coord_->Retry(id, alice_).ok());
  Json after = Json::parse(*coord_->GetJobText(id, alice_, true));
  EXPECT_NE(after["status"], "failed");
  EXPECT_EQ(after, Get(id));
  EXPECT_EQ(coord_->GetJobText(id, eve_, true).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace skiff::coord

// Replay of journal records this version would never write (a field of the wrong type, an index
// out of range): each is skipped with a log line, recovery goes on, the job keeps what its good
// records say. Regression tests for inputs found by tests/fuzz/fuzz_journal, which threw
// nlohmann::json::type_error out of Coordinator::Open (the server would not start).
#include <gtest/gtest.h>

#include "coord/coordinator.h"
#include "coord/coordinator_test_util.h"
#include "coord/journal.h"

namespace skiff::coord {
namespace {

// Appends `payloads` (framed with the right CRC and seq) to the journal folder, as a server of
// another version might have.
void AppendRecords(const std::string& dir, const std::vector<std::string>& payloads) {
  JournalOptions o;
  o.sync = false;
  auto j = Journal::Open(dir, o, [](uint64_t, std::string_view) {});
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  uint64_t last = 0;
  for (const std::string& p : payloads) last = (*j)->Append(p);
  ASSERT_TRUE((*j)->WaitDurable(last).ok());
  (*j)->Close();
}

TEST_F(CoordinatorTest, MalformedJournalRecordsAreSkippedAndRecoveryGoesOn) {
  Open();
  std::string id = Submit({{"argv", {"true"}}, {"items", 2}});
  ASSERT_FALSE(id.empty());
  coord_->AbandonForTest();
  coord_.reset();
  AppendRecords(Options().journal_dir, {
      R"({"t":"lease","job":")" + id + R"(","ts":"soon","tasks":[0]})",
      R"({"t":"lease","job":")" + id + R"(","ts":1,"tasks":["x"]})",
      R"({"t":"lease","job":")" + id + R"(","ts":1,"tasks":7})",
      R"({"t":"end","job":")" + id + R"(","task":"0","n":1,"r":"ok"})",
      R"({"t":"end","job":")" + id + R"(","task":0,"n":1,"r":"ok","exit":"zero"})",
      R"({"t":"end","job":")" + id + R"(","task":99999,"n":1,"r":"ok"})",
      R"({"t":"create","doc":5})",
      R"({"t":"create","doc":{"id":[]}})",
      R"({"t":7,"job":")" + id + R"("})",
      R"({"t":"cancel","job":")" + id + R"(","ts":{}})",
      R"([1,2,3])",
      "not json",
  });
  Open();  // must not throw
  auto job = coord_->GetJob(id, alice_, false);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ((*job)["counts"]["total"], 2);
  // The job still works: both tasks can be leased and finished.
  auto leased = Lease(2);
  ASSERT_EQ(leased.size(), 2u);
}

}  // namespace
}  // namespace skiff::coord

// Usage metering: records of a finished round, CSV quoting, range edges, and exactly-once
// counting when "job.finished" is delivered again after a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "coord/coordinator_test_util.h"
#include "usage/usage.h"

namespace skiff::usage {
namespace {

using coord::CoordinatorTest;

std::string EmailFor(const std::string& user_id) {
  return user_id == "alice-hash" ? "alice@example.com" : "";
}

// Every record in the store, in ForEach order.
std::vector<UsageRecord> All(UsageMeter& meter, int64_t from = 0,
                             int64_t to = coord::kStartMs + 86400000LL * 2) {
  std::vector<UsageRecord> out;
  UsageQuery q;
  q.from_ms = from == 0 ? coord::kStartMs - 86400000LL : from;
  q.to_ms = to;
  Status st = meter.ForEach(q, [&](const UsageRecord& r) {
    out.push_back(r);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class UsageTest : public CoordinatorTest {
 protected:
  std::vector<std::string> StoredKeys(store::ObjectStore& s, const std::string& prefix) {
    auto page = s.List({prefix, "", 10000});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->keys : std::vector<std::string>{};
  }
};

TEST_F(UsageTest, OneRecordPerTaskAndOnePerJob) {
  Open();
  UsageMeter meter(&store_, EmailFor);
  coord_->AddListener(meter.Listener());
  std::string id = Submit(Body(3, /*max_attempts=*/2));
  auto leased = LeaseAtLeast(3);
  Finish(leased[0], 0);
  Finish(leased[1], 0);
  Finish(leased[2], 1);                 // fails once
  Finish(LeaseAtLeast(1)[0], 1);        // and again: "ko"
  std::vector<UsageRecord> recs;
  ASSERT_TRUE(Eventually([&] { return (recs = All(meter)).size() == 4; }));
  EXPECT_EQ(recs[0].kind, "task");
  EXPECT_EQ(recs[0].email, "alice@example.com");
  EXPECT_EQ(recs[0].team, "acme");
  EXPECT_EQ(recs[0].job, id);
  EXPECT_EQ(recs[0].attempts, 1);
  EXPECT_EQ(recs[0].result, "ok");
  EXPECT_DOUBLE_EQ(recs[0].wall_seconds, 0.005);
  EXPECT_EQ(recs[0].stdout_bytes, static_cast<int64_t>(("out of " + recs[0].task).size()));
  EXPECT_EQ(recs[2].attempts, 2);
  EXPECT_EQ(recs[2].result, "failed");
  EXPECT_DOUBLE_EQ(recs[2].wall_seconds, 0.010);
  EXPECT_EQ(recs[3].kind, "job");
  EXPECT_EQ(recs[3].task, "");
  EXPECT_EQ(recs[3].attempts, 4);
  EXPECT_EQ(recs[3].result, "failed");
  EXPECT_DOUBLE_EQ(recs[3].wall_seconds, 0.020);

  auto totals = meter.Totals({coord::kStartMs - 1000, coord::kStartMs + 86400000, "", ""});
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->jobs, 1);
  EXPECT_EQ(totals->tasks, 3);
  EXPECT_EQ(totals->tasks_ok, 2);
  EXPECT_EQ(totals->attempts, 4);

  // A retry round meters only the task that ran again, in documents of its own.
  ASSERT_TRUE(coord_->Retry(id, alice_).ok());
  Finish(LeaseAtLeast(1)[0], 0);
  ASSERT_TRUE(Eventually([&] { return All(meter).size() == 6; }));
  recs = All(meter);
  EXPECT_EQ(recs[4].round, 1);
  EXPECT_EQ(recs[4].task, recs[2].task);
  EXPECT_EQ(recs[4].result, "ok");
  EXPECT_EQ(recs[5].kind, "job");
  EXPECT_EQ(recs[5].result, "succeeded");
}

TEST_F(UsageTest, FinishDeliveredAgainAfterACrashIsCountedOnce) {
  Open();
  UsageMeter meter(&store_, EmailFor);
  coord_->AddListener(meter.Listener());
  // A second listener takes a snapshot of the store and the journal right after the usage
  // records are durable and before the coordinator records the acknowledgement: the state a
  // kill -9 at that instant leaves behind.
  store::MemoryStore snap_store;
  std::string snap_journal = tmp_.path() + "/snap-journal";
  std::mutex mu;
  bool snapped = false;
  coord_->AddListener([&](const std::vector<coord::JobEvent>& batch) {
    for (const auto& e : batch) {
      if (e.type != coord::kEventJobFinished) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (snapped) continue;
      for (const std::string& key : StoredKeys(store_, "")) {
        auto obj = store_.Get(key);
        ASSERT_TRUE(obj.ok());
        ASSERT_TRUE(snap_store.Put(key, obj->bytes).ok());
      }
      std::filesystem::copy(tmp_.path() + "/journal", snap_journal,
                            std::filesystem::copy_options::recursive);
      snapped = true;
    }
  });
  std::string id = Submit(Body(2));
  for (const auto& t : LeaseAtLeast(2)) Finish(t, 0);
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return snapped;
  }));
  ASSERT_EQ(StoredKeys(snap_store, "usage/").size(), 1u);

  // "Restart" on the snapshot: the finish is announced again (recovered) and metered again.
  coord::CoordinatorOptions opts = Options();
  opts.journal_dir = snap_journal;
  auto again = coord::Coordinator::Open(&snap_store, &clock_, opts);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  UsageMeter meter2(&snap_store, EmailFor);
  std::atomic<int> recovered{0};
  (*again)->AddListener(meter2.Listener());
  (*again)->AddListener([&](const std::vector<coord::JobEvent>& batch) {
    for (const auto& e : batch) {
      if (e.type == coord::kEventJobFinished && e.job == id && e.recovered) ++recovered;
    }
  });
  ASSERT_TRUE(Eventually([&] { return recovered.load() == 1; }));
  std::vector<UsageRecord> recs = All(meter2);
  ASSERT_EQ(recs.size(), 3u);  // two tasks and the job: once each
  EXPECT_EQ(recs[2].kind, "job");
  auto totals = meter2.Totals({coord::kStartMs - 1000, coord::kStartMs + 86400000, "acme", ""});
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->jobs, 1);
  EXPECT_EQ(totals->tasks, 2);
  (*again)->Shutdown();
}

TEST_F(UsageTest, WritingARoundTwiceKeepsOneCopy) {
  UsageMeter meter(&store_, EmailFor);
  Job job;
  job.id = "job_x";
  job.team = "acme";
  job.user_id = "alice-hash";
  job.tasks = {TaskState::kOk};
  job.attempts.resize(1);
  Attempt a;
  a.n = 1;
  a.result = "ok";
  a.wall_ms = 1500;
  job.attempts[0].push_back(a);
  job.finished_ms = coord::kStartMs;
  ASSERT_TRUE(meter.WriteRound(job, 0, job.finished_ms).ok());
  ASSERT_TRUE(meter.WriteRound(job, 0, job.finished_ms).ok());
  EXPECT_EQ(All(meter).size(), 2u);
}

TEST(RecordsForRoundTest, ARoundIsMeteredFromItsOwnAttemptsEvenAfterARetryStarted) {
  JobSubmission sub;
  sub.spec.argv = {"x"};
  sub.item_count = 2;
  Job job = NewJob(sub, "job_r", "acme", "u", 1000);
  ApplyLease(job, 0, "w", 1000);
  AttemptEnd ok;
  ok.result = "ok";
  ok.wall_ms = 100;
  ok.stdout_bytes = 4096;
  ApplyAttemptEnd(job, 0, 1, ok, 1100);
  ApplyLease(job, 1, "w", 1000);
  AttemptEnd bad;
  bad.result = "failed";
  bad.wall_ms = 50;
  bad.cpu_ms = 20;
  bad.max_rss_kb = 777;
  ApplyAttemptEnd(job, 1, 1, bad, 1200);
  ASSERT_EQ(job.finished_ms, 1200);
  ASSERT_FALSE(ApplyRetry(job, 1300).empty());  // round 1 runs task 1 again: the job is running
  ApplyLease(job, 1, "w", 1300);

  auto r0 = RecordsForRound(job, 0, 1200, "a@x.io", "failed");
  ASSERT_EQ(r0.size(), 3u);
  EXPECT_EQ(r0[0].result, "ok");
  EXPECT_EQ(r0[0].stdout_bytes, 4096);
  EXPECT_EQ(r0[1].result, "failed");
  EXPECT_EQ(r0[1].attempts, 1);
  EXPECT_EQ(r0[1].peak_rss_kb, 777);
  EXPECT_EQ(r0[2].kind, "job");
  EXPECT_EQ(r0[2].result, "failed");
  EXPECT_DOUBLE_EQ(r0[2].wall_seconds, 0.15);
  EXPECT_DOUBLE_EQ(r0[2].cpu_seconds, 0.02);
  EXPECT_EQ(r0[2].stdout_bytes, 4096);
  EXPECT_EQ(r0[2].time_ms, 1200);
  // Round 1 holds only task 1's new attempt.
  auto r1 = RecordsForRound(job, 1, 1400, "a@x.io", "succeeded");
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[0].task, "t-0002");
  EXPECT_EQ(r1[0].attempts, 1);
}

UsageRecord Rec(int64_t t, std::string email, std::string team = "acme") {
  UsageRecord r;
  r.time_ms = t;
  r.kind = "task";
  r.team = std::move(team);
  r.email = std::move(email);
  r.job = "job_" + std::to_string(t);
  r.task = "t-1";
  r.result = "ok";
  return r;
}

TEST_F(UsageTest, RangeIsHalfOpenAndCrossesDays) {
  UsageMeter meter(&store_, EmailFor);
  const int64_t midnight = DayStartMs(coord::kStartMs) + 86400000;
  std::string day1, day2;
  for (int64_t t : {midnight - 1, midnight, midnight + 1000}) {
    std::string line = RecordToLine(Rec(t, "A@example.com")) + "\n";
    ASSERT_TRUE(store_.Put("usage/" + DayOf(t) + "/acme/job_" + std::to_string(t) +
                               "-r0-p0000.ndjson", line).ok());
  }
  ASSERT_TRUE(store_.Put("usage/" + DayOf(midnight) + "/other/job_o-r0-p0000.ndjson",
                         // another key order (no leading time): read by the full parse
                         DumpJson(RecordToJson(Rec(midnight, "a@example.com", "other"))) + "\n")
                  .ok());
  auto times = [&](UsageQuery q) {
    std::vector<int64_t> out;
    EXPECT_TRUE(meter.ForEach(q, [&](const UsageRecord& r) {
      out.push_back(r.time_ms);
      return true;
    }).ok());
    return out;
  };
  // [midnight - 1, midnight): only the last millisecond of the first day.
  EXPECT_EQ(times({midnight - 1, midnight, "acme", ""}), std::vector<int64_t>{midnight - 1});
  // [midnight, midnight + 1000): midnight itself, not the record at the end bound.
  EXPECT_EQ(times({midnight, midnight + 1000, "acme", ""}), std::vector<int64_t>{midnight});
  EXPECT_EQ(times({midnight - 1, midnight + 1001, "acme", "a@EXAMPLE.com"}).size(), 3u);
  EXPECT_EQ(times({midnight - 1, midnight + 1001, "", "a@example.com"}).size(), 4u);
  EXPECT_EQ(times({midnight - 1, midnight + 1001, "", "b@example.com"}).size(), 0u);

  UsageQuery backwards{midnight, midnight, "", ""};
  EXPECT_EQ(meter.ForEach(backwards, [](const UsageRecord&) { return true; }).code(),
            Code::kInvalidArgument);
  UsageQuery too_long{midnight, midnight + 86400000LL * 500, "", ""};
  EXPECT_EQ(meter.Totals(too_long).status().code(), Code::kInvalidArgument);
}

TEST(UsageLineTest, TimeComesFirstAndTheLineReadsBack) {
  UsageRecord r = Rec(1790000000123, "a@b.io");
  r.wall_seconds = 2.5;
  r.template_ref = "t@1";
  std::string line = RecordToLine(r);
  EXPECT_EQ(line.rfind("{\"time\":\"2026-09-21T14:13:20.123Z\",\"kind\":\"task\"", 0), 0u) << line;
  auto back = RecordFromJson(Json::parse(line));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->time_ms, r.time_ms);
  EXPECT_EQ(back->email, "a@b.io");
  EXPECT_EQ(back->template_ref, "t@1");
  EXPECT_DOUBLE_EQ(back->wall_seconds, 2.5);
  EXPECT_EQ(RecordToJson(*back), RecordToJson(r));
}

TEST(UsageLineTest, TheDirectReaderAgreesWithTheJsonParser) {
  UsageRecord r = Rec(1790000000123, "\"q\\uote\"/\x01\x1f,\tx@b.io");
  r.template_ref = "vid\u00e9o\r\npreview \xf0\x9f\x8e\xac@3";
  r.task = "";
  r.wall_seconds = 1e-3;
  r.cpu_seconds = 123456.789;
  r.peak_rss_kb = INT64_C(9000000000);
  r.round = 12;
  std::string line = RecordToLine(r);
  auto fast = RecordFromLine(line);
  auto slow = RecordFromJson(Json::parse(line));
  ASSERT_TRUE(fast.ok() && slow.ok());
  EXPECT_EQ(RecordToJson(*fast), RecordToJson(*slow));
  EXPECT_EQ(RecordToJson(*fast), RecordToJson(r));
  // Other shapes go through the parser: another key order, spaces, an extra field.
  Json j = RecordToJson(r);
  EXPECT_EQ(RecordToJson(RecordFromLine(j.dump()).value()), j);
  EXPECT_EQ(RecordToJson(RecordFromLine(j.dump(1)).value()), j);
  std::string extra = line.substr(0, line.size() - 1) + ",\"new_field\":1}";
  EXPECT_EQ(RecordToJson(RecordFromLine(extra).value()), j);
  EXPECT_FALSE(RecordFromLine("{\"time\":\"x").ok());
  EXPECT_FALSE(RecordFromLine("not json").ok());
}

TEST(UsageCsvTest, QuotesFieldsThatNeedIt) {
  std::string out;
  AppendCsvField("plain", &out);
  EXPECT_EQ(out, "plain");
  out.clear();
  AppendCsvField("a,b", &out);
  EXPECT_EQ(out, "\"a,b\"");
  out.clear();
  AppendCsvField("say \"hi\"", &out);
  EXPECT_EQ(out, "\"say \"\"hi\"\"\"");
  out.clear();
  AppendCsvField("line1\nline2\r\n", &out);
  EXPECT_EQ(out, "\"line1\nline2\r\n\"");
  out.clear();
  AppendCsvField("", &out);
  EXPECT_EQ(out, "");

  UsageRecord r = Rec(1790000000123, "x,\"y\"@example.com");
  r.template_ref = "video\npreview@3";
  r.wall_seconds = 1.5;
  r.cpu_seconds = 0.25;
  r.peak_rss_kb = 2048;
  out.clear();
  AppendCsvRow(r, &out);
  EXPECT_EQ(out,
            "2026-09-21T14:13:20.123Z,task,acme,,\"x,\"\"y\"\"@example.com\",job_1790000000123,0,"
            "\"video\npreview@3\",t-1,0,ok,1.5,0.25,2048,0,0\r\n");
}

}  // namespace
}  // namespace skiff::usage

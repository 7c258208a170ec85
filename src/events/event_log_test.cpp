#include "events/event_log.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/memory/memory_store.h"

namespace skiff::events {
namespace {

class FixedClock : public Clock {
 public:
  int64_t NowMs() override { return 1'795'000'000'000; }
};

Event Ev(std::string type, std::string team, std::string job = "") {
  Event e;
  e.type = std::move(type);
  e.team = std::move(team);
  e.job = std::move(job);
  return e;
}

EventFilter TeamFilter(std::string team, std::set<std::string> types = {}, std::string job = "") {
  EventFilter f;
  f.team = std::move(team);
  f.types = std::move(types);
  f.job = std::move(job);
  return f;
}

EventFilter AllTeams() {
  EventFilter f;
  f.all_teams = true;
  return f;
}

std::vector<uint64_t> Seqs(const EventLog::ReadResult& r) {
  std::vector<uint64_t> out;
  for (const Event& e : r.events) out.push_back(e.seq);
  return out;
}

class EventLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventLog> Open(size_t tail = 100) {
    EventLogOptions o;
    o.tail_events = tail;
    o.flush_interval_ms = 3600000;  // flushes only when the test asks
    o.max_events_per_document = 4;
    auto log = EventLog::Open(&store_, &clock_, o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  store::MemoryStore store_;
  FixedClock clock_;
  EventFilter all_ = AllTeams();
};

TEST_F(EventLogTest, NumbersFiltersAndStoresAsNdjsonDocuments) {
  auto log = Open();
  EXPECT_EQ(log->Append(Ev("job.created", "acme", "j1")), 1u);
  EXPECT_EQ(log->Append(Ev("job.created", "other", "j2")), 2u);
  EXPECT_EQ(log->Append(Ev("task.ok", "acme", "j1")), 3u);
  EXPECT_EQ(log->Append(Ev("job.finished", "acme", "j1")), 4u);
  EXPECT_EQ(log->Append(Ev("key.created", "acme")), 5u);

  auto r = log->Read(0, TeamFilter("acme"), 100, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Seqs(*r), (std::vector<uint64_t>{1, 3, 4, 5}));
  EXPECT_EQ(r->next_after, 5u);
  r = log->Read(1, TeamFilter("acme", {"job.finished", "task.ok"}, "j1"), 100, 0);
  EXPECT_EQ(Seqs(*r), (std::vector<uint64_t>{3, 4}));
  r = log->Read(0, TeamFilter("acme"), 2, 0);
  EXPECT_EQ(Seqs(*r), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(r->next_after, 3u);

  ASSERT_TRUE(log->Flush().ok());
  auto keys = store_.List({"events/", "", 100});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->keys.size(), 2u);  // 4 events per document
  EXPECT_EQ(keys->keys[0], "events/2026-11-18/000000000001-000000000004.ndjson");
  EXPECT_EQ(keys->keys[1], "events/2026-11-18/000000000005-000000000005.ndjson");
  auto doc = store_.Get(keys->keys[1]);
  ASSERT_TRUE(doc.ok());
  Json line = Json::parse(doc->bytes);
  EXPECT_EQ(line["seq"], 5);
  EXPECT_EQ(line["type"], "key.created");
  EXPECT_EQ(line["team"], "acme");
  EXPECT_TRUE(line["job"].is_null());
  EXPECT_EQ(line["ts"], "2026-11-18T11:06:40.000Z");
}

TEST_F(EventLogTest, NumberingContinuesAfterReopenAndOldEventsComeFromTheStore) {
  auto log = Open(/*tail=*/3);
  for (int i = 0; i < 10; ++i) log->Append(Ev("task.ok", i % 2 ? "acme" : "other", "j"));
  log->Close();
  log = Open(3);
  EXPECT_EQ(log->LastSeq(), 10u);
  EXPECT_EQ(log->Append(Ev("task.ok", "acme")), 11u);
  // Everything after seq 2, for acme: 4, 6, 8, 10 from the documents, then 11 from memory.
  std::vector<uint64_t> got;
  uint64_t after = 2;
  for (int i = 0; i < 10; ++i) {
    auto r = log->Read(after, TeamFilter("acme"), 2, 0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Event& e : r->events) got.push_back(e.seq);
    if (r->next_after == after) break;
    after = r->next_after;
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{4, 6, 8, 10, 11}));
}

TEST_F(EventLogTest, ReadWaitsForTheNextEventAndCloseEndsTheWait) {
  auto log = Open();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log->Append(Ev("job.created", "acme"));
  });
  auto r = log->Read(0, all_, 10, 5000);
  writer.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Seqs(*r), std::vector<uint64_t>{1});
  auto t0 = std::chrono::steady_clock::now();
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log->Close();
  });
  r = log->Read(1, all_, 10, 10000);
  closer.join();
  EXPECT_TRUE(r->events.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace skiff::events

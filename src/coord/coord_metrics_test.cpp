// The oldest-ready age in Stats() and the coordinator's series in a metrics registry.
#include "coord/coord_metrics.h"

#include "coord/coordinator_test_util.h"

namespace skiff::coord {
namespace {

// The value of the sample line `series` in a text exposition, or -1.
double Sample(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

TEST_F(CoordinatorTest, OldestReadyAgeIsTheLongestWaitOfAReadyTask) {
  Open();
  EXPECT_EQ(coord_->Stats().oldest_ready_ms, 0);
  Submit(Body(2));
  clock_.Advance(4000);
  Submit(Body(1));
  clock_.Advance(1000);
  EXPECT_EQ(coord_->Stats().oldest_ready_ms, 5000);
  // Dispatch is round robin: the first lease takes the first job's first task; its second task
  // has waited as long.
  auto first = Lease(1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(coord_->Stats().oldest_ready_ms, 5000);
  auto rest = Lease(2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(coord_->Stats().oldest_ready_ms, 0);
  EXPECT_EQ(coord_->Stats().ready_tasks, 0u);
}

TEST_F(CoordinatorTest, MetricsCountEventsByTeamAndReadStatsAtScrape) {
  Open();
  obs::Metrics metrics;
  auto cm = std::make_unique<CoordinatorMetrics>(coord_.get(), &metrics);
  Submit(Body(2));
  clock_.Advance(2500);
  std::string text = metrics.Render();
  EXPECT_EQ(Sample(text, "skiff_queue_ready_tasks"), 2);
  EXPECT_EQ(Sample(text, "skiff_queue_oldest_ready_age_seconds"), 2.5);
  auto tasks = Lease(2);
  ASSERT_EQ(tasks.size(), 2u);
  Finish(tasks[0], 0);
  Finish(tasks[1], 1);
  ASSERT_TRUE(WaitFor([&] {
    return Sample(metrics.Render(), R"(skiff_jobs_finished_total{status="failed",team="acme"})") ==
           1;
  })) << metrics.Render();
  text = metrics.Render();
  EXPECT_EQ(Sample(text, R"(skiff_jobs_created_total{team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_tasks_finished_total{result="ok",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_tasks_finished_total{result="ko",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_task_attempts_total{result="failed",team="acme"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_task_attempt_duration_seconds_count{team="acme"})"), 2);
  EXPECT_EQ(Sample(text, "skiff_leases_granted_total"), 2);
  EXPECT_EQ(Sample(text, "skiff_queue_leased_tasks"), 0);
  EXPECT_EQ(Sample(text, "skiff_jobs_live"), 0);
  cm.reset();  // the collector goes with it
  EXPECT_EQ(Sample(metrics.Render(), "skiff_queue_ready_tasks"), -1);
  coord_.reset();  // its listener points into `metrics`: stop it before `metrics` goes
}

}  // namespace
}  // namespace skiff::coord

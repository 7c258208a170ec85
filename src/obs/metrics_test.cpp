#include "obs/metrics.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "testing/temp_dir.h"
#include "testing/test_server.h"

namespace skiff::obs {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of the first sample line that starts with `series` ("name{labels}"), or -1.
double Sample(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

TEST(MetricsTest, CountersGaugesHistogramsRenderInTextFormat) {
  Metrics m;
  auto& c = m.CounterFamily("skiff_things_total", "Things.").Add({{"kind", "a"}});
  c.Increment();
  c.Increment(2);
  m.GaugeFamily("skiff_level", "Level.").Add({}).Set(7);
  auto& h = m.HistogramFamily("skiff_wait_seconds", "Wait.").Add({}, LatencyBuckets());
  h.Observe(0.003);
  h.Observe(20);
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE skiff_things_total counter"));
  EXPECT_EQ(Sample(text, R"(skiff_things_total{kind="a"})"), 3);
  EXPECT_EQ(Sample(text, "skiff_level"), 7);
  EXPECT_EQ(Sample(text, R"(skiff_wait_seconds_bucket{le="0.0025"})"), 0);
  EXPECT_EQ(Sample(text, R"(skiff_wait_seconds_bucket{le="0.005"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_wait_seconds_bucket{le="10"})"), 1);
  EXPECT_EQ(Sample(text, R"(skiff_wait_seconds_bucket{le="+Inf"})"), 2);
  EXPECT_EQ(Sample(text, "skiff_wait_seconds_count"), 2);
  // The same name gives the same family (instrumented code may ask again).
  m.CounterFamily("skiff_things_total", "Things.").Add({{"kind", "a"}}).Increment();
  EXPECT_EQ(Sample(m.Render(), R"(skiff_things_total{kind="a"})"), 4);
}

TEST(MetricsTest, CollectorsRunAtEveryScrapeUntilRemoved) {
  Metrics m;
  int scrapes = 0;
  int id = m.AddCollector([&](std::vector<prometheus::MetricFamily>* out) {
    auto f = MakeFamily("skiff_scrapes", "Scrapes.", prometheus::MetricType::Gauge);
    AddSample(&f, ++scrapes, {{"who", "test"}});
    out->push_back(std::move(f));
  });
  EXPECT_EQ(Sample(m.Render(), R"(skiff_scrapes{who="test"})"), 1);
  EXPECT_EQ(Sample(m.Render(), R"(skiff_scrapes{who="test"})"), 2);
  m.RemoveCollector(id);
  EXPECT_THAT(m.Render(), Not(HasSubstr("skiff_scrapes")));
}

TEST(MetricsTest, ProcessMetricsFollowTheProcess) {
  Metrics m;
  AddProcessCollector(&m);
  std::string before = m.Render();
  EXPECT_GT(Sample(before, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(Sample(before, "process_cpu_seconds_total"), 0);
  double start = Sample(before, "process_start_time_seconds");
  EXPECT_NEAR(start, static_cast<double>(::time(nullptr)), 3600);
  double fds = Sample(before, "process_open_fds");
  EXPECT_GE(fds, 3);
  int extra[5];
  for (int& fd : extra) fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(Sample(m.Render(), "process_open_fds"), fds + 5);
  for (int fd : extra) ::close(fd);
  // Burn some CPU: the counter moves.
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  volatile uint64_t x = 0;
  while (std::chrono::steady_clock::now() < end) x = x + 1;
  EXPECT_GT(Sample(m.Render(), "process_cpu_seconds_total"),
            Sample(before, "process_cpu_seconds_total"));
}

TEST(MetricsTest, PromtoolAcceptsTheOutput) {
  Metrics m;
  AddProcessCollector(&m);
  m.CounterFamily("skiff_things_total", "Things.").Add({{"kind", "a \"quoted\"\n"}}).Increment();
  m.HistogramFamily("skiff_wait_seconds", "Wait.").Add({}, LatencyBuckets()).Observe(1);
  skiff::testing::TempDir dir;
  std::string path = dir.path() + "/metrics.txt";
  skiff::testing::WriteFileOrDie(path, m.Render());
  auto r = skiff::testing::RunProcess({"/bin/sh", "-c", "promtool check metrics < " + path}, {},
                                      dir.path());
  EXPECT_EQ(r.exit_code, 0) << "promtool (scripts/setup.sh installs it): " << r.out << r.err;
}

}  // namespace
}  // namespace skiff::obs

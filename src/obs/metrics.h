// Metrics: the process's Prometheus registry (prometheus-cpp) and the /metrics text.
//
// Instrumented code asks for a family once (CounterFamily, ...), adds the label sets it needs and
// keeps the returned references: incrementing a counter or observing a histogram is then a few
// atomic operations, with no lock. Values computed only when scraped (queue depth, process CPU)
// come from collectors, functions run at every Render().
//
// Conventions (docs/observability.md): names start with "skiff_" (process_* for the process),
// carry their unit (_seconds, _bytes), counters end in _total, and label values come from small
// fixed sets (route templates, teams, results), never ids.
//
// Thread-safe. Default() is the process-wide registry that the server exposes; tests may build
// their own.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::obs {

using Labels = std::map<std::string, std::string>;
using Buckets = std::vector<double>;

// Latency buckets in seconds, 0.5 ms to 10 s (HTTP, journal commits, store operations).
const Buckets& LatencyBuckets();

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The process-wide registry, with the process_* collector already added.
  static Metrics& Default();

  // The family of that name, created on first use (the same help each time).
  prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name,
                                                         const std::string& help);
  prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name,
                                                     const std::string& help);
  prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                             const std::string& help);

  // A collector appends the families it computes at scrape time. Returns an id for
  // RemoveCollector (call it before whatever the collector reads goes away).
  using Collector = std::function<void(std::vector<prometheus::MetricFamily>* out)>;
  int AddCollector(Collector collector);
  void RemoveCollector(int id);

  // Everything in the Prometheus text exposition format 0.0.4.
  std::string Render();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex mu_;  // collectors_
  std::map<int, Collector> collectors_;
  int next_id_ = 1;
};

// The content type of Render()'s output.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Helpers for collectors: a family and one sample of it.
prometheus::MetricFamily MakeFamily(std::string name, std::string help, prometheus::MetricType t);
void AddSample(prometheus::MetricFamily* family, double value, const Labels& labels = {});

// Adds process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds,
// process_max_fds, process_start_time_seconds and process_virtual_memory_bytes (from /proc).
void AddProcessCollector(Metrics* metrics);

}  // namespace skiff::obs

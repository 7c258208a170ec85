#include "obs/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <prometheus/text_serializer.h>
#include <sstream>

namespace skiff::obs {

const Buckets& LatencyBuckets() {
  static const Buckets kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}
Metrics::~Metrics() = default;

Metrics& Metrics::Default() {
  static Metrics* m = [] {
    auto* p = new Metrics();  // never destroyed: threads may still count at exit
    AddProcessCollector(p);
    return p;
  }();
  return *m;
}

prometheus::Family<prometheus::Counter>& Metrics::CounterFamily(const std::string& name,
                                                               const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& Metrics::GaugeFamily(const std::string& name,
                                                           const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Histogram>& Metrics::HistogramFamily(const std::string& name,
                                                                   const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
}

int Metrics::AddCollector(Collector collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_[next_id_] = std::move(collector);
  return next_id_++;
}

void Metrics::RemoveCollector(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.erase(id);
}

std::string Metrics::Render() {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, c] : collectors_) c(&families);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

prometheus::MetricFamily MakeFamily(std::string name, std::string help, prometheus::MetricType t) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = t;
  return f;
}

void AddSample(prometheus::MetricFamily* family, double value, const Labels& labels) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  switch (family->type) {
    case prometheus::MetricType::Counter: m.counter.value = value; break;
    case prometheus::MetricType::Gauge: m.gauge.value = value; break;
    default: m.untyped.value = value; break;
  }
  family->metric.push_back(std::move(m));
}

namespace {

// Seconds since the epoch at boot, from /proc/stat ("btime").
double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

size_t CountOpenFds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  size_t n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n > 0 ? n - 1 : 0;  // the directory stream's own fd
}

void CollectProcess(std::vector<prometheus::MetricFamily>* out) {
  using prometheus::MetricType;
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) f.push_back(s);
  if (f.size() < 22) return;
  // f[0] is field 3; field k is f[k - 3].
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  double utime = std::stod(f[14 - 3]), stime = std::stod(f[15 - 3]);
  double start = std::stod(f[22 - 3]), vsize = std::stod(f[23 - 3]), rss = std::stod(f[24 - 3]);

  auto cpu = MakeFamily("process_cpu_seconds_total", "User and system CPU time spent in seconds.",
                        MetricType::Counter);
  AddSample(&cpu, (utime + stime) / ticks);
  out->push_back(std::move(cpu));
  auto res = MakeFamily("process_resident_memory_bytes", "Resident memory size in bytes.",
                        MetricType::Gauge);
  AddSample(&res, rss * page);
  out->push_back(std::move(res));
  auto virt = MakeFamily("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         MetricType::Gauge);
  AddSample(&virt, vsize);
  out->push_back(std::move(virt));
  static const double boot = BootTime();
  auto st = MakeFamily("process_start_time_seconds",
                       "Start time of the process since unix epoch in seconds.", MetricType::Gauge);
  AddSample(&st, boot + start / ticks);
  out->push_back(std::move(st));
  auto fds = MakeFamily("process_open_fds", "Number of open file descriptors.", MetricType::Gauge);
  AddSample(&fds, static_cast<double>(CountOpenFds()));
  out->push_back(std::move(fds));
  rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    auto max = MakeFamily("process_max_fds", "Maximum number of open file descriptors.",
                          MetricType::Gauge);
    AddSample(&max, static_cast<double>(rl.rlim_cur));
    out->push_back(std::move(max));
  }
}

}  // namespace

void AddProcessCollector(Metrics* metrics) { metrics->AddCollector(CollectProcess); }

}  // namespace skiff::obs

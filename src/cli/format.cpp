#include "cli/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace skiff::cli {
namespace {

int64_t IntField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return 0;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
}

}  // namespace

JobCounts CountsOf(const nlohmann::json& job) {
  JobCounts counts;
  if (!job.is_object() || !job.contains("counts")) return counts;
  const nlohmann::json& c = job["counts"];
  counts.total = IntField(c, "total");
  counts.pending = IntField(c, "pending");
  counts.running = IntField(c, "running");
  counts.ok = IntField(c, "ok");
  counts.ko = IntField(c, "ko");
  return counts;
}

std::string ProgressBar(const JobCounts& counts, int width) {
  width = std::max(width, 1);
  int filled = 0;
  if (counts.total > 0) {
    int64_t done = std::clamp<int64_t>(counts.done(), 0, counts.total);
    filled = static_cast<int>(done * width / counts.total);
    if (done < counts.total) filled = std::min(filled, width - 1);
  }
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

std::string FormatRate(double tasks_per_second) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", tasks_per_second);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (std::isnan(seconds) || std::isinf(seconds) || seconds < 0) return "--";
  if (seconds > 1e9) return "--";
  auto total = static_cast<int64_t>(std::ceil(seconds));
  char buf[48];
  if (total < 60) {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(total));
  } else if (total < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  } else {
    // Round up to the minute: an ETA should not promise less than it knows.
    int64_t minutes = (total + 59) / 60;
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(minutes / 60),
                  static_cast<long long>(minutes % 60));
  }
  return buf;
}

double EtaSeconds(const JobCounts& counts, double tasks_per_second) {
  int64_t remaining = counts.total - counts.done();
  if (remaining <= 0) return 0;
  if (!(tasks_per_second > 0)) return -1;
  return static_cast<double>(remaining) / tasks_per_second;
}

std::string ProgressLine(const JobCounts& counts, double tasks_per_second, int bar_width) {
  std::string line = ProgressBar(counts, bar_width);
  line += "  ok " + std::to_string(counts.ok);
  line += "  ko " + std::to_string(counts.ko);
  line += "  running " + std::to_string(counts.running);
  line += "  pending " + std::to_string(counts.pending);
  line += "  " + (tasks_per_second < 0 ? std::string("--") : FormatRate(tasks_per_second));
  line += " tasks/s  ETA " + FormatDuration(EtaSeconds(counts, tasks_per_second));
  return line;
}

void RateMeter::Add(double now, int64_t done) {
  samples_.emplace_back(now, done);
  // Keep one sample at or before the window's start so the rate always spans the full window.
  while (samples_.size() > 2 && samples_[1].first <= now - window_) samples_.pop_front();
}

double RateMeter::Rate() const {
  if (samples_.size() < 2) return -1;
  double dt = samples_.back().first - samples_.front().first;
  if (dt < 0.5) return -1;
  return static_cast<double>(samples_.back().second - samples_.front().second) / dt;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<size_t>& right_aligned) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size() + 1);
  cells.push_back(header);
  for (const auto& row : rows) {
    std::vector<std::string> clean;
    clean.reserve(row.size());
    for (const auto& cell : row) clean.push_back(Sanitize(cell));
    cells.push_back(std::move(clean));
  }
  std::vector<size_t> widths;
  for (const auto& row : cells) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      size_t pad = widths[i] - row[i].size();
      bool right = std::find(right_aligned.begin(), right_aligned.end(), i) != right_aligned.end();
      if (right) line.append(pad, ' ');
      line += row[i];
      if (!right && i + 1 < row.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string FormatTime(const nlohmann::json& value) {
  if (!value.is_string()) return value.is_null() ? "-" : Sanitize(value.dump());
  std::string s = value.get<std::string>();
  // 2026-11-22T10:00:00.000Z
  if (s.size() >= 20 && s[10] == 'T' && s.back() == 'Z') return s.substr(0, 10) + " " + s.substr(11, 8) + "Z";
  return Sanitize(s);
}

std::string DisplayScalar(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return Sanitize(value.get<std::string>());
  return Sanitize(value.dump());
}

}  // namespace skiff::cli

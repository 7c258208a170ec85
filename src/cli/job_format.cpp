#include "cli/job_format.h"

#include <vector>

#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

constexpr size_t kMaxDetail = 160;

const json& Field(const json& object, const char* name) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(name);
  return it == object.end() ? kNull : *it;
}

std::string Text(const json& object, const char* name) { return DisplayScalar(Field(object, name)); }

// The last non-blank line of `text`.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t start = text.find_last_of('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end - start + 1);
}

std::string Shorten(std::string text) {
  if (text.size() > kMaxDetail) text = text.substr(0, kMaxDetail) + "...";
  return Sanitize(text);
}

}  // namespace

std::string KoTaskLine(const std::string& task, const json& attempts) {
  std::string line = Sanitize(task);
  if (!attempts.is_array() || attempts.empty()) return line + "  no attempt";
  const json& last = attempts.back();
  const json& n = Field(last, "n");
  line += "  attempt " + (n.is_number() ? n.dump() : std::to_string(attempts.size()));
  if (const json& result = Field(last, "result"); result.is_string()) {
    line += "  " + Sanitize(result.get<std::string>());
  }
  if (const json& exit = Field(last, "exit"); exit.is_number()) line += "  exit " + exit.dump();
  if (const json& signal = Field(last, "signal"); signal.is_number() && signal != 0) {
    line += "  signal " + signal.dump();
  }
  std::string detail;
  if (const json& error = Field(last, "error"); error.is_string()) detail = error.get<std::string>();
  if (detail.empty()) {
    if (const json& tail = Field(last, "stderr_tail"); tail.is_string()) {
      detail = LastLine(tail.get<std::string>());
    }
  }
  if (!detail.empty()) line += "  " + Shorten(detail);
  return line;
}

std::string FormatJob(const json& job, size_t max_ko_lines) {
  JobCounts c = CountsOf(job);
  std::string out;
  out += "id:        " + Text(job, "id") + "\n";
  out += "name:      " + Text(job, "name") + "\n";
  out += "status:    " + Text(job, "status") + "\n";
  out += "tasks:     total " + std::to_string(c.total) + "  ok " + std::to_string(c.ok) + "  ko " +
         std::to_string(c.ko) + "  running " + std::to_string(c.running) + "  pending " +
         std::to_string(c.pending) + "\n";
  out += "created:   " + FormatTime(Field(job, "created_at")) + "\n";
  out += "finished:  " + FormatTime(Field(job, "finished_at")) + "\n";
  if (!Field(job, "cancelled_at").is_null()) {
    out += "cancelled: " + FormatTime(Field(job, "cancelled_at")) + "\n";
  }
  const json& tasks = Field(job, "tasks");
  if (!tasks.is_object()) return out;
  const json& attempts = Field(job, "attempts");
  size_t ko = 0;
  for (const auto& [task, state] : tasks.items()) {
    if (state != "ko") continue;
    if (ko++ == 0) out += "ko tasks:\n";
    if (ko <= max_ko_lines) out += "  " + KoTaskLine(task, Field(attempts, task.c_str())) + "\n";
  }
  if (ko > max_ko_lines) {
    out += "  ... " + std::to_string(ko - max_ko_lines) + " more ko tasks (see -o json)\n";
  }
  return out;
}

std::string JobTable(const json& jobs) {
  std::vector<std::vector<std::string>> rows;
  if (jobs.is_array()) {
    for (const json& job : jobs) {
      JobCounts c = CountsOf(job);
      rows.push_back({Text(job, "id"), Text(job, "status"), std::to_string(c.total),
                      std::to_string(c.ok), std::to_string(c.ko),
                      FormatTime(Field(job, "created_at")), Text(job, "name")});
    }
  }
  return FormatTable({"ID", "STATUS", "TOTAL", "OK", "KO", "CREATED", "NAME"}, rows, {2, 3, 4});
}

}  // namespace skiff::cli

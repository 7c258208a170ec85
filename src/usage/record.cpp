#include "usage/record.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/ids.h"
#include "core/time.h"

namespace skiff::usage {
namespace {

constexpr int64_t kDayMs = 86400000;

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// Seconds with millisecond precision and no exponent ("12.345", "0", "3.5").
std::string FormatSeconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", s);
  std::string out(buf);
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out == "-0" ? "0" : out;
}

template <typename T>
Status ReadField(const Json& j, const char* name, T* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return OkStatus();
  try {
    *out = it->get<T>();
  } catch (const std::exception&) {
    return InvalidArgument(std::string(name) + ": wrong type");
  }
  return OkStatus();
}

// A reader for lines in RecordToLine's exact shape. Every method returns false at the first
// byte that does not fit; the caller then falls back to the JSON parser.
class LineReader {
 public:
  explicit LineReader(std::string_view s) : s_(s) {}
  bool Lit(std::string_view lit) {
    if (s_.substr(p_, lit.size()) != lit) return false;
    p_ += lit.size();
    return true;
  }
  bool Str(std::string* out) {
    out->clear();
    if (!Lit("\"")) return false;
    while (p_ < s_.size()) {
      char c = s_[p_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (p_ >= s_.size()) return false;
      char e = s_[p_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          // The writer escapes only control characters this way; anything else: fall back.
          unsigned v = 0;
          if (p_ + 4 > s_.size()) return false;
          auto [end, ec] = std::from_chars(s_.data() + p_, s_.data() + p_ + 4, v, 16);
          if (ec != std::errc() || end != s_.data() + p_ + 4 || v >= 0x80) return false;
          out->push_back(static_cast<char>(v));
          p_ += 4;
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  template <typename T>
  bool Num(T* out) {
    const char* b = s_.data() + p_;
    auto [end, ec] = std::from_chars(b, s_.data() + s_.size(), *out);
    if (ec != std::errc()) return false;
    p_ += static_cast<size_t>(end - b);
    return true;
  }
  bool AtEnd() const { return p_ == s_.size(); }

 private:
  std::string_view s_;
  size_t p_ = 0;
};

bool ReadLineFast(std::string_view line, UsageRecord* r) {
  LineReader in(line);
  std::string time;
  bool ok = in.Lit("{\"time\":") && in.Str(&time) && in.Lit(",\"kind\":") && in.Str(&r->kind) &&
            in.Lit(",\"team\":") && in.Str(&r->team) && in.Lit(",\"user_id\":") &&
            in.Str(&r->user_id) && in.Lit(",\"email\":") && in.Str(&r->email) &&
            in.Lit(",\"job\":") && in.Str(&r->job) && in.Lit(",\"round\":") && in.Num(&r->round) &&
            in.Lit(",\"template\":") && in.Str(&r->template_ref) && in.Lit(",\"task\":") &&
            in.Str(&r->task) && in.Lit(",\"attempts\":") && in.Num(&r->attempts) &&
            in.Lit(",\"result\":") && in.Str(&r->result) && in.Lit(",\"wall_seconds\":") &&
            in.Num(&r->wall_seconds) && in.Lit(",\"cpu_seconds\":") && in.Num(&r->cpu_seconds) &&
            in.Lit(",\"peak_rss_kb\":") && in.Num(&r->peak_rss_kb) &&
            in.Lit(",\"stdout_bytes\":") && in.Num(&r->stdout_bytes) &&
            in.Lit(",\"stderr_bytes\":") && in.Num(&r->stderr_bytes) && in.Lit("}") && in.AtEnd();
  if (!ok) return false;
  auto t = ParseTime(time);
  if (!t) return false;
  r->time_ms = *t;
  return true;
}

}  // namespace

Result<UsageRecord> RecordFromLine(std::string_view line) {
  UsageRecord r;
  if (ReadLineFast(line, &r)) return r;
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("usage record: not JSON");
  return RecordFromJson(j);
}

std::string DayOf(int64_t ms) { return FormatTime(DayStartMs(ms)).substr(0, 10); }

int64_t DayStartMs(int64_t ms) {
  int64_t d = ms / kDayMs;
  if (ms % kDayMs < 0) --d;
  return d * kDayMs;
}

std::vector<UsageRecord> RecordsForRound(const Job& job, int round, int64_t finished_ms,
                                         const std::string& email, const std::string& status) {
  std::string template_ref;
  Json head = JobToDocument(job, /*include_tasks=*/false);
  if (auto it = head.find("template"); it != head.end() && it->is_string()) {
    template_ref = it->get<std::string>();
  }
  UsageRecord base;
  base.time_ms = finished_ms;
  base.team = job.team;
  base.user_id = job.user_id;
  base.email = email;
  base.job = job.id;
  base.round = round;
  base.template_ref = template_ref;

  std::vector<UsageRecord> out;
  UsageRecord total = base;
  total.kind = "job";
  int64_t wall_ms = 0, cpu_ms = 0;
  for (size_t i = 0; i < job.size(); ++i) {
    UsageRecord r = base;
    r.kind = "task";
    r.task = TaskId(i, job.size());
    int64_t t_wall = 0, t_cpu = 0;
    for (const Attempt& a : job.attempts[i]) {
      if (a.round != round) continue;
      ++r.attempts;
      t_wall += a.wall_ms;
      t_cpu += a.cpu_ms;
      r.peak_rss_kb = std::max(r.peak_rss_kb, a.max_rss_kb);
      r.stdout_bytes += std::max<int64_t>(a.stdout_bytes, static_cast<int64_t>(a.stdout_tail.size()));
      r.stderr_bytes += std::max<int64_t>(a.stderr_bytes, static_cast<int64_t>(a.stderr_tail.size()));
      r.result = a.result.empty() ? "running" : a.result;
    }
    // A retry round reruns only the tasks that failed: the others did not run in it.
    if (r.attempts == 0 && round > 0) continue;
    if (r.attempts == 0) r.result = job.tasks[i] == TaskState::kKo ? "cancelled" : "not_run";
    r.wall_seconds = Seconds(t_wall);
    r.cpu_seconds = Seconds(t_cpu);
    wall_ms += t_wall;
    cpu_ms += t_cpu;
    total.attempts += r.attempts;
    total.peak_rss_kb = std::max(total.peak_rss_kb, r.peak_rss_kb);
    total.stdout_bytes += r.stdout_bytes;
    total.stderr_bytes += r.stderr_bytes;
    out.push_back(std::move(r));
  }
  total.wall_seconds = Seconds(wall_ms);
  total.cpu_seconds = Seconds(cpu_ms);
  total.result = status.empty() ? std::string(JobStatusName(DeriveStatus(job))) : status;
  out.push_back(std::move(total));
  return out;
}

Json RecordToJson(const UsageRecord& r) {
  return {{"time", FormatTime(r.time_ms)},  {"kind", r.kind},
          {"team", r.team},                 {"user_id", r.user_id},
          {"email", r.email},               {"job", r.job},
          {"round", r.round},               {"template", r.template_ref},
          {"task", r.task},                 {"attempts", r.attempts},
          {"result", r.result},             {"wall_seconds", r.wall_seconds},
          {"cpu_seconds", r.cpu_seconds},   {"peak_rss_kb", r.peak_rss_kb},
          {"stdout_bytes", r.stdout_bytes}, {"stderr_bytes", r.stderr_bytes}};
}

std::string RecordToLine(const UsageRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = FormatTime(r.time_ms);
  j["kind"] = r.kind;
  j["team"] = r.team;
  j["user_id"] = r.user_id;
  j["email"] = r.email;
  j["job"] = r.job;
  j["round"] = r.round;
  j["template"] = r.template_ref;
  j["task"] = r.task;
  j["attempts"] = r.attempts;
  j["result"] = r.result;
  j["wall_seconds"] = r.wall_seconds;
  j["cpu_seconds"] = r.cpu_seconds;
  j["peak_rss_kb"] = r.peak_rss_kb;
  j["stdout_bytes"] = r.stdout_bytes;
  j["stderr_bytes"] = r.stderr_bytes;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<UsageRecord> RecordFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("usage record: expected an object");
  UsageRecord r;
  std::string time;
  RETURN_IF_ERROR(ReadField(j, "time", &time));
  auto t = ParseTime(time);
  if (!t) return InvalidArgument("time: not a time: " + time);
  r.time_ms = *t;
  RETURN_IF_ERROR(ReadField(j, "kind", &r.kind));
  RETURN_IF_ERROR(ReadField(j, "team", &r.team));
  RETURN_IF_ERROR(ReadField(j, "user_id", &r.user_id));
  RETURN_IF_ERROR(ReadField(j, "email", &r.email));
  RETURN_IF_ERROR(ReadField(j, "job", &r.job));
  RETURN_IF_ERROR(ReadField(j, "round", &r.round));
  RETURN_IF_ERROR(ReadField(j, "template", &r.template_ref));
  RETURN_IF_ERROR(ReadField(j, "task", &r.task));
  RETURN_IF_ERROR(ReadField(j, "attempts", &r.attempts));
  RETURN_IF_ERROR(ReadField(j, "result", &r.result));
  RETURN_IF_ERROR(ReadField(j, "wall_seconds", &r.wall_seconds));
  RETURN_IF_ERROR(ReadField(j, "cpu_seconds", &r.cpu_seconds));
  RETURN_IF_ERROR(ReadField(j, "peak_rss_kb", &r.peak_rss_kb));
  RETURN_IF_ERROR(ReadField(j, "stdout_bytes", &r.stdout_bytes));
  RETURN_IF_ERROR(ReadField(j, "stderr_bytes", &r.stderr_bytes));
  return r;
}

void AppendCsvField(std::string_view field, std::string* out) {
  bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvRow(const UsageRecord& r, std::string* out) {
  auto field = [out](std::string_view v) {
    AppendCsvField(v, out);
    out->push_back(',');
  };
  field(FormatTime(r.time_ms));
  field(r.kind);
  field(r.team);
  field(r.user_id);
  field(r.email);
  field(r.job);
  field(std::to_string(r.round));
  field(r.template_ref);
  field(r.task);
  field(std::to_string(r.attempts));
  field(r.result);
  field(FormatSeconds(r.wall_seconds));
  field(FormatSeconds(r.cpu_seconds));
  field(std::to_string(r.peak_rss_kb));
  field(std::to_string(r.stdout_bytes));
  AppendCsvField(std::to_string(r.stderr_bytes), out);
  out->append("\r\n");
}

}  // namespace skiff::usage

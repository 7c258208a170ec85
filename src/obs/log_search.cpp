#include "obs/log_search.h"

#include <re2/re2.h>

#include "core/time.h"

namespace skiff::obs {

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     std::string_view field) {
  if (pattern.size() > 1000) {
    return InvalidArgument(std::string(field) + ": longer than 1000 bytes");
  }
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(8 << 20);
  auto re = std::make_shared<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) return InvalidArgument(std::string(field) + ": " + re->error());
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

namespace {

bool Matches(const LogQuery& q, std::string_view line) {
  if (!q.text.empty() && line.find(q.text) == std::string_view::npos) return false;
  if (q.regex && !re2::RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *q.regex)) {
    return false;
  }
  return true;
}

}  // namespace

bool SearchJobLogs(const Json& job, const LogQuery& q, size_t limit, std::vector<LogLine>* out) {
  auto attempts = job.find("attempts");
  if (attempts == job.end() || !attempts->is_object()) return true;
  const std::string job_id = job.value("id", "");
  for (auto t = attempts->begin(); t != attempts->end(); ++t) {
    if (!q.task.empty() && t.key() != q.task) continue;
    if (!t->is_array()) continue;
    for (const Json& a : *t) {
      if (!a.is_object()) continue;
      int n = a.value("n", 0);
      if (q.attempt != 0 && n != q.attempt) continue;
      int64_t ended = 0;
      if (a.contains("ended_at") && a["ended_at"].is_string()) {
        ended = ParseTime(a["ended_at"].get<std::string>()).value_or(0);
      }
      if (ended == 0) continue;  // still running: nothing captured yet
      if (q.from_ms != 0 && ended < q.from_ms) continue;
      if (q.to_ms != 0 && ended >= q.to_ms) continue;
      for (const char* stream : {"stdout", "stderr"}) {
        if (!q.stream.empty() && q.stream != stream) continue;
        std::string field = std::string(stream) + "_tail";
        if (!a.contains(field) || !a[field].is_string()) continue;
        std::string_view text = a[field].get_ref<const std::string&>();
        size_t start = 0, number = 0;
        while (start < text.size()) {
          size_t end = text.find('\n', start);
          if (end == std::string_view::npos) end = text.size();
          std::string_view line = text.substr(start, end - start);
          ++number;
          if (Matches(q, line)) {
            if (out->size() >= limit) return false;
            out->push_back({job_id, t.key(), n, stream, ended, number, std::string(line)});
          }
          start = end + 1;
        }
      }
    }
  }
  return true;
}

Json LogLineToJson(const LogLine& l) {
  return {{"job", l.job},       {"task", l.task},     {"attempt", l.attempt},
          {"stream", l.stream}, {"ts", FormatTime(l.ts_ms)}, {"line", l.line},
          {"text", l.text}};
}

}  // namespace skiff::obs

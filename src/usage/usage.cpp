#include "usage/usage.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "obs/log.h"

namespace skiff::usage {
namespace {

constexpr int64_t kDayMs = 86400000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string PartKey(const Job& job, int round, int64_t finished_ms, size_t part) {
  char suffix[48];
  std::snprintf(suffix, sizeof(suffix), "-r%d-p%04zu.ndjson", round, part);
  return "usage/" + DayOf(finished_ms) + "/" + job.team + "/" + job.id + suffix;
}

// The time of a line written by RecordToLine ({"time":"...", ...}) without parsing the JSON;
// nullopt for any other shape.
std::optional<int64_t> LeadingTime(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"time\":\"";
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  size_t end = line.find('"', kPrefix.size());
  if (end == std::string_view::npos) return std::nullopt;
  return ParseTime(line.substr(kPrefix.size(), end - kPrefix.size()));
}

}  // namespace

Json TotalsToJson(const UsageTotals& t) {
  return {{"jobs", t.jobs},
          {"tasks", t.tasks},
          {"tasks_ok", t.tasks_ok},
          {"tasks_failed", t.tasks_failed},
          {"attempts", t.attempts},
          {"wall_seconds", t.wall_seconds},
          {"cpu_seconds", t.cpu_seconds},
          {"peak_rss_kb", t.peak_rss_kb},
          {"stdout_bytes", t.stdout_bytes},
          {"stderr_bytes", t.stderr_bytes}};
}

Status CheckRange(const UsageQuery& q) {
  if (q.to_ms <= q.from_ms) return InvalidArgument("to: must be after from");
  if ((DayStartMs(q.to_ms - 1) - DayStartMs(q.from_ms)) / kDayMs >= kMaxRangeDays) {
    return InvalidArgument("to: the range spans more than " + std::to_string(kMaxRangeDays) +
                           " days");
  }
  return OkStatus();
}

UsageMeter::UsageMeter(store::ObjectStore* store, EmailLookup email_for, UsageMeterOptions opts)
    : store_(store), email_for_(std::move(email_for)), opts_(opts) {}

coord::EventListener UsageMeter::Listener() {
  return [this](const std::vector<coord::JobEvent>& batch) { OnEvents(batch); };
}

Status UsageMeter::WriteRound(const Job& job, int round, int64_t finished_ms,
                              const std::string& status) {
  std::string email = email_for_ ? email_for_(job.user_id) : "";
  std::vector<UsageRecord> records = RecordsForRound(job, round, finished_ms, email, status);
  size_t parts = (records.size() + kRecordsPerPart - 1) / kRecordsPerPart;
  for (size_t p = 0; p < parts; ++p) {
    std::string doc;
    size_t end = std::min(records.size(), (p + 1) * kRecordsPerPart);
    for (size_t i = p * kRecordsPerPart; i < end; ++i) {
      doc += RecordToLine(records[i]);
      doc += '\n';
    }
    std::string key = PartKey(job, round, finished_ms, p);
    auto put = store_->Put(key, doc, store::Precondition::IfAbsent());
    // Present already: written before a crash, and this is the event delivered again.
    if (!put.ok() && put.status().code() != Code::kFailedPrecondition) return put.status();
  }
  return OkStatus();
}

void UsageMeter::OnEvents(const std::vector<coord::JobEvent>& batch) {
  for (const coord::JobEvent& e : batch) {
    if (e.type != coord::kEventJobFinished || !e.doc) continue;
    int64_t finished_ms = e.data.value("finished_ms", e.ts_ms);
    int64_t wait_ms = opts_.retry_ms;
    while (true) {
      Status st = WriteRound(*e.doc, e.round, finished_ms, e.data.value("status", ""));
      if (st.ok()) break;
      if (stopping_) {
        obs::Error("usage: records lost: the store failed until the server stopped",
                   {{"job", e.job}, {"round", e.round}, {"error", st.message()}});
        break;
      }
      obs::Warn("usage: cannot write records; retrying",
                {{"job", e.job}, {"round", e.round}, {"error", st.message()},
                 {"retry_ms", wait_ms}});
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      wait_ms = std::min<int64_t>(wait_ms * 2, 5000);
    }
  }
}

Status UsageMeter::ForEach(const UsageQuery& q,
                           const std::function<bool(const UsageRecord&)>& fn) {
  RETURN_IF_ERROR(CheckRange(q));
  const std::string email = Lower(q.email);
  for (int64_t day = DayStartMs(q.from_ms); day < q.to_ms; day += kDayMs) {
    store::ListRequest lr;
    lr.prefix = "usage/" + DayOf(day) + "/" + (q.team.empty() ? "" : q.team + "/");
    lr.limit = 1000;
    while (true) {
      ASSIGN_OR_RETURN(store::ListResult page, store_->List(lr));
      for (const std::string& key : page.keys) {
        if (key.size() < 7 || key.compare(key.size() - 7, 7, ".ndjson") != 0) continue;
        auto obj = store_->Get(key);
        if (!obj.ok()) {
          if (obj.status().code() == Code::kNotFound) continue;
          return obj.status();
        }
        std::string_view rest = obj->bytes;
        while (!rest.empty()) {
          size_t nl = rest.find('\n');
          std::string_view line = rest.substr(0, nl);
          rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
          if (line.empty()) continue;
          // Lines start with the time (RecordToLine): skip those out of range unparsed.
          if (auto t = LeadingTime(line); t && (*t < q.from_ms || *t >= q.to_ms)) continue;
          auto rec = RecordFromLine(line);
          if (!rec.ok()) return Internal(key + ": " + rec.status().message());
          if (rec->time_ms < q.from_ms || rec->time_ms >= q.to_ms) continue;
          if (!q.team.empty() && rec->team != q.team) continue;
          if (!email.empty() && Lower(rec->email) != email) continue;
          if (!fn(*rec)) return OkStatus();
        }
      }
      if (!page.truncated || page.keys.empty()) break;
      lr.start_after = page.keys.back();
    }
  }
  return OkStatus();
}

Result<UsageTotals> UsageMeter::Totals(const UsageQuery& q) {
  UsageTotals t;
  RETURN_IF_ERROR(ForEach(q, [&t](const UsageRecord& r) {
    if (r.kind == "job") {
      ++t.jobs;
      return true;
    }
    ++t.tasks;
    t.attempts += r.attempts;
    if (r.result == "ok") {
      ++t.tasks_ok;
    } else {
      ++t.tasks_failed;
    }
    t.wall_seconds += r.wall_seconds;
    t.cpu_seconds += r.cpu_seconds;
    t.peak_rss_kb = std::max(t.peak_rss_kb, r.peak_rss_kb);
    t.stdout_bytes += r.stdout_bytes;
    t.stderr_bytes += r.stderr_bytes;
    return true;
  }));
  return t;
}

}  // namespace skiff::usage

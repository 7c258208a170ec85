#include "events/event_log.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>

#include "obs/log.h"

namespace skiff::events {
namespace {

constexpr char kPrefix[] = "events/";

std::string DocumentKey(const std::string& day, uint64_t first, uint64_t last) {
  char name[64];
  std::snprintf(name, sizeof(name), "%012llu-%012llu.ndjson",
                static_cast<unsigned long long>(first), static_cast<unsigned long long>(last));
  return kPrefix + day + "/" + name;
}

// The seq range of a document key; false when the key is not one of ours.
bool ParseDocumentKey(std::string_view key, uint64_t* first, uint64_t* last) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return false;
  unsigned long long a = 0, b = 0;
  char tail[16] = {};
  std::string name(key.substr(slash + 1));
  if (std::sscanf(name.c_str(), "%12llu-%12llu.%15s", &a, &b, tail) != 3) return false;
  if (std::string_view(tail) != "ndjson" || a == 0 || b < a) return false;
  *first = a;
  *last = b;
  return true;
}

// Every document key, in order (bounded: 1000 pages of 1000).
Result<std::vector<std::string>> ListDocuments(store::ObjectStore* store) {
  std::vector<std::string> keys;
  store::ListRequest req;
  req.prefix = kPrefix;
  for (int page = 0; page < 1000; ++page) {
    ASSIGN_OR_RETURN(store::ListResult r, store->List(req));
    keys.insert(keys.end(), r.keys.begin(), r.keys.end());
    if (!r.truncated || r.keys.empty()) break;
    req.start_after = r.keys.back();
  }
  return keys;
}

}  // namespace

Json EventToJson(const Event& e) {
  return {{"seq", e.seq},
          {"ts", FormatTime(e.ts_ms)},
          {"type", e.type},
          {"team", e.team},
          {"job", e.job.empty() ? Json() : Json(e.job)},
          {"task", e.task.empty() ? Json() : Json(e.task)},
          {"correlation_id", e.correlation_id},
          {"data", e.data}};
}

Result<Event> EventFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("event: expected an object");
  Event e;
  try {
    e.seq = j.at("seq").get<uint64_t>();
    auto ts = ParseTime(j.at("ts").get<std::string>());
    if (!ts) return InvalidArgument("event: bad ts");
    e.ts_ms = *ts;
    e.type = j.at("type").get<std::string>();
    e.team = j.value("team", "");
    if (j.contains("job") && j["job"].is_string()) e.job = j["job"];
    if (j.contains("task") && j["task"].is_string()) e.task = j["task"];
    e.correlation_id = j.value("correlation_id", "");
    if (j.contains("data")) e.data = j["data"];
  } catch (const std::exception& ex) {
    return InvalidArgument(std::string("event: ") + ex.what());
  }
  return e;
}

Event FromJobEvent(const coord::JobEvent& je) {
  Event e;
  e.ts_ms = je.ts_ms;
  e.type = je.type;
  e.team = je.team;
  e.job = je.job;
  e.task = je.task_id;
  e.correlation_id = je.correlation_id;
  e.data = je.data.is_object() ? je.data : Json::object();
  if (je.attempt > 0) e.data["attempt"] = je.attempt;
  if (je.round > 0) e.data["round"] = je.round;
  if (!je.traceparent.empty()) e.data["traceparent"] = je.traceparent;
  if (je.recovered) e.data["recovered"] = true;
  return e;
}

bool EventFilter::Matches(const Event& e) const {
  if (!all_teams && e.team != team) return false;
  if (!types.empty() && !types.count(e.type)) return false;
  if (!job.empty() && e.job != job) return false;
  return true;
}

Result<std::unique_ptr<EventLog>> EventLog::Open(store::ObjectStore* store, Clock* clock,
                                                 EventLogOptions options) {
  std::unique_ptr<EventLog> log(new EventLog(store, clock, options));
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ListDocuments(store));
  for (const std::string& k : keys) {
    uint64_t first, last;
    if (ParseDocumentKey(k, &first, &last) && last >= log->next_seq_) {
      log->next_seq_ = last + 1;
      log->written_upto_ = last;
    }
  }
  log->writer_ = std::thread([p = log.get()] { p->WriterLoop(); });
  return log;
}

EventLog::~EventLog() { Close(); }

uint64_t EventLog::Append(Event e) {
  std::lock_guard<std::mutex> lock(mu_);
  e.seq = next_seq_++;
  if (e.ts_ms == 0) e.ts_ms = clock_->NowMs();
  tail_.push_back(std::move(e));
  // Drop what is both old and stored. When the store fails, keep up to 10x the tail, then drop
  // the oldest anyway (a bounded memory matters more than events nobody could store).
  while (tail_.size() > opts_.tail_events &&
         (tail_.front().seq <= written_upto_ || tail_.size() > 10 * opts_.tail_events)) {
    tail_.pop_front();
  }
  appended_cv_.notify_all();
  return tail_.back().seq;
}

uint64_t EventLog::LastSeq() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_ - 1;
}

Status EventLog::Flush() {
  std::lock_guard<std::mutex> one(flush_mu_);
  std::vector<Event> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Event& e : tail_) {
      if (e.seq > written_upto_) pending.push_back(e);
    }
  }
  if (pending.empty()) return OkStatus();
  // One document per day and per max_events_per_document events.
  size_t i = 0;
  while (i < pending.size()) {
    std::string day = FormatTime(pending[i].ts_ms).substr(0, 10);
    std::string body;
    size_t j = i;
    while (j < pending.size() && j - i < opts_.max_events_per_document &&
           FormatTime(pending[j].ts_ms).substr(0, 10) == day) {
      body += DumpJson(EventToJson(pending[j]));
      body.push_back('\n');
      ++j;
    }
    auto put = store_->Put(DocumentKey(day, pending[i].seq, pending[j - 1].seq), body);
    if (!put.ok()) return put.status();
    {
      std::lock_guard<std::mutex> lock(mu_);
      written_upto_ = pending[j - 1].seq;
    }
    i = j;
  }
  return OkStatus();
}

void EventLog::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    writer_cv_.wait_for(lock, std::chrono::milliseconds(opts_.flush_interval_ms));
    if (closed_) break;
    lock.unlock();
    Status st = Flush();
    if (!st.ok()) {
      obs::Warn("events: cannot write to the store; retrying", {{"error", st.message()}});
    }
    lock.lock();
  }
}

void EventLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  writer_cv_.notify_all();
  appended_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  Status st = Flush();
  if (!st.ok()) obs::Error("events: final write failed", {{"error", st.message()}});
}

Result<EventLog::ReadResult> EventLog::ReadStored(uint64_t after, uint64_t before,
                                                  const EventFilter& filter, size_t limit) {
  ReadResult out;
  out.next_after = before - 1;
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ListDocuments(store_));
  for (const std::string& k : keys) {
    uint64_t first, last;
    if (!ParseDocumentKey(k, &first, &last) || last <= after || first >= before) continue;
    ASSIGN_OR_RETURN(store::Object doc, store_->Get(k));
    std::istringstream lines(doc.bytes);
    for (std::string line; std::getline(lines, line);) {
      auto j = ParseJson(line);
      if (!j.ok()) continue;  // a damaged line loses one event, not the stream
      auto e = EventFromJson(*j);
      if (!e.ok() || e->seq <= after || e->seq >= before) continue;
      if (filter.Matches(*e)) out.events.push_back(std::move(e).value());
      if (out.events.size() >= limit) {
        out.next_after = out.events.back().seq;
        return out;
      }
    }
  }
  return out;
}

Result<EventLog::ReadResult> EventLog::Read(uint64_t after, const EventFilter& filter,
                                            size_t limit, int wait_ms) {
  uint64_t oldest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    oldest = tail_.empty() ? next_seq_ : tail_.front().seq;
  }
  if (after + 1 < oldest) {
    ASSIGN_OR_RETURN(ReadResult stored, ReadStored(after, oldest, filter, limit));
    if (!stored.events.empty()) return stored;
    after = stored.next_after;
  }
  ReadResult out;
  out.next_after = after;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (!tail_.empty() && tail_.back().seq > out.next_after) {
      uint64_t front = tail_.front().seq;
      size_t start = out.next_after + 1 > front ? out.next_after + 1 - front : 0;
      for (size_t i = start; i < tail_.size() && out.events.size() < limit; ++i) {
        if (filter.Matches(tail_[i])) out.events.push_back(tail_[i]);
        out.next_after = tail_[i].seq;
      }
    }
    if (!out.events.empty() || closed_ || wait_ms <= 0) return out;
    if (appended_cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      // One last look at what came in just before the deadline.
      wait_ms = 0;
    }
  }
}

}  // namespace skiff::events

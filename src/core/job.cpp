#include "core/job.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/ids.h"
#include "core/time.h"

namespace skiff {
namespace {

Json TimeOrNull(int64_t ms) { return ms == 0 ? Json(nullptr) : Json(FormatTime(ms)); }

// Keys of `obj` not in `known`, as an object (null when there are none, to keep memory small).
Json UnknownFields(const Json& obj, const std::set<std::string, std::less<>>& known) {
  Json out;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) out[it.key()] = *it;
  }
  return out;
}

Json AttemptToJson(const Attempt& a) {
  Json j = a.unknown.is_object() ? a.unknown : Json::object();
  j["n"] = a.n;
  j["round"] = a.round;
  j["worker"] = a.worker;
  j["started_at"] = FormatTime(a.started_ms);
  j["ended_at"] = TimeOrNull(a.ended_ms);
  j["result"] = a.result.empty() ? Json(nullptr) : Json(a.result);
  if (!a.running()) {
    j["exit"] = a.exit;
    if (a.signal != 0) j["signal"] = a.signal;
    j["wall_ms"] = a.wall_ms;
    j["cpu_ms"] = a.cpu_ms;
    j["max_rss_kb"] = a.max_rss_kb;
    if (!a.stdout_tail.empty()) j["stdout_tail"] = a.stdout_tail;
    if (!a.stderr_tail.empty()) j["stderr_tail"] = a.stderr_tail;
    if (a.stdout_bytes != 0) j["stdout_bytes"] = a.stdout_bytes;
    if (a.stderr_bytes != 0) j["stderr_bytes"] = a.stderr_bytes;
    if (!a.error.empty()) j["error"] = a.error;
  }
  return j;
}

// Reads a field of a document leniently: absent or null gives the default; a wrong type is an
// error naming the field.
template <typename T>
Status Read(const Json& obj, const char* name, T* out, const std::string& path) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return OkStatus();
  try {
    *out = it->get<T>();
  } catch (const std::exception&) {
    return InvalidArgument(path + name + ": wrong type");
  }
  return OkStatus();
}

Status ReadTime(const Json& obj, const char* name, int64_t* out, const std::string& path) {
  std::string s;
  RETURN_IF_ERROR(Read(obj, name, &s, path));
  if (s.empty()) return OkStatus();
  auto t = ParseTime(s);
  if (!t) return InvalidArgument(path + name + ": not a time: " + s);
  *out = *t;
  return OkStatus();
}

Result<Attempt> AttemptFromJson(const Json& j, const std::string& path) {
  if (!j.is_object()) return InvalidArgument(path + ": expected an object");
  static const std::set<std::string, std::less<>> kKnown = {
      "n", "round", "worker", "started_at", "ended_at", "result", "exit", "signal", "wall_ms",
      "cpu_ms", "max_rss_kb", "stdout_tail", "stderr_tail", "stdout_bytes", "stderr_bytes",
      "error"};
  Attempt a;
  a.unknown = UnknownFields(j, kKnown);
  RETURN_IF_ERROR(Read(j, "n", &a.n, path + "."));
  RETURN_IF_ERROR(Read(j, "round", &a.round, path + "."));
  RETURN_IF_ERROR(Read(j, "worker", &a.worker, path + "."));
  RETURN_IF_ERROR(ReadTime(j, "started_at", &a.started_ms, path + "."));
  RETURN_IF_ERROR(ReadTime(j, "ended_at", &a.ended_ms, path + "."));
  RETURN_IF_ERROR(Read(j, "result", &a.result, path + "."));
  RETURN_IF_ERROR(Read(j, "exit", &a.exit, path + "."));
  RETURN_IF_ERROR(Read(j, "signal", &a.signal, path + "."));
  RETURN_IF_ERROR(Read(j, "wall_ms", &a.wall_ms, path + "."));
  RETURN_IF_ERROR(Read(j, "cpu_ms", &a.cpu_ms, path + "."));
  RETURN_IF_ERROR(Read(j, "max_rss_kb", &a.max_rss_kb, path + "."));
  RETURN_IF_ERROR(Read(j, "stdout_tail", &a.stdout_tail, path + "."));
  RETURN_IF_ERROR(Read(j, "stderr_tail", &a.stderr_tail, path + "."));
  RETURN_IF_ERROR(Read(j, "stdout_bytes", &a.stdout_bytes, path + "."));
  RETURN_IF_ERROR(Read(j, "stderr_bytes", &a.stderr_bytes, path + "."));
  RETURN_IF_ERROR(Read(j, "error", &a.error, path + "."));
  return a;
}

// Called after one pending task became "ok" or "ko".
void MaybeFinish(Job& job, int64_t now_ms) {
  SKIFF_CHECK(job.pending > 0);
  if (--job.pending == 0 && job.finished_ms == 0) job.finished_ms = now_ms;
}

}  // namespace

std::string_view JobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kPending: return "pending";
    case JobStatus::kRunning: return "running";
    case JobStatus::kSucceeded: return "succeeded";
    case JobStatus::kFailed: return "failed";
    case JobStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

bool ParseJobStatus(std::string_view name, JobStatus* out) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSucceeded,
                      JobStatus::kFailed, JobStatus::kCancelled}) {
    if (JobStatusName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

TaskCounts CountTasks(const Job& job) {
  TaskCounts c;
  c.total = job.tasks.size();
  for (size_t i = 0; i < job.tasks.size(); ++i) {
    switch (job.tasks[i]) {
      case TaskState::kOk: ++c.ok; break;
      case TaskState::kKo: ++c.ko; break;
      case TaskState::kPending:
        if (!job.attempts[i].empty() && job.attempts[i].back().running()) {
          ++c.running;
        } else {
          ++c.pending;
        }
        break;
    }
  }
  return c;
}

JobStatus DeriveStatus(const Job& job) {
  if (job.cancelled_ms != 0) return JobStatus::kCancelled;
  bool any_null = false, any_ko = false, ever_leased = false;
  for (size_t i = 0; i < job.tasks.size(); ++i) {
    if (job.tasks[i] == TaskState::kPending) any_null = true;
    if (job.tasks[i] == TaskState::kKo) any_ko = true;
    if (!job.attempts[i].empty()) ever_leased = true;
  }
  if (any_null) return ever_leased ? JobStatus::kRunning : JobStatus::kPending;
  return any_ko ? JobStatus::kFailed : JobStatus::kSucceeded;
}

Job NewJob(JobSubmission sub, std::string id, std::string team, std::string user_id,
           int64_t now_ms) {
  Job job;
  job.id = std::move(id);
  job.team = std::move(team);
  job.user_id = std::move(user_id);
  job.name = std::move(sub.name);
  job.correlation_id = std::move(sub.correlation_id);
  job.template_ref = std::move(sub.template_ref);
  job.traceparent = std::move(sub.traceparent);
  job.created_ms = now_ms;
  job.spec = std::move(sub.spec);
  job.params = std::move(sub.params);
  job.items = std::move(sub.items);
  job.notify = std::move(sub.notify);
  job.tasks.assign(sub.item_count, TaskState::kPending);
  job.pending = sub.item_count;
  job.attempts.resize(sub.item_count);
  return job;
}

Status RenderTask(const Job& job, size_t index, int attempt, std::vector<std::string>* argv,
                  std::map<std::string, std::string>* env) {
  static const Json kEmpty = Json::object();
  const Json& item = job.items.is_array() ? job.items[index] : kEmpty;
  std::string task_id = TaskId(index, job.size());
  std::map<std::string, std::string> builtins = {
      {"job", job.id}, {"task", task_id}, {"index", std::to_string(index)}};
  argv->clear();
  env->clear();
  for (size_t i = 0; i < job.spec.argv.size(); ++i) {
    auto r = RenderTemplate(job.spec.argv[i], item, job.params, builtins);
    if (!r.ok()) {
      return InvalidArgument("task " + task_id + ": argv[" + std::to_string(i) +
                             "]: " + r.status().message());
    }
    argv->push_back(std::move(r).value());
  }
  for (const auto& [k, v] : job.spec.env) {
    auto r = RenderTemplate(v, item, job.params, builtins);
    if (!r.ok()) return InvalidArgument("task " + task_id + ": env." + k + ": " +
                                        r.status().message());
    (*env)[k] = std::move(r).value();
  }
  (*env)["SKIFF_JOB"] = job.id;
  (*env)["SKIFF_TASK"] = task_id;
  (*env)["SKIFF_ATTEMPT"] = std::to_string(attempt);
  (*env)["SKIFF_CORRELATION_ID"] = job.correlation_id;
  if (!job.traceparent.empty()) (*env)["TRACEPARENT"] = job.traceparent;
  return OkStatus();
}

Status CheckRenders(const Job& job) {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  // Without item params every task renders alike but for the built-ins: one check suffices.
  size_t n = job.items.is_array() ? job.size() : std::min<size_t>(1, job.size());
  for (size_t i = 0; i < n; ++i) RETURN_IF_ERROR(RenderTask(job, i, 1, &argv, &env));
  return OkStatus();
}

int AttemptsInRound(const Job& job, size_t index) {
  int n = 0;
  for (const Attempt& a : job.attempts[index]) {
    if (a.round == job.round) ++n;
  }
  return n;
}

void ApplyLease(Job& job, size_t index, const std::string& worker, int64_t now_ms) {
  Attempt a;
  a.n = static_cast<int>(job.attempts[index].size()) + 1;
  a.round = job.round;
  a.worker = worker;
  a.started_ms = now_ms;
  job.attempts[index].push_back(std::move(a));
}

EndOutcome ApplyAttemptEnd(Job& job, size_t index, int n, AttemptEnd end, int64_t now_ms) {
  if (index >= job.size() || job.tasks[index] != TaskState::kPending) return EndOutcome::kIgnored;
  auto& attempts = job.attempts[index];
  if (attempts.empty() || attempts.back().n != n || !attempts.back().running()) {
    return EndOutcome::kIgnored;
  }
  Attempt& a = attempts.back();
  a.ended_ms = now_ms;
  a.result = end.result.empty() ? std::string(kResultFailed) : std::move(end.result);
  a.exit = end.exit;
  a.signal = end.signal;
  a.wall_ms = end.wall_ms;
  a.cpu_ms = end.cpu_ms;
  a.max_rss_kb = end.max_rss_kb;
  a.stdout_tail = Utf8Tail(end.stdout_tail, kAttemptTailBytes);
  a.stdout_bytes = std::max<int64_t>(end.stdout_bytes, static_cast<int64_t>(end.stdout_tail.size()));
  a.stderr_bytes = std::max<int64_t>(end.stderr_bytes, static_cast<int64_t>(end.stderr_tail.size()));
  a.stderr_tail = Utf8Tail(end.stderr_tail, kAttemptTailBytes);
  a.error = Utf8Tail(end.error, kAttemptTailBytes);
  if (a.result == kResultOk) {
    job.tasks[index] = TaskState::kOk;
    MaybeFinish(job, now_ms);
    return EndOutcome::kOk;
  }
  if (AttemptsInRound(job, index) >= job.spec.max_attempts) {
    job.tasks[index] = TaskState::kKo;
    MaybeFinish(job, now_ms);
    return EndOutcome::kKo;
  }
  return EndOutcome::kRetry;
}

bool ApplyCancel(Job& job, int64_t now_ms) {
  if (job.finished_ms != 0) return false;
  for (size_t i = 0; i < job.size(); ++i) {
    if (job.tasks[i] != TaskState::kPending) continue;
    job.tasks[i] = TaskState::kKo;
    auto& attempts = job.attempts[i];
    if (!attempts.empty() && attempts.back().running()) {
      attempts.back().result = std::string(kResultCancelled);
      attempts.back().ended_ms = now_ms;
      attempts.back().error = "job cancelled";
    }
  }
  job.pending = 0;
  job.cancelled_ms = now_ms;
  job.finished_ms = now_ms;
  return true;
}

std::vector<size_t> ApplyRetry(Job& job, int64_t /*now_ms*/) {
  std::vector<size_t> reset;
  if (job.finished_ms == 0) return reset;
  for (size_t i = 0; i < job.size(); ++i) {
    if (job.tasks[i] == TaskState::kKo) reset.push_back(i);
  }
  if (reset.empty()) return reset;
  ++job.round;
  for (size_t i : reset) job.tasks[i] = TaskState::kPending;
  job.pending += reset.size();
  job.finished_ms = 0;
  job.cancelled_ms = 0;
  job.finish_acked = false;
  return reset;
}

bool ApplyFinishAcked(Job& job, int round) {
  if (job.finished_ms == 0 || job.round != round) return false;
  job.finish_acked = true;
  return true;
}

Json JobToDocument(const Job& job, bool include_tasks) {
  Json doc = job.unknown.is_object() ? job.unknown : Json::object();
  doc["schema"] = Job::kSchema;
  doc["id"] = job.id;
  doc["team"] = job.team;
  doc["user_id"] = job.user_id;
  doc["name"] = job.name;
  doc["correlation_id"] = job.correlation_id;
  if (!job.traceparent.empty()) doc["traceparent"] = job.traceparent;
  if (!job.idempotency_key.empty()) doc["idempotency_key"] = job.idempotency_key;
  if (!job.template_ref.empty()) doc["template"] = job.template_ref;
  doc["created_at"] = FormatTime(job.created_ms);
  doc["finished_at"] = TimeOrNull(job.finished_ms);
  doc["cancelled_at"] = TimeOrNull(job.cancelled_ms);
  doc["round"] = job.round;
  if (job.finish_acked) doc["finish_acked"] = true;
  doc["seq"] = job.seq;
  Json spec = job.spec.unknown.is_object() ? job.spec.unknown : Json::object();
  spec["argv"] = job.spec.argv;
  spec["env"] = job.spec.env;
  spec["timeout_s"] = job.spec.timeout_s;
  spec["max_attempts"] = job.spec.max_attempts;
  spec["backoff_ms"] = job.spec.backoff_ms;
  doc["spec"] = std::move(spec);
  doc["params"] = job.params;
  if (job.notify.is_object()) doc["notify"] = job.notify;
  if (!include_tasks) return doc;
  doc["items"] = job.items.is_array() ? job.items : Json(job.size());
  Json tasks = Json::object();
  Json attempts = Json::object();
  for (size_t i = 0; i < job.size(); ++i) {
    std::string id = TaskId(i, job.size());
    switch (job.tasks[i]) {
      case TaskState::kPending: tasks[id] = nullptr; break;
      case TaskState::kOk: tasks[id] = "ok"; break;
      case TaskState::kKo: tasks[id] = "ko"; break;
    }
    if (!job.attempts[i].empty()) {
      Json list = Json::array();
      for (const Attempt& a : job.attempts[i]) list.push_back(AttemptToJson(a));
      attempts[id] = std::move(list);
    }
  }
  doc["tasks"] = std::move(tasks);
  doc["attempts"] = std::move(attempts);
  return doc;
}

Json JobToApi(const Job& job, bool include_tasks) {
  Json doc = JobToDocument(job, include_tasks);
  doc.erase("seq");
  doc.erase("idempotency_key");
  doc.erase("finish_acked");
  doc["status"] = JobStatusName(DeriveStatus(job));
  TaskCounts c = CountTasks(job);
  doc["counts"] = {{"total", c.total}, {"pending", c.pending}, {"running", c.running},
                   {"ok", c.ok},       {"ko", c.ko}};
  return doc;
}

namespace {

void AppendString(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += DumpJson(Json(std::string(s)));  // escapes, and replaces invalid UTF-8 like DumpJson
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void AppendTime(std::string& out, int64_t ms) {
  if (ms == 0) {
    out += "null";
  } else {
    AppendString(out, FormatTime(ms));
  }
}

// Field for field what AttemptToJson builds.
void AppendAttempt(std::string& out, const Attempt& a) {
  if (a.unknown.is_object() && !a.unknown.empty()) {
    out += DumpJson(AttemptToJson(a));
    return;
  }
  out += "{\"n\":";
  AppendInt(out, a.n);
  out += ",\"round\":";
  AppendInt(out, a.round);
  out += ",\"worker\":";
  AppendString(out, a.worker);
  out += ",\"started_at\":";
  AppendTime(out, a.started_ms);
  out += ",\"ended_at\":";
  AppendTime(out, a.ended_ms);
  out += ",\"result\":";
  if (a.result.empty()) {
    out += "null";
  } else {
    AppendString(out, a.result);
  }
  if (!a.running()) {
    out += ",\"exit\":";
    AppendInt(out, a.exit);
    if (a.signal != 0) {
      out += ",\"signal\":";
      AppendInt(out, a.signal);
    }
    out += ",\"wall_ms\":";
    AppendInt(out, a.wall_ms);
    out += ",\"cpu_ms\":";
    AppendInt(out, a.cpu_ms);
    out += ",\"max_rss_kb\":";
    AppendInt(out, a.max_rss_kb);
    for (auto [name, value] : {std::pair{"stdout_bytes", a.stdout_bytes},
                               std::pair{"stderr_bytes", a.stderr_bytes}}) {
      if (value == 0) continue;
      out += ",\"";
      out += name;
      out += "\":";
      AppendInt(out, value);
    }
    for (auto [name, value] : {std::pair{"stdout_tail", &a.stdout_tail},
                               std::pair{"stderr_tail", &a.stderr_tail},
                               std::pair{"error", &a.error}}) {
      if (value->empty()) continue;
      out += ",\"";
      out += name;
      out += "\":";
      AppendString(out, *value);
    }
  }
  out += '}';
}

}  // namespace

std::string DumpJobDocument(const Job& job, bool for_api) {
  // The small part through the JSON tree (it also carries unknown fields), the per-task part
  // written here; key order differs from DumpJson's sorted one, which JSON does not care about.
  std::string head = DumpJson(for_api ? JobToApi(job, false) : JobToDocument(job, false));
  std::string out;
  out.reserve(head.size() + 64 + job.size() * 24);
  out += "{\"items\":";
  if (job.items.is_array()) {
    out += DumpJson(job.items);
  } else {
    AppendInt(out, static_cast<int64_t>(job.size()));
  }
  out += ",\"tasks\":{";
  std::vector<std::string> ids(job.size());
  for (size_t i = 0; i < job.size(); ++i) {
    ids[i] = TaskId(i, job.size());
    if (i > 0) out += ',';
    AppendString(out, ids[i]);
    switch (job.tasks[i]) {
      case TaskState::kPending: out += ":null"; break;
      case TaskState::kOk: out += ":\"ok\""; break;
      case TaskState::kKo: out += ":\"ko\""; break;
    }
  }
  out += "},\"attempts\":{";
  bool first = true;
  for (size_t i = 0; i < job.size(); ++i) {
    if (job.attempts[i].empty()) continue;
    if (!first) out += ',';
    first = false;
    AppendString(out, ids[i]);
    out += ":[";
    for (size_t k = 0; k < job.attempts[i].size(); ++k) {
      if (k > 0) out += ',';
      AppendAttempt(out, job.attempts[i][k]);
    }
    out += ']';
  }
  out += '}';
  if (head.size() > 2) {  // "{...}": its members follow ours
    out += ',';
    out.append(head, 1, std::string::npos);
  } else {
    out += '}';
  }
  return out;
}

Result<Job> JobFromDocument(const Json& doc) {
  if (!doc.is_object()) return InvalidArgument("job document: expected an object");
  static const std::set<std::string> kKnown = {
      "schema", "id", "team", "user_id", "name", "correlation_id", "traceparent", "idempotency_key",
      "template", "created_at", "finished_at", "cancelled_at", "round", "finish_acked", "seq", "spec",
      "params", "items", "tasks", "attempts", "status", "counts", "notify"};
  Job job;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!kKnown.count(it.key())) job.unknown[it.key()] = *it;
  }
  const std::string p;
  RETURN_IF_ERROR(Read(doc, "id", &job.id, p));
  if (job.id.empty()) return InvalidArgument("id: missing");
  RETURN_IF_ERROR(Read(doc, "team", &job.team, p));
  RETURN_IF_ERROR(Read(doc, "user_id", &job.user_id, p));
  RETURN_IF_ERROR(Read(doc, "name", &job.name, p));
  RETURN_IF_ERROR(Read(doc, "correlation_id", &job.correlation_id, p));
  RETURN_IF_ERROR(Read(doc, "traceparent", &job.traceparent, p));
  RETURN_IF_ERROR(Read(doc, "idempotency_key", &job.idempotency_key, p));
  RETURN_IF_ERROR(Read(doc, "template", &job.template_ref, p));
  RETURN_IF_ERROR(ReadTime(doc, "created_at", &job.created_ms, p));
  RETURN_IF_ERROR(ReadTime(doc, "finished_at", &job.finished_ms, p));
  RETURN_IF_ERROR(ReadTime(doc, "cancelled_at", &job.cancelled_ms, p));
  RETURN_IF_ERROR(Read(doc, "round", &job.round, p));
  RETURN_IF_ERROR(Read(doc, "finish_acked", &job.finish_acked, p));
  RETURN_IF_ERROR(Read(doc, "seq", &job.seq, p));
  auto spec = doc.find("spec");
  if (spec == doc.end() || !spec->is_object()) return InvalidArgument("spec: missing");
  static const std::set<std::string, std::less<>> kKnownSpec = {"argv", "env", "timeout_s",
                                                                "max_attempts", "backoff_ms"};
  job.spec.unknown = UnknownFields(*spec, kKnownSpec);
  RETURN_IF_ERROR(Read(*spec, "argv", &job.spec.argv, "spec."));
  RETURN_IF_ERROR(Read(*spec, "env", &job.spec.env, "spec."));
  RETURN_IF_ERROR(Read(*spec, "timeout_s", &job.spec.timeout_s, "spec."));
  RETURN_IF_ERROR(Read(*spec, "max_attempts", &job.spec.max_attempts, "spec."));
  RETURN_IF_ERROR(Read(*spec, "backoff_ms", &job.spec.backoff_ms, "spec."));
  if (auto it = doc.find("params"); it != doc.end() && it->is_object()) job.params = *it;
  if (auto it = doc.find("notify"); it != doc.end() && it->is_object()) job.notify = *it;
  auto items = doc.find("items");
  size_t count = 0;
  if (items != doc.end() && items->is_array()) {
    job.items = *items;
    count = items->size();
  } else if (items != doc.end() && items->is_number_integer() && items->get<int64_t>() > 0) {
    count = items->get<size_t>();  // signed too: a document built in code, not parsed from text
  } else {
    return InvalidArgument("items: expected an array or a count");
  }
  if (count == 0 || count > kMaxItems) return InvalidArgument("items: bad task count");
  job.tasks.assign(count, TaskState::kPending);
  job.attempts.resize(count);
  auto tasks = doc.find("tasks");
  if (tasks == doc.end() || !tasks->is_object()) return InvalidArgument("tasks: missing");
  for (auto it = tasks->begin(); it != tasks->end(); ++it) {
    int64_t idx = TaskIndex(it.key(), count);
    if (idx < 0) return InvalidArgument("tasks." + it.key() + ": not a task of this job");
    if (it->is_null()) continue;
    if (*it == "ok") {
      job.tasks[idx] = TaskState::kOk;
    } else if (*it == "ko") {
      job.tasks[idx] = TaskState::kKo;
    } else {
      return InvalidArgument("tasks." + it.key() + ": expected null, \"ok\" or \"ko\"");
    }
  }
  job.pending = static_cast<size_t>(std::count(job.tasks.begin(), job.tasks.end(),
                                               TaskState::kPending));
  if (auto at = doc.find("attempts"); at != doc.end() && at->is_object()) {
    for (auto it = at->begin(); it != at->end(); ++it) {
      int64_t idx = TaskIndex(it.key(), count);
      if (idx < 0 || !it->is_array()) {
        return InvalidArgument("attempts." + it.key() + ": not a task of this job");
      }
      for (size_t k = 0; k < it->size(); ++k) {
        ASSIGN_OR_RETURN(Attempt a, AttemptFromJson((*it)[k], "attempts." + it.key() + "[" +
                                                                  std::to_string(k) + "]"));
        job.attempts[idx].push_back(std::move(a));
      }
    }
  }
  return job;
}

}  // namespace skiff

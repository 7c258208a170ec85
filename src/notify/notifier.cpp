#include "notify/notifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/ids.h"
#include "core/job.h"
#include "net/http_client.h"
#include "notify/smtp.h"
#include "obs/log.h"

namespace skiff::notify {
namespace {

constexpr std::string_view kDocs = "notify/jobs/";
constexpr std::string_view kPending = "notify/pending/";
constexpr std::string_view kSecrets = "notify/secrets/";

std::string Name(const std::string& job, int round) {
  return job + "-r" + std::to_string(round);
}
std::string DocKey(const std::string& name) { return std::string(kDocs) + name + ".json"; }
std::string MarkerKey(const std::string& name) { return std::string(kPending) + name; }

int64_t TimeField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return 0;
  return ParseTime(it->get<std::string>()).value_or(0);
}

bool AnyPending(const Json& doc) {
  for (const Json& d : doc.value("deliveries", Json::array())) {
    if (d.value("state", "") == "pending") return true;
  }
  return false;
}

// What the webhook receives and the email summarises.
Json Payload(const coord::JobEvent& e, const Job& job, int64_t finished_ms) {
  Json counts = e.data.value("counts", Json::object());
  return {{"event", "job.finished"},
          {"job", job.id},
          {"name", job.name},
          {"round", e.round},
          {"team", job.team},
          {"status", e.data.value("status", "")},
          {"counts", counts},
          {"correlation_id", job.correlation_id},
          {"created_at", FormatTime(job.created_ms)},
          {"finished_at", FormatTime(finished_ms)}};
}

}  // namespace

std::string SignatureHex(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

Notifier::Notifier(store::ObjectStore* store, Clock* clock, EmailLookup email_for,
                   NotifierOptions opts)
    : store_(store), clock_(clock), email_for_(std::move(email_for)), opts_(std::move(opts)) {}

Notifier::~Notifier() { Stop(); }

coord::EventListener Notifier::Listener() {
  return [this](const std::vector<coord::JobEvent>& batch) { OnEvents(batch); };
}

void Notifier::OnEvents(const std::vector<coord::JobEvent>& batch) {
  for (const coord::JobEvent& e : batch) {
    if (e.type != coord::kEventJobFinished || !e.doc || !e.doc->notify.is_object()) continue;
    int64_t wait_ms = 200;
    while (true) {
      Status st = WriteForEvent(e);
      if (st.ok()) break;
      if (stop_retrying_) {
        obs::Error("notify: notification lost: the store failed until the server stopped",
                   {{"job", e.job}, {"round", e.round}, {"error", st.message()}});
        break;
      }
      obs::Warn("notify: cannot record the notification; retrying",
                {{"job", e.job}, {"error", st.message()}, {"retry_ms", wait_ms}});
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      wait_ms = std::min<int64_t>(wait_ms * 2, 5000);
    }
  }
}

Status Notifier::WriteForEvent(const coord::JobEvent& e) {
  const Job& job = *e.doc;
  const std::string name = Name(job.id, e.round);
  const std::string key = DocKey(name);
  int64_t now = clock_->NowMs();
  int64_t finished_ms = e.data.value("finished_ms", e.ts_ms);
  Json deliveries = Json::array();
  if (job.notify.contains("webhook")) {
    deliveries.push_back({{"channel", "webhook"},
                          {"target", job.notify["webhook"]},
                          {"state", "pending"},
                          {"next_at", FormatTime(now)},
                          {"attempts", Json::array()}});
  }
  if (job.notify.value("email", false)) {
    Json d = {{"channel", "email"}, {"state", "pending"}, {"next_at", FormatTime(now)},
              {"attempts", Json::array()}};
    std::string to = email_for_ ? email_for_(job.user_id) : "";
    d["target"] = to;
    if (to.empty()) {
      d["state"] = "failed";
      d["error"] = "the submitting key has no email";
    } else if (opts_.smtp_url.empty()) {
      d["state"] = "failed";
      d["error"] = "the server has no SMTP settings (--smtp-url)";
    }
    deliveries.push_back(std::move(d));
  }
  Json doc = {{"schema", 1},
              {"job", job.id},
              {"round", e.round},
              {"team", job.team},
              {"user_id", job.user_id},
              {"finished_at", FormatTime(finished_ms)},
              {"body", DumpJson(Payload(e, job, finished_ms))},
              {"deliveries", std::move(deliveries)}};
  auto put = store_->Put(key, DumpJson(doc, 2), store::Precondition::IfAbsent());
  if (!put.ok()) {
    if (put.status().code() != Code::kFailedPrecondition) return put.status();
    // Delivered again after a crash: the document is there; make sure it is looked at.
    ASSIGN_OR_RETURN(store::Object existing, store_->Get(key));
    doc = Json::parse(existing.bytes, nullptr, false);
  }
  if (!AnyPending(doc)) return OkStatus();
  RETURN_IF_ERROR(store_->Put(MarkerKey(name), key).status());
  Schedule(key, now);
  return OkStatus();
}

Status Notifier::Start() {
  store::ListRequest lr;
  lr.prefix = std::string(kPending);
  size_t found = 0;
  while (true) {
    ASSIGN_OR_RETURN(store::ListResult page, store_->List(lr));
    for (const std::string& marker : page.keys) {
      Schedule(DocKey(marker.substr(kPending.size())), clock_->NowMs());
      ++found;
    }
    if (!page.truncated || page.keys.empty()) break;
    lr.start_after = page.keys.back();
  }
  if (found > 0) obs::Info("notify: pending notifications", {{"count", found}});
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < std::max(1, opts_.threads); ++i) {
    threads_.emplace_back([this] { DeliveryLoop(); });
  }
  return OkStatus();
}

void Notifier::Stop() {
  stop_retrying_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Notifier::Schedule(const std::string& key, int64_t at_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = due_.begin(); it != due_.end(); ++it) {
      if (it->second != key) continue;
      if (it->first <= at_ms) return;
      due_.erase(it);
      break;
    }
    due_.emplace(at_ms, key);
  }
  cv_.notify_one();
}

void Notifier::DeliveryLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    int64_t now = clock_->NowMs();
    auto it = std::find_if(due_.begin(), due_.end(),
                           [&](const auto& p) { return in_flight_.count(p.second) == 0; });
    if (it == due_.end() || it->first > now) {
      int64_t wait = it == due_.end() ? 1000 : std::min<int64_t>(it->first - now, 1000);
      cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait, 1)));
      continue;
    }
    std::string key = it->second;
    due_.erase(it);
    in_flight_.insert(key);
    lock.unlock();
    int64_t next = Process(key);
    lock.lock();
    in_flight_.erase(key);
    if (next > 0) {
      lock.unlock();
      Schedule(key, next);
      lock.lock();
    }
  }
}

int64_t Notifier::Process(const std::string& key) {
  auto obj = store_->Get(key);
  std::string name = key.substr(kDocs.size(), key.size() - kDocs.size() - 5);
  if (!obj.ok()) {
    if (obj.status().code() == Code::kNotFound) {
      (void)store_->Remove(MarkerKey(name));
      return 0;
    }
    obs::Warn("notify: cannot read a delivery document", {{"key", key},
                                                          {"error", obj.status().message()}});
    return clock_->NowMs() + 5000;
  }
  Json doc = Json::parse(obj->bytes, nullptr, false);
  if (!doc.is_object() || !doc.contains("deliveries")) {
    obs::Error("notify: corrupt delivery document; dropped", {{"key", key}});
    (void)store_->Remove(MarkerKey(name));
    return 0;
  }
  int64_t finished = TimeField(doc, "finished_at");
  bool changed = false;
  for (Json& d : doc["deliveries"]) {
    if (d.value("state", "") != "pending") continue;
    int64_t now = clock_->NowMs();
    if (TimeField(d, "next_at") > now) continue;
    Json attempt = Deliver(doc, d);
    changed = true;
    Json& attempts = d["attempts"];
    attempts.push_back(attempt);
    if (attempt.value("ok", false)) {
      d["state"] = "delivered";
      d.erase("next_at");
      continue;
    }
    size_t n = attempts.size();
    double delay = static_cast<double>(opts_.retry_base_ms) *
                   std::pow(2.0, static_cast<double>(std::min<size_t>(n - 1, 40)));
    int64_t wait = static_cast<int64_t>(std::min(delay, static_cast<double>(opts_.max_backoff_ms)));
    int64_t at = clock_->NowMs() + wait;
    if (at > finished + opts_.max_age_ms) {
      d["state"] = "failed";
      d["error"] = "gave up after " + std::to_string(n) + " attempts";
      d.erase("next_at");
    } else {
      d["next_at"] = FormatTime(at);
    }
  }
  if (changed) {
    auto put = store_->Put(key, DumpJson(doc, 2), store::Precondition::IfMatch(obj->etag));
    if (!put.ok()) {
      // Another server changed it (or the store failed): look again shortly.
      obs::Warn("notify: cannot record a delivery attempt",
                {{"key", key}, {"error", put.status().message()}});
      return clock_->NowMs() + 1000;
    }
  }
  int64_t next = 0;
  for (const Json& d : doc["deliveries"]) {
    if (d.value("state", "") != "pending") continue;
    int64_t at = TimeField(d, "next_at");
    next = next == 0 ? at : std::min(next, at);
  }
  if (next == 0) {
    if (Status st = store_->Remove(MarkerKey(name)); !st.ok()) return clock_->NowMs() + 5000;
    return 0;
  }
  return std::max<int64_t>(next, 1);
}

Json Notifier::Deliver(const Json& doc, const Json& delivery) {
  auto t0 = std::chrono::steady_clock::now();
  std::string channel = delivery.value("channel", "");
  Json attempt = channel == "webhook"
                     ? SendWebhook(delivery.value("target", ""), doc.value("team", ""),
                                   doc.value("body", ""))
                     : SendEmail(delivery.value("target", ""), doc);
  attempt["at"] = FormatTime(clock_->NowMs());
  attempt["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - t0)
                               .count();
  obs::Info("notify: delivery attempt", {{"job", doc.value("job", "")},
                                         {"channel", channel},
                                         {"ok", attempt.value("ok", false)},
                                         {"error", attempt.value("error", "")}});
  return attempt;
}

Json Notifier::SendWebhook(const std::string& url, const std::string& team,
                           const std::string& body) {
  auto secret = TeamSecret(team);
  if (!secret.ok()) return {{"ok", false}, {"error", secret.status().message()}};
  net::HttpClient client("", "", {std::min<long>(5000, opts_.timeout_ms), static_cast<long>(opts_.timeout_ms)});
  auto r = client.Post(url, body,
                       {{"X-Skiff-Signature", "sha256=" + SignatureHex(*secret, body)},
                        {"X-Skiff-Event", "job.finished"},
                        {"User-Agent", "skiff-webhook"}});
  if (!r.ok()) return {{"ok", false}, {"error", r.status().message()}};
  Json a = {{"ok", r->status >= 200 && r->status < 300}, {"status", r->status}};
  if (!a["ok"].get<bool>()) a["error"] = "HTTP " + std::to_string(r->status);
  return a;
}

Json Notifier::SendEmail(const std::string& to, const Json& doc) {
  Json body = Json::parse(doc.value("body", "{}"), nullptr, false);
  std::string job = doc.value("job", "");
  std::string status = body.value("status", "");
  Json counts = body.value("counts", Json::object());
  std::string text = "Job " + job + (body.value("name", "").empty() ? "" : " (" + body.value("name", "") + ")") +
                     " " + status + ".\n\n" +
                     "Tasks: " + std::to_string(counts.value("total", 0)) + " total, " +
                     std::to_string(counts.value("ok", 0)) + " ok, " +
                     std::to_string(counts.value("ko", 0)) + " failed\n" +
                     "Team: " + doc.value("team", "") + "\n" +
                     "Round: " + std::to_string(doc.value("round", 0)) + "\n" +
                     "Created: " + body.value("created_at", "") + "\n" +
                     "Finished: " + body.value("finished_at", "") + "\n" +
                     "Correlation id: " + body.value("correlation_id", "") + "\n";
  std::string message =
      BuildMessage(opts_.smtp_from, to, "[skiff] job " + job + " " + status, text,
                   clock_->NowMs(), job + "-r" + std::to_string(doc.value("round", 0)) + "." +
                                        RandomHex(6) + "@skiff");
  Status st = SendMail(opts_.smtp_url, opts_.smtp_from, to, message, opts_.timeout_ms);
  if (!st.ok()) return {{"ok", false}, {"error", st.message()}};
  return {{"ok", true}};
}

Result<std::string> Notifier::TeamSecret(const std::string& team) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = secrets_.find(team); it != secrets_.end()) return it->second;
  }
  const std::string key = std::string(kSecrets) + team + ".json";
  auto read = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(store::Object obj, store_->Get(key));
    Json j = Json::parse(obj.bytes, nullptr, false);
    if (!j.is_object() || !j.value("secret", "").size()) return Internal(key + ": no secret");
    return j["secret"].get<std::string>();
  };
  auto secret = read();
  if (!secret.ok() && secret.status().code() == Code::kNotFound) {
    Json doc = {{"schema", 1}, {"team", team}, {"secret", "whsec_" + RandomBase62(43)},
                {"created_at", FormatTime(clock_->NowMs())}};
    auto put = store_->Put(key, DumpJson(doc, 2), store::Precondition::IfAbsent());
    if (!put.ok() && put.status().code() != Code::kFailedPrecondition) return put.status();
    secret = read();  // ours, or the one another server created first
  }
  if (!secret.ok()) return secret.status();
  std::lock_guard<std::mutex> lock(mu_);
  secrets_[team] = *secret;
  return *secret;
}

Result<Json> Notifier::Deliveries(const std::string& job_id) {
  store::ListRequest lr;
  lr.prefix = std::string(kDocs) + job_id + "-r";
  Json out = Json::array();
  while (true) {
    ASSIGN_OR_RETURN(store::ListResult page, store_->List(lr));
    for (const std::string& key : page.keys) {
      auto obj = store_->Get(key);
      if (!obj.ok()) {
        if (obj.status().code() == Code::kNotFound) continue;
        return obj.status();
      }
      Json doc = Json::parse(obj->bytes, nullptr, false);
      if (!doc.is_object() || doc.value("job", "") != job_id) continue;
      doc["payload"] = Json::parse(doc.value("body", "{}"), nullptr, false);
      doc.erase("body");
      out.push_back(std::move(doc));
    }
    if (!page.truncated || page.keys.empty()) break;
    lr.start_after = page.keys.back();
  }
  std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a.value("round", 0) < b.value("round", 0);
  });
  return out;
}

}  // namespace skiff::notify

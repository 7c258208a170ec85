// Notifier: delivers job notifications (webhooks and email) when jobs finish.
//
// The coordinator's listener (Listener()) only writes the delivery document of each finished job
// that asked for notifications, "notify/jobs/<job>-r<round>.json" (if absent: a "job.finished"
// delivered again after a crash finds it and adds nothing), plus a marker
// "notify/pending/<job>-r<round>" while any delivery is due, and returns: the network is never
// touched on the coordinator's thread. Delivery threads send what is due, record every attempt in
// the document (conditional puts), and retry failures with exponential backoff (base * 2^(n-1),
// at most max_backoff_ms) until max_age_ms after the job finished. Start() picks up the markers
// left by an earlier run, so pending deliveries survive a restart.
//
// Webhook: POST of a JSON body with "X-Skiff-Signature: sha256=<hex HMAC-SHA256 of the body keyed
// with the team's webhook secret>". The secret ("whsec_" + 43 base62 characters) is created on
// first use and kept at "notify/secrets/<team>.json". Email: SMTP through libcurl to the
// submitting key's email, from smtp_from.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coord/events.h"
#include "core/time.h"
#include "store/object_store.h"

namespace skiff::notify {

struct NotifierOptions {
  std::string smtp_url;   // "smtp://host:port" (or smtps://); "" disables email
  std::string smtp_from;  // envelope and From: address
  int64_t retry_base_ms = 1000;
  int64_t max_backoff_ms = 3600000;
  int64_t max_age_ms = 86400000;  // give up this long after the job finished
  int64_t timeout_ms = 10000;     // per webhook or SMTP exchange
  int threads = 2;
};

using EmailLookup = std::function<std::string(const std::string& user_id)>;

// Hex HMAC-SHA256 of `body` keyed with `secret` (what X-Skiff-Signature carries after "sha256=").
std::string SignatureHex(std::string_view secret, std::string_view body);

class Notifier {
 public:
  Notifier(store::ObjectStore* store, Clock* clock, EmailLookup email_for, NotifierOptions opts);
  ~Notifier();

  coord::EventListener Listener();
  void OnEvents(const std::vector<coord::JobEvent>& batch);

  // Loads pending deliveries and starts the delivery threads.
  Status Start();
  // Stops the threads (deliveries in flight finish first); pending ones stay on the store.
  void Stop();

  // The delivery documents of a job (every round), oldest round first, without their bodies'
  // signatures. The caller checks that the job is the caller's to see.
  Result<Json> Deliveries(const std::string& job_id);
  // The team's webhook secret, created on first use.
  Result<std::string> TeamSecret(const std::string& team);

 private:
  void Schedule(const std::string& key, int64_t at_ms);
  void DeliveryLoop();
  // Sends what is due in one document; returns when it should be looked at again (0: never).
  int64_t Process(const std::string& key);
  Status WriteForEvent(const coord::JobEvent& e);

  Json Deliver(const Json& doc, const Json& delivery);
  Json SendWebhook(const std::string& url, const std::string& team, const std::string& body);
  Json SendEmail(const std::string& to, const Json& doc);

  store::ObjectStore* const store_;
  Clock* const clock_;
  const EmailLookup email_for_;
  const NotifierOptions opts_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::multimap<int64_t, std::string> due_;  // when -> document key
  std::set<std::string> in_flight_;
  std::map<std::string, std::string> secrets_;  // team -> secret (cache)
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_retrying_{false};
};

}  // namespace skiff::notify

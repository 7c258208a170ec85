// The authorization matrix, generated from the route table: every route x every kind of caller
// (each role in the resource's team, the same roles in another team, no key, a malformed header,
// a revoked key, an expired key) against the status the caller must see. A route added to the
// router without a sample request here fails the coverage check, so the matrix cannot fall behind.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "api/api.h"
#include "api/router.h"
#include "coord/coordinator.h"
#include "core/ids.h"
#include "identity/identity.h"
#include "notify/notifier.h"
#include "usage/usage.h"
#include "store/memory/memory_store.h"
#include "testing/temp_dir.h"

namespace skiff::api {
namespace {

class ManualClock : public Clock {
 public:
  int64_t NowMs() override { return now_; }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  int64_t now_ = 1'800'000'000'000;
};

struct Caller {
  std::string label;
  std::string header;    // Authorization value
  std::string role;      // "" for callers that are not authenticated
  bool own_team = true;  // the caller's team is the resource's team
};

// What a route needs for one request: the concrete path for the resource's team ("acme") and a
// body. `ok` is the status an allowed caller gets.
struct Sample {
  std::string path;
  std::string body;
  int ok = 200;
};

class AuthzMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = "skf_" + RandomBase62(43);
    identity::IdentityOptions io;
    io.bootstrap_key_hash = Sha256Hex(bootstrap_);
    io.max_failures_per_minute = 1'000'000;  // the matrix makes many failed attempts on purpose
    auto id = identity::Identity::Open(&store_, &clock_, io);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    identity_ = std::move(id).value();
    coord::CoordinatorOptions co;
    co.journal_dir = dir_.path() + "/journal";
    auto c = coord::Coordinator::Open(&store_, &clock_, co);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    coordinator_ = std::move(c).value();
    auto log = events::EventLog::Open(&store_, &clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    events_ = std::move(log).value();
    router_ = std::make_unique<Router>(identity_.get());
    catalog_ = std::make_unique<catalog::Catalog>(&store_, &clock_);
    usage_ = std::make_unique<usage::UsageMeter>(&store_, nullptr);
    notifier_ = std::make_unique<notify::Notifier>(&store_, &clock_, nullptr,
                                                   notify::NotifierOptions{});
    ApiDeps deps{coordinator_.get(), identity_.get(), &clock_, [] { return true; }};
    deps.catalog = catalog_.get();
    deps.usage = usage_.get();
    deps.notifier = notifier_.get();
    deps.events = events_.get();
    RegisterRoutes(*router_, deps);

    identity::Principal admin{"default", Sha256Hex(bootstrap_), "admin", "", "bootstrap", {}};
    ASSERT_TRUE(identity_->CreateTeam("acme", admin).ok());
    ASSERT_TRUE(identity_->CreateTeam("other", admin).ok());
    for (const char* role : {"owner", "member", "viewer", "worker"}) {
      keys_["acme"][role] = NewKey("acme", role, 0);
      keys_["other"][role] = NewKey("other", role, 0);
    }
    std::string revoked = NewKey("acme", "owner", 0);
    auto list = identity_->ListKeys("acme");
    ASSERT_TRUE(list.ok());
    for (const auto& k : *list) {
      if (k.hash == Sha256Hex(revoked)) {
        ASSERT_TRUE(identity_->RevokeKey("acme", k.id).ok());
      }
    }
    // A public template of acme with an asset, for the catalog routes.
    auto asset = catalog_->PutAsset("preview bytes");
    ASSERT_TRUE(asset.ok());
    Json tmpl = {{"name", "pub"}, {"visibility", "public"}, {"task", {{"argv", {"true"}}}},
                 {"assets", {{{"name", "a.txt"}, {"sha256", (*asset)["sha256"]},
                              {"content_type", "text/plain"}}}}};
    ASSERT_TRUE(catalog_->Publish(tmpl, {"acme", "u", false}).ok());
    std::string expired = NewKey("acme", "owner", clock_.NowMs() + 1000);
    clock_.Advance(2000);

    callers_.push_back({"admin", "Bearer " + bootstrap_, "admin", true});
    for (const char* role : {"owner", "member", "viewer", "worker"}) {
      callers_.push_back({std::string("acme ") + role, "Bearer " + keys_["acme"][role], role, true});
      callers_.push_back(
          {std::string("other ") + role, "Bearer " + keys_["other"][role], role, false});
    }
    callers_.push_back({"no key", "", "", true});
    callers_.push_back({"malformed", "Basic dXNlcjpwYXNz", "", true});
    callers_.push_back({"unknown key", "Bearer skf_" + RandomBase62(43), "", true});
    callers_.push_back({"revoked key", "Bearer " + revoked, "", true});
    callers_.push_back({"expired key", "Bearer " + expired, "", true});
  }

  std::string NewKey(const std::string& team, const std::string& role, int64_t expires_ms) {
    identity::Principal admin{"default", "x", "admin", "", "bootstrap", {}};
    identity::NewKey nk;
    nk.team = team;
    nk.role = role;
    nk.expires_ms = expires_ms;
    auto k = identity_->CreateKey(nk, admin);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? k->second : "";
  }

  // A job of team acme, finished (so retry is allowed) or running (so cancel is allowed).
  std::string NewJob(bool finished) {
    Request req;
    req.method = "POST";
    req.path = "/v1/jobs";
    req.headers["authorization"] = "Bearer " + keys_["acme"]["member"];
    req.body = finished ? R"({"argv":["true"]})" : R"({"argv":["sleep","100"]})";
    Response r = router_->Handle(req);
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = Json::parse(r.body)["id"];
    if (finished) {  // run it to "ko" through the worker protocol
      auto leased = coordinator_->Lease({"w", 1000, 0, {}});  // everything ready, this job's too
      EXPECT_TRUE(leased.ok());
      std::vector<TaskReport> reports;
      for (const auto& t : leased->tasks) {
        TaskReport rep;
        rep.lease = t.lease;
        rep.exit = 1;
        reports.push_back(rep);
      }
      EXPECT_TRUE(coordinator_->Complete(reports).ok());
    }
    return id;
  }

  // Every route of the table needs an entry here.
  std::map<std::string, std::function<Sample()>> Samples() {
    return {
        {"GET /healthz", [] { return Sample{"/healthz", "", 200}; }},
        {"GET /readyz", [] { return Sample{"/readyz", "", 200}; }},
        {"POST /v1/jobs", [] { return Sample{"/v1/jobs", R"({"argv":["true"]})", 201}; }},
        {"GET /v1/jobs", [] { return Sample{"/v1/jobs", "", 200}; }},
        {"GET /v1/jobs/{id}", [this] { return Sample{"/v1/jobs/" + NewJob(true), "", 200}; }},
        {"POST /v1/jobs/{id}/cancel",
         [this] { return Sample{"/v1/jobs/" + NewJob(false) + "/cancel", "", 200}; }},
        {"POST /v1/jobs/{id}/retry",
         [this] { return Sample{"/v1/jobs/" + NewJob(true) + "/retry", "", 200}; }},
        {"POST /v1/worker/lease", [] { return Sample{"/v1/worker/lease", R"({"max":1})", 200}; }},
        {"POST /v1/worker/heartbeat",
         [] { return Sample{"/v1/worker/heartbeat", R"({"leases":[]})", 200}; }},
        {"POST /v1/worker/complete",
         [] { return Sample{"/v1/worker/complete", R"({"results":[]})", 200}; }},
        {"POST /v1/teams",
         [] { return Sample{"/v1/teams", R"({"name":"t)" + RandomHex(4) + R"("})", 201}; }},
        {"GET /v1/teams", [] { return Sample{"/v1/teams", "", 200}; }},
        {"POST /v1/teams/{team}/keys",
         [] { return Sample{"/v1/teams/acme/keys", R"({"role":"member"})", 201}; }},
        {"GET /v1/teams/{team}/keys", [] { return Sample{"/v1/teams/acme/keys", "", 200}; }},
        {"DELETE /v1/teams/{team}/keys/{key}",
         [this] {
           std::string k = NewKey("acme", "viewer", 0);
           std::string id;
           auto keys = identity_->ListKeys("acme");
           for (const auto& rec : keys.value()) {
             if (rec.hash == Sha256Hex(k)) id = rec.id;
           }
           return Sample{"/v1/teams/acme/keys/" + id, "", 200};
         }},
        {"GET /v1/whoami", [] { return Sample{"/v1/whoami", "", 200}; }},
        // Usage: the caller's own team by default (so 200 for another team's member too).
        {"GET /v1/usage", [] { return Sample{"/v1/usage", "", 200}; }},
        {"GET /v1/usage/export.csv", [] { return Sample{"/v1/usage/export.csv", "", 200}; }},
        {"GET /v1/jobs/{id}/notifications",
         [this] { return Sample{"/v1/jobs/" + NewJob(true) + "/notifications", "", 200}; }},
        {"GET /v1/teams/{team}/webhook-secret",
         [] { return Sample{"/v1/teams/acme/webhook-secret", "", 200}; }},
        {"GET /v1/catalog", [] { return Sample{"/v1/catalog", "", 200}; }},
        {"POST /v1/catalog",
         [] {
           return Sample{"/v1/catalog",
                         R"({"name":"t)" + RandomHex(4) + R"(","task":{"argv":["true"]}})", 201};
         }},
        {"POST /v1/catalog/assets", [] { return Sample{"/v1/catalog/assets", "bytes", 201}; }},
        {"GET /v1/catalog/{name}", [] { return Sample{"/v1/catalog/pub", "", 200}; }},
        {"GET /v1/catalog/{name}/assets/{asset}",
         [] { return Sample{"/v1/catalog/pub/assets/a.txt", "", 200}; }},
        {"GET /metrics", [] { return Sample{"/metrics", "", 200}; }},
        {"GET /v1/events", [] { return Sample{"/v1/events", "", 200}; }},
        {"GET /v1/logs", [] { return Sample{"/v1/logs", "", 200}; }},
        {"GET /v1/jobs/{id}/logs",
         [this] { return Sample{"/v1/jobs/" + NewJob(true) + "/logs", "", 200}; }},
    };
  }

  // The status `caller` must get on `route`.
  int Expected(const Router::RouteInfo& route, const Caller& caller, const Sample& sample) {
    if (route.perm == Permission::kPublic) return sample.ok;
    if (caller.role.empty()) return 401;
    if (!RoleAllows(caller.role, route.perm)) return 403;
    if (caller.role == "admin") return sample.ok;
    // A resource of another team does not exist for the caller.
    bool team_scoped = route.pattern.find("{id}") != std::string::npos ||
                       route.pattern.find("{team}") != std::string::npos;
    if (team_scoped && !caller.own_team) return 404;
    return sample.ok;
  }

  testing::TempDir dir_;
  store::MemoryStore store_;
  ManualClock clock_;
  std::string bootstrap_;
  std::unique_ptr<identity::Identity> identity_;
  std::unique_ptr<coord::Coordinator> coordinator_;
  std::unique_ptr<usage::UsageMeter> usage_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<Router> router_;
  std::map<std::string, std::map<std::string, std::string>> keys_;
  std::vector<Caller> callers_;
};

TEST_F(AuthzMatrixTest, EveryRouteEveryCaller) {
  auto samples = Samples();
  std::set<std::string> covered;
  int checked = 0;
  for (const auto& route : router_->Routes()) {
    std::string name = route.method + " " + route.pattern;
    auto it = samples.find(name);
    ASSERT_NE(it, samples.end()) << "route " << name << " has no sample in the matrix test";
    covered.insert(name);
    for (const Caller& caller : callers_) {
      Sample sample = it->second();  // fresh resource per request (cancel, revoke change state)
      Request req;
      req.method = route.method;
      req.path = sample.path;
      req.remote = "127.0.0.1:5000";
      req.body = sample.body;
      if (!caller.header.empty()) req.headers["authorization"] = caller.header;
      Response res = router_->Handle(req);
      int want = Expected(route, caller, sample);
      EXPECT_EQ(res.status, want) << name << " as " << caller.label << ": " << res.body;
      if (res.status >= 400) {
        auto body = Json::parse(res.body);
        EXPECT_TRUE(body["error"]["message"].is_string()) << res.body;
      }
      ++checked;
    }
  }
  EXPECT_EQ(covered.size(), samples.size()) << "a sample names a route that no longer exists";
  EXPECT_GT(checked, 200);
}

TEST_F(AuthzMatrixTest, UnauthenticatedAnswersSayWhatIsWrong) {
  struct Case {
    std::string header;
    std::string says;
  };
  std::string revoked;
  for (const Caller& c : callers_) {
    if (c.label == "revoked key") revoked = c.header;
  }
  for (const Case& c : std::vector<Case>{{"", "missing"},
                                         {"Basic abc", "malformed"},
                                         {"Bearer ", "malformed"},
                                         {"Bearer skf_!!", "malformed"},
                                         {"Bearer skf_" + std::string(5000, 'a'), "malformed"},
                                         {"Bearer skf_abc", "unknown"},
                                         {revoked, "revoked"}}) {
    Request req;
    req.method = "GET";
    req.path = "/v1/jobs";
    req.remote = "127.0.0.1:1";
    if (!c.header.empty()) req.headers["authorization"] = c.header;
    Response res = router_->Handle(req);
    EXPECT_EQ(res.status, 401) << c.header;
    EXPECT_NE(res.body.find(c.says), std::string::npos) << res.body;
  }
}

}  // namespace
}  // namespace skiff::api

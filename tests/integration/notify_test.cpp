// Notifications end to end: a signed webhook the receiving server verifies with the team's
// secret, retries after the receiver fails twice, a pending delivery that survives kill -9, an
// email read back from a local SMTP sink, and bad notify specs refused with the field named.
#include <atomic>

#include "notify/notifier.h"
#include "testing/canned_http_server.h"
#include "testing/smtp_sink.h"
#include "usage_it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::CannedResponse;
using skiff::testing::RecordedRequest;
using skiff::testing::TestHttpServer;

// A webhook receiver that answers 500 to the first `failures` deliveries, then 200, and checks
// each signature with the secret it is given.
class Receiver {
 public:
  explicit Receiver(int failures)
      : failures_(failures), server_([this](const RecordedRequest& r) { return Handle(r); }) {}
  void set_secret(const std::string& s) {
    std::lock_guard<std::mutex> lock(mu_);
    secret_ = s;
  }
  void set_failures(int n) { failures_ = n; }
  std::string url() const { return server_.url() + "/hooks/skiff"; }
  int received() const { return received_; }
  int verified() const { return verified_; }
  std::vector<RecordedRequest> requests() const { return server_.requests(); }

 private:
  CannedResponse Handle(const RecordedRequest& r) {
    ++received_;
    std::string secret;
    {
      std::lock_guard<std::mutex> lock(mu_);
      secret = secret_;
    }
    auto it = r.headers.find("x-skiff-signature");
    if (it != r.headers.end() && !secret.empty() &&
        it->second == "sha256=" + notify::SignatureHex(secret, r.body)) {
      ++verified_;
    }
    if (failures_-- > 0) return {500, R"({"error":"try later"})", {}};
    return {200, "{}", {}};
  }

  std::atomic<int> failures_;
  std::atomic<int> received_{0};
  std::atomic<int> verified_{0};
  std::mutex mu_;
  std::string secret_;
  TestHttpServer server_;
};

// The delivery of one channel from GET /v1/jobs/{id}/notifications (null when absent).
Json DeliveryOf(net::HttpClient& http, const std::string& job, const std::string& channel) {
  Answer a = Call(http, "GET", "/v1/jobs/" + job + "/notifications");
  if (a.status != 200) return Json();
  for (const Json& n : a.body["notifications"]) {
    for (const Json& d : n["deliveries"]) {
      if (d["channel"] == channel) return d;
    }
  }
  return Json();
}

TEST(NotifyTest, SignedWebhookIsRetriedUntilTheReceiverTakesIt) {
  Receiver receiver(/*failures=*/2);
  TestServer server(Opts(2, {"--notify-retry-ms", "100"}));
  ASSERT_TRUE(server.started());
  auto admin = server.Client();
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"acme"})").status, 201);
  std::string owner = MakeKey(*admin, "acme", {{"role", "owner"}, {"email", "o@acme.io"}});
  std::string member = MakeKey(*admin, "acme", {{"role", "member"}});
  auto http = server.ClientWithKey(owner);

  // The secret: for the team's owners, not its members, and nobody else's.
  Answer secret = Call(*http, "GET", "/v1/teams/acme/webhook-secret");
  ASSERT_EQ(secret.status, 200) << secret.raw;
  std::string s = secret.body["secret"];
  EXPECT_EQ(s.rfind("whsec_", 0), 0u);
  EXPECT_EQ(Call(*server.ClientWithKey(member), "GET", "/v1/teams/acme/webhook-secret").status,
            403);
  EXPECT_EQ(Call(*http, "GET", "/v1/teams/globex/webhook-secret").status, 404);
  EXPECT_EQ(Call(*http, "GET", "/v1/teams/acme/webhook-secret").body["secret"], s);  // stable
  receiver.set_secret(s);

  Answer sub = Call(*http, "POST", "/v1/jobs",
                    ShJob("true", {{"items", 2},
                                   {"correlation_id", "order-42"},
                                   {"notify", {{"webhook", receiver.url()}}}})
                        .dump());
  ASSERT_EQ(sub.status, 201) << sub.raw;
  std::string id = sub.body["id"];
  EXPECT_EQ(sub.body["notify"]["webhook"], receiver.url());
  IT_ASSIGN_OR_FAIL(Json done, server.WaitFinished(id));
  ASSERT_TRUE(WaitUntil([&] { return DeliveryOf(*http, id, "webhook")["state"] == "delivered"; },
                        seconds(15)));
  EXPECT_EQ(receiver.received(), 3);
  EXPECT_EQ(receiver.verified(), 3);
  Json d = DeliveryOf(*http, id, "webhook");
  ASSERT_EQ(d["attempts"].size(), 3u) << d.dump();
  EXPECT_EQ(d["attempts"][0]["ok"], false);
  EXPECT_EQ(d["attempts"][0]["status"], 500);
  EXPECT_EQ(d["attempts"][2]["ok"], true);
  // Backoff: the second wait is about twice the first (100 ms, then 200 ms).
  int64_t t0 = ParseTimeMs(d["attempts"][0]["at"]), t1 = ParseTimeMs(d["attempts"][1]["at"]),
          t2 = ParseTimeMs(d["attempts"][2]["at"]);
  EXPECT_GE(t1 - t0, 90);
  EXPECT_GE(t2 - t1, 180);

  auto requests = receiver.requests();
  ASSERT_FALSE(requests.empty());
  auto body = ParseJson(requests.back().body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["job"], id);
  EXPECT_EQ((*body)["status"], "succeeded");
  EXPECT_EQ((*body)["counts"]["ok"], 2);
  EXPECT_EQ((*body)["correlation_id"], "order-42");
  EXPECT_GT(ParseTimeMs((*body)["finished_at"]), 0);
  EXPECT_EQ(requests.back().headers["x-skiff-event"], "job.finished");
  // A tampered body would not verify.
  EXPECT_NE(requests.back().headers["x-skiff-signature"],
            "sha256=" + notify::SignatureHex(s, requests.back().body + " "));

  // Another team's member cannot see the job's notifications.
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"globex"})").status, 201);
  auto other = server.ClientWithKey(MakeKey(*admin, "globex", {{"role", "member"}}));
  EXPECT_EQ(Call(*other, "GET", "/v1/jobs/" + id + "/notifications").status, 404);
}

TEST(NotifyTest, PendingDeliverySurvivesAKill9) {
  Receiver receiver(/*failures=*/1000000);
  TestServer server(Opts(1, {"--notify-retry-ms", "100"}));
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  IT_ASSIGN_OR_FAIL(Json job,
                    server.Submit(ShJob("true", {{"notify", {{"webhook", receiver.url()}}}})));
  std::string id = job["id"];
  ASSERT_TRUE(WaitUntil([&] { return receiver.received() >= 2; }, seconds(15)));
  server.Kill9();
  receiver.set_failures(0);
  int before = receiver.received();
  server.Restart();
  ASSERT_TRUE(server.started());
  http = server.Client();
  ASSERT_TRUE(WaitUntil([&] { return DeliveryOf(*http, id, "webhook")["state"] == "delivered"; },
                        seconds(15)));
  EXPECT_GT(receiver.received(), before);
  Json d = DeliveryOf(*http, id, "webhook");
  EXPECT_GE(d["attempts"].size(), 3u);
  EXPECT_EQ(d["attempts"].back()["ok"], true);
}

TEST(NotifyTest, ASlowReceiverHoldsUpNoOtherJob) {
  std::atomic<int> calls{0};
  TestHttpServer slow([&](const RecordedRequest&) {
    ++calls;
    std::this_thread::sleep_for(seconds(3));  // a receiver that takes its time
    return CannedResponse{200, "{}", {}};
  });
  TestServer server(Opts(2));
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  IT_ASSIGN_OR_FAIL(Json a, server.Submit(ShJob("true", {{"notify", {{"webhook", slow.url()}}}})));
  IT_ASSIGN_OR_FAIL(Json a_done, server.WaitFinished(a["id"]));
  ASSERT_TRUE(WaitUntil([&] { return calls.load() == 1; }, seconds(5)));
  // While that delivery hangs, another job finishes and is metered at once: the coordinator's
  // event dispatch (which usage shares) never waits on the network.
  auto t0 = Clock::now();
  IT_ASSIGN_OR_FAIL(Json b, server.Submit(ShJob("true")));
  IT_ASSIGN_OR_FAIL(Json b_done, server.WaitFinished(b["id"]));
  ASSERT_TRUE(WaitUntil([&] {
    return Call(*http, "GET", "/v1/usage").body["jobs"] == 2;
  }, seconds(2)));
  EXPECT_LT(MsSince(t0), 2000);
  ASSERT_TRUE(WaitUntil([&] { return DeliveryOf(*http, a["id"], "webhook")["state"] == "delivered"; },
                        seconds(10)));
}

TEST(NotifyTest, EmailGoesToTheSubmittingKeysAddress) {
  testing::SmtpSink sink;
  TestServer server(Opts(1, {"--smtp-url", sink.url(), "--smtp-from", "jobs@skiff.test"}));
  ASSERT_TRUE(server.started());
  auto admin = server.Client();
  ASSERT_EQ(Call(*admin, "POST", "/v1/teams", R"({"name":"acme"})").status, 201);
  std::string ann = MakeKey(*admin, "acme", {{"role", "member"}, {"email", "ann@acme.io"}});
  std::string nomail = MakeKey(*admin, "acme", {{"role", "member"}});
  auto http = server.ClientWithKey(ann);
  Answer sub = Call(*http, "POST", "/v1/jobs",
                    ShJob("exit 3", {{"name", "nightly"}, {"notify", {{"email", true}}}}).dump());
  ASSERT_EQ(sub.status, 201) << sub.raw;
  std::string id = sub.body["id"];
  ASSERT_TRUE(sink.WaitFor(1, seconds(15)));
  testing::SmtpMessage m = sink.messages()[0];
  EXPECT_EQ(m.mail_from, "jobs@skiff.test");
  ASSERT_EQ(m.rcpt_to.size(), 1u);
  EXPECT_EQ(m.rcpt_to[0], "ann@acme.io");
  EXPECT_NE(m.data.find("To: ann@acme.io\r\n"), std::string::npos) << m.data;
  EXPECT_NE(m.data.find("Subject: [skiff] job " + id + " failed\r\n"), std::string::npos) << m.data;
  EXPECT_NE(m.data.find("1 total, 0 ok, 1 failed"), std::string::npos) << m.data;
  ASSERT_TRUE(WaitUntil([&] { return DeliveryOf(*http, id, "email")["state"] == "delivered"; },
                        seconds(10)));

  // A key without an email: the delivery is recorded as failed with the reason, not retried.
  auto no_http = server.ClientWithKey(nomail);
  sub = Call(*no_http, "POST", "/v1/jobs", ShJob("true", {{"notify", {{"email", true}}}}).dump());
  ASSERT_EQ(sub.status, 201);
  std::string id2 = sub.body["id"];
  ASSERT_TRUE(WaitUntil([&] { return DeliveryOf(*no_http, id2, "email")["state"] == "failed"; },
                        seconds(10)));
  EXPECT_EQ(DeliveryOf(*no_http, id2, "email")["error"], "the submitting key has no email");
  EXPECT_EQ(sink.messages().size(), 1u);
}

TEST(NotifyTest, BadNotifySpecIsRefusedNamingTheField) {
  TestServer server(Opts(1));
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  struct Case {
    Json notify;
    std::string needle;
  };
  std::vector<Case> cases = {
      {"yes", "notify: expected an object"},
      {{{"webhook", "ftp://example.com/x"}}, "notify.webhook: expected an http"},
      {{{"webhook", "http://"}}, "notify.webhook"},
      {{{"webhook", 42}}, "notify.webhook"},
      {{{"email", "yes"}}, "notify.email"},
      {{{"emial", true}}, "notify.emial"},
      {Json::object(), "notify: set webhook"},
  };
  for (const Case& c : cases) {
    Answer a = Call(*http, "POST", "/v1/jobs", ShJob("true", {{"notify", c.notify}}).dump());
    EXPECT_EQ(a.status, 400) << c.notify.dump();
    EXPECT_NE(a.body["error"]["message"].get<std::string>().find(c.needle), std::string::npos)
        << a.raw;
  }
  auto ids = server.ListJobIds();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

}  // namespace
}  // namespace skiff::it

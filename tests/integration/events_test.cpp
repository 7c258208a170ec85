// The event log end to end: Server-Sent Events with Last-Event-ID resume (across a reconnect and
// a restart), team isolation, audit events, bad input, and `skiff events`.
#include <set>
#include <sstream>
#include <thread>

#include "core/ids.h"
#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::RawBody;
using skiff::testing::RawExchange;
using skiff::testing::RawStatus;

struct Sse {
  int status = 0;
  std::vector<Json> events;  // the data of each frame
};

// GET `target` over a raw socket, reading for `duration` (a following stream never ends).
Sse ReadEvents(const TestServer& server, const std::string& key, const std::string& target,
               milliseconds duration, const std::string& last_event_id = "") {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                    "\r\nAccept: text/event-stream\r\nConnection: close\r\n";
  if (!last_event_id.empty()) req += "Last-Event-ID: " + last_event_id + "\r\n";
  req += "\r\n";
  std::string raw = RawExchange(server.port(), req, duration);
  Sse out;
  out.status = RawStatus(raw);
  std::istringstream in(RawBody(raw));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    auto j = ParseJson(line.substr(6));
    if (j.ok()) out.events.push_back(*j);
  }
  return out;
}

std::vector<uint64_t> Seqs(const Sse& s) {
  std::vector<uint64_t> out;
  for (const Json& e : s.events) out.push_back(e["seq"].get<uint64_t>());
  return out;
}

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions o;
    o.workers = 1;
    server_ = std::make_unique<TestServer>(o);
    ASSERT_TRUE(server_->started());
    admin_ = server_->Client();
    for (const char* team : {"acme", "globex"}) {
      ASSERT_EQ(admin_->Post("/v1/teams", Json{{"name", team}}.dump())->status, 201);
      auto k = admin_->Post(std::string("/v1/teams/") + team + "/keys", R"({"role":"member"})");
      ASSERT_EQ(k->status, 201);
      keys_[team] = Json::parse(k->body)["key"];
    }
  }

  std::string RunJob(const std::string& team, const std::string& script = "true") {
    auto r = server_->ClientWithKey(keys_[team])->Post("/v1/jobs", ShJob(script).dump());
    EXPECT_EQ(r->status, 201) << r->body;
    std::string id = Json::parse(r->body)["id"];
    EXPECT_TRUE(server_->WaitFinished(id, seconds(60)).ok());
    return id;
  }

  // Waits until the log holds `n` events for the admin (events reach the log asynchronously).
  void WaitForEvents(size_t n) {
    ASSERT_TRUE(WaitUntil(
        [&] {
          return ReadEvents(*server_, server_->key(), "/v1/events?follow=0", seconds(10))
                     .events.size() >= n;
        },
        seconds(10), milliseconds(50)));
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<net::HttpClient> admin_;
  std::map<std::string, std::string> keys_;
};

TEST_F(EventsTest, ResumeWithLastEventIdLosesNoEventAcrossReconnectsAndRestarts) {
  RunJob("acme");
  RunJob("acme", "exit 1");
  // 2 teams + 2 keys + 2 jobs x (created, leased, ok|ko, finished)
  WaitForEvents(12);
  // A follower reads for a while and goes away.
  Sse first = ReadEvents(*server_, server_->key(), "/v1/events", milliseconds(800));
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.events.size(), 12u);
  std::vector<uint64_t> seqs = Seqs(first);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);

  // While it is away, more happens; it comes back with the last id it saw.
  RunJob("acme");
  RunJob("globex");
  WaitForEvents(20);
  std::string last = std::to_string(seqs.back());
  // A live stream also sees an event that happens while it is connected.
  Sse live;
  std::thread reader([&] {
    live = ReadEvents(*server_, server_->key(), "/v1/events", milliseconds(2500), last);
  });
  std::this_thread::sleep_for(milliseconds(500));
  std::string during = RunJob("acme");
  reader.join();
  ASSERT_EQ(live.status, 200);
  std::vector<uint64_t> resumed = Seqs(live);
  ASSERT_EQ(resumed.size(), 12u) << live.events.size();
  for (size_t i = 0; i < resumed.size(); ++i) EXPECT_EQ(resumed[i], seqs.back() + 1 + i);
  EXPECT_EQ(live.events.back()["job"], during);
  EXPECT_EQ(live.events.back()["type"], "job.finished");

  // After a restart the numbering goes on, and older events are read back from the store.
  ASSERT_EQ(server_->Terminate(), 0);
  server_->Restart();
  ASSERT_TRUE(server_->started());
  RunJob("acme");
  WaitForEvents(28);
  Sse after = ReadEvents(*server_, server_->key(), "/v1/events?follow=0", seconds(10), "10");
  std::vector<uint64_t> got = Seqs(after);
  ASSERT_EQ(got.size(), 18u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], 11 + i);
}

TEST_F(EventsTest, TeamsSeeOnlyTheirOwnEventsAndAuditEventsHoldNoSecret) {
  std::string acme_job = RunJob("acme");
  std::string globex_job = RunJob("globex");
  WaitForEvents(12);
  Sse acme = ReadEvents(*server_, keys_["acme"], "/v1/events?follow=0", seconds(10));
  ASSERT_EQ(acme.status, 200);
  std::set<std::string> types;
  for (const Json& e : acme.events) {
    EXPECT_EQ(e["team"], "acme") << e.dump();
    EXPECT_NE(e["job"], globex_job);
    types.insert(e["type"]);
  }
  EXPECT_EQ(types, (std::set<std::string>{"team.created", "key.created", "job.created",
                                          "task.leased", "task.ok", "job.finished"}));
  // Another team's job id as a filter gives nothing, not an error.
  Sse probe = ReadEvents(*server_, keys_["acme"], "/v1/events?follow=0&job=" + globex_job,
                         seconds(10));
  EXPECT_EQ(probe.status, 200);
  EXPECT_TRUE(probe.events.empty());
  // Filters by type and job.
  Sse finished = ReadEvents(*server_, keys_["acme"],
                            "/v1/events?follow=0&types=job.finished,task.ok&job=" + acme_job,
                            seconds(10));
  ASSERT_EQ(finished.events.size(), 2u);
  EXPECT_EQ(finished.events[0]["type"], "task.ok");
  EXPECT_EQ(finished.events[0]["task"], "t-0001");
  EXPECT_EQ(finished.events[1]["type"], "job.finished");
  EXPECT_EQ(finished.events[1]["data"]["status"], "succeeded");
  EXPECT_FALSE(finished.events[1]["correlation_id"].get<std::string>().empty());
  // The admin sees both teams. Audit events name the key, never carry it.
  Sse all = ReadEvents(*server_, server_->key(), "/v1/events?follow=0&types=key.created",
                       seconds(10));
  ASSERT_EQ(all.events.size(), 2u);
  for (const Json& e : all.events) {
    EXPECT_TRUE(e["data"]["key_id"].is_string());
    EXPECT_EQ(e["data"]["by"], Sha256Hex(server_->key()));
    for (const auto& [team, key] : keys_) EXPECT_EQ(e.dump().find(key), std::string::npos);
  }
  auto revoke_target = admin_->Post("/v1/teams/acme/keys", R"({"role":"viewer"})");
  std::string key_id = Json::parse(revoke_target->body)["id"];
  ASSERT_EQ(admin_->Delete("/v1/teams/acme/keys/" + key_id)->status, 200);
  ASSERT_TRUE(WaitUntil(
      [&] {
        Sse r = ReadEvents(*server_, keys_["acme"], "/v1/events?follow=0&types=key.revoked",
                           seconds(10));
        return r.events.size() == 1 && r.events[0]["data"]["key_id"] == key_id;
      },
      seconds(5)));
}

TEST_F(EventsTest, BadRequestsAreRefusedWithTheReason) {
  auto acme = server_->ClientWithKey(keys_["acme"]);
  auto bad = [&](const std::string& path, const std::string& says,
                 const net::HttpHeaders& headers = {}) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                      "Authorization: Bearer " + keys_["acme"] + "\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    std::string raw = RawExchange(server_->port(), req + "\r\n", seconds(10));
    EXPECT_EQ(RawStatus(raw), 400) << path;
    EXPECT_NE(RawBody(raw).find(says), std::string::npos) << RawBody(raw);
  };
  bad("/v1/events?types=job.finished,nope", "unknown event type \\\"nope\\\"");
  bad("/v1/events?follow=2", "follow");
  bad("/v1/events?last_event_id=-1", "last_event_id");
  bad("/v1/events?colour=red", "colour");
  bad("/v1/events", "Last-Event-ID", {{"Last-Event-ID", "abc"}});
  EXPECT_EQ(server_->ClientWithKey("")->Get("/v1/events?follow=0")->status, 401);
  // The server is still fine.
  EXPECT_EQ(ReadEvents(*server_, keys_["acme"], "/v1/events?follow=0", seconds(10)).status, 200);
}

TEST_F(EventsTest, CliPrintsAndFollowsEvents) {
  std::string id = RunJob("acme");
  WaitForEvents(8);
  testing::Env as_acme = {{"SKIFF_KEY", keys_["acme"]}};
  auto r = server_->RunCli({"events", "--type", "job.finished"}, as_acme);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("job.finished  acme  " + id), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("task.ok"), std::string::npos);
  auto js = server_->RunCli({"events", "--job", id, "-o", "json"}, as_acme);
  ASSERT_EQ(js.exit_code, 0) << js.err;
  std::istringstream lines(js.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_EQ(Json::parse(line)["job"], id);
  }
  EXPECT_EQ(n, 4);
  auto bad = server_->RunCli({"events", "--type", "nope"}, as_acme);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("unknown event type"), std::string::npos) << bad.err;

  // -f keeps going: a job submitted while it runs shows up, then it is stopped.
  std::string later;
  std::thread submitter([&] {
    std::this_thread::sleep_for(milliseconds(800));
    later = RunJob("acme");
  });
  std::string out = server_->scratch() + "/follow.out";
  {
    testing::Subprocess follow({SKIFF_BINARY, "events", "-f", "--type", "job.finished"},
                               {{"SKIFF_SERVER", server_->url()},
                                {"SKIFF_KEY", keys_["acme"]},
                                {"XDG_CONFIG_HOME", server_->scratch() + "/xdg"}},
                               out, out);
    submitter.join();
    EXPECT_TRUE(WaitUntil(
        [&] { return testing::ReadFileOrEmpty(out).find(later) != std::string::npos; },
        seconds(10)));
    EXPECT_TRUE(follow.Running()) << "-f ended by itself";
  }
  std::string followed = testing::ReadFileOrEmpty(out);
  EXPECT_NE(followed.find(id), std::string::npos) << followed;
  EXPECT_NE(followed.find(later), std::string::npos) << followed;
  // Each event once.
  EXPECT_EQ(followed.find(id), followed.rfind(id));
}

}  // namespace
}  // namespace skiff::it

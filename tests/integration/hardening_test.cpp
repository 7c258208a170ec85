// Network hardening, black-box against the real binary: slow clients are cut off while everyone
// else is served, per-key request rate limits answer 429 with Retry-After, and SIGTERM during a
// submit load stops the server cleanly without losing any job it acknowledged.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>

#include "it_util.h"

namespace skiff::it {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Slowloris: many connections each sending a request head one byte at a time, never finishing it.
// The server must answer 408 and close each within its request deadline (2 s here), and keep
// answering other clients promptly the whole time.
TEST(HardeningTest, SlowlorisClientsAreCutOffAndOthersAreStillServed) {
  TestServerOptions o;
  o.verb = "server";
  o.extra_args = {"--request-timeout-ms", "2000"};
  TestServer server(o);
  ASSERT_TRUE(server.started());
  constexpr int kSlow = 64;
  const std::string head = "GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " +
                           std::string(4000, 's');  // never ends with the blank line
  struct Conn {
    int fd = -1;
    size_t sent = 0;
    std::string got;
    bool closed = false;
    int64_t closed_ms = -1;
  };
  std::vector<Conn> conns(kSlow);
  for (Conn& c : conns) {
    c.fd = Connect(server.port());
    ASSERT_GE(c.fd, 0);
  }
  auto t0 = Clock::now();
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    // One byte per connection every 50 ms, for at most 8 s.
    while (!done && Clock::now() - t0 < seconds(8)) {
      for (Conn& c : conns) {
        if (c.closed) continue;
        if (c.sent < head.size() && ::send(c.fd, head.data() + c.sent, 1, MSG_NOSIGNAL) == 1) {
          ++c.sent;
        }
        char buf[4096];
        pollfd p = {c.fd, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {
          ssize_t n = ::recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
          if (n > 0) c.got.append(buf, static_cast<size_t>(n));
          if (n == 0 || (n < 0 && errno != EAGAIN)) {
            c.closed = true;
            c.closed_ms = MsSince(t0);
          }
        }
      }
      bool all = true;
      for (const Conn& c : conns) all = all && c.closed;
      if (all) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  // Meanwhile a normal client is served without waiting for the slow ones.
  auto http = server.Client({1000, 2000});
  int64_t worst_ms = 0;
  for (int i = 0; i < 20; ++i) {
    auto r0 = Clock::now();
    auto r = http->Get("/v1/jobs");
    worst_ms = std::max(worst_ms, MsSince(r0));
    if (!r.ok()) {  // not ASSERT: the trickle thread must be joined
      ADD_FAILURE() << "a normal request failed during the slowloris: " << r.status().message();
      break;
    }
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(milliseconds(150));
  }
  trickle.join();
  done = true;
  int cut = 0, answered_408 = 0;
  int64_t last_cut_ms = 0;
  for (Conn& c : conns) {
    if (c.closed) {
      ++cut;
      last_cut_ms = std::max(last_cut_ms, c.closed_ms);
    }
    if (skiff::testing::RawStatus(c.got) == 408) ++answered_408;
    ::close(c.fd);
  }
  std::cout << kSlow << " slowloris connections: " << cut << " cut off (" << answered_408
            << " with 408), the last after " << last_cut_ms << " ms; slowest normal request "
            << worst_ms << " ms\n";
  EXPECT_EQ(cut, kSlow) << "slow clients kept their connections past the request deadline";
  EXPECT_EQ(answered_408, kSlow);
  EXPECT_LT(last_cut_ms, 5000);
  EXPECT_LT(worst_ms, 1000) << "slow clients delayed a normal request";
  auto h = http->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

TEST(HardeningTest, PerKeyRateLimitAnswers429WithRetryAfterAndSparesOtherKeys) {
  TestServerOptions o;
  o.verb = "server";
  o.extra_args = {"--rate-limit", "5"};
  TestServer server(o);
  ASSERT_TRUE(server.started());
  auto admin = server.Client();
  auto team = admin->Post("/v1/teams", R"({"name":"acme"})");
  ASSERT_TRUE(team.ok());
  ASSERT_EQ(team->status, 201) << team->body;
  auto made = admin->Post("/v1/teams/acme/keys", R"({"role":"member"})");
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->status, 201) << made->body;
  IT_ASSIGN_OR_FAIL(Json key_doc, ParseJson(made->body));
  auto member = server.ClientWithKey(key_doc["key"].get<std::string>());

  int ok = 0, limited = 0;
  std::string retry_after, body;
  for (int i = 0; i < 30; ++i) {
    auto r = member->Get("/v1/whoami");
    ASSERT_TRUE(r.ok());
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      retry_after = r->Header("retry-after");
      body = r->body;
    }
  }
  std::cout << "30 back-to-back requests at --rate-limit 5: " << ok << " answered, " << limited
            << " got 429 (Retry-After: " << retry_after << ")\n";
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 8) << "the limit let through far more than the burst";
  EXPECT_EQ(ok + limited, 30);
  EXPECT_EQ(retry_after, "1");
  EXPECT_NE(body.find("\"resource_exhausted\""), std::string::npos) << body;
  EXPECT_NE(body.find("rate limit of 5 requests a second"), std::string::npos) << body;

  // Another key and the unauthenticated health check are not affected.
  auto w = admin->Get("/v1/whoami");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, 200);
  auto h = member->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  // After Retry-After the limited key is served again.
  std::this_thread::sleep_for(milliseconds(1100));
  auto again = member->Get("/v1/whoami");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200) << again->body;
}

// SIGTERM while clients submit as fast as they can: the server stops accepting, finishes the
// requests in flight, drains the long polls of its workers, flushes the journal, checkpoints and
// exits 0. After a restart every job whose submit got a 2xx is there, and runs to the end.
TEST(HardeningTest, SigtermDuringASubmitLoadExitsZeroAndKeepsEveryAcknowledgedJob) {
  TestServerOptions o;
  o.workers = 2;
  o.lease_ms = 2000;  // tasks the killed standalone worker held run again soon after the restart
  TestServer server(o);
  ASSERT_TRUE(server.started());
  // A standalone worker too: its long-poll leases must end at once when the server stops.
  std::unique_ptr<skiff::testing::Subprocess> worker = server.StartWorker(2, "standalone");
  std::mutex mu;
  std::vector<std::string> acked;  // guarded by mu
  std::atomic<int> attempted{0}, refused{0}, transport_errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  const std::string url = server.url(), key = server.key();
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      net::HttpClient http(url, key, {1000, 10000});
      const std::string text = ShJob("echo c" + std::to_string(c), {{"items", 2}}).dump();
      for (int i = 0; i < 5000 && !stop; ++i) {
        ++attempted;
        auto r = http.Post("/v1/jobs", text);
        if (!r.ok()) {
          ++transport_errors;
          std::this_thread::sleep_for(milliseconds(20));
          continue;
        }
        if (r->status / 100 != 2) {
          ++refused;
          continue;
        }
        auto j = ParseJson(r->body);
        ASSERT_TRUE(j.ok());
        std::lock_guard<std::mutex> lock(mu);
        acked.push_back((*j)["id"].get<std::string>());
      }
    });
  }
  struct Joiner {  // however the test body ends
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{stop, clients};
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return acked.size() >= 50;
      },
      seconds(60), milliseconds(5)));
  pid_t pid = server.pid();
  auto t0 = Clock::now();
  ::kill(pid, SIGTERM);
  // Keep submitting through the stop: later submits are refused or find no server, never lost.
  std::this_thread::sleep_for(milliseconds(300));
  int status = server.Terminate(seconds(30));
  int64_t stop_ms = MsSince(t0);
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(status, 0) << "the server did not exit 0 on SIGTERM";
  EXPECT_LT(stop_ms, 5000) << "long polls or requests in flight held the stop up";
  std::cout << "SIGTERM under load: " << attempted << " submits attempted, " << acked.size()
            << " acknowledged, " << refused << " refused, " << transport_errors
            << " transport errors; the server stopped in " << stop_ms << " ms\n";

  worker->Kill9();
  server.Restart();
  ASSERT_TRUE(server.started());
  IT_ASSIGN_OR_FAIL(std::vector<std::string> listed, server.ListJobIds());
  std::set<std::string> present(listed.begin(), listed.end());
  int missing = 0;
  for (const std::string& id : acked) {
    if (present.count(id) == 0 && !server.GetJob(id, false).ok()) {
      ++missing;
      ADD_FAILURE() << "acknowledged job " << id << " is gone after a graceful stop";
    }
  }
  EXPECT_EQ(missing, 0);
  // The last acknowledged jobs run to the end after the restart.
  for (size_t i = acked.size() >= 3 ? acked.size() - 3 : 0; i < acked.size(); ++i) {
    IT_ASSIGN_OR_FAIL(Json j, server.WaitFinished(acked[i], seconds(60)));
    EXPECT_EQ(j["status"], "succeeded") << acked[i];
  }
}

}  // namespace
}  // namespace skiff::it

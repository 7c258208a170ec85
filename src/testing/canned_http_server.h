// TestHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) answering canned responses,
// for the CLI's unit tests only. It records every request and counts connections, so tests check
// what the client sent and that it kept the connection alive. Not a model of the real server.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace skiff::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct CannedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class TestHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  // Starts listening at once; `handler` runs on the server's threads.
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() const;
  int connections() const { return connections_; }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;  // guarded by mu_
  std::set<int> open_fds_;                 // guarded by mu_
  std::vector<std::thread> threads_;       // guarded by mu_
  std::thread accept_thread_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int UnusedPort();

}  // namespace skiff::testing

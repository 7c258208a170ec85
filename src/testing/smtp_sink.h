// SmtpSink: a minimal SMTP server on 127.0.0.1 (ephemeral port) that accepts every message and
// keeps it, for the notification tests. Speaks just enough of RFC 5321 for libcurl: greeting,
// EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT. Not a model of a real server.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace skiff::testing {

struct SmtpMessage {
  std::string mail_from;             // the envelope sender, without <>
  std::vector<std::string> rcpt_to;  // envelope recipients, without <>
  std::string data;                  // headers and body, CRLF line ends, unstuffed
};

class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<SmtpMessage> messages() const;
  // Waits until at least `n` messages arrived; whether they did before `timeout`.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<SmtpMessage> messages_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace skiff::testing

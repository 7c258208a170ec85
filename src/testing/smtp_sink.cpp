#include "testing/smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace skiff::testing {
namespace {

bool Send(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The address inside "<...>" after the colon of "MAIL FROM:<a@b>".
std::string Address(const std::string& line) {
  size_t lt = line.find('<'), gt = line.find('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt) return "";
  return line.substr(lt + 1, gt - lt - 1);
}

}  // namespace

SmtpSink::SmtpSink() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on 127.0.0.1:0 failed");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { AcceptLoop(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

std::vector<SmtpMessage> SmtpSink::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

bool SmtpSink::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

void SmtpSink::AcceptLoop() {
  while (!stopping_) {
    pollfd p = {listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Serve(fd);  // one client at a time is plenty for tests
    ::close(fd);
  }
}

void SmtpSink::Serve(int fd) {
  std::string buf;
  // Reads one CRLF-terminated line (without it); false when the peer is gone or 10 s pass.
  auto read_line = [&](std::string* line) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      size_t eol = buf.find("\r\n");
      if (eol != std::string::npos) {
        *line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return true;
      }
      if (stopping_ || std::chrono::steady_clock::now() > deadline) return false;
      pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char tmp[4096];
      ssize_t n = ::recv(fd, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
  };
  if (!Send(fd, "220 skiff-test-sink ESMTP\r\n")) return;
  SmtpMessage msg;
  std::string line;
  while (read_line(&line)) {
    std::string verb = Upper(line.substr(0, 4));
    if (verb == "EHLO") {
      Send(fd, "250-skiff-test-sink\r\n250 8BITMIME\r\n");
    } else if (verb == "HELO" || verb == "NOOP") {
      Send(fd, "250 ok\r\n");
    } else if (verb == "MAIL") {
      msg = SmtpMessage{};
      msg.mail_from = Address(line);
      Send(fd, "250 ok\r\n");
    } else if (verb == "RCPT") {
      msg.rcpt_to.push_back(Address(line));
      Send(fd, "250 ok\r\n");
    } else if (verb == "RSET") {
      msg = SmtpMessage{};
      Send(fd, "250 ok\r\n");
    } else if (verb == "DATA") {
      Send(fd, "354 end with <CRLF>.<CRLF>\r\n");
      std::string data;
      bool complete = false;
      while (read_line(&line)) {
        if (line == ".") {
          complete = true;
          break;
        }
        if (!line.empty() && line[0] == '.') line.erase(0, 1);
        data += line + "\r\n";
      }
      if (!complete) return;
      msg.data = std::move(data);
      {
        std::lock_guard<std::mutex> lock(mu_);
        messages_.push_back(msg);
      }
      cv_.notify_all();
      Send(fd, "250 queued\r\n");
    } else if (verb == "QUIT") {
      Send(fd, "221 bye\r\n");
      return;
    } else {
      Send(fd, "502 not implemented\r\n");
    }
  }
}

}  // namespace skiff::testing

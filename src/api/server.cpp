#include "api/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <chrono>
#include <cstdio>

#include "api/fd_stream.h"
#include "api/observe.h"
#include "api/tls.h"
#include "api/wire.h"
#include "obs/log.h"

namespace skiff::api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

std::string PeerAddress(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  return std::string(host) + ":" + port;
}

// Status line and headers every answer carries: the status, Server, Content-Type, the handler's
// headers, and Connection as keep_alive says.
template <class Body>
void SetHead(http::response<Body>& res, const Response& r, unsigned version, bool keep_alive) {
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  res.set(http::field::server, "skiff");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
}

// Sends a streamed response chunked (HTTP/1.0: plain, ended by closing); false when the connection
// must close (cut short, or HTTP/1.0).
bool WriteStreamed(FdStream& stream, const Response& r, bool keep_alive, unsigned version) {
  const bool chunked = version >= 11;
  if (!chunked) keep_alive = false;
  http::response<http::empty_body> res;
  SetHead(res, r, version, keep_alive);
  if (chunked) res.chunked(true);
  http::response_serializer<http::empty_body> sr(res);
  stream.set_deadline(Clock::now() + std::chrono::seconds(30));
  boost::system::error_code ec;
  http::write_header(stream, sr, ec);
  if (ec) return false;
  bool client_ok = true;
  Status st = r.stream([&](std::string_view chunk) {
    if (chunk.empty()) return client_ok;
    stream.set_deadline(Clock::now() + std::chrono::seconds(30));
    if (!chunked) {
      stream.write_some(boost::asio::buffer(chunk.data(), chunk.size()), ec);
      client_ok = client_ok && !ec;
      return client_ok;
    }
    char size[32];
    int n = std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
    std::array<boost::asio::const_buffer, 3> bufs = {
        boost::asio::buffer(size, static_cast<size_t>(n)),
        boost::asio::buffer(chunk.data(), chunk.size()), boost::asio::buffer("\r\n", 2)};
    stream.write_some(bufs, ec);
    if (ec) client_ok = false;
    return client_ok;
  });
  if (!st.ok()) {
    obs::Error("streamed response failed", {{"error", st.message()}});
    return false;
  }
  if (!client_ok) return false;
  if (!chunked) return false;
  stream.write_some(boost::asio::buffer("0\r\n\r\n", 5), ec);
  return !ec && keep_alive;
}

// The sink of a streamed response: writes straight to the socket.
class FdSink : public StreamSink {
 public:
  FdSink(FdStream& stream, int fd, const std::atomic<bool>& stopping)
      : stream_(stream), fd_(fd), stopping_(stopping) {}
  bool Write(std::string_view bytes) override {
    if (!Open()) return false;
    stream_.set_deadline(Clock::now() + std::chrono::seconds(30));
    boost::system::error_code ec;
    stream_.write_some(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec) failed_ = true;
    return !failed_;
  }
  bool Open() override {
    if (failed_ || stopping_) return false;
    // The client sends nothing more on a stream: readable means closed (or junk we ignore).
    struct pollfd p = {fd_, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0) {
      if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        failed_ = true;
      } else {
        char c;
        if (::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) failed_ = true;
      }
    }
    return !failed_;
  }

 private:
  FdStream& stream_;
  int fd_;
  const std::atomic<bool>& stopping_;
  bool failed_ = false;
};

// Status line and headers of a streamed response; the body ends when the connection closes.
void WriteStreamHead(FdStream& stream, const Response& r) {
  http::response<http::empty_body> res;
  SetHead(res, r, 11, false);
  // no-cache unless the handler said otherwise
  if (res.find(http::field::cache_control) == res.end()) {
    res.set(http::field::cache_control, "no-cache");
  }
  http::response_serializer<http::empty_body> sr(res);
  stream.set_deadline(Clock::now() + std::chrono::seconds(30));
  boost::system::error_code ec;
  http::write_header(stream, sr, ec);
}

void WriteResponse(FdStream& stream, const Response& r, bool keep_alive, unsigned version) {
  http::response<http::string_body> res;
  SetHead(res, r, version, keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  stream.set_deadline(Clock::now() + std::chrono::seconds(30));
  boost::system::error_code ec;
  http::write(stream, res, ec);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions opts, Router* router) {
  std::unique_ptr<HttpServer> s(new HttpServer(std::move(opts), router));
  if (!s->opts_.tls_cert.empty() || !s->opts_.tls_key.empty()) {
    ASSIGN_OR_RETURN(s->tls_, TlsServerContext::Load(s->opts_.tls_cert, s->opts_.tls_key));
  }
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(s->opts_.port);
  std::string where = s->opts_.host + ":" + port;
  if (int rc = ::getaddrinfo(s->opts_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return InvalidArgument("cannot resolve listen address " + where + ": " + gai_strerror(rc));
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    return ErrnoStatus("socket", errno);
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    int e = errno;
    ::freeaddrinfo(res);
    ::close(fd);
    return Unavailable("cannot listen on " + where + ": " + std::strerror(e));
  }
  ::freeaddrinfo(res);
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  s->port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  s->listen_fd_ = fd;
  s->acceptor_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

HttpServer::~HttpServer() { Stop(0); }

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    struct pollfd p = {listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (active_.load() >= opts_.max_connections || stopping_) {
      if (tls_) {  // no handshake on the accepting thread: just close
        ::close(fd);
        continue;
      }
      FdStream st(fd);
      WriteResponse(st, Response::Error(503, "unavailable", "too many connections; retry later"),
                    false, 11);
      ::close(fd);
      continue;
    }
    ++active_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns_.insert(fd);
    }
    std::thread([this, fd] {
      Serve(fd);
      {
        std::lock_guard<std::mutex> lock(mu_);
        conns_.erase(fd);
      }
      ::close(fd);
      --active_;
    }).detach();
  }
}

void HttpServer::Serve(int fd) {
  SslPtr ssl;
  if (tls_) {
    ssl.reset(SSL_new(tls_->get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) return;
  }
  FdStream stream(fd, ssl.get());
  std::string remote = PeerAddress(fd);
  if (ssl) {
    stream.set_deadline(Clock::now() + std::chrono::milliseconds(opts_.request_timeout_ms));
    boost::system::error_code ec;
    if (!stream.Handshake(ec)) {
      obs::Log(obs::Level::kDebug, "TLS handshake failed",
               {{"remote", remote}, {"error", ec.message()}});
      return;
    }
  }
  ServeRequests(stream, remote);
  stream.ShutdownTls();
}

void HttpServer::ServeRequests(FdStream& stream, const std::string& remote) {
  const int fd = stream.fd();
  beast::flat_buffer buffer;
  while (!stopping_) {
    // Between requests: wait for the first byte up to the idle timeout, then the whole request
    // must arrive before the request deadline.
    if (buffer.size() == 0 && !stream.pending() && !stream.tls()) {
      // Under load the next request is usually there already: take it without a poll.
      auto space = buffer.prepare(4096);
      ssize_t got = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
      if (got == 0) return;
      if (got > 0) buffer.commit(static_cast<size_t>(got));
    }
    if (buffer.size() == 0 && !stream.pending()) {
      struct pollfd p = {fd, POLLIN, 0};
      auto idle_end = Clock::now() + std::chrono::milliseconds(opts_.idle_timeout_ms);
      int rc = 0;
      while (!stopping_ && Clock::now() < idle_end && (rc = ::poll(&p, 1, 200)) == 0) {
      }
      if (rc <= 0 || stopping_) return;
    }
    stream.set_deadline(Clock::now() + std::chrono::milliseconds(opts_.request_timeout_ms));
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(opts_.max_header_bytes));
    parser.body_limit(opts_.max_body_bytes);
    boost::system::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done()) {
      auto expect = parser.get()[http::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.write_some(boost::asio::buffer(kContinue.data(), kContinue.size()), ec);
      }
      if (!ec) http::read(stream, buffer, parser, ec);
    }
    if (ec) {
      if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
          ec == boost::asio::error::connection_reset) {
        return;
      }
      Response r;
      if (ec == http::error::body_limit) {
        r = Response::Error(413, "resource_exhausted",
                            "request body larger than " + std::to_string(opts_.max_body_bytes) +
                                " bytes");
      } else if (ec == http::error::header_limit) {
        r = Response::Error(431, "resource_exhausted",
                            "request headers larger than " +
                                std::to_string(opts_.max_header_bytes) + " bytes");
      } else if (ec == beast::error::timeout) {
        r = Response::Error(408, "deadline_exceeded", "request not received in time");
      } else {
        r = Response::Error(400, "invalid_argument", "malformed HTTP request: " + ec.message());
      }
      WriteResponse(stream, r, false, 11);
      return;
    }
    ++busy_;
    auto& msg = parser.get();
    bool keep = msg.keep_alive() && !stopping_;
    unsigned version = msg.version();
    Request req = RequestFromBeast(parser.release(), remote);
    auto t0 = Clock::now();
    BeginRequest(req);
    Response res = Dispatch(*router_, req);
    DecorateResponse(req, res);
    keep = keep && !stopping_;
    if (res.event_stream && !res.stream) {
      // An endless stream (Server-Sent Events): the connection ends with it.
      WriteStreamHead(stream, res);
      FdSink sink(stream, fd, stopping_);
      res.event_stream(sink);
      --busy_;
      EndRequest(req, res, std::chrono::duration<double>(Clock::now() - t0).count());
      return;
    }
    // Counted and logged before the answer leaves, so a client that reads /metrics right after
    // its answer sees its own request counted.
    EndRequest(req, res, std::chrono::duration<double>(Clock::now() - t0).count());
    if (res.stream) {
      keep = WriteStreamed(stream, res, keep, version) && keep;
    } else {
      WriteResponse(stream, res, keep, version);
    }
    --busy_;
    if (!keep) return;
  }
}

void HttpServer::Stop(int grace_ms) {
  if (stopping_.exchange(true)) {
    if (acceptor_.joinable()) acceptor_.join();
    return;
  }
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  auto end = Clock::now() + std::chrono::milliseconds(grace_ms);
  while (busy_.load() > 0 && Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : conns_) ::shutdown(fd, SHUT_RDWR);
  }
  // Connection threads notice within their poll interval and exit.
  end = Clock::now() + std::chrono::milliseconds(2000);
  while (active_.load() > 0 && Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace skiff::api

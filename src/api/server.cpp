#include "api/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "api/observe.h"

namespace skiff::api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// A blocking socket with a deadline, in the shape of Beast's SyncReadStream/SyncWriteStream.
class FdStream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}
  void set_deadline(Clock::time_point d) { deadline_ = d; }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    auto b = *boost::asio::buffer_sequence_begin(buffers);
    if (!Wait(POLLIN, ec)) return 0;
    while (true) {
      ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
      if (n > 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (n == 0) {
        ec = boost::asio::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (!Wait(POLLIN, ec)) return 0;
        continue;
      }
      ec = boost::system::error_code(errno, boost::system::system_category());
      return 0;
    }
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    size_t total = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b = *it;
      const char* p = static_cast<const char*>(b.data());
      size_t left = b.size();
      while (left > 0) {
        ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN) {
            if (!Wait(POLLOUT, ec)) return total;
            continue;
          }
          ec = boost::system::error_code(errno, boost::system::system_category());
          return total;
        }
        p += n;
        left -= static_cast<size_t>(n);
        total += static_cast<size_t>(n);
      }
    }
    ec = {};
    return total;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  bool Wait(short events, boost::system::error_code& ec) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        ec = beast::error::timeout;
        return false;
      }
      struct pollfd p = {fd_, events, 0};
      int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
      if (rc > 0) return true;
      if (rc < 0 && errno != EINTR) {
        ec = boost::system::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }
  int fd_;
  Clock::time_point deadline_ = Clock::now();
};

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
  res.version(11);
  res.result(static_cast<unsigned>(r.status));
  res.set(http::field::server, "skiff");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-cache");
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(false);
  http::response_serializer<http::empty_body> sr(res);
  stream.set_deadline(Clock::now() + std::chrono::seconds(30));
  boost::system::error_code ec;
  http::write_header(stream, sr, ec);
}

void WriteResponse(FdStream& stream, const Response& r, bool keep_alive, unsigned version) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  res.set(http::field::server, "skiff");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  stream.set_deadline(Clock::now() + std::chrono::seconds(30));
  boost::system::error_code ec;
  http::write(stream, res, ec);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions opts, Router* router) {
  std::unique_ptr<HttpServer> s(new HttpServer(std::move(opts), router));
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
  FdStream stream(fd);
  beast::flat_buffer buffer;
  std::string remote = PeerAddress(fd);
  while (!stopping_) {
    // Between requests: wait for the first byte up to the idle timeout, then the whole request
    // must arrive before the request deadline.
    if (buffer.size() == 0) {
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
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote = remote;
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    auto t0 = Clock::now();
    BeginRequest(req);
    Response res;
    Status st = ParseTarget(req.target, &req.path, &req.query);
    res = st.ok() ? router_->Handle(req) : Response::Error(st);
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    DecorateResponse(req, res);
    if (res.stream) {
      WriteStreamHead(stream, res);
      FdSink sink(stream, fd, stopping_);
      res.stream(sink);
      --busy_;
      EndRequest(req, res, std::chrono::duration<double>(Clock::now() - t0).count());
      return;
    }
    bool keep = msg.keep_alive() && !stopping_;
    // Counted and logged before the answer leaves, so a client that reads /metrics right after
    // its answer sees its own request counted.
    EndRequest(req, res, seconds);
    WriteResponse(stream, res, keep, msg.version());
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

// HttpServer: HTTP/1.1 with keep-alive over plain sockets, one thread per connection, Beast's
// parser and serializer. Blocking handlers (the long-polling lease) are natural here.
//
// Limits: header bytes, body bytes, connections (over the limit: 503 and close), an idle timeout
// between requests and a deadline for reading a whole request (a slow client is cut off).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/router.h"
#include "api/tls.h"

namespace skiff::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port)
  size_t max_body_bytes = 16u << 20;
  size_t max_header_bytes = 16u << 10;
  int max_connections = 1024;
  int idle_timeout_ms = 60000;     // keep-alive: between requests
  int request_timeout_ms = 30000;  // from the first byte to the whole request read
  // TLS (api/tls.h): PEM files of the certificate chain and its key; both empty: plain HTTP.
  std::string tls_cert;
  std::string tls_key;
};

class FdStream;

class HttpServer {
 public:
  // Binds and starts accepting. Unavailable naming the address when it cannot bind;
  // InvalidArgument naming the file when the TLS certificate or key cannot be loaded.
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions opts, Router* router);
  ~HttpServer();

  int port() const { return port_; }
  bool tls() const { return tls_ != nullptr; }
  // Stops accepting, lets requests in flight finish (up to `grace_ms`), closes the rest.
  void Stop(int grace_ms = 5000);

 private:
  HttpServer(ServerOptions opts, Router* router) : opts_(std::move(opts)), router_(router) {}
  void AcceptLoop();
  void Serve(int fd);
  void ServeRequests(FdStream& stream, const std::string& remote);

  const ServerOptions opts_;
  Router* const router_;
  std::unique_ptr<TlsServerContext> tls_;  // null: plain HTTP
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::set<int> conns_;  // open connection fds
  std::atomic<int> active_{0};
  std::atomic<int> busy_{0};  // connections inside a request
};

}  // namespace skiff::api

// FdStream: a connected socket with a deadline, in the shape of Beast's SyncReadStream and
// SyncWriteStream, plain or TLS (OpenSSL on a non-blocking socket). Every read and write waits at
// most until the deadline (then beast::error::timeout), so a slow or silent peer cannot hold a
// connection thread past it. Used by HttpServer (api/server.cpp), one per connection thread.
#pragma once

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <chrono>
#include <climits>

namespace skiff::api {

class FdStream {
 public:
  using Clock = std::chrono::steady_clock;

  // `ssl`: nullptr for plain HTTP; else an SSL bound to `fd` (SSL_set_fd), not owned. With TLS
  // the socket is switched to non-blocking.
  explicit FdStream(int fd, SSL* ssl = nullptr) : fd_(fd), ssl_(ssl) {
    if (ssl_ != nullptr) ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  void set_deadline(Clock::time_point d) { deadline_ = d; }
  int fd() const { return fd_; }
  // Decrypted bytes already buffered by OpenSSL (a poll on the socket would not see them).
  bool pending() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }
  bool tls() const { return ssl_ != nullptr; }

  // The TLS server handshake, within the deadline. False (with `ec`) when it fails.
  bool Handshake(boost::system::error_code& ec) {
    while (true) {
      ERR_clear_error();
      errno = 0;
      int rc = SSL_accept(ssl_);
      if (rc == 1) return true;
      if (!WaitFor(SSL_get_error(ssl_, rc), ec)) return false;
    }
  }
  // Sends close_notify (best effort, no waiting).
  void ShutdownTls() {
    if (ssl_ != nullptr) SSL_shutdown(ssl_);
  }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    auto b = *boost::asio::buffer_sequence_begin(buffers);
    if (ssl_ != nullptr) return SslRead(b.data(), b.size(), ec);
    // No poll first: under load the next bytes usually are there, and a poll per read doubles
    // the system calls of a request.
    while (true) {
      ssize_t n = ::recv(fd_, b.data(), b.size(), MSG_DONTWAIT);
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
    if (ssl_ == nullptr) return SendGather(buffers, ec);
    size_t total = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b = *it;
      const char* p = static_cast<const char*>(b.data());
      size_t left = b.size();
      while (left > 0) {
        size_t n = ssl_ != nullptr ? SslWrite(p, left, ec) : SendSome(p, left, ec);
        if (ec) return total;
        p += n;
        left -= n;
        total += n;
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
  // Plain sockets: every buffer of the sequence with one sendmsg (Beast hands a response over as
  // a dozen small buffers: status line, each header, the body), looping only on a partial write.
  template <class ConstBufferSequence>
  size_t SendGather(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    constexpr size_t kMaxIov = 64;
    iovec iov[kMaxIov];
    size_t count = 0, total = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < kMaxIov; ++it) {
      boost::asio::const_buffer b = *it;
      if (b.size() == 0) continue;
      iov[count].iov_base = const_cast<void*>(b.data());
      iov[count].iov_len = b.size();
      ++count;
    }
    size_t first = 0;
    while (first < count) {
      msghdr msg = {};
      msg.msg_iov = iov + first;
      msg.msg_iovlen = count - first;
      ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          if (!Wait(POLLOUT, ec)) return total;
          continue;
        }
        ec = boost::system::error_code(errno, boost::system::system_category());
        return total;
      }
      total += static_cast<size_t>(n);
      for (size_t done = static_cast<size_t>(n); first < count && done > 0;) {
        if (done >= iov[first].iov_len) {
          done -= iov[first].iov_len;
          ++first;
        } else {
          iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
          iov[first].iov_len -= done;
          done = 0;
        }
      }
    }
    ec = {};
    return total;  // Beast's write loop calls again for buffers past kMaxIov
  }
  size_t SendSome(const char* p, size_t left, boost::system::error_code& ec) {
    while (true) {
      ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
      if (n >= 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (!Wait(POLLOUT, ec)) return 0;
        continue;
      }
      ec = boost::system::error_code(errno, boost::system::system_category());
      return 0;
    }
  }
  size_t SslRead(void* p, size_t size, boost::system::error_code& ec) {
    int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    while (true) {
      ERR_clear_error();
      errno = 0;
      int n = SSL_read(ssl_, p, want);
      if (n > 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (!WaitFor(SSL_get_error(ssl_, n), ec)) return 0;
    }
  }
  size_t SslWrite(const char* p, size_t size, boost::system::error_code& ec) {
    int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    while (true) {
      ERR_clear_error();
      errno = 0;
      int n = SSL_write(ssl_, p, want);
      if (n > 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (!WaitFor(SSL_get_error(ssl_, n), ec)) return 0;
    }
  }
  // After an SSL call returned `err`: waits for the socket when OpenSSL wants to read or write
  // (true: call again); else sets `ec` (eof for a closed connection) and returns false.
  bool WaitFor(int err, boost::system::error_code& ec) {
    switch (err) {
      case SSL_ERROR_WANT_READ: return Wait(POLLIN, ec);
      case SSL_ERROR_WANT_WRITE: return Wait(POLLOUT, ec);
      case SSL_ERROR_ZERO_RETURN:
        ec = boost::asio::error::eof;
        return false;
      case SSL_ERROR_SYSCALL:
        ec = errno != 0 ? boost::system::error_code(errno, boost::system::system_category())
                        : boost::system::error_code(boost::asio::error::eof);
        return false;
      default:
        ec = boost::asio::error::connection_aborted;  // a TLS protocol error
        return false;
    }
  }
  bool Wait(short events, boost::system::error_code& ec) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        ec = boost::beast::error::timeout;
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
  SSL* ssl_;
  Clock::time_point deadline_ = Clock::now();
};

}  // namespace skiff::api

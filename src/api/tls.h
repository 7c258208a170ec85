// TLS for the API server: the OpenSSL 3 server context (`--tls-cert`, `--tls-key`) and the
// per-connection handshake and record I/O over a non-blocking socket with a deadline, used by
// FdStream (api/fd_stream.h).
//
// Policy: TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM,
// ChaCha20-Poly1305); no compression, no renegotiation, no session tickets. TLS 1.3 uses OpenSSL's
// default suites (all AEAD).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace skiff::api {

inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

class TlsServerContext {
 public:
  // Loads a PEM certificate chain and its private key. InvalidArgument naming the file and
  // OpenSSL's reason when either cannot be read or they do not match.
  static Result<std::unique_ptr<TlsServerContext>> Load(const std::string& cert_file,
                                                         const std::string& key_file);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// The last OpenSSL error queue entries as text (and clears the queue).
std::string OpenSslErrors();

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

}  // namespace skiff::api

// Test helpers for the JWT tests: OpenSSL keys, their JWKS entries, and signed tokens. The signing
// half of JWS lives only here; skiff itself never issues tokens.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/json_input.h"
#include "identity/jwks.h"

namespace skiff::identity::testkeys {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline PkeyPtr NewRsaKey(size_t bits = 2048) {
  return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}
inline PkeyPtr NewEcKey() {
  return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

// Generated once per test binary: RSA key generation is the slow part.
inline EVP_PKEY* RsaKey() {
  static PkeyPtr key = NewRsaKey();
  return key.get();
}
inline EVP_PKEY* RsaKey2() {
  static PkeyPtr key = NewRsaKey();
  return key.get();
}
inline EVP_PKEY* EcKey() {
  static PkeyPtr key = NewEcKey();
  return key.get();
}
inline EVP_PKEY* EcKey2() {
  static PkeyPtr key = NewEcKey();
  return key.get();
}

// A BIGNUM parameter as big-endian bytes, left-padded to `pad` bytes (0: minimal).
inline std::string BnParam(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return "";
  int len = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  return out;
}

inline Json RsaJwk(EVP_PKEY* key, const std::string& kid) {
  return Json{{"kty", "RSA"},
              {"kid", kid},
              {"use", "sig"},
              {"alg", "RS256"},
              {"n", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_N))},
              {"e", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_E))}};
}

inline Json EcJwk(EVP_PKEY* key, const std::string& kid) {
  return Json{{"kty", "EC"},
              {"kid", kid},
              {"crv", "P-256"},
              {"x", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
              {"y", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

// The raw signature OpenSSL makes (PKCS#1 v1.5 for RSA, DER for EC) over `input` with SHA-256.
inline std::string SignRaw(EVP_PKEY* key, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

// DER ECDSA signature -> JWS r||s (32 bytes each).
inline std::string DerToRaw(const std::string& der) {
  auto p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

// JWS signature for `input`: PKCS#1 for RSA keys, r||s for EC keys.
inline std::string Sign(EVP_PKEY* key, std::string_view input) {
  std::string sig = SignRaw(key, input);
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? DerToRaw(sig) : sig;
}

inline std::string SigningInput(const Json& header, const Json& claims) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
}

inline std::string MakeToken(const Json& header, const Json& claims, EVP_PKEY* key) {
  std::string input = SigningInput(header, claims);
  return input + "." + Base64UrlEncode(Sign(key, input));
}

inline std::string HmacSha256(std::string_view secret, std::string_view data) {
  unsigned char out[32];
  size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
            &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

inline std::string PublicKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

}  // namespace skiff::identity::testkeys

#include "identity/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cerrno>
#include <cstdio>

#include "core/json_input.h"
#include "net/http_client.h"

namespace skiff::identity {
namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;  // bounds the cost of one verification

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::shared_ptr<EVP_PKEY> WrapPkey(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, [](EVP_PKEY* p) { EVP_PKEY_free(p); });
}

// Builds a public EVP_PKEY of `type` ("RSA", "EC") from the parameters in `bld`; "" on success or
// the reason it failed.
std::string PkeyFromParams(const char* type, OSSL_PARAM_BLD* bld, std::shared_ptr<EVP_PKEY>* out) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  if (params == nullptr) return "cannot build key parameters";
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return std::string("OpenSSL rejected the ") + type + " key";
  }
  *out = WrapPkey(pkey);
  return "";
}

// The member `name` of `key` decoded from base64url, or the reason it cannot be.
std::string DecodeMember(const Json& key, const char* name, std::string* out) {
  auto it = key.find(name);
  if (it == key.end() || !it->is_string()) return std::string("no \"") + name + "\" string";
  Result<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.ok()) return std::string("\"") + name + "\": " + bytes.status().message();
  *out = std::move(bytes).value();
  return "";
}

std::string BuildRsa(const Json& key, Jwk* jwk) {
  std::string n;
  std::string e;
  if (std::string why = DecodeMember(key, "n", &n); !why.empty()) return why;
  if (std::string why = DecodeMember(key, "e", &e); !why.empty()) return why;
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  BnPtr bn_n(BN_bin2bn(u(n), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(u(e), static_cast<int>(e.size()), nullptr));
  if (bn_n == nullptr || bn_e == nullptr) return "cannot read n or e";
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits) {
    return "RSA key of " + std::to_string(bits) + " bits, need " + std::to_string(kMinRsaBits);
  }
  if (bits > kMaxRsaBits) return "RSA key of " + std::to_string(bits) + " bits is too large";
  if (!BN_is_odd(bn_n.get())) return "RSA modulus is even";
  if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2 || BN_num_bits(bn_e.get()) > 64) {
    return "RSA exponent is not an odd number from 3 to 2^64";
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return "cannot build key parameters";
  }
  jwk->kty = KeyType::kRsa;
  jwk->bits = bits;
  return PkeyFromParams("RSA", bld.get(), &jwk->key);
}

std::string BuildEc(const Json& key, Jwk* jwk) {
  auto crv = key.find("crv");
  if (crv == key.end() || !crv->is_string()) return "EC key has no \"crv\"";
  if (*crv != "P-256") return "EC curve " + crv->get<std::string>() + " is not supported";
  std::string x;
  std::string y;
  if (std::string why = DecodeMember(key, "x", &x); !why.empty()) return why;
  if (std::string why = DecodeMember(key, "y", &y); !why.empty()) return why;
  if (x.size() != 32 || y.size() != 32) return "P-256 coordinates must be 32 bytes each";
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return "cannot build key parameters";
  }
  jwk->kty = KeyType::kEc;
  jwk->bits = 256;
  // OpenSSL refuses a point that is not on the curve here already; public_check makes sure.
  if (!PkeyFromParams("EC", bld.get(), &jwk->key).empty()) return "EC point is not on P-256";
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, jwk->key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    jwk->key.reset();
    return "EC point is not on P-256";
  }
  return "";
}

// Fills `jwk` from one JWKS entry; "" on success or the reason the key is skipped.
std::string ReadKey(const Json& key, Jwk* jwk) {
  if (!key.is_object()) return "not an object";
  auto kid = key.find("kid");
  if (kid != key.end() && kid->is_string()) jwk->kid = kid->get<std::string>();
  auto use = key.find("use");
  if (use != key.end() && *use != "sig") return "\"use\" is not \"sig\"";
  auto ops = key.find("key_ops");
  if (ops != key.end()) {
    bool verify = false;
    if (ops->is_array()) {
      for (const Json& op : *ops) verify = verify || op == "verify";
    }
    if (!verify) return "\"key_ops\" does not include \"verify\"";
  }
  auto alg = key.find("alg");
  if (alg != key.end()) {
    if (!alg->is_string()) return "\"alg\" is not a string";
    jwk->alg = alg->get<std::string>();
  }
  auto kty = key.find("kty");
  if (kty == key.end() || !kty->is_string()) return "no \"kty\"";
  if (*kty == "RSA") {
    if (!jwk->alg.empty() && jwk->alg != "RS256") return "RSA key for alg " + jwk->alg;
    return BuildRsa(key, jwk);
  }
  if (*kty == "EC") {
    if (!jwk->alg.empty() && jwk->alg != "ES256") return "EC key for alg " + jwk->alg;
    return BuildEc(key, jwk);
  }
  return "key type " + kty->get<std::string>() + " is not supported";
}

}  // namespace

Result<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return InvalidArgument("malformed base64url (bad length)");
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int nbits = 0;
  for (char c : in) {
    int v = Base64UrlValue(c);
    if (v < 0) {
      return InvalidArgument(c == '=' ? "malformed base64url (padding is not allowed)"
                                      : "malformed base64url (bad character)");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((acc >> nbits) & 0xFF));
      acc &= (1u << nbits) - 1;
    }
  }
  if (acc != 0) return InvalidArgument("malformed base64url (non-zero trailing bits)");
  return out;
}

std::string Base64UrlEncode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int nbits = 0;
  for (char c : in) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(acc >> nbits) & 63]);
    }
    acc &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(kAlphabet[(acc << (6 - nbits)) & 63]);
  return out;
}

Result<JwkSet> ParseJwks(std::string_view json, std::string_view source) {
  const std::string where = "JWKS " + std::string(source);
  Result<Json> doc = ParseJson(json);
  if (!doc.ok()) return InvalidArgument(where + ": " + doc.status().message());
  if (!doc->is_object()) return InvalidArgument(where + ": expected an object");
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array()) {
    return InvalidArgument(where + ": no \"keys\" array");
  }
  JwkSet set;
  for (size_t i = 0; i < keys->size(); ++i) {
    Jwk jwk;
    std::string why = ReadKey((*keys)[i], &jwk);
    if (why.empty()) {
      set.keys.push_back(std::move(jwk));
    } else {
      set.skipped.push_back("keys[" + std::to_string(i) + "] (kid '" + jwk.kid + "'): " + why);
    }
  }
  return set;
}

Result<JwkSet> LoadJwksFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return ErrnoStatus("open JWKS " + path, errno);
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= kMaxJwksBytes) {
    text.append(buf, n);
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return ErrnoStatus("read JWKS " + path, err);
  if (text.size() > kMaxJwksBytes) return InvalidArgument("JWKS " + path + " is over 1 MiB");
  return ParseJwks(text, path);
}

Status SplitHttpUrl(std::string_view url, std::string* base, std::string* path) {
  size_t scheme_end = url.find("://");
  std::string scheme(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (scheme != "http" && scheme != "https") {
    return InvalidArgument("JWKS URL " + std::string(url) + " is not http:// or https://");
  }
  size_t host_begin = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_begin);
  if (host_end == std::string_view::npos) host_end = url.size();
  if (host_end == host_begin || url.find('#') != std::string_view::npos) {
    return InvalidArgument("JWKS URL " + std::string(url) + " has no host or has a fragment");
  }
  *base = std::string(url.substr(0, host_end));
  std::string rest(url.substr(host_end));
  *path = rest.empty() || rest[0] != '/' ? "/" + rest : rest;
  return OkStatus();
}

Result<JwkSet> FetchJwks(const std::string& url) {
  std::string base;
  std::string path;
  RETURN_IF_ERROR(SplitHttpUrl(url, &base, &path));
  net::HttpClientOptions options;
  options.connect_timeout_ms = 3000;
  options.timeout_ms = 5000;
  net::HttpClient client(base, "", options);
  ASSIGN_OR_RETURN(net::HttpResponse response, client.Get(path));
  if (response.status != 200) {
    return Unavailable("JWKS " + url + ": HTTP " + std::to_string(response.status));
  }
  if (response.body.size() > kMaxJwksBytes) {
    return InvalidArgument("JWKS " + url + " is over 1 MiB");
  }
  return ParseJwks(response.body, url);
}

}  // namespace skiff::identity

#include "core/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <mutex>

#include "core/status.h"

namespace skiff {
namespace {

void RandomBytes(unsigned char* out, size_t n) {
  SKIFF_CHECK(RAND_bytes(out, static_cast<int>(n)) == 1);
}

}  // namespace

std::string NewJobId(int64_t now_ms) {
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  constexpr uint64_t kMask40 = (uint64_t{1} << 40) - 1;
  // Ids made in the same millisecond (or while the clock steps back) keep the previous id's time
  // and add one to its random part, so ids always sort in creation order within this process.
  static std::mutex mu;
  static uint64_t last_t = 0, last_hi = 0, last_lo = 0;
  uint64_t t = static_cast<uint64_t>(now_ms);
  uint64_t hi = 0, lo = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (t <= last_t) {
      t = last_t;
      lo = (last_lo + 1) & kMask40;
      hi = lo == 0 ? (last_hi + 1) & kMask40 : last_hi;
    } else {
      unsigned char rnd[10];
      RandomBytes(rnd, sizeof(rnd));
      for (int i = 0; i < 5; ++i) hi = (hi << 8) | rnd[i];
      for (int i = 5; i < 10; ++i) lo = (lo << 8) | rnd[i];
      hi >>= 1;  // leave room to count up within the millisecond without wrapping
    }
    last_t = t;
    last_hi = hi;
    last_lo = lo;
  }
  std::string out = "job_";
  char time_part[10];
  for (int i = 9; i >= 0; --i) {
    time_part[i] = kAlphabet[t & 31];
    t >>= 5;
  }
  out.append(time_part, 10);
  // 80 bits -> 16 chars.
  char rand_part[16];
  for (int i = 7; i >= 0; --i) {
    rand_part[i] = kAlphabet[hi & 31];
    hi >>= 5;
  }
  for (int i = 15; i >= 8; --i) {
    rand_part[i] = kAlphabet[lo & 31];
    lo >>= 5;
  }
  out.append(rand_part, 16);
  return out;
}

std::string RandomBase62(size_t chars) {
  static const char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(chars);
  unsigned char buf[64];
  while (out.size() < chars) {
    RandomBytes(buf, sizeof(buf));
    for (unsigned char b : buf) {
      if (b >= 248) continue;  // 248 = 62 * 4: reject to keep the distribution uniform
      out.push_back(kAlphabet[b % 62]);
      if (out.size() == chars) break;
    }
  }
  return out;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RandomBytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  SKIFF_CHECK(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) == 1);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

namespace {
size_t Width(size_t total) {
  size_t digits = 1;
  for (size_t t = total; t >= 10; t /= 10) ++digits;
  return digits < 4 ? 4 : digits;
}
}  // namespace

std::string TaskId(size_t index, size_t total) {
  std::string num = std::to_string(index + 1);
  size_t width = Width(total);
  std::string out = "t-";
  if (num.size() < width) out.append(width - num.size(), '0');
  out += num;
  return out;
}

int64_t TaskIndex(std::string_view id, size_t total) {
  size_t width = Width(total);
  if (id.size() != width + 2 || id.substr(0, 2) != "t-") return -1;
  int64_t n = 0;
  for (char c : id.substr(2)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || static_cast<size_t>(n) > total) return -1;
  return n - 1;
}

}  // namespace skiff

#include "store/fs/posix_io.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "core/status.h"

namespace skiff::store {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) Reset(other.Release());
  return *this;
}

int UniqueFd::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::Reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released either way.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int OpenBeneath(int dir_fd, const std::string& path, int flags, UniqueFd* out) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof(how));
    if (fd >= 0) {
      out->Reset(static_cast<int>(fd));
      return 0;
    }
    if (errno == EINTR || (errno == EAGAIN && attempt < 8)) continue;
    if (errno != ENOSYS) return errno;
    break;
  }
  int fd = ::openat(dir_fd, path.c_str(), flags | O_NOFOLLOW);
  if (fd < 0) return errno;
  out->Reset(fd);
  return 0;
}

int ReadAll(int fd, std::string* out) {
  out->clear();
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    out->append(buf, static_cast<size_t>(n));
  }
}

int WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

int Fsync(int fd) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

std::string ContentEtag(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  // EVP_Digest only fails when OpenSSL cannot allocate or has no SHA-256: nothing to recover.
  SKIFF_CHECK(EVP_Digest(bytes.data(), bytes.size(), md, &md_len, EVP_sha256(), nullptr) == 1);
  SKIFF_CHECK(md_len >= 16);
  return Hex(md, 16);
}

std::string RandomHex() {
  unsigned char buf[8];
  size_t got = 0;
  while (got < sizeof(buf)) {
    ssize_t n = ::getrandom(buf + got, sizeof(buf) - got, 0);
    if (n < 0) {
      SKIFF_CHECK(errno == EINTR);
      continue;
    }
    got += static_cast<size_t>(n);
  }
  return Hex(buf, sizeof(buf));
}

}  // namespace skiff::store

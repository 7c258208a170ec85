#include "store/fs/stripe_locks.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdint>

namespace skiff::store {
namespace {

// Locks or unlocks one byte of `fd` as an OFD lock; returns 0 or an errno value.
int SetByteLock(int fd, int byte, short type) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  fl.l_pid = 0;  // required to be 0 for OFD locks
  while (::fcntl(fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<StripeLocks>> StripeLocks::Open(int dir_fd, const std::string& name,
                                                       std::string path) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open lock file " + path, errno);
  return std::unique_ptr<StripeLocks>(new StripeLocks(UniqueFd(fd), std::move(path)));
}

int StripeLocks::StripeOf(std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % kStripes);
}

Status StripeLocks::WithLock(std::string_view key, const std::function<Status()>& fn) {
  int stripe = StripeOf(key);
  std::lock_guard guard(mutexes_[stripe]);
  if (int err = SetByteLock(fd_.get(), stripe, F_WRLCK); err != 0) {
    return ErrnoStatus("lock stripe " + std::to_string(stripe) + " of " + path_, err);
  }
  // Released even if fn throws (bad_alloc): a stripe left locked would stall every later writer
  // of its keys in every process.
  struct Unlock {
    int fd, stripe;
    ~Unlock() { SKIFF_CHECK(SetByteLock(fd, stripe, F_UNLCK) == 0); }
  } unlock{fd_.get(), stripe};
  return fn();
}

}  // namespace skiff::store

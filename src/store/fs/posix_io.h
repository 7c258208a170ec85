// Small POSIX helpers for FsStore: an owning file descriptor and EINTR-safe whole-file I/O.
// Internal to store/fs/; nothing outside the folder backend includes this.
#pragma once

#include <string>
#include <string_view>

namespace skiff::store {

// Owns one file descriptor; closes it on destruction. -1 means none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Opens `path` (relative, no "..") below folder `dir_fd` without following any symlink, so nothing
// planted in the folder can lead outside it: openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), or
// openat(O_NOFOLLOW) on kernels before 5.6. `flags` must not include O_CREAT. Returns 0 or an
// errno value (ELOOP for a symlink).
int OpenBeneath(int dir_fd, const std::string& path, int flags, UniqueFd* out);

// Reads `fd` from its current offset to end of file into *out. Returns 0 or an errno value.
int ReadAll(int fd, std::string* out);

// Writes all of `bytes` to `fd`. Returns 0 or an errno value (EIO if write makes no progress).
int WriteAll(int fd, std::string_view bytes);

// fsync(fd), retried on EINTR. Returns 0 or an errno value.
int Fsync(int fd);

// Hex of the first 16 bytes of SHA-256(bytes): 32 characters, the folder backend's etag.
std::string ContentEtag(std::string_view bytes);

// 16 hex characters from getrandom(2): safe after fork, unlike a seeded engine copied to a child.
std::string RandomHex();

}  // namespace skiff::store

// TailBuffer: keeps the last `limit` bytes of a stream and counts every byte, in bounded memory
// (at most about 3 * limit bytes, whatever the stream's length). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace skiff::exec {

class TailBuffer {
 public:
  explicit TailBuffer(size_t limit) : limit_(limit) {}

  // Adds `n` bytes to the end of the stream.
  void Append(const char* data, size_t n) {
    total_ += static_cast<int64_t>(n);
    if (limit_ == 0) {
      return;
    }
    if (n >= limit_) {
      buf_.assign(data + (n - limit_), limit_);
      return;
    }
    buf_.append(data, n);
    // Trim only once the buffer doubles, so each byte is moved O(1) times on average.
    if (buf_.size() >= 2 * limit_) {
      buf_.erase(0, buf_.size() - limit_);
    }
  }

  // The last min(limit, total) bytes; leaves the buffer empty.
  std::string Take() {
    if (buf_.size() > limit_) {
      buf_.erase(0, buf_.size() - limit_);
    }
    return std::exchange(buf_, std::string());
  }

  // Every byte ever appended, including those dropped.
  int64_t total() const { return total_; }

 private:
  size_t limit_;
  std::string buf_;
  int64_t total_ = 0;
};

}  // namespace skiff::exec

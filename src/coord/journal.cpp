#include "coord/journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "coord/coord_metrics.h"
#include "obs/log.h"

namespace skiff::coord {
namespace {

constexpr size_t kHeader = 16;
constexpr uint32_t kMaxRecord = 256u << 20;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint32_t Crc(uint64_t seq, std::string_view payload) {
  char s[8];
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((seq >> (8 * i)) & 0xff);
  uLong c = crc32(0L, reinterpret_cast<const Bytef*>(s), 8);
  c = crc32(c, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<uint32_t>(c);
}

std::string SegmentName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.log", static_cast<unsigned long long>(first_seq));
  return buf;
}

Status ReadFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  out->clear();
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return ErrnoStatus("read " + path, e);
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return OkStatus();
}

Status TruncateDurably(const std::string& path, size_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0 || ::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    return ErrnoStatus("truncate " + path, e);
  }
  ::close(fd);
  return OkStatus();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + dir, errno);
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync " + dir, e);
  return OkStatus();
}

}  // namespace

Journal::Journal(std::string dir, JournalOptions opts) : dir_(std::move(dir)), opts_(opts) {}

Result<std::unique_ptr<Journal>> Journal::Open(std::string dir, JournalOptions opts,
                                               const ReplayFn& replay) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus("create journal folder " + dir, errno);
  }
  std::unique_ptr<Journal> j(new Journal(dir, opts));
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("open journal folder " + dir, errno);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() == 24 && name.substr(20) == ".log") {
      j->segments_[std::strtoull(name.c_str(), nullptr, 10)] = name;
    }
  }
  ::closedir(d);

  uint64_t last = 0;
  std::string data;
  for (auto it = j->segments_.begin(); it != j->segments_.end(); ++it) {
    bool is_last = std::next(it) == j->segments_.end();
    std::string path = dir + "/" + it->second;
    RETURN_IF_ERROR(ReadFile(path, &data));
    size_t off = 0;
    while (off < data.size()) {
      bool ok = data.size() - off >= kHeader;
      uint32_t len = ok ? GetU32(data.data() + off) : 0;
      ok = ok && len <= kMaxRecord && data.size() - off - kHeader >= len;
      uint64_t seq = ok ? GetU64(data.data() + off + 8) : 0;
      std::string_view payload = ok ? std::string_view(data).substr(off + kHeader, len) : "";
      ok = ok && GetU32(data.data() + off + 4) == Crc(seq, payload) && seq > last;
      if (!ok) {
        if (!is_last) {
          return Internal("journal segment " + path + " is corrupt at offset " +
                          std::to_string(off));
        }
        obs::Warn("journal: cutting a torn tail", {{"segment", it->second},
                                                   {"offset", off},
                                                   {"bytes", data.size() - off}});
        // Make the cut durable before anything is written after it: otherwise a power loss could
        // bring the torn bytes back in what is by then an earlier segment, which is an error.
        RETURN_IF_ERROR(TruncateDurably(path, off));
        break;
      }
      replay(seq, payload);
      last = seq;
      off += kHeader + len;
    }
  }
  // An empty last segment (all older ones dropped, or its first record torn) still tells where
  // the sequence stood: its name is the seq it was opened for.
  if (!j->segments_.empty() && j->segments_.rbegin()->first > 0) {
    last = std::max(last, j->segments_.rbegin()->first - 1);
  }
  if (opts.min_next_seq > 0) last = std::max(last, opts.min_next_seq - 1);
  j->next_seq_ = last + 1;
  j->durable_seq_ = last;
  j->pending_last_seq_ = last;
  // Always start a fresh segment: the old last one may end where a torn record was cut.
  RETURN_IF_ERROR(j->OpenSegment(j->next_seq_));
  j->committer_ = std::thread([p = j.get()] { p->CommitLoop(); });
  return j;
}

Journal::~Journal() { Close(); }

Status Journal::OpenSegment(uint64_t first_seq) {
  std::string name = SegmentName(first_seq);
  std::string path = dir_ + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create journal segment " + path, errno);
  if (Status st = FsyncDir(dir_); !st.ok()) {
    ::close(fd);
    return st;
  }
  struct stat st;
  ::fstat(fd, &st);
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = fd;
  segment_size_ = static_cast<uint64_t>(st.st_size);
  current_first_seq_ = first_seq;
  std::lock_guard<std::mutex> lock(mu_);
  segments_[first_seq] = name;
  return OkStatus();
}

uint64_t Journal::Append(std::string_view payload) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t seq = next_seq_++;
  if (pending_.empty()) pending_first_seq_ = seq;
  PutU32(pending_, static_cast<uint32_t>(payload.size()));
  PutU32(pending_, Crc(seq, payload));
  PutU64(pending_, seq);
  pending_.append(payload);
  pending_last_seq_ = seq;
  ++stats_.records;
  work_cv_.notify_one();
  return seq;
}

Status Journal::WaitDurable(uint64_t seq) {
  std::unique_lock<std::mutex> lock(mu_);
  if (seq >= next_seq_) {  // would wait forever
    return Internal("journal: waiting for seq " + std::to_string(seq) + ", not appended yet");
  }
  // While closing, the committer still flushes what was appended before: wait for it.
  durable_cv_.wait(lock, [&] { return durable_seq_ >= seq || failed_upto_ >= seq || closed_; });
  if (durable_seq_ >= seq) return OkStatus();
  if (closed_) return Unavailable("journal closed before the change was durable");
  return Unavailable("journal write failed: " + last_error_);
}

void Journal::CommitLoop() {
  std::string batch;
  uint64_t batch_first = 0, batch_last = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return !pending_.empty() || !batch.empty() || closing_; });
      if (pending_.empty() && batch.empty() && closing_) break;
      if (batch.empty()) {
        batch.swap(pending_);
        batch_first = pending_first_seq_;
        batch_last = pending_last_seq_;
      }
    }
    // Rotate before a batch that would overflow the segment (the batch goes whole into one file).
    if (segment_size_ > 0 && segment_size_ + batch.size() > opts_.segment_bytes) {
      Status s = OpenSegment(batch_first);
      if (!s.ok()) obs::Error("journal: cannot rotate; appending to the current segment",
                              {{"error", s.message()}});
    }
    size_t off = 0;
    Status st;
    auto t0 = std::chrono::steady_clock::now();
    while (off < batch.size()) {
      ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        st = ErrnoStatus("write journal", errno);
        break;
      }
      off += static_cast<size_t>(n);
    }
    if (st.ok() && opts_.sync && ::fdatasync(fd_) != 0) st = ErrnoStatus("fdatasync journal", errno);
    if (!st.ok()) {
      // Undo a partial write so the segment ends on a record boundary, then retry the whole batch.
      if (off > 0 && ::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
        obs::Error("journal: cannot cut a partial write", {{"error", std::strerror(errno)}});
      }
      obs::Error("journal write failed; retrying", {{"error", st.message()}});
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = st.message();
        failed_upto_ = batch_last;
        durable_cv_.notify_all();
        if (closing_) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    segment_size_ += batch.size();
    double commit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ObserveJournalCommit(commit_s, batch_last - batch_first + 1, batch.size());
    {
      std::lock_guard<std::mutex> lock(mu_);
      durable_seq_ = batch_last;
      ++stats_.batches;
      stats_.bytes += batch.size();
      durable_cv_.notify_all();
    }
    batch.clear();
  }
}

void Journal::DropBefore(uint64_t seq) {
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = segments_.begin(); it != segments_.end();) {
      auto next = std::next(it);
      // A segment is closed when a later one exists; its records end before the next's first seq.
      if (next == segments_.end() || next->first > seq) break;
      doomed.push_back(it->second);
      it = segments_.erase(it);
    }
  }
  for (const auto& name : doomed) ::unlink((dir_ + "/" + name).c_str());
}

void Journal::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ && !committer_.joinable()) return;
    closing_ = true;
    work_cv_.notify_all();
  }
  if (committer_.joinable()) committer_.join();
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  durable_cv_.notify_all();
}

uint64_t Journal::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_ - 1;
}

JournalStats Journal::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace skiff::coord

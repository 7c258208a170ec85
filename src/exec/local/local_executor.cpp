#include "exec/local/local_executor.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <exception>
#include <string>

#include "exec/local/spawn.h"
#include "exec/local/tail_buffer.h"
#include "exec/run_summary.h"

namespace skiff::exec {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPollMs = 50;                           // the contract: cancel noticed within 50 ms
constexpr auto kDrainTime = std::chrono::milliseconds(100);
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kMaxReadsPerWake = 16;                  // then check cancel and timeout again

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Milliseconds until `deadline`, capped at `cap`, rounded up so we do not wake just before it.
int WaitMs(Clock::time_point deadline, int cap) {
  if (deadline == Clock::time_point::max()) {
    return cap;
  }
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, cap));
}

// One output pipe: its read end until EOF, and what was read.
struct Stream {
  UniqueFd fd;
  TailBuffer tail;
};

// Reads what is available now (up to a bound); closes the fd on EOF or error.
void ReadAvailable(Stream& stream) {
  char buf[kReadChunk];
  for (int i = 0; i < kMaxReadsPerWake && stream.fd.valid(); ++i) {
    ssize_t n = ::read(stream.fd.get(), buf, sizeof(buf));
    if (n > 0) {
      stream.tail.Append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      stream.fd.Reset();  // EOF, or an error that will not go away
    }
  }
}

// Kills the child's process group and reaps the child unless Reap() was called: the process
// never outlives Run, even when an exception unwinds it.
class ChildReaper {
 public:
  explicit ChildReaper(pid_t pid) : pid_(pid) {}
  ~ChildReaper() {
    if (!reaped_) {
      KillGroup();
      int status;
      struct rusage usage;
      Reap(&status, &usage);
    }
  }
  ChildReaper(const ChildReaper&) = delete;
  ChildReaper& operator=(const ChildReaper&) = delete;

  // The child is unreaped, so its pid (the group id) cannot have been reused.
  void KillGroup() const { ::kill(-pid_, SIGKILL); }

  // Blocks until the child has exited; returns false if wait4 failed (status then unknown).
  bool Reap(int* status, struct rusage* usage) {
    reaped_ = true;
    pid_t r;
    do {
      r = ::wait4(pid_, status, 0, usage);
    } while (r < 0 && errno == EINTR);
    return r == pid_;
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

bool ExitedWithoutPidfd(pid_t pid) {
  siginfo_t info = {};
  return ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

enum class Ending { kExited, kTimedOut, kCancelled };

// Reads output until the child exits, the deadline passes or `cancel` is raised.
Ending Watch(pid_t pid, int pidfd, Stream* streams, Clock::time_point deadline,
             const std::atomic<bool>& cancel) {
  while (true) {
    struct pollfd fds[3] = {{streams[0].fd.get(), POLLIN, 0},
                            {streams[1].fd.get(), POLLIN, 0},
                            {pidfd, POLLIN, 0}};  // poll skips negative fds
    int n = ::poll(fds, 3, WaitMs(deadline, kPollMs));
    if (n < 0 && errno != EINTR) {
      // Cannot happen with valid fds; sleep rather than spin, and keep honouring cancel/timeout.
      ::usleep(kPollMs * 1000);
    }
    for (int i = 0; i < 2; ++i) {
      if (n > 0 && fds[i].revents != 0) {
        ReadAvailable(streams[i]);
      }
    }
    bool exited = pidfd >= 0 ? (n > 0 && fds[2].revents != 0) : ExitedWithoutPidfd(pid);
    if (exited) {
      return Ending::kExited;
    }
    if (cancel.load(std::memory_order_relaxed)) {
      return Ending::kCancelled;
    }
    if (Clock::now() >= deadline) {
      return Ending::kTimedOut;
    }
  }
}

// Reads until both pipes reach EOF or `limit` has passed.
void Drain(Stream* streams, Clock::duration limit) {
  Clock::time_point until = Clock::now() + limit;
  while (streams[0].fd.valid() || streams[1].fd.valid()) {
    int wait_ms = WaitMs(until, kPollMs);
    if (wait_ms <= 0) {
      return;
    }
    struct pollfd fds[2] = {{streams[0].fd.get(), POLLIN, 0}, {streams[1].fd.get(), POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) > 0) {
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents != 0) {
          ReadAvailable(streams[i]);
        }
      }
    }
  }
}

void RunChild(const RunRequest& req, const std::atomic<bool>& cancel, Clock::time_point start,
              RunOutcome& out) {
  if (cancel.load(std::memory_order_relaxed)) {
    out.cancelled = true;
    out.error = kCancelledSummary;
    return;
  }
  Result<SpawnedChild> spawned = SpawnChild(req);
  if (!spawned.ok()) {
    out.error = spawned.status().message();
    return;
  }
  const pid_t pid = spawned->pid;
  ChildReaper reaper(pid);
  // A pidfd wakes poll the moment the child exits; without one (old kernel) we poll waitid.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  Stream streams[2] = {{std::move(spawned->stdout_fd), TailBuffer(req.output_limit)},
                       {std::move(spawned->stderr_fd), TailBuffer(req.output_limit)}};

  Clock::time_point deadline = Clock::time_point::max();
  if (req.timeout_s > 0) {
    deadline = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(req.timeout_s));
  }
  Ending ending = Watch(pid, pidfd.get(), streams, deadline, cancel);
  if (ending != Ending::kExited) {
    reaper.KillGroup();
  }
  // After a normal exit, background children may still hold the pipes: read briefly, then kill
  // them all so they can neither hang this call nor linger.
  Drain(streams, kDrainTime);
  reaper.KillGroup();

  int status = 0;
  struct rusage usage = {};
  if (reaper.Reap(&status, &usage)) {
    if (WIFEXITED(status)) {
      out.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      out.signal = WTERMSIG(status);
    }
    out.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                 (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
    out.max_rss_kb = usage.ru_maxrss;  // Linux reports kilobytes
  } else {
    out.error = "lost track of process " + std::to_string(pid);
  }
  out.timed_out = ending == Ending::kTimedOut;
  out.cancelled = ending == Ending::kCancelled;
  out.stdout_bytes = streams[0].tail.total();
  out.stderr_bytes = streams[1].tail.total();
  out.stdout_tail = streams[0].tail.Take();
  out.stderr_tail = streams[1].tail.Take();

  if (out.timed_out) {
    out.error = TimedOutSummary(req.timeout_s);
  } else if (out.cancelled) {
    out.error = kCancelledSummary;
  } else if (out.signal != 0) {
    out.error = SignalSummary(out.signal);
  } else if (out.exit_code != 0 && out.error.empty()) {
    out.error = ExitSummary(out.exit_code);
  }
}

}  // namespace

RunOutcome LocalProcessExecutor::Run(const RunRequest& req, const std::atomic<bool>& cancel) {
  const Clock::time_point start = Clock::now();
  RunOutcome out;
  try {
    RunChild(req, cancel, start, out);
  } catch (const std::exception& e) {
    // Only allocation can throw here; the child was killed and reaped while unwinding.
    out.exit_code = -1;
    out.error = std::string("internal error: ") + e.what();
  } catch (...) {
    out.exit_code = -1;
    out.error = "internal error";
  }
  out.wall_ms = MillisSince(start);
  return out;
}

}  // namespace skiff::exec

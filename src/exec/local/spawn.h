// Starting a task attempt's process for LocalProcessExecutor: posix_spawnp into a new process
// group, stdin from /dev/null, stdout and stderr to pipes. Internal to exec/local.
#pragma once

#include <sys/types.h>

#include "core/status.h"
#include "exec/executor.h"

namespace skiff::exec {

// Owns one file descriptor and closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release();
  // Closes the descriptor (if any); afterwards valid() is false.
  void Reset();

 private:
  int fd_ = -1;
};

struct SpawnedChild {
  pid_t pid = -1;       // also the id of its process group
  UniqueFd stdout_fd;   // the parent's read ends: O_CLOEXEC and O_NONBLOCK
  UniqueFd stderr_fd;
};

// Starts req.argv: argv[0] looked up in PATH when it has no '/', in a new process group, stdin
// from /dev/null, stdout and stderr to pipes, environment = this process's environ with req.env
// added or overriding, in req.workdir if set, signal mask empty and every signal at its default,
// no descriptor but 0, 1 and 2 inherited. The caller must reap the child.
// On failure no process is left and no descriptor open; the Status message reads
// "cannot start 'prog': No such file or directory" (InvalidArgument for an empty argv or an
// env name that is empty or holds '=').
Result<SpawnedChild> SpawnChild(const RunRequest& req);

}  // namespace skiff::exec

// LocalProcessExecutor: runs each task attempt as a process on this machine.
//
// The process gets its own process group, stdin from /dev/null, stdout and stderr to pipes (the
// last output_limit bytes of each are kept), and this process's environment with req.env added.
// Whatever ends the attempt (exit, timeout, cancel), the whole process group is then killed with
// SIGKILL, so background children that linger or keep stdout open cannot outlive the attempt.
// A child that leaves the group (setsid, setpgid) escapes this; containing it is the sandbox
// executor's job.
//
// Thread-safe and stateless: any number of Run calls may proceed at once.
#pragma once

#include <atomic>

#include "exec/executor.h"

namespace skiff::exec {

class LocalProcessExecutor : public Executor {
 public:
  LocalProcessExecutor() = default;

  // Executor. Never throws. A program that cannot be started gives exit_code -1 and error
  // "cannot start 'prog': <reason>". Timeout and cancel are noticed within 50 ms. After the main
  // process exits, output is read for at most 100 ms more before the group is killed.
  // cpu_ms and max_rss_kb come from wait4 on the main process (which includes its reaped
  // descendants). Caveat: at exec, Linux carries the spawner's peak RSS into the child's maxrss
  // (posix_spawn shares our memory until then), so max_rss_kb is never below this process's own
  // peak RSS; exact per-task memory needs a cgroup (memory.peak).
  RunOutcome Run(const RunRequest& req, const std::atomic<bool>& cancel) override;
};

}  // namespace skiff::exec

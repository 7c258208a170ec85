// Executor: runs one attempt of a task (user code) and reports how it went.
//
// Implementations are thread-safe: a worker calls Run from several threads at once, one call per
// running task. Run blocks until the attempt ends (exit, timeout, cancel or failure to start).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace skiff::exec {

struct RunRequest {
  std::vector<std::string> argv;           // argv[0] is looked up in PATH when it has no '/'
  std::map<std::string, std::string> env;  // added to (and overriding) the worker's environment
  double timeout_s = 0;                    // 0: no timeout
  size_t output_limit = 64 * 1024;         // bytes of stdout and of stderr kept (the tail)
  std::string workdir;                     // "" : the worker's current directory
};

struct RunOutcome {
  int exit_code = -1;      // the process's exit status; -1 when it did not exit normally
  int signal = 0;          // the signal that ended it, 0 if none
  bool timed_out = false;  // killed because timeout_s passed
  bool cancelled = false;  // killed because the cancel flag was raised
  // "" when ok. Otherwise why it failed to start ("cannot start 'prog': No such file or
  // directory") or a summary of how it ended: "timed out after 2s", "cancelled", "killed by
  // signal 9 (SIGKILL)", "exited with code 3" (see run_summary.h).
  std::string error;
  int64_t wall_ms = 0;
  int64_t cpu_ms = 0;      // user + system CPU of the whole process tree that was waited for
  int64_t max_rss_kb = 0;  // peak resident set size
  std::string stdout_tail;  // the last output_limit bytes
  std::string stderr_tail;
  int64_t stdout_bytes = 0;  // total bytes written, including what was dropped
  int64_t stderr_bytes = 0;

  bool ok() const { return exit_code == 0 && !timed_out && !cancelled && error.empty(); }
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs the attempt. `cancel` is polled (at least every 50 ms); when it becomes true the attempt
  // is killed and reported with cancelled = true. A failure to start (no such program) is not a
  // Status error: it is an outcome with exit_code -1 and `error` set, so it is retried like any
  // failed attempt.
  virtual RunOutcome Run(const RunRequest& req, const std::atomic<bool>& cancel) = 0;
};

}  // namespace skiff::exec

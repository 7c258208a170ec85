#include "exec/run_summary.h"

#include <cstdio>
#include <cstring>

namespace skiff::exec {

std::string TimedOutSummary(double timeout_s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "timed out after %gs", timeout_s);
  return buf;
}

std::string SignalSummary(int signal) {
  std::string s = "killed by signal " + std::to_string(signal);
  // sigabbrev_np is thread-safe (a static table) and returns null for unknown signals.
  if (const char* name = sigabbrev_np(signal)) {
    s += " (SIG";
    s += name;
    s += ")";
  }
  return s;
}

std::string ExitSummary(int exit_code) { return "exited with code " + std::to_string(exit_code); }

}  // namespace skiff::exec

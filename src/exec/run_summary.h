// Short summaries for RunOutcome::error, shared by every executor so that outcomes read the same
// whichever executor produced them.
#pragma once

#include <string>
#include <string_view>

namespace skiff::exec {

inline constexpr std::string_view kCancelledSummary = "cancelled";

// "timed out after 2s", "timed out after 0.5s".
std::string TimedOutSummary(double timeout_s);
// "killed by signal 9 (SIGKILL)".
std::string SignalSummary(int signal);
// "exited with code 3".
std::string ExitSummary(int exit_code);

}  // namespace skiff::exec

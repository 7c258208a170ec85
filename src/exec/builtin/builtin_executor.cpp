#include "exec/builtin/builtin_executor.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "exec/run_summary.h"

namespace skiff::exec {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kSleepSlice = std::chrono::milliseconds(10);  // well inside the 50 ms contract

void Sleep(const RunRequest& req, const std::atomic<bool>& cancel, Clock::time_point start,
           RunOutcome& out) {
  int64_t ms = -1;
  if (req.argv.size() == 2) {
    const std::string& arg = req.argv[1];
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), ms);
    if (ec != std::errc() || end != arg.data() + arg.size()) {
      ms = -1;
    }
  }
  if (ms < 0) {
    out.error = "skiff:sleep wants one argument: milliseconds (a whole number >= 0)";
    return;
  }
  const Clock::time_point wake = start + std::chrono::milliseconds(ms);
  Clock::time_point deadline = Clock::time_point::max();
  if (req.timeout_s > 0) {
    deadline = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(req.timeout_s));
  }
  while (true) {
    if (cancel.load(std::memory_order_relaxed)) {
      out.cancelled = true;
      out.error = kCancelledSummary;
      return;
    }
    Clock::time_point now = Clock::now();
    if (now >= wake) {
      out.exit_code = 0;
      return;
    }
    if (now >= deadline) {
      out.timed_out = true;
      out.error = TimedOutSummary(req.timeout_s);
      return;
    }
    std::this_thread::sleep_until(std::min({wake, deadline, now + kSleepSlice}));
  }
}

void RunBuiltin(const RunRequest& req, const std::atomic<bool>& cancel, Clock::time_point start,
                RunOutcome& out) {
  const std::string& name = req.argv[0];
  if (name == "skiff:noop") {
    out.exit_code = 0;
  } else if (name == "skiff:fail") {
    out.exit_code = 1;
    out.error = ExitSummary(1);
  } else if (name == "skiff:sleep") {
    Sleep(req, cancel, start, out);
  } else {
    out.error = "unknown builtin '" + name + "'";
  }
}

}  // namespace

BuiltinExecutor::BuiltinExecutor(std::unique_ptr<Executor> next) : next_(std::move(next)) {}

RunOutcome BuiltinExecutor::Run(const RunRequest& req, const std::atomic<bool>& cancel) {
  const bool builtin = !req.argv.empty() && req.argv[0].starts_with(kPrefix);
  if (!builtin && next_ != nullptr) {
    return next_->Run(req, cancel);
  }
  const Clock::time_point start = Clock::now();
  RunOutcome out;
  try {
    if (builtin) {
      RunBuiltin(req, cancel, start, out);
    } else {
      out.error = req.argv.empty() ? "cannot start: empty argv"
                                   : "no executor for '" + req.argv[0] + "'";
    }
  } catch (...) {  // only allocation can throw
    out.exit_code = -1;
    out.error = "internal error";
  }
  out.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  return out;
}

}  // namespace skiff::exec

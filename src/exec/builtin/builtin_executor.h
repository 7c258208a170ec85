// BuiltinExecutor: runs a few built-in programs named "skiff:<name>" without starting a process,
// and hands every other request to the executor it wraps.
//
//   skiff:noop        ends at once with exit code 0 (measures the platform's own cost per task)
//   skiff:sleep <ms>  sleeps <ms> milliseconds, honouring cancel and timeout; exit code 0
//   skiff:fail        ends at once with exit code 1
// Any other "skiff:" name ends with exit_code -1 and error "unknown builtin 'skiff:<name>'".
//
// Thread-safe if the wrapped executor is.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "exec/executor.h"

namespace skiff::exec {

class BuiltinExecutor : public Executor {
 public:
  static constexpr std::string_view kPrefix = "skiff:";

  // `next` runs every request whose argv[0] does not start with kPrefix. It may be null: such
  // requests then end with exit_code -1 and error "no executor for '<argv[0]>'".
  explicit BuiltinExecutor(std::unique_ptr<Executor> next);

  // Executor. Never throws. Builtins report wall_ms but no cpu_ms, max_rss_kb or output.
  RunOutcome Run(const RunRequest& req, const std::atomic<bool>& cancel) override;

 private:
  std::unique_ptr<Executor> next_;
};

}  // namespace skiff::exec

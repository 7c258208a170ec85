// The `skiff` command line client: global options (--server, --key, -o/--output) and the `job`
// verbs, which talk to a skiff server over HTTP only (docs/api.md).
//
// Exit codes: 0 ok; 1 a watched job failed or was cancelled; 2 usage or input error (bad flag, bad
// job file); 3 server or network error. Errors go to stderr as "skiff: <code>: <message>", results
// to stdout; nothing prompts, so tests can drive the binary with argv and pipes.
#pragma once

#include <functional>
#include <iosfwd>

namespace CLI {
class App;
}  // namespace CLI

namespace skiff::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitJobFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitServer = 3;

// Builds the App "skiff", lets `register_more` (may be empty) add the composition root's verbs
// (up, server, worker), parses argv and runs the chosen verb. Verbs added by `register_more` run
// from their CLI11 callbacks during parsing; to end with a non-zero exit code they throw
// CLI::RuntimeError(code). Global options given after a verb are accepted too (fallthrough).
int Main(int argc, char** argv, const std::function<void(CLI::App&)>& register_more);

// The same with explicit output streams, for in-process tests. A terminal is never assumed, so
// `job watch` prints plain lines.
int Main(int argc, char** argv, const std::function<void(CLI::App&)>& register_more,
         std::ostream& out, std::ostream& err);

}  // namespace skiff::cli

// Helpers shared by the executor tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <thread>

#include "exec/executor.h"

namespace skiff::exec {

// A request running exec_test_helper with `args` (see testdata/helper.cpp).
inline RunRequest HelperRequest(std::initializer_list<std::string> args) {
  RunRequest req;
  req.argv.push_back(EXEC_HELPER);
  req.argv.insert(req.argv.end(), args);
  return req;
}

// The bytes the helper's "out N" / "err N" writes.
inline std::string Pattern(size_t n) {
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(static_cast<char>('a' + i % 26));
  }
  return s;
}

// The pid the helper's "bg N" printed, or -1.
inline pid_t BackgroundPid(const std::string& stdout_tail) {
  size_t at = stdout_tail.find("bg=");
  return at == std::string::npos ? -1 : std::stoi(stdout_tail.substr(at + 3));
}

// True once `pid` has died (absent, or a zombie its new parent has yet to reap), polling up to
// `within`.
inline bool ProcessGone(pid_t pid, std::chrono::milliseconds within) {
  auto until = std::chrono::steady_clock::now() + within;
  while (true) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!stat || !std::getline(stat, line)) {
      return true;
    }
    size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') {
      return true;
    }
    if (std::chrono::steady_clock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

inline int OpenFdCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

}  // namespace skiff::exec

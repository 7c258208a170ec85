// CliFixture: runs the `skiff` CLI in-process with a private HOME, SKIFF_DATA and no SKIFF_* or
// XDG variables from the caller's environment (all restored afterwards). For the CLI's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli.h"
#include "testing/canned_http_server.h"
#include "testing/temp_dir.h"

namespace skiff::cli {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kIsolated) {
      const char* value = std::getenv(name);
      if (value != nullptr) saved_.emplace_back(name, value);
      unsetenv(name);
    }
    setenv("HOME", home_.path().c_str(), 1);
    setenv("SKIFF_DATA", home_.path().c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : kIsolated) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

  RunResult Run(std::vector<std::string> args,
                const std::function<void(CLI::App&)>& register_more = nullptr) {
    args.insert(args.begin(), "skiff");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream out;
    std::ostringstream err;
    int code = Main(static_cast<int>(args.size()), argv.data(), register_more, out, err);
    return {code, out.str(), err.str()};
  }

  // Runs against `server` with a key.
  RunResult RunAt(const skiff::testing::TestHttpServer& server, std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server.url(), "--key", "skf_k"});
    return Run(std::move(args));
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = home_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  skiff::testing::TempDir home_;

 private:
  static constexpr const char* kIsolated[] = {"SKIFF_SERVER", "SKIFF_KEY", "SKIFF_DATA", "HOME",
                                              "XDG_CONFIG_HOME"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace skiff::cli

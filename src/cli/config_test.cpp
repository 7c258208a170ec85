#include "cli/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "testing/temp_dir.h"

namespace skiff::cli {
namespace {

constexpr const char* kVars[] = {"SKIFF_SERVER", "SKIFF_KEY", "SKIFF_DATA", "HOME",
                                 "XDG_CONFIG_HOME"};

// Saves and restores the variables ResolveConfig reads; starts each test with HOME in a temp dir
// and the others unset.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVars) {
      const char* value = std::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      unsetenv(name);
    }
    setenv("HOME", home_.path().c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  static void Write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
  }
  ClientConfig Resolve(ConfigFlags flags = {}) {
    auto config = ResolveConfig(flags);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? *config : ClientConfig{};
  }

  skiff::testing::TempDir home_;
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(ConfigTest, DefaultsWhenNothingIsSet) {
  ClientConfig config = Resolve();
  EXPECT_EQ(config.server, "http://127.0.0.1:8080");
  EXPECT_EQ(config.server_source, "default");
  EXPECT_EQ(config.key, "");
  EXPECT_EQ(config.key_source, "");
}

TEST_F(ConfigTest, FlagsBeatEnvironmentBeatsFile) {
  Write(home_.path() + "/.config/skiff/config.json",
        R"({"server": "http://file:1", "key": "skf_file"})");
  ClientConfig from_file = Resolve();
  EXPECT_EQ(from_file.server, "http://file:1");
  EXPECT_EQ(from_file.key, "skf_file");
  EXPECT_EQ(from_file.key_source, home_.path() + "/.config/skiff/config.json");

  setenv("SKIFF_SERVER", "http://env:2/", 1);
  setenv("SKIFF_KEY", "skf_env", 1);
  ClientConfig from_env = Resolve();
  EXPECT_EQ(from_env.server, "http://env:2");
  EXPECT_EQ(from_env.key, "skf_env");
  EXPECT_EQ(from_env.server_source, "SKIFF_SERVER");

  ClientConfig from_flags = Resolve({"https://flag:3", "skf_flag"});
  EXPECT_EQ(from_flags.server, "https://flag:3");
  EXPECT_EQ(from_flags.key, "skf_flag");
  EXPECT_EQ(from_flags.key_source, "--key");
}

TEST_F(ConfigTest, EachValueResolvesOnItsOwn) {
  Write(home_.path() + "/.config/skiff/config.json", R"({"server": "http://file:1", "key": "k1"})");
  setenv("SKIFF_KEY", "k2", 1);
  ClientConfig config = Resolve();
  EXPECT_EQ(config.server, "http://file:1");
  EXPECT_EQ(config.key, "k2");
}

TEST_F(ConfigTest, XdgConfigHomeReplacesDotConfig) {
  skiff::testing::TempDir xdg;
  Write(home_.path() + "/.config/skiff/config.json", R"({"key": "home"})");
  Write(xdg.path() + "/skiff/config.json", R"({"key": "xdg"})");
  setenv("XDG_CONFIG_HOME", xdg.path().c_str(), 1);
  EXPECT_EQ(Resolve().key, "xdg");
}

TEST_F(ConfigTest, BrokenConfigFileIsAnError) {
  std::string path = home_.path() + "/.config/skiff/config.json";
  Write(path, "{not json");
  auto config = ResolveConfig({});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kInvalidArgument);
  EXPECT_NE(config.status().message().find(path), std::string::npos);

  Write(path, R"({"key": 12})");
  config = ResolveConfig({});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("key: expected a string"), std::string::npos);
  // The message never echoes a key.
  Write(path, R"({"key": "skf_secret", "server": "ftp://x"})");
  config = ResolveConfig({});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().find("skf_secret"), std::string::npos);
}

TEST_F(ConfigTest, AdminKeyFromSkiffDataForLoopbackOnly) {
  skiff::testing::TempDir data;
  Write(data.path() + "/admin.key", "skf_admin\n");
  setenv("SKIFF_DATA", data.path().c_str(), 1);
  ClientConfig local = Resolve();
  EXPECT_EQ(local.key, "skf_admin");
  EXPECT_EQ(local.key_source, data.path() + "/admin.key");

  EXPECT_EQ(Resolve({"http://localhost:9000", ""}).key, "skf_admin");
  EXPECT_EQ(Resolve({"http://[::1]:9000", ""}).key, "skf_admin");
  EXPECT_EQ(Resolve({"http://jobs.example.com", ""}).key, "");

  setenv("SKIFF_KEY", "skf_env", 1);
  EXPECT_EQ(Resolve().key, "skf_env");
}

TEST_F(ConfigTest, AdminKeyFromDotSkiffInWorkingDirectory) {
  skiff::testing::TempDir cwd;
  Write(cwd.path() + "/.skiff/admin.key", "skf_here");
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(cwd.path());
  ClientConfig config = Resolve();
  std::filesystem::current_path(old);
  EXPECT_EQ(config.key, "skf_here");
}

TEST(NormalizeServerUrl, AddsSchemeAndStripsSlashes) {
  EXPECT_EQ(*NormalizeServerUrl("host:8080"), "http://host:8080");
  EXPECT_EQ(*NormalizeServerUrl("https://h/prefix//"), "https://h/prefix");
  EXPECT_FALSE(NormalizeServerUrl("ftp://h").ok());
  EXPECT_FALSE(NormalizeServerUrl("http://").ok());
  EXPECT_FALSE(NormalizeServerUrl("http://a b").ok());
}

TEST(IsLoopbackUrl, Hosts) {
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1:8080"));
  EXPECT_TRUE(IsLoopbackUrl("http://LOCALHOST"));
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]:80/x"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.example.com"));
  EXPECT_FALSE(IsLoopbackUrl("http://example.com"));
  EXPECT_FALSE(IsLoopbackUrl("http://localhost.evil.com"));
}

}  // namespace
}  // namespace skiff::cli

#include "store/object_store.h"

#include <gtest/gtest.h>

#include <string>

namespace skiff::store {
namespace {

TEST(ValidateKeyTest, AcceptsRelativePaths) {
  const std::vector<std::string> keys = {
      "a",    "jobs/job_01.json",     "blobs/sha256/ab/cd", "a.b/c-d/e_f~g", "x..y",
      "a/b.", std::string(1024, 'k'), "ünïcode/ключ"};
  for (const std::string& key : keys) {
    EXPECT_TRUE(ValidateKey(key).ok()) << key << ": " << ValidateKey(key).ToString();
  }
}

// Each bad key, and a word its message must contain (naming the rule).
TEST(ValidateKeyTest, RejectsWithAMessageNamingTheKeyAndTheRule) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"/abs", "start with '/'"},
      {"a/../b", "'..' segment"},
      {"..", "'..' segment"},
      {".", "'.' segment"},
      {"a//b", "empty segment"},
      {"a/", "empty segment"},
      {"a/./b", "'.' segment"},
      {std::string("x\0y", 3), "NUL"},
      {"a\\b", "backslash"},
      {"a\tb", "control character"},
      {std::string("a\x7f"), "control character"},
      {".hidden", "starts with '.'"},
      {"a/.tmp-1", "starts with '.'"},
      {std::string(1025, 'k'), "longer than 1024 bytes"},
  };
  for (const auto& [key, rule] : cases) {
    Status s = ValidateKey(key);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << ::testing::PrintToString(key);
    EXPECT_NE(s.message().find(rule), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("invalid key"), std::string::npos) << s.message();
  }
  EXPECT_NE(ValidateKey("a/../b").message().find("\"a/../b\""), std::string::npos);
  EXPECT_NE(ValidateKey(std::string("x\0y", 3)).message().find("x\\x00y"), std::string::npos);
  // A huge key is shown cut short, with its length.
  Status long_key = ValidateKey(std::string(2000, 'k'));
  EXPECT_LT(long_key.message().size(), 300u);
  EXPECT_NE(long_key.message().find("2000 bytes"), std::string::npos);
}

TEST(ValidatePrefixTest, AcceptsEmptyKeysAndFolders) {
  for (const std::string prefix : {"", "jobs", "jobs/", "jobs/jo", "a/b/"}) {
    EXPECT_TRUE(ValidatePrefix(prefix).ok()) << prefix;
  }
  for (const std::string prefix : {"/", "/jobs", "jobs//", "a/../", "..", ".tmp", "a/.", "x\ny"}) {
    EXPECT_EQ(ValidatePrefix(prefix).code(), Code::kInvalidArgument) << prefix;
  }
}

}  // namespace
}  // namespace skiff::store

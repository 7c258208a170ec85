#include "store/open_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "testing/temp_dir.h"

namespace skiff::store {
namespace {

TEST(OpenStoreTest, Memory) {
  auto store = OpenStore("memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Backend(), "memory");
  EXPECT_EQ(OpenStore("memory:x").status().code(), Code::kInvalidArgument);
}

TEST(OpenStoreTest, FolderForms) {
  skiff::testing::TempDir tmp;
  for (const std::string& url :
       {"file://" + tmp.path() + "/a", "file://localhost" + tmp.path() + "/b", tmp.path() + "/c"}) {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << url << ": " << store.status().ToString();
    EXPECT_EQ((*store)->Backend(), "fs");
    ASSERT_TRUE((*store)->Put("k", "v").ok());
  }
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/a/k"));
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/b/k"));
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/c/k"));
}

TEST(OpenStoreTest, RelativeFolderForms) {
  skiff::testing::TempDir tmp;
  std::filesystem::path old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());
  auto file_rel = OpenStore("file:rel/one");
  auto plain_rel = OpenStore("rel/two");
  auto dot_rel = OpenStore("./rel/three");
  std::filesystem::current_path(old_cwd);
  ASSERT_TRUE(file_rel.ok()) << file_rel.status().ToString();
  ASSERT_TRUE(plain_rel.ok()) << plain_rel.status().ToString();
  ASSERT_TRUE(dot_rel.ok()) << dot_rel.status().ToString();
  // Each store remembers its absolute root, so changing folder later does not move it.
  ASSERT_TRUE((*file_rel)->Put("k", "v").ok());
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/rel/one/k"));
  EXPECT_TRUE(std::filesystem::is_directory(tmp.path() + "/rel/two"));
  EXPECT_TRUE(std::filesystem::is_directory(tmp.path() + "/rel/three"));
}

TEST(OpenStoreTest, S3UrlProblemsAreInvalidArgument) {
  for (const std::string url : {"s3://", "s3://B", "s3://bucket?path_style=2",
                                "s3://bucket?nope=1", "s3://bucket/a/../b",
                                "s3://bucket?endpoint=ftp://x"}) {
    auto store = OpenStore(url);
    EXPECT_EQ(store.status().code(), Code::kInvalidArgument) << url;
  }
}

TEST(OpenStoreTest, S3UnreachableEndpointFailsAtOpen) {
  // Port 1 on loopback refuses connections: Open checks the bucket and reports it.
  auto store = OpenStore("s3://AK:SK@bucket/p?endpoint=http://127.0.0.1:1&retries=0");
  EXPECT_EQ(store.status().code(), Code::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find("cannot use bucket \"bucket\""), std::string::npos)
      << store.status().message();
}

TEST(OpenStoreTest, BadUrlsNameTheUrl) {
  for (const std::string url : {"", "http://example.com/x", "ftp:x", "file:", "file://",
                                "file://host/path", "file://relative"}) {
    auto store = OpenStore(url);
    EXPECT_EQ(store.status().code(), Code::kInvalidArgument) << url;
    EXPECT_NE(store.status().message().find("\"" + url + "\""), std::string::npos)
        << store.status().message();
  }
}

}  // namespace
}  // namespace skiff::store

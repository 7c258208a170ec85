#include "store/s3/testing/s3_test_backends.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/ids.h"

namespace skiff::store::s3::testing {
namespace {

const GetEnv kNoEnv = [](const char*) -> const char* { return nullptr; };

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

void S3StorePair::Open(const std::string& url, const GetEnv& env) {
  auto options = ParseS3Url(url, env);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto a = S3Store::Open(*options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = S3Store::Open(*options);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  store_ = std::move(a).value();
  peer_ = std::move(b).value();
}

S3CheckerBackend::S3CheckerBackend() { pair_.Open(server_.StoreUrl("conformance"), kNoEnv); }

std::string S3rverPath() {
  if (const char* p = std::getenv("SKIFF_S3RVER"); p && *p) return p;
  std::string path = std::string(SKIFF_SOURCE_DIR) + "/.test-deps/node_modules/.bin/s3rver";
  return std::filesystem::exists(path) ? path : "";
}

int StartS3rver(const std::string& dir, const std::string& bucket,
                std::unique_ptr<skiff::testing::Subprocess>* process, std::string* why) {
  std::string script = S3rverPath();
  if (script.empty()) {
    *why = "s3rver is not installed (scripts/test.sh installs it into .test-deps/)";
    return 0;
  }
  std::filesystem::create_directories(dir + "/data");
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = FreePort();
    *process = std::make_unique<skiff::testing::Subprocess>(
        std::vector<std::string>{script, "-d", dir + "/data", "-a", "127.0.0.1", "-p",
                                 std::to_string(port), "--silent", "--configure-bucket", bucket},
        skiff::testing::Env{{"NODE_OPTIONS", "--openssl-legacy-provider"}}, dir + "/s3rver.log", dir + "/s3rver.log");
    for (int i = 0; i < 200 && (*process)->Running(); ++i) {
      if (Accepts(port)) return port;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    process->reset();
  }
  *why = "s3rver did not start: " + skiff::testing::ReadFileOrEmpty(dir + "/s3rver.log");
  return 0;
}

S3rverBackend::S3rverBackend() {
  int port = StartS3rver(dir_.path(), "skiff-test", &process_, &skip_);
  if (port == 0) return;
  // s3rver's own key pair; it requires x-amz-content-sha256 but not a matching signature.
  pair_.Open("s3://S3RVER:S3RVER@skiff-test/conformance?endpoint=http://127.0.0.1:" +
                 std::to_string(port),
             kNoEnv);
}

S3rverBackend::~S3rverBackend() {
  if (process_) process_->Terminate(std::chrono::seconds(5));
}

RealS3Backend::RealS3Backend() {
  const char* endpoint = std::getenv("S3_TEST_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    skip_ = "S3_TEST_ENDPOINT is not set (a real S3 or MinIO endpoint runs this suite too)";
    return;
  }
  const char* bucket = std::getenv("S3_TEST_BUCKET");
  std::string url = "s3://" + std::string(bucket && *bucket ? bucket : "skiff-test") +
                    "/skiff-test-" + skiff::RandomHex(6) + "?endpoint=" + endpoint;
  pair_.Open(url, [](const char* name) { return static_cast<const char*>(std::getenv(name)); });
}

RealS3Backend::~RealS3Backend() {
  if (!pair_.ok()) return;
  for (int round = 0; round < 100; ++round) {
    auto page = pair_.store().List({"", "", 1000});
    if (!page.ok() || page->keys.empty()) return;
    for (const auto& k : page->keys) (void)pair_.store().Remove(k);
  }
}

}  // namespace skiff::store::s3::testing

#include "cli/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testing/canned_http_server.h"

namespace skiff::net {
namespace {

using skiff::testing::CannedResponse;
using skiff::testing::RecordedRequest;
using skiff::testing::TestHttpServer;

TEST(HttpClient, GetReturnsStatusBodyAndHeaders) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{404, R"({"error": {}})", {{"X-Correlation-Id", "c0ffee"}}};
  });
  HttpClient client(server.url() + "/", "");
  auto response = client.Get("/v1/jobs/job_1?tasks=0");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, R"({"error": {}})");
  EXPECT_EQ(response->Header("x-correlation-id"), "c0ffee");
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("absent"), "");

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/v1/jobs/job_1?tasks=0");
  EXPECT_EQ(requests[0].headers.count("authorization"), 0u);
}

TEST(HttpClient, PostSendsBodyKeyAndHeaders) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{201, "{}", {}}; });
  HttpClient client(server.url(), "skf_test_key");
  auto response = client.Post("/v1/jobs", R"({"argv": ["true"]})", {{"Idempotency-Key", "k-1"}});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, R"({"argv": ["true"]})");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer skf_test_key");
  EXPECT_EQ(requests[0].headers["content-type"], "application/json");
  EXPECT_EQ(requests[0].headers["idempotency-key"], "k-1");
  EXPECT_EQ(requests[0].headers.count("expect"), 0u);
}

TEST(HttpClient, EmptyPostHasContentLengthZeroAndNoContentType) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "{}", {}}; });
  HttpClient client(server.url(), "k");
  ASSERT_TRUE(client.Post("/v1/jobs/j/cancel", "").ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers["content-length"], "0");
  EXPECT_EQ(requests[0].headers.count("content-type"), 0u);
}

TEST(HttpClient, LargeBodyAndDelete) {
  TestHttpServer server([](const RecordedRequest& r) {
    return CannedResponse{200, std::to_string(r.body.size()), {}};
  });
  HttpClient client(server.url(), "k");
  std::string big(3 << 20, 'x');
  auto response = client.Post("/big", big);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, std::to_string(big.size()));
  auto deleted = client.Delete("/v1/things/1");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(server.requests().back().method, "DELETE");
}

TEST(HttpClient, ReusesTheConnection) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "ok", {}}; });
  HttpClient client(server.url(), "k");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.Get("/healthz").ok());
  ASSERT_TRUE(client.Post("/x", "{}").ok());
  EXPECT_EQ(server.requests().size(), 6u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ConnectionRefusedIsUnavailableWithTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(skiff::testing::UnusedPort());
  HttpClient client(url, "skf_secret");
  auto response = client.Get("/v1/jobs");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_NE(response.status().message().find("GET " + url + "/v1/jobs"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(response.status().message().find("skf_secret"), std::string::npos);
}

TEST(HttpClient, TimeoutIsUnavailable) {
  TestHttpServer server([](const RecordedRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return CannedResponse{200, "late", {}};
  });
  HttpClient client(server.url(), "", HttpClientOptions{1000, 100});
  auto response = client.Get("/slow");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
}

TEST(HttpClient, HeaderInjectionIsRefused) {
  HttpClient client("http://127.0.0.1:1", "");
  auto response = client.Post("/v1/jobs", "{}", {{"Idempotency-Key", "a\r\nX-Evil: 1"}});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInvalidArgument);
}

TEST(EscapeUrlComponent, KeepsUnreservedOnly) {
  EXPECT_EQ(EscapeUrlComponent("job_01AB-c.d~"), "job_01AB-c.d~");
  EXPECT_EQ(EscapeUrlComponent("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
  EXPECT_EQ(EscapeUrlComponent(".."), "%2E%2E");
  EXPECT_EQ(EscapeUrlComponent("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace skiff::net

#include "api/observe.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

TEST(ObserveTest, TraceparentFollowsW3C) {
  EXPECT_TRUE(ValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_TRUE(ValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  // A future version may append fields after a dash.
  EXPECT_TRUE(ValidTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"));
  EXPECT_FALSE(ValidTraceparent(""));
  EXPECT_FALSE(ValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));
  EXPECT_FALSE(ValidTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ValidTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ValidTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  EXPECT_FALSE(ValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01"));
  EXPECT_FALSE(ValidTraceparent("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"));
}

TEST(ObserveTest, CorrelationIdIsKeptWhenValidAndGeneratedOtherwise) {
  Request a;
  a.headers["x-correlation-id"] = "order-42";
  BeginRequest(a);
  EXPECT_EQ(a.correlation_id, "order-42");
  Request b;
  BeginRequest(b);
  EXPECT_EQ(b.correlation_id.size(), 32u);
  Request c;
  c.headers["x-correlation-id"] = "has space";
  c.headers["traceparent"] = "garbage";
  BeginRequest(c);
  EXPECT_NE(c.correlation_id, "has space");
  EXPECT_TRUE(ValidCorrelationId(c.correlation_id));
  EXPECT_EQ(c.traceparent, "");
  Response r;
  DecorateResponse(a, r);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "X-Correlation-Id");
  EXPECT_EQ(r.headers[0].second, "order-42");
}

}  // namespace
}  // namespace skiff::api

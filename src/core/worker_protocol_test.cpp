#include "core/worker_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace skiff {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// Through text, as over HTTP.
Json Wire(const Json& j) { return Json::parse(j.dump()); }

TEST(LeaseRequestTest, RoundTrip) {
  LeaseRequest r;
  r.worker = "host-1/3";
  r.max = 16;
  r.wait_ms = 10000;
  auto back = ParseLeaseRequest(Wire(LeaseRequestToJson(r)));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->worker, "host-1/3");
  EXPECT_EQ(back->max, 16);
  EXPECT_EQ(back->wait_ms, 10000);
}

TEST(LeaseRequestTest, DefaultsAndStrictness) {
  auto r = ParseLeaseRequest(Json::object());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->worker, "");
  EXPECT_EQ(r->max, 1);
  EXPECT_EQ(r->wait_ms, 0);
  auto error_of = [](const Json& j) {
    auto r = ParseLeaseRequest(j);
    EXPECT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    return r.status().message();
  };
  EXPECT_EQ(error_of({{"max", 1}, {"maxx", 2}}), "maxx: unknown field");
  EXPECT_THAT(error_of({{"max", 0}}), StartsWith("max: must be between 1 and 1000"));
  EXPECT_THAT(error_of({{"max", 1001}}), StartsWith("max:"));
  EXPECT_THAT(error_of({{"wait_ms", 60001}}), StartsWith("wait_ms:"));
  EXPECT_THAT(error_of({{"wait_ms", "5"}}), StartsWith("wait_ms: expected an integer"));
  EXPECT_THAT(error_of({{"worker", 3}}), StartsWith("worker: expected a string"));
  EXPECT_THAT(error_of(Json::array()), StartsWith("body: expected an object"));
}

TEST(LeaseResponseTest, RoundTrip) {
  LeaseResponse r;
  r.lease_ms = 30000;
  LeasedTask t;
  t.lease = "job_A/0/1";
  t.job = "job_A";
  t.task = "t-0001";
  t.attempt = 1;
  t.argv = {"echo", "hi"};
  t.env = {{"SKIFF_JOB", "job_A"}, {"LANG", "C"}};
  t.timeout_s = 60.5;
  r.tasks.push_back(t);
  t.lease = "job_B/4/2";
  t.attempt = 2;
  r.tasks.push_back(t);
  auto back = LeaseResponseFromJson(Wire(LeaseResponseToJson(r)));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->lease_ms, 30000);
  ASSERT_EQ(back->tasks.size(), 2u);
  EXPECT_EQ(back->tasks[0].lease, "job_A/0/1");
  EXPECT_EQ(back->tasks[0].job, "job_A");
  EXPECT_EQ(back->tasks[0].task, "t-0001");
  EXPECT_EQ(back->tasks[0].attempt, 1);
  EXPECT_THAT(back->tasks[0].argv, ElementsAre("echo", "hi"));
  EXPECT_EQ(back->tasks[0].env, t.env);
  EXPECT_EQ(back->tasks[0].timeout_s, 60.5);
  EXPECT_EQ(back->tasks[1].lease, "job_B/4/2");
  EXPECT_EQ(back->tasks[1].attempt, 2);
}

TEST(LeaseResponseTest, TolerantOfExtraFieldsStrictOnShape) {
  Json j = {{"lease_ms", 5}, {"new_field", 1},
            {"tasks", {{{"lease", "l"}, {"argv", {"x"}}, {"future", true}}}}};
  auto r = LeaseResponseFromJson(j);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tasks.size(), 1u);
  EXPECT_FALSE(LeaseResponseFromJson(Json::array()).ok());
  EXPECT_FALSE(LeaseResponseFromJson({{"lease_ms", 5}}).ok());
  EXPECT_FALSE(LeaseResponseFromJson({{"tasks", {{{"lease", "l"}}}}}).ok());  // no argv
  EXPECT_FALSE(LeaseResponseFromJson({{"tasks", {{{"argv", {"x"}}}}}}).ok());  // no lease
  EXPECT_TRUE(LeaseResponseFromJson({{"tasks", Json::array()}}).ok());
}

TEST(HeartbeatTest, RequestAndResponse) {
  auto leases = ParseHeartbeatRequest(Wire({{"leases", {"a", "b"}}}));
  ASSERT_TRUE(leases.ok());
  EXPECT_THAT(*leases, ElementsAre("a", "b"));
  auto empty = ParseHeartbeatRequest(Json::object());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  auto error_of = [](const Json& j) {
    auto r = ParseHeartbeatRequest(j);
    EXPECT_FALSE(r.ok()) << j.dump();
    return r.status().message();
  };
  EXPECT_EQ(error_of({{"leases", {"a"}}, {"x", 1}}), "x: unknown field");
  EXPECT_THAT(error_of({{"leases", "a"}}), StartsWith("leases: expected an array"));
  EXPECT_EQ(error_of({{"leases", {"a", 2}}}), "leases[1]: expected a string");

  HeartbeatResponse h;
  h.extended = {"a"};
  h.cancelled = {"b", "c"};
  h.lost = {"d"};
  auto back = HeartbeatResponseFromJson(Wire(HeartbeatResponseToJson(h)));
  ASSERT_TRUE(back.ok());
  EXPECT_THAT(back->extended, ElementsAre("a"));
  EXPECT_THAT(back->cancelled, ElementsAre("b", "c"));
  EXPECT_THAT(back->lost, ElementsAre("d"));
  EXPECT_FALSE(HeartbeatResponseFromJson(Json::array()).ok());
}

TEST(CompleteTest, ReportsRoundTrip) {
  TaskReport a;
  a.lease = "job_A/0/1";
  a.exit = 0;
  a.wall_ms = 812;
  a.cpu_ms = 790;
  a.max_rss_kb = 10240;
  a.stdout_tail = "out";
  a.stderr_tail = "err";
  a.stdout_bytes = 1 << 20;
  TaskReport b;
  b.lease = "job_A/1/2";
  b.exit = -1;
  b.signal = 9;
  b.timed_out = true;
  b.error = "killed";
  auto back = ParseCompleteRequest(Wire(TaskReportsToJson({a, b})));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  const TaskReport& x = (*back)[0];
  EXPECT_EQ(x.lease, a.lease);
  EXPECT_EQ(x.exit, 0);
  EXPECT_EQ(x.signal, 0);
  EXPECT_FALSE(x.timed_out);
  EXPECT_EQ(x.wall_ms, 812);
  EXPECT_EQ(x.cpu_ms, 790);
  EXPECT_EQ(x.max_rss_kb, 10240);
  EXPECT_EQ(x.stdout_tail, "out");
  EXPECT_EQ(x.stderr_tail, "err");
  EXPECT_EQ(x.stdout_bytes, 1 << 20);
  EXPECT_EQ(x.stderr_bytes, 0);
  EXPECT_EQ(x.error, "");
  const TaskReport& y = (*back)[1];
  EXPECT_EQ(y.exit, -1);
  EXPECT_EQ(y.signal, 9);
  EXPECT_TRUE(y.timed_out);
  EXPECT_EQ(y.error, "killed");
}

TEST(CompleteTest, InvalidUtf8InTailsIsSanitisedOnTheWire) {
  TaskReport a;
  a.lease = "l";
  a.stdout_tail = "a\xff";
  Json j;
  ASSERT_NO_THROW(j = Wire(TaskReportsToJson({a})));
  auto back = ParseCompleteRequest(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].stdout_tail, "a\xEF\xBF\xBD");
}

TEST(CompleteTest, StrictParseErrorsNameTheField) {
  auto error_of = [](const Json& j) {
    auto r = ParseCompleteRequest(j);
    EXPECT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    return r.status().message();
  };
  EXPECT_EQ(error_of(Json::object()), "results: required");
  EXPECT_EQ(error_of({{"results", 1}}), "results: expected an array");
  EXPECT_EQ(error_of({{"results", Json::array()}, {"x", 1}}), "x: unknown field");
  EXPECT_EQ(error_of({{"results", {{{"exit", 0}}}}}), "results[0].lease: required");
  EXPECT_EQ(error_of({{"results", {{{"lease", "l"}, {"bogus", 0}}}}}),
            "results[0].bogus: unknown field");
  EXPECT_THAT(error_of({{"results", {{{"lease", "l"}}, {{"lease", "m"}, {"exit", 256}}}}}),
              StartsWith("results[1].exit: must be between -1 and 255"));
  EXPECT_THAT(error_of({{"results", {{{"lease", "l"}, {"timed_out", 1}}}}}),
              StartsWith("results[0].timed_out: expected true or false"));
  EXPECT_THAT(error_of({{"results", {{{"lease", "l"}, {"wall_ms", -1}}}}}),
              StartsWith("results[0].wall_ms:"));
  EXPECT_THAT(error_of({{"results", {3}}}), StartsWith("results[0]: expected an object"));
  Json many = Json::array();
  for (int i = 0; i < 1001; ++i) many.push_back({{"lease", "l"}});
  EXPECT_THAT(error_of({{"results", many}}), HasSubstr("more than 1000"));
  EXPECT_TRUE(ParseCompleteRequest({{"results", Json::array()}}).ok());
}

TEST(CompleteTest, ResponseRoundTrip) {
  CompleteResponse r;
  r.accepted = {"a", "b"};
  r.rejected = {{"c", "lease expired"}, {"d", "job cancelled"}};
  auto back = CompleteResponseFromJson(Wire(CompleteResponseToJson(r)));
  ASSERT_TRUE(back.ok());
  EXPECT_THAT(back->accepted, ElementsAre("a", "b"));
  EXPECT_THAT(back->rejected, ElementsAre(Pair("c", "lease expired"), Pair("d", "job cancelled")));
  EXPECT_FALSE(CompleteResponseFromJson(Json::array()).ok());
}

}  // namespace
}  // namespace skiff

#include "exec/builtin/builtin_executor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "exec/local/local_executor.h"

namespace skiff::exec {
namespace {

using std::chrono::milliseconds;

// Records what reaches it and answers with a fixed outcome.
class RecordingExecutor : public Executor {
 public:
  RunOutcome Run(const RunRequest& req, const std::atomic<bool>&) override {
    ++calls;
    last_argv = req.argv;
    RunOutcome out;
    out.exit_code = 7;
    out.stdout_tail = "from inner";
    return out;
  }

  int calls = 0;
  std::vector<std::string> last_argv;
};

class BuiltinExecutorTest : public ::testing::Test {
 protected:
  BuiltinExecutorTest() {
    auto inner = std::make_unique<RecordingExecutor>();
    inner_ = inner.get();
    executor_ = std::make_unique<BuiltinExecutor>(std::move(inner));
  }

  RunOutcome Run(std::vector<std::string> argv, double timeout_s = 0) {
    RunRequest req;
    req.argv = std::move(argv);
    req.timeout_s = timeout_s;
    return executor_->Run(req, no_cancel_);
  }

  RecordingExecutor* inner_;
  std::unique_ptr<BuiltinExecutor> executor_;
  std::atomic<bool> no_cancel_{false};
};

TEST_F(BuiltinExecutorTest, NoopIsOkAtOnce) {
  RunOutcome out = Run({"skiff:noop"});
  EXPECT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_LT(out.wall_ms, 1000);
  EXPECT_EQ(inner_->calls, 0);
}

TEST_F(BuiltinExecutorTest, SleepSleeps) {
  RunOutcome out = Run({"skiff:sleep", "100"});
  EXPECT_TRUE(out.ok()) << out.error;
  EXPECT_GE(out.wall_ms, 100);
  EXPECT_LT(out.wall_ms, 2000);
  EXPECT_EQ(inner_->calls, 0);
}

TEST_F(BuiltinExecutorTest, SleepHonoursTimeout) {
  RunOutcome out = Run({"skiff:sleep", "10000"}, 0.2);
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "timed out after 0.2s");
  EXPECT_GE(out.wall_ms, 200);
  EXPECT_LT(out.wall_ms, 2000);
}

TEST_F(BuiltinExecutorTest, SleepHonoursCancel) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&cancel] {
    std::this_thread::sleep_for(milliseconds(100));
    cancel = true;
  });
  RunRequest req;
  req.argv = {"skiff:sleep", "10000"};
  RunOutcome out = executor_->Run(req, cancel);
  canceller.join();
  EXPECT_TRUE(out.cancelled);
  EXPECT_EQ(out.error, "cancelled");
  EXPECT_LT(out.wall_ms, 2000);
}

TEST_F(BuiltinExecutorTest, SleepRejectsABadArgument) {
  for (auto argv : std::vector<std::vector<std::string>>{
           {"skiff:sleep"}, {"skiff:sleep", "abc"}, {"skiff:sleep", "-5"}, {"skiff:sleep", "1x"}}) {
    RunOutcome out = Run(argv);
    EXPECT_EQ(out.exit_code, -1);
    EXPECT_NE(out.error, "");
  }
}

TEST_F(BuiltinExecutorTest, FailExitsWithOne) {
  RunOutcome out = Run({"skiff:fail"});
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.error, "exited with code 1");
}

TEST_F(BuiltinExecutorTest, UnknownBuiltinIsAnOutcomeError) {
  RunOutcome out = Run({"skiff:nope", "x"});
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "unknown builtin 'skiff:nope'");
  EXPECT_EQ(inner_->calls, 0);
}

TEST_F(BuiltinExecutorTest, EverythingElseGoesToTheWrappedExecutor) {
  RunOutcome out = Run({"echo", "skiff:noop"});
  EXPECT_EQ(inner_->calls, 1);
  EXPECT_EQ(inner_->last_argv, (std::vector<std::string>{"echo", "skiff:noop"}));
  EXPECT_EQ(out.exit_code, 7);
  EXPECT_EQ(out.stdout_tail, "from inner");
}

TEST(BuiltinExecutorStandaloneTest, WrapsARealExecutor) {
  BuiltinExecutor executor(std::make_unique<LocalProcessExecutor>());
  std::atomic<bool> no_cancel{false};
  RunRequest req;
  req.argv = {"sh", "-c", "echo hi"};
  RunOutcome out = executor.Run(req, no_cancel);
  EXPECT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.stdout_tail, "hi\n");
}

TEST(BuiltinExecutorStandaloneTest, WithoutANextExecutorOnlyBuiltinsRun) {
  BuiltinExecutor executor(nullptr);
  std::atomic<bool> no_cancel{false};
  RunRequest req;
  req.argv = {"echo", "hi"};
  RunOutcome out = executor.Run(req, no_cancel);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "no executor for 'echo'");
  req.argv = {"skiff:noop"};
  EXPECT_TRUE(executor.Run(req, no_cancel).ok());
}

}  // namespace
}  // namespace skiff::exec

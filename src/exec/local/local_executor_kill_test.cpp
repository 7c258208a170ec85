// LocalProcessExecutor: timeout, cancel, lingering grandchildren, concurrency and descriptor
// hygiene. Timing bounds are loose: the machine running the tests is shared and noisy.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "exec/local/local_executor.h"
#include "exec/testdata/test_util.h"

namespace skiff::exec {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

class LocalExecutorKillTest : public ::testing::Test {
 protected:
  RunOutcome Run(const RunRequest& req) { return executor_.Run(req, no_cancel_); }

  LocalProcessExecutor executor_;
  std::atomic<bool> no_cancel_{false};
};

TEST_F(LocalExecutorKillTest, TimeoutKillsTheWholeGroup) {
  RunRequest req = HelperRequest({"bg", "30000", "print", "started", "sleep", "30000"});
  req.timeout_s = 1;
  Clock::time_point start = Clock::now();
  RunOutcome out = Run(req);
  int64_t elapsed = MillisSince(start);

  EXPECT_TRUE(out.timed_out);
  EXPECT_FALSE(out.cancelled);
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.signal, SIGKILL);
  EXPECT_EQ(out.error, "timed out after 1s");
  EXPECT_GE(elapsed, 950);
  EXPECT_LT(elapsed, 2500);
  EXPECT_GE(out.wall_ms, 950);
  EXPECT_NE(out.stdout_tail.find("started\n"), std::string::npos);
  pid_t grandchild = BackgroundPid(out.stdout_tail);
  ASSERT_GT(grandchild, 0) << out.stdout_tail;
  EXPECT_TRUE(ProcessGone(grandchild, milliseconds(2000)));
}

TEST_F(LocalExecutorKillTest, TimeoutHoldsAgainstAFloodOfOutput) {
  RunRequest req;
  req.argv = {"yes"};
  req.timeout_s = 0.5;
  Clock::time_point start = Clock::now();
  RunOutcome out = Run(req);
  EXPECT_LT(MillisSince(start), 2500);
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.error, "timed out after 0.5s");
  EXPECT_EQ(out.stdout_tail.size(), req.output_limit);
  EXPECT_GT(out.stdout_bytes, static_cast<int64_t>(req.output_limit));
}

TEST_F(LocalExecutorKillTest, BackgroundGrandchildHoldingStdoutDoesNotHangRun) {
  Clock::time_point start = Clock::now();
  RunOutcome out = Run(HelperRequest({"bg", "30000", "print", "done"}));
  EXPECT_LT(MillisSince(start), 2000);
  EXPECT_TRUE(out.ok()) << out.error;
  EXPECT_NE(out.stdout_tail.find("done\n"), std::string::npos);
  pid_t grandchild = BackgroundPid(out.stdout_tail);
  ASSERT_GT(grandchild, 0) << out.stdout_tail;
  EXPECT_TRUE(ProcessGone(grandchild, milliseconds(2000)));
}

TEST_F(LocalExecutorKillTest, CancelFromAnotherThreadKillsTheProcess) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&cancel] {
    std::this_thread::sleep_for(milliseconds(200));
    cancel = true;
  });
  Clock::time_point start = Clock::now();
  RunOutcome out = executor_.Run(HelperRequest({"bg", "30000", "sleep", "30000"}), cancel);
  int64_t elapsed = MillisSince(start);
  canceller.join();

  EXPECT_TRUE(out.cancelled);
  EXPECT_FALSE(out.timed_out);
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.signal, SIGKILL);
  EXPECT_EQ(out.error, "cancelled");
  EXPECT_LT(elapsed, 2000);
  pid_t grandchild = BackgroundPid(out.stdout_tail);
  ASSERT_GT(grandchild, 0) << out.stdout_tail;
  EXPECT_TRUE(ProcessGone(grandchild, milliseconds(2000)));
}

TEST_F(LocalExecutorKillTest, CancelledBeforeStartRunsNothing) {
  std::atomic<bool> cancel{true};
  RunOutcome out = executor_.Run(HelperRequest({"print", "ran"}), cancel);
  EXPECT_TRUE(out.cancelled);
  EXPECT_EQ(out.error, "cancelled");
  EXPECT_EQ(out.stdout_tail, "");
}

TEST_F(LocalExecutorKillTest, ConcurrentRunsFromManyThreads) {
  constexpr int kThreads = 8;
  constexpr int kRunsEach = 3;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int r = 0; r < kRunsEach; ++r) {
        std::string tag = "thread-" + std::to_string(t) + "-" + std::to_string(r);
        RunOutcome out = Run(HelperRequest(
            {"print", tag, "out", "20000", "err", "300", "sleep", "50", "exit", std::to_string(t)}));
        bool good = out.exit_code == t && out.stdout_tail == tag + "\n" + Pattern(20000) &&
                    out.stderr_tail == Pattern(300) && !out.timed_out && !out.cancelled;
        if (!good) {
          failures[t] += tag + ": exit " + std::to_string(out.exit_code) + " " + out.error + "; ";
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (const std::string& failure : failures) {
    EXPECT_EQ(failure, "");
  }
}

TEST_F(LocalExecutorKillTest, NoDescriptorLeaksAcrossManyRuns) {
  (void)Run(HelperRequest({"exit", "0"}));  // warm up anything opened once (locale, caches)
  int before = OpenFdCount();
  for (int i = 0; i < 200; ++i) {
    RunRequest req;
    switch (i % 4) {
      case 0:
        req.argv = {"nosuchprog-skiff-test"};
        break;
      case 1:
        req = HelperRequest({"err", "100", "exit", "1"});
        break;
      case 2:
        req = HelperRequest({"print", "x"});
        req.workdir = "/nonexistent-skiff-dir";
        break;
      default:
        req = HelperRequest({"out", "1000"});
        break;
    }
    (void)Run(req);
  }
  RunRequest slow = HelperRequest({"bg", "30000", "sleep", "30000"});
  slow.timeout_s = 0.1;
  EXPECT_TRUE(Run(slow).timed_out);
  (void)Run(HelperRequest({"bg", "30000", "exit", "0"}));
  EXPECT_EQ(OpenFdCount(), before);
}

}  // namespace
}  // namespace skiff::exec

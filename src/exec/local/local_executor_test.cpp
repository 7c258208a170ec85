// LocalProcessExecutor: exit status, output capture, environment, workdir, start failures and
// resource accounting, against exec_test_helper and /bin/sh.
#include "exec/local/local_executor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "exec/testdata/test_util.h"
#include "testing/temp_dir.h"

namespace skiff::exec {
namespace {

RunRequest Shell(const std::string& script) {
  RunRequest req;
  req.argv = {"sh", "-c", script};
  return req;
}

class LocalExecutorTest : public ::testing::Test {
 protected:
  RunOutcome Run(const RunRequest& req) { return executor_.Run(req, no_cancel_); }

  LocalProcessExecutor executor_;
  std::atomic<bool> no_cancel_{false};
};

TEST_F(LocalExecutorTest, ExitZeroIsOk) {
  RunOutcome out = Run(HelperRequest({"print", "hello"}));
  EXPECT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.signal, 0);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.stdout_tail, "hello\n");
  EXPECT_EQ(out.stdout_bytes, 6);
  EXPECT_EQ(out.stderr_tail, "");
  EXPECT_FALSE(out.timed_out);
  EXPECT_FALSE(out.cancelled);
  EXPECT_GE(out.wall_ms, 0);
}

TEST_F(LocalExecutorTest, NonZeroExitIsReported) {
  RunOutcome out = Run(HelperRequest({"exit", "3"}));
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.exit_code, 3);
  EXPECT_EQ(out.signal, 0);
  EXPECT_EQ(out.error, "exited with code 3");
}

TEST_F(LocalExecutorTest, StdoutAndStderrAreCapturedSeparately) {
  RunOutcome out = Run(Shell("echo to-out; echo to-err >&2; exit 2"));
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_EQ(out.stdout_tail, "to-out\n");
  EXPECT_EQ(out.stderr_tail, "to-err\n");
  EXPECT_EQ(out.stdout_bytes, 7);
  EXPECT_EQ(out.stderr_bytes, 7);
}

TEST_F(LocalExecutorTest, KeepsExactlyTheTailOfLargeOutput) {
  constexpr size_t kMiB = 1024 * 1024;
  constexpr size_t kLimit = 64 * 1024;
  RunOutcome out = Run(HelperRequest({"out", std::to_string(kMiB), "err", std::to_string(kMiB)}));
  ASSERT_TRUE(out.ok()) << out.error;
  std::string expected = Pattern(kMiB).substr(kMiB - kLimit);
  EXPECT_EQ(out.stdout_bytes, static_cast<int64_t>(kMiB));
  EXPECT_EQ(out.stderr_bytes, static_cast<int64_t>(kMiB));
  EXPECT_EQ(out.stdout_tail.size(), kLimit);
  EXPECT_TRUE(out.stdout_tail == expected);
  EXPECT_TRUE(out.stderr_tail == expected);
}

TEST_F(LocalExecutorTest, HonoursASmallOrZeroOutputLimit) {
  RunRequest req = HelperRequest({"out", "100", "err", "100"});
  req.output_limit = 10;
  RunOutcome out = Run(req);
  EXPECT_EQ(out.stdout_tail, Pattern(100).substr(90));
  EXPECT_EQ(out.stdout_bytes, 100);
  req.output_limit = 0;
  out = Run(req);
  EXPECT_EQ(out.stdout_tail, "");
  EXPECT_EQ(out.stderr_tail, "");
  EXPECT_EQ(out.stdout_bytes, 100);
  EXPECT_EQ(out.stderr_bytes, 100);
}

TEST_F(LocalExecutorTest, EnvIsAddedToAndOverridesTheWorkersEnvironment) {
  ASSERT_EQ(::setenv("SKIFF_EXEC_TEST_OLD", "old", 1), 0);
  ASSERT_EQ(::setenv("SKIFF_EXEC_TEST_KEPT", "kept", 1), 0);
  RunRequest req = HelperRequest({"env", "SKIFF_EXEC_TEST_OLD", "env", "SKIFF_EXEC_TEST_NEW",
                                  "env", "SKIFF_EXEC_TEST_KEPT", "env", "SKIFF_EXEC_TEST_EMPTY"});
  req.env = {{"SKIFF_EXEC_TEST_OLD", "new"},
             {"SKIFF_EXEC_TEST_NEW", "hello world"},
             {"SKIFF_EXEC_TEST_EMPTY", ""}};
  RunOutcome out = Run(req);
  ::unsetenv("SKIFF_EXEC_TEST_OLD");
  ::unsetenv("SKIFF_EXEC_TEST_KEPT");
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.stdout_tail, "new\nhello world\nkept\n\n");
}

TEST_F(LocalExecutorTest, InvalidEnvNameIsAnOutcomeError) {
  RunRequest req = HelperRequest({"exit", "0"});
  req.env = {{"A=B", "x"}};
  RunOutcome out = Run(req);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_NE(out.error.find("invalid env name 'A=B'"), std::string::npos) << out.error;
}

TEST_F(LocalExecutorTest, RunsInTheWorkdir) {
  testing::TempDir dir;
  RunRequest req = HelperRequest({"cwd"});
  req.workdir = dir.path();
  RunOutcome out = Run(req);
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.stdout_tail, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST_F(LocalExecutorTest, MissingWorkdirIsAnOutcomeError) {
  testing::TempDir dir;
  RunRequest req = HelperRequest({"cwd"});
  req.workdir = dir.path() + "/absent";
  RunOutcome out = Run(req);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "cannot start '" + req.argv[0] + "': workdir '" + req.workdir +
                           "': No such file or directory");
}

TEST_F(LocalExecutorTest, MissingProgramIsAnOutcomeError) {
  RunRequest req;
  req.argv = {"nosuchprog-skiff-test", "x"};
  RunOutcome out = Run(req);
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.signal, 0);
  EXPECT_EQ(out.error, "cannot start 'nosuchprog-skiff-test': No such file or directory");
  req.argv = {"/nonexistent/prog"};
  EXPECT_EQ(Run(req).error, "cannot start '/nonexistent/prog': No such file or directory");
}

TEST_F(LocalExecutorTest, NonExecutableProgramIsAnOutcomeError) {
  testing::TempDir dir;
  std::string path = dir.path() + "/script.sh";
  std::ofstream(path) << "#!/bin/sh\necho hi\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  RunRequest req;
  req.argv = {path};
  RunOutcome out = Run(req);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "cannot start '" + path + "': Permission denied");
}

TEST_F(LocalExecutorTest, EmptyArgvIsAnOutcomeError) {
  RunOutcome out = Run(RunRequest{});
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.error, "cannot start: empty argv");
}

TEST_F(LocalExecutorTest, DeathBySignalIsReported) {
  RunOutcome out = Run(Shell("kill -TERM $$"));
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(out.signal, SIGTERM);
  EXPECT_EQ(out.error, "killed by signal 15 (SIGTERM)");
}

TEST_F(LocalExecutorTest, StdinIsDevNull) {
  RunOutcome out = Run(Shell("wc -c"));
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.stdout_tail, "0\n");
}

TEST_F(LocalExecutorTest, ChildGetsDefaultSignalsAndAnEmptyMask) {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_int;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &old_int), 0);
  sigset_t term;
  sigset_t old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &old_mask), 0);

  RunOutcome int_out = Run(Shell("kill -INT $$; exit 0"));
  RunOutcome term_out = Run(Shell("kill -TERM $$; exit 0"));

  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  EXPECT_EQ(int_out.signal, SIGINT);
  EXPECT_EQ(term_out.signal, SIGTERM);
}

TEST_F(LocalExecutorTest, ChildInheritsOnlyStandardDescriptors) {
  int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);
  RunOutcome out = Run(Shell("ls /proc/$$/fd"));
  ::close(leaky);
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.stdout_tail, "0\n1\n2\n");
}

TEST_F(LocalExecutorTest, CpuTimeIsMeasured) {
  RunOutcome out = Run(HelperRequest({"burn", "300"}));
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_GE(out.cpu_ms, 150);
  EXPECT_LT(out.cpu_ms, 30000);
}

TEST_F(LocalExecutorTest, PeakMemoryIsMeasured) {
  RunOutcome out = Run(HelperRequest({"alloc", "50"}));
  ASSERT_TRUE(out.ok()) << out.error << "\n" << out.stderr_tail;
  EXPECT_GE(out.max_rss_kb, 40 * 1024);
}

}  // namespace
}  // namespace skiff::exec

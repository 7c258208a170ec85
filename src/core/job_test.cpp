#include "core/job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.h"

namespace skiff {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kT0 = 1790000000000;  // 2026-09-21

Job MakeJob(size_t tasks, int max_attempts = 1) {
  JobSubmission sub;
  sub.spec.argv = {"echo", "{{task}}"};
  sub.spec.max_attempts = max_attempts;
  sub.item_count = tasks;
  return NewJob(std::move(sub), "job_TEST", "acme", "u1", kT0);
}

AttemptEnd End(std::string_view result, int exit = 0) {
  AttemptEnd e;
  e.result = std::string(result);
  e.exit = exit;
  return e;
}

TEST(NewJobTest, AllTasksPending) {
  Job job = MakeJob(3);
  EXPECT_EQ(job.id, "job_TEST");
  EXPECT_EQ(job.team, "acme");
  EXPECT_EQ(job.user_id, "u1");
  EXPECT_EQ(job.created_ms, kT0);
  EXPECT_EQ(job.size(), 3u);
  EXPECT_EQ(job.attempts.size(), 3u);
  for (TaskState t : job.tasks) EXPECT_EQ(t, TaskState::kPending);
  EXPECT_EQ(job.finished_ms, 0);
}

TEST(JobStatusTest, NamesRoundTrip) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSucceeded,
                      JobStatus::kFailed, JobStatus::kCancelled}) {
    JobStatus back;
    ASSERT_TRUE(ParseJobStatus(JobStatusName(s), &back));
    EXPECT_EQ(back, s);
  }
  JobStatus out;
  EXPECT_FALSE(ParseJobStatus("done", &out));
  EXPECT_FALSE(ParseJobStatus("", &out));
}

TEST(DeriveStatusTest, EveryCase) {
  Job job = MakeJob(3, 2);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kPending);
  TaskCounts c = CountTasks(job);
  EXPECT_EQ(c.total, 3u);
  EXPECT_EQ(c.pending, 3u);
  EXPECT_EQ(c.running + c.ok + c.ko, 0u);

  ApplyLease(job, 0, "w", kT0 + 1);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kRunning);
  c = CountTasks(job);
  EXPECT_EQ(c.pending, 2u);
  EXPECT_EQ(c.running, 1u);

  // A failed attempt waiting for its retry is pending again, but the job stays running.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultFailed, 1), kT0 + 2), EndOutcome::kRetry);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kRunning);
  c = CountTasks(job);
  EXPECT_EQ(c.pending, 3u);
  EXPECT_EQ(c.running, 0u);

  for (size_t i = 0; i < 3; ++i) {
    ApplyLease(job, i, "w", kT0 + 3);
    int n = job.attempts[i].back().n;
    ASSERT_EQ(ApplyAttemptEnd(job, i, n, End(kResultOk), kT0 + 4), EndOutcome::kOk);
  }
  EXPECT_EQ(DeriveStatus(job), JobStatus::kSucceeded);
  c = CountTasks(job);
  EXPECT_EQ(c.ok, 3u);
  EXPECT_EQ(c.pending + c.running + c.ko, 0u);
  EXPECT_EQ(job.finished_ms, kT0 + 4);
}

TEST(DeriveStatusTest, FailedWhenAnyKoAndNonePending) {
  Job job = MakeJob(2);
  ApplyLease(job, 0, "w", kT0);
  ApplyLease(job, 1, "w", kT0);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultFailed, 3), kT0 + 1), EndOutcome::kKo);
  // One ko but one still running: running.
  EXPECT_EQ(DeriveStatus(job), JobStatus::kRunning);
  EXPECT_EQ(job.finished_ms, 0);
  EXPECT_EQ(ApplyAttemptEnd(job, 1, 1, End(kResultOk), kT0 + 2), EndOutcome::kOk);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kFailed);
  TaskCounts c = CountTasks(job);
  EXPECT_EQ(c.ok, 1u);
  EXPECT_EQ(c.ko, 1u);
  EXPECT_EQ(job.finished_ms, kT0 + 2);
}

TEST(DeriveStatusTest, CancelledWins) {
  Job job = MakeJob(2);
  ApplyLease(job, 0, "w", kT0);
  ASSERT_TRUE(ApplyCancel(job, kT0 + 5));
  EXPECT_EQ(DeriveStatus(job), JobStatus::kCancelled);
  TaskCounts c = CountTasks(job);
  EXPECT_EQ(c.ko, 2u);
}

TEST(ApplyAttemptEndTest, OkOnSecondAttempt) {
  Job job = MakeJob(1, 3);
  ApplyLease(job, 0, "w1", kT0);
  EXPECT_EQ(job.attempts[0].back().n, 1);
  EXPECT_EQ(job.attempts[0].back().worker, "w1");
  EXPECT_TRUE(job.attempts[0].back().running());
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultFailed, 2), kT0 + 10), EndOutcome::kRetry);
  EXPECT_EQ(job.tasks[0], TaskState::kPending);
  ApplyLease(job, 0, "w2", kT0 + 20);
  EXPECT_EQ(job.attempts[0].back().n, 2);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 2, End(kResultOk), kT0 + 30), EndOutcome::kOk);
  EXPECT_EQ(job.tasks[0], TaskState::kOk);
  ASSERT_EQ(job.attempts[0].size(), 2u);
  EXPECT_EQ(job.attempts[0][0].result, kResultFailed);
  EXPECT_EQ(job.attempts[0][0].exit, 2);
  EXPECT_EQ(job.attempts[0][0].ended_ms, kT0 + 10);
  EXPECT_EQ(job.attempts[0][1].result, kResultOk);
  EXPECT_EQ(job.attempts[0][1].worker, "w2");
}

TEST(ApplyAttemptEndTest, KoAfterMaxAttempts) {
  Job job = MakeJob(1, 3);
  for (int n = 1; n <= 3; ++n) {
    ApplyLease(job, 0, "w", kT0 + n);
    std::string_view result = n == 2 ? kResultLeaseExpired : kResultTimeout;
    EndOutcome want = n < 3 ? EndOutcome::kRetry : EndOutcome::kKo;
    EXPECT_EQ(ApplyAttemptEnd(job, 0, n, End(result, -1), kT0 + n), want) << n;
  }
  EXPECT_EQ(job.tasks[0], TaskState::kKo);
  EXPECT_EQ(job.attempts[0].size(), 3u);
  EXPECT_EQ(AttemptsInRound(job, 0), 3);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kFailed);
}

TEST(ApplyAttemptEndTest, EmptyResultMeansFailed) {
  Job job = MakeJob(1, 2);
  ApplyLease(job, 0, "w", kT0);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, AttemptEnd{}, kT0), EndOutcome::kRetry);
  EXPECT_EQ(job.attempts[0][0].result, kResultFailed);
}

TEST(ApplyAttemptEndTest, StaleOrDuplicateIsIgnored) {
  Job job = MakeJob(2, 2);
  // Nothing running.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0), EndOutcome::kIgnored);
  ApplyLease(job, 0, "w", kT0);
  // Wrong attempt number.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 2, End(kResultOk), kT0), EndOutcome::kIgnored);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 0, End(kResultOk), kT0), EndOutcome::kIgnored);
  // Out of range task.
  EXPECT_EQ(ApplyAttemptEnd(job, 7, 1, End(kResultOk), kT0), EndOutcome::kIgnored);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultFailed, 1), kT0 + 1), EndOutcome::kRetry);
  // The same report again: the attempt is no longer running.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0 + 2), EndOutcome::kIgnored);
  EXPECT_EQ(job.attempts[0][0].result, kResultFailed);
  ApplyLease(job, 0, "w", kT0 + 3);
  // A late report of attempt 1 while attempt 2 runs.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0 + 4), EndOutcome::kIgnored);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 2, End(kResultOk), kT0 + 5), EndOutcome::kOk);
  // After the task is ok, a repeated report is ignored and changes nothing.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 2, End(kResultFailed), kT0 + 6), EndOutcome::kIgnored);
  EXPECT_EQ(job.tasks[0], TaskState::kOk);
  EXPECT_EQ(job.attempts[0][1].result, kResultOk);
}

TEST(ApplyAttemptEndTest, TailsAreCutAndSanitised) {
  Job job = MakeJob(1);
  ApplyLease(job, 0, "w", kT0);
  AttemptEnd e = End(kResultOk);
  e.stdout_tail = std::string(5000, 'a') + "END";
  e.stderr_tail = "bad \xff byte";
  e.error = "";
  e.wall_ms = 812;
  e.cpu_ms = 790;
  e.max_rss_kb = 10240;
  e.signal = 0;
  ASSERT_EQ(ApplyAttemptEnd(job, 0, 1, e, kT0), EndOutcome::kOk);
  const Attempt& a = job.attempts[0][0];
  EXPECT_EQ(a.stdout_tail.size(), 2048u);
  EXPECT_EQ(a.stdout_tail.substr(2045), "END");
  EXPECT_EQ(a.stderr_tail, "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(a.wall_ms, 812);
  EXPECT_EQ(a.cpu_ms, 790);
  EXPECT_EQ(a.max_rss_kb, 10240);
}

TEST(ApplyCancelTest, PendingAndRunningTasksEndKo) {
  Job job = MakeJob(3, 3);
  ApplyLease(job, 0, "w", kT0);
  ApplyLease(job, 1, "w", kT0);
  ASSERT_EQ(ApplyAttemptEnd(job, 1, 1, End(kResultOk), kT0 + 1), EndOutcome::kOk);
  ASSERT_TRUE(ApplyCancel(job, kT0 + 9));
  EXPECT_EQ(job.tasks[0], TaskState::kKo);
  EXPECT_EQ(job.tasks[1], TaskState::kOk);  // a finished task keeps its result
  EXPECT_EQ(job.tasks[2], TaskState::kKo);
  EXPECT_EQ(job.attempts[0][0].result, kResultCancelled);
  EXPECT_EQ(job.attempts[0][0].ended_ms, kT0 + 9);
  EXPECT_THAT(job.attempts[2], IsEmpty());  // never leased: no attempt invented
  EXPECT_EQ(job.cancelled_ms, kT0 + 9);
  EXPECT_EQ(job.finished_ms, kT0 + 9);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kCancelled);
  // A report from the cancelled attempt is ignored.
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0 + 10), EndOutcome::kIgnored);
}

TEST(ApplyCancelTest, FinishedJobIsUnchanged) {
  Job job = MakeJob(1);
  ApplyLease(job, 0, "w", kT0);
  ASSERT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0 + 1), EndOutcome::kOk);
  Json before = JobToDocument(job);
  EXPECT_FALSE(ApplyCancel(job, kT0 + 2));
  EXPECT_EQ(JobToDocument(job), before);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kSucceeded);
  // Cancelling twice: the second is a no-op.
  Job other = MakeJob(1);
  EXPECT_TRUE(ApplyCancel(other, kT0));
  EXPECT_FALSE(ApplyCancel(other, kT0 + 1));
  EXPECT_EQ(other.cancelled_ms, kT0);
}

TEST(ApplyRetryTest, NewRoundFreshBudgetOldAttemptsKept) {
  Job job = MakeJob(3, 2);
  for (size_t i = 0; i < 3; ++i) ApplyLease(job, i, "w", kT0);
  ASSERT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultOk), kT0), EndOutcome::kOk);
  ASSERT_EQ(ApplyAttemptEnd(job, 1, 1, End(kResultFailed, 1), kT0), EndOutcome::kRetry);
  ASSERT_EQ(ApplyAttemptEnd(job, 2, 1, End(kResultFailed, 1), kT0), EndOutcome::kRetry);
  for (size_t i = 1; i < 3; ++i) ApplyLease(job, i, "w", kT0 + 1);
  ASSERT_EQ(ApplyAttemptEnd(job, 1, 2, End(kResultFailed, 1), kT0 + 2), EndOutcome::kKo);
  ASSERT_EQ(ApplyAttemptEnd(job, 2, 2, End(kResultOk), kT0 + 3), EndOutcome::kOk);
  ASSERT_EQ(DeriveStatus(job), JobStatus::kFailed);

  EXPECT_THAT(ApplyRetry(job, kT0 + 10), ElementsAre(1u));
  EXPECT_EQ(job.round, 1);
  EXPECT_EQ(job.finished_ms, 0);
  EXPECT_EQ(job.tasks[0], TaskState::kOk);
  EXPECT_EQ(job.tasks[1], TaskState::kPending);
  EXPECT_EQ(job.tasks[2], TaskState::kOk);
  EXPECT_EQ(job.attempts[1].size(), 2u);  // old attempts kept
  EXPECT_EQ(AttemptsInRound(job, 1), 0);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kRunning);

  // A fresh budget of max_attempts in the new round; attempt numbers keep counting.
  ApplyLease(job, 1, "w", kT0 + 11);
  EXPECT_EQ(job.attempts[1].back().n, 3);
  EXPECT_EQ(job.attempts[1].back().round, 1);
  EXPECT_EQ(ApplyAttemptEnd(job, 1, 3, End(kResultFailed, 1), kT0 + 12), EndOutcome::kRetry);
  ApplyLease(job, 1, "w", kT0 + 13);
  EXPECT_EQ(ApplyAttemptEnd(job, 1, 4, End(kResultFailed, 1), kT0 + 14), EndOutcome::kKo);
  EXPECT_EQ(job.finished_ms, kT0 + 14);
}

TEST(ApplyRetryTest, UnfinishedOrAllOkJobIsUnchanged) {
  Job job = MakeJob(2);
  ApplyLease(job, 0, "w", kT0);
  ASSERT_EQ(ApplyAttemptEnd(job, 0, 1, End(kResultFailed, 1), kT0), EndOutcome::kKo);
  Json before = JobToDocument(job);
  EXPECT_THAT(ApplyRetry(job, kT0 + 1), IsEmpty());  // task 1 still pending
  EXPECT_EQ(JobToDocument(job), before);

  Job ok = MakeJob(1);
  ApplyLease(ok, 0, "w", kT0);
  ASSERT_EQ(ApplyAttemptEnd(ok, 0, 1, End(kResultOk), kT0), EndOutcome::kOk);
  before = JobToDocument(ok);
  EXPECT_THAT(ApplyRetry(ok, kT0 + 1), IsEmpty());
  EXPECT_EQ(JobToDocument(ok), before);
}

TEST(ApplyRetryTest, RetryOfCancelledJobClearsCancel) {
  Job job = MakeJob(2);
  ApplyLease(job, 0, "w", kT0);
  ASSERT_TRUE(ApplyCancel(job, kT0 + 1));
  EXPECT_THAT(ApplyRetry(job, kT0 + 2), ElementsAre(0u, 1u));
  EXPECT_EQ(job.cancelled_ms, 0);
  EXPECT_EQ(DeriveStatus(job), JobStatus::kRunning);
}

TEST(RenderTaskTest, ItemsParamsBuiltinsAndEnv) {
  JobSubmission sub;
  sub.spec.argv = {"convert", "{{src}}", "{{size}}", "{{task}}", "{{index}}", "{{job}}"};
  sub.spec.env = {{"LANG", "C"}, {"SRC", "{{src}}"}};
  sub.params = {{"size", "320x240"}};
  sub.items = Json::array({{{"src", "a.png"}}, {{"src", "b.png"}}});
  sub.item_count = 2;
  sub.correlation_id = "corr";
  Job job = NewJob(std::move(sub), "job_X", "t", "u", kT0);
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  ASSERT_TRUE(RenderTask(job, 1, 3, &argv, &env).ok());
  EXPECT_THAT(argv, ElementsAre("convert", "b.png", "320x240", "t-0002", "1", "job_X"));
  EXPECT_EQ(env.at("LANG"), "C");
  EXPECT_EQ(env.at("SRC"), "b.png");
  EXPECT_EQ(env.at("SKIFF_JOB"), "job_X");
  EXPECT_EQ(env.at("SKIFF_TASK"), "t-0002");
  EXPECT_EQ(env.at("SKIFF_ATTEMPT"), "3");
  EXPECT_EQ(env.at("SKIFF_CORRELATION_ID"), "corr");
  EXPECT_EQ(env.count("TRACEPARENT"), 0u);  // none submitted, none invented
  EXPECT_TRUE(CheckRenders(job).ok());

  job.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(RenderTask(job, 0, 1, &argv, &env).ok());
  EXPECT_EQ(env.at("TRACEPARENT"), job.traceparent);
}

TEST(RenderTaskTest, ErrorNamesTaskAndPlaceholder) {
  JobSubmission sub;
  sub.spec.argv = {"x", "{{src}}"};
  sub.items = Json::array({{{"src", "a"}}, {{"other", "b"}}});
  sub.item_count = 2;
  Job job = NewJob(std::move(sub), "job_X", "t", "u", kT0);
  Status st = CheckRenders(job);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("task t-0002"));
  EXPECT_THAT(st.message(), HasSubstr("argv[1]"));
  EXPECT_THAT(st.message(), HasSubstr("{{src}}"));

  JobSubmission sub2;
  sub2.spec.argv = {"x"};
  sub2.spec.env = {{"E", "{{missing}}"}};
  Job job2 = NewJob(std::move(sub2), "job_Y", "t", "u", kT0);
  st = CheckRenders(job2);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("env.E"));
  EXPECT_THAT(st.message(), HasSubstr("{{missing}}"));
}

// A job with every kind of data set: params, items, finished, running, cancelled attempts, rounds.
Job RichJob() {
  JobSubmission sub;
  sub.name = "thumbnails";
  sub.correlation_id = "corr-1";
  sub.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  sub.spec.argv = {"convert", "{{src}}"};
  sub.spec.env = {{"LANG", "C"}};
  sub.spec.timeout_s = 60.25;
  sub.spec.max_attempts = 2;
  sub.spec.backoff_ms = 250;
  sub.params = {{"size", "320x240"}, {"q", 90}};
  sub.items = Json::array({{{"src", "a.png"}}, {{"src", "b.png"}}, {{"src", "c.png"}}});
  sub.item_count = 3;
  Job job = NewJob(std::move(sub), "job_RICH", "acme", "hash", kT0 + 123);
  job.idempotency_key = "idem-1";
  job.seq = 42;
  ApplyLease(job, 0, "host/1", kT0 + 1000);
  AttemptEnd e = End(kResultFailed, 3);
  e.signal = 9;
  e.wall_ms = 812;
  e.cpu_ms = 790;
  e.max_rss_kb = 10240;
  e.stdout_tail = "out ü";
  e.stderr_tail = "err";
  e.error = "boom";
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 1, e, kT0 + 2000), EndOutcome::kRetry);
  ApplyLease(job, 0, "host/2", kT0 + 3000);
  EXPECT_EQ(ApplyAttemptEnd(job, 0, 2, End(kResultOk), kT0 + 4000), EndOutcome::kOk);
  ApplyLease(job, 1, "host/3", kT0 + 5000);  // still running
  return job;
}

void ExpectSameJob(const Job& a, const Job& b) {
  EXPECT_EQ(JobToDocument(a), JobToDocument(b));
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.team, b.team);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.correlation_id, b.correlation_id);
  EXPECT_EQ(a.traceparent, b.traceparent);
  EXPECT_EQ(a.idempotency_key, b.idempotency_key);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.finished_ms, b.finished_ms);
  EXPECT_EQ(a.cancelled_ms, b.cancelled_ms);
  EXPECT_EQ(a.spec.argv, b.spec.argv);
  EXPECT_EQ(a.spec.env, b.spec.env);
  EXPECT_EQ(a.spec.timeout_s, b.spec.timeout_s);
  EXPECT_EQ(a.spec.max_attempts, b.spec.max_attempts);
  EXPECT_EQ(a.spec.backoff_ms, b.spec.backoff_ms);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.round, b.round);
  EXPECT_EQ(a.tasks, b.tasks);
  EXPECT_EQ(a.seq, b.seq);
  ASSERT_EQ(a.attempts.size(), b.attempts.size());
  for (size_t i = 0; i < a.attempts.size(); ++i) {
    ASSERT_EQ(a.attempts[i].size(), b.attempts[i].size()) << i;
    for (size_t k = 0; k < a.attempts[i].size(); ++k) {
      const Attempt& x = a.attempts[i][k];
      const Attempt& y = b.attempts[i][k];
      EXPECT_EQ(x.n, y.n);
      EXPECT_EQ(x.round, y.round);
      EXPECT_EQ(x.worker, y.worker);
      EXPECT_EQ(x.started_ms, y.started_ms);
      EXPECT_EQ(x.ended_ms, y.ended_ms);
      EXPECT_EQ(x.result, y.result);
      EXPECT_EQ(x.exit, y.exit);
      EXPECT_EQ(x.signal, y.signal);
      EXPECT_EQ(x.wall_ms, y.wall_ms);
      EXPECT_EQ(x.cpu_ms, y.cpu_ms);
      EXPECT_EQ(x.max_rss_kb, y.max_rss_kb);
      EXPECT_EQ(x.stdout_tail, y.stdout_tail);
      EXPECT_EQ(x.stderr_tail, y.stderr_tail);
      EXPECT_EQ(x.error, y.error);
    }
  }
}

TEST(JobDocumentTest, RoundTripWithAttempts) {
  Job job = RichJob();
  Json doc = JobToDocument(job);
  EXPECT_EQ(doc["schema"], 1);
  EXPECT_EQ(doc["tasks"]["t-0001"], "ok");
  EXPECT_TRUE(doc["tasks"]["t-0002"].is_null());
  EXPECT_TRUE(doc["finished_at"].is_null());
  EXPECT_EQ(doc["attempts"]["t-0001"].size(), 2u);
  EXPECT_FALSE(doc["attempts"].contains("t-0003"));
  EXPECT_FALSE(doc.contains("status"));  // derived, never stored
  // Through text, as the store keeps it.
  auto back = JobFromDocument(Json::parse(doc.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameJob(job, *back);
}

TEST(JobDocumentTest, RoundTripFinishedCancelledAndRetried) {
  Job job = RichJob();
  ASSERT_TRUE(ApplyCancel(job, kT0 + 6000));
  auto back = JobFromDocument(Json::parse(JobToDocument(job).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameJob(job, *back);
  EXPECT_EQ(DeriveStatus(*back), JobStatus::kCancelled);

  ASSERT_FALSE(ApplyRetry(job, kT0 + 7000).empty());
  back = JobFromDocument(Json::parse(JobToDocument(job).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameJob(job, *back);
  EXPECT_EQ(back->round, 1);
}

TEST(JobDocumentTest, RoundTripCountOnlyJob) {
  Job job = MakeJob(10000);
  ApplyLease(job, 9999, "w", kT0);
  Json doc = JobToDocument(job);
  EXPECT_EQ(doc["items"], 10000);
  EXPECT_TRUE(doc["tasks"].contains("t-10000"));
  EXPECT_TRUE(doc["tasks"].contains("t-00001"));
  auto back = JobFromDocument(Json::parse(doc.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->items.is_null());
  ExpectSameJob(job, *back);
}

TEST(JobDocumentTest, UnknownFieldsArePreserved) {
  Json doc = JobToDocument(RichJob());
  doc["future_field"] = {{"a", 1}};
  doc["labels"] = Json::array({"x"});
  doc["spec"]["future_spec_field"] = "keep me";
  doc["attempts"]["t-0001"][0]["exit_reason"] = "oom";
  doc["status"] = "running";  // derived fields from an API answer are dropped, not kept
  doc["counts"] = {{"total", 3}};
  auto job = JobFromDocument(doc);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->unknown["future_field"], doc["future_field"]);
  Json again = JobToDocument(*job);
  EXPECT_EQ(again["future_field"], doc["future_field"]);
  EXPECT_EQ(again["labels"], doc["labels"]);
  EXPECT_EQ(again["spec"]["future_spec_field"], "keep me");
  EXPECT_EQ(again["attempts"]["t-0001"][0]["exit_reason"], "oom");
  EXPECT_FALSE(again.contains("status"));
  EXPECT_FALSE(again.contains("counts"));
  // Known fields still win over stale copies: the document is rewritten from the struct.
  EXPECT_EQ(again["id"], "job_RICH");
}

TEST(JobDocumentTest, MalformedFieldsAreNamed) {
  Json good = JobToDocument(RichJob());
  auto error_of = [](const Json& doc) {
    auto r = JobFromDocument(doc);
    EXPECT_FALSE(r.ok()) << doc.dump();
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_THAT(error_of(Json::array()), HasSubstr("expected an object"));
  Json d = good;
  d.erase("id");
  EXPECT_THAT(error_of(d), HasSubstr("id"));
  d = good;
  d["team"] = 5;
  EXPECT_THAT(error_of(d), HasSubstr("team"));
  d = good;
  d["created_at"] = "yesterday";
  EXPECT_THAT(error_of(d), HasSubstr("created_at"));
  d = good;
  d.erase("spec");
  EXPECT_THAT(error_of(d), HasSubstr("spec"));
  d = good;
  d["spec"]["max_attempts"] = "three";
  EXPECT_THAT(error_of(d), HasSubstr("spec.max_attempts"));
  d = good;
  d["items"] = "many";
  EXPECT_THAT(error_of(d), HasSubstr("items"));
  d = good;
  d["items"] = 0;
  EXPECT_THAT(error_of(d), HasSubstr("items"));
  d = good;
  d["tasks"]["t-0009"] = nullptr;
  EXPECT_THAT(error_of(d), HasSubstr("tasks.t-0009"));
  d = good;
  d["tasks"]["t-0001"] = "done";
  EXPECT_THAT(error_of(d), HasSubstr("tasks.t-0001"));
  d = good;
  d.erase("tasks");
  EXPECT_THAT(error_of(d), HasSubstr("tasks"));
  d = good;
  d["attempts"]["t-0001"][0]["n"] = "one";
  EXPECT_THAT(error_of(d), HasSubstr("attempts.t-0001[0].n"));
  d = good;
  d["attempts"]["t-0001"][1] = 3;
  EXPECT_THAT(error_of(d), HasSubstr("attempts.t-0001[1]"));
  d = good;
  d["attempts"]["t-01"] = Json::array();
  EXPECT_THAT(error_of(d), HasSubstr("attempts.t-01"));
}

TEST(JobDocumentTest, ListingFormLeavesOutTasks) {
  Json doc = JobToDocument(RichJob(), false);
  EXPECT_FALSE(doc.contains("items"));
  EXPECT_FALSE(doc.contains("tasks"));
  EXPECT_FALSE(doc.contains("attempts"));
  EXPECT_EQ(doc["id"], "job_RICH");
}

TEST(JobApiTest, AddsStatusAndCountsAndHidesInternals) {
  Json api = JobToApi(RichJob());
  EXPECT_EQ(api["status"], "running");
  EXPECT_EQ(api["counts"]["total"], 3);
  EXPECT_EQ(api["counts"]["ok"], 1);
  EXPECT_EQ(api["counts"]["running"], 1);
  EXPECT_EQ(api["counts"]["pending"], 1);
  EXPECT_EQ(api["counts"]["ko"], 0);
  EXPECT_FALSE(api.contains("seq"));
  EXPECT_FALSE(api.contains("idempotency_key"));
  EXPECT_EQ(api["created_at"], FormatTime(kT0 + 123));
  // The API form read back (e.g. a document copied from an answer) still parses.
  auto back = JobFromDocument(api);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->unknown.contains("status"));
}

}  // namespace
}  // namespace skiff

namespace skiff {
namespace {

TEST(FinishAckedTest, SetOnlyForTheFinishedRoundClearedByRetryAndStored) {
  Job job = NewJob(ParseJobSubmission(Json{{"argv", {"true"}}, {"items", 1}}).value(), "job_1",
                   "acme", "u", 1000);
  EXPECT_FALSE(ApplyFinishAcked(job, 0));  // not finished yet
  ApplyLease(job, 0, "w", 1001);
  AttemptEnd ko;
  ko.result = std::string(kResultFailed);
  ApplyAttemptEnd(job, 0, 1, ko, 1002);
  EXPECT_FALSE(ApplyFinishAcked(job, 1));  // another round
  EXPECT_TRUE(ApplyFinishAcked(job, 0));
  auto reread = JobFromDocument(Json::parse(DumpJson(JobToDocument(job))));
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  EXPECT_TRUE(reread->finish_acked);
  EXPECT_FALSE(JobToApi(job).contains("finish_acked"));  // internal: not in the API
  ApplyRetry(job, 1003);
  EXPECT_FALSE(job.finish_acked);
}

}  // namespace
}  // namespace skiff

namespace skiff {
namespace {

TEST(DumpJobDocumentTest, SameValueAsTheJsonTreeForEveryKindOfTask) {
  Json body = {{"argv", {"run", "{{item.path}}"}},
               {"items", Json::array({{{"path", "a,\"b\""}}, {{"path", "caf\xc3\xa9"}},
                                      {{"path", "x"}}, {{"path", "y"}}})},
               {"max_attempts", 2},
               {"name", "quote\" and \\ and \n newline"}};
  Job job = NewJob(ParseJobSubmission(body).value(), "job_1", "acme", "u", 1000);
  job.unknown = {{"future_field", {1, 2}}};
  ApplyLease(job, 0, "w\"1", 1001);
  AttemptEnd ok;
  ok.result = std::string(kResultOk);
  ok.exit = 0;
  ok.wall_ms = 12;
  ok.stdout_tail = "line 1\nline 2\t\x01 \xff invalid";
  ok.stdout_bytes = 123456;
  ApplyAttemptEnd(job, 0, 1, ok, 1002);
  ApplyLease(job, 1, "w", 1003);
  AttemptEnd failed;
  failed.result = std::string(kResultFailed);
  failed.exit = 3;
  failed.signal = 9;
  failed.error = "killed";
  ApplyAttemptEnd(job, 1, 1, failed, 1004);
  ApplyLease(job, 1, "w", 1005);  // running second attempt
  ApplyLease(job, 2, "w", 1006);
  job.attempts[2].back().unknown = {{"later", true}};
  for (bool api : {false, true}) {
    Json expected = api ? JobToApi(job) : JobToDocument(job);
    // Through text both ways: invalid UTF-8 is replaced the same way.
    Json want = Json::parse(DumpJson(expected));
    Json got = Json::parse(DumpJobDocument(job, api));
    EXPECT_EQ(got, want) << (api ? "api" : "document");
  }
  Job counted = NewJob(ParseJobSubmission(Json{{"argv", {"true"}}, {"items", 3}}).value(), "job_2",
                       "acme", "u", 1000);
  EXPECT_EQ(Json::parse(DumpJobDocument(counted, false)), JobToDocument(counted));
}

}  // namespace
}  // namespace skiff

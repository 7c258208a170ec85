// `skiff job watch ID` (and `job submit --watch`): poll the job and draw its progress.
#include <chrono>
#include <string>
#include <thread>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kPlainLineEvery = 2.0;       // seconds between lines when not on a terminal
constexpr double kRetryUnavailableFor = 30.0;  // seconds of network/server outage tolerated

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool IsFinished(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

}  // namespace

int WatchJob(Context& ctx, const std::string& id) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  const bool text = !ctx.json_output();
  const bool redraw = text && ctx.out_is_tty();
  const auto start = Clock::now();
  RateMeter meter;
  double last_plain_line = -kPlainLineEvery;
  double failing_since = -1;  // start of the current run of Unavailable answers
  std::string line;
  std::string status;
  HttpResponse last;
  nlohmann::json job;

  while (true) {
    auto response = (*api)->Get(JobPath(id) + "?tasks=0");
    const double now = SecondsSince(start);
    if (!response.ok()) {
      if (response.status().code() == Code::kUnavailable) {
        if (failing_since < 0) failing_since = now;
        if (now - failing_since < kRetryUnavailableFor) {
          std::this_thread::sleep_for(ctx.poll_interval());
          continue;
        }
      }
      if (redraw && !line.empty()) ctx.out() << "\n";
      return ctx.ServerError(response.status());
    }
    failing_since = -1;
    auto parsed = ParseBody(*response);
    if (!parsed.ok()) return ctx.ServerError(parsed.status());
    job = std::move(parsed).value();
    last = std::move(response).value();
    status = job.value("status", "");
    const JobCounts counts = CountsOf(job);
    meter.Add(now, counts.done());
    const bool finished = IsFinished(status);
    if (text) {
      line = ProgressLine(counts, meter.Rate());
      if (redraw) {
        ctx.out() << "\r" << line << "\x1b[K" << std::flush;
      } else if (finished || now - last_plain_line >= kPlainLineEvery) {
        ctx.out() << line << "\n" << std::flush;
        last_plain_line = now;
      }
    }
    if (finished) break;
    std::this_thread::sleep_for(ctx.poll_interval());
  }

  if (!text) {
    auto doc = ParseBody<nlohmann::ordered_json>(last);
    if (!doc.ok()) return ctx.ServerError(doc.status());
    ctx.out() << doc->dump(2) << "\n";
  } else {
    if (redraw) ctx.out() << "\n";
    const JobCounts c = CountsOf(job);
    ctx.out() << Sanitize(id) << " " << Sanitize(status) << "  total " << c.total << "  ok " << c.ok
              << "  ko " << c.ko;
    if (status != "succeeded") ctx.out() << "  (skiff job get " << Sanitize(id) << ")";
    ctx.out() << "\n";
  }
  return status == "succeeded" ? kExitOk : kExitJobFailed;
}

}  // namespace skiff::cli

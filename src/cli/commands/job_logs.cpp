// `skiff job logs JOB [--task T] [--attempt N] [--stream S] [--grep RE]`: the captured output of a
// job's attempts (GET /v1/jobs/{id}/logs), one line per output line.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

struct LogsArgs {
  std::string id;
  std::string task;
  int attempt = 0;
  std::string stream;
  std::string grep;
};

int Run(Context& ctx, const LogsArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  std::string path = JobPath(args.id) + "/logs?limit=10000";
  if (!args.task.empty()) path += "&task=" + EscapeUrlComponent(args.task);
  if (args.attempt > 0) path += "&attempt=" + std::to_string(args.attempt);
  if (!args.stream.empty()) path += "&stream=" + EscapeUrlComponent(args.stream);
  if (!args.grep.empty()) path += "&grep=" + EscapeUrlComponent(args.grep);
  auto response = (*api)->Get(path);
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto body = ParseBody(*response);
  if (!body.ok()) return ctx.ServerError(body.status());
  if (!body->is_object() || !(*body)["lines"].is_array()) {
    return ctx.ServerError(Internal("internal: the answer has no lines"));
  }
  for (const json& l : (*body)["lines"]) {
    if (!l.is_object()) continue;
    ctx.out() << l.value("task", "-") << " #" << l.value("attempt", 0) << " "
              << l.value("stream", "-") << "  " << l.value("text", "") << "\n";
  }
  if ((*body).value("truncated", false)) {
    ctx.err() << "skiff: more lines match; narrow with --task, --attempt or --grep\n";
  }
  return kExitOk;
}

}  // namespace

void AddJobLogsCommand(CLI::App* job, Context& ctx, Action* action) {
  auto args = std::make_shared<LogsArgs>();
  CLI::App* logs = job->add_subcommand("logs", "print the captured output of a job's attempts");
  logs->add_option("id", args->id, "job id")->required();
  logs->add_option("--task", args->task, "only this task (t-0001)");
  logs->add_option("--attempt", args->attempt, "only this attempt (1, 2, ...)");
  logs->add_option("--stream", args->stream, "stdout or stderr (default both)");
  logs->add_option("--grep", args->grep, "only lines matching this RE2 regular expression");
  logs->callback([&ctx, action, args] { *action = [&ctx, args] { return Run(ctx, *args); }; });
}

}  // namespace skiff::cli

// `skiff job ...`: submit, get, list, cancel, retry (watch is in job_watch.cpp).
#include <CLI/CLI.hpp>

#include <memory>
#include <set>
#include <string>

#include "cli/context.h"
#include "cli/format.h"
#include "cli/http_client.h"
#include "cli/job_format.h"
#include "cli/yaml_json.h"

namespace skiff::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct JobArgs {
  std::string file;
  std::string template_ref;         // --template: a job from a catalog template
  std::vector<std::string> params;  // --param NAME=VALUE
  std::string id;
  std::string idempotency_key;
  bool watch = false;
  std::string status;
  int limit = 0;
  std::string cursor;
  bool all = false;
};

std::string JobIdOf(const json& job) {
  auto it = job.find("id");
  return it != job.end() && it->is_string() ? it->get<std::string>() : "";
}

int Submit(Context& ctx, const JobArgs& args) {
  if (args.file.empty() == args.template_ref.empty()) {
    return ctx.InputError(InvalidArgument("job submit: give either a job file or --template"));
  }
  if (!args.params.empty() && args.template_ref.empty()) {
    return ctx.InputError(InvalidArgument("--param: only with --template"));
  }
  Result<json> doc = json::object();
  if (!args.template_ref.empty()) {
    auto params = TemplateParams(ctx, args.template_ref, args.params);
    if (!params.ok()) {
      return params.status().code() == Code::kInvalidArgument ? ctx.InputError(params.status())
                                                              : ctx.ServerError(params.status());
    }
    doc = json{{"template", args.template_ref}, {"params", *params}};
  } else {
    doc = ReadDocument(args.file);
  }
  if (!doc.ok()) return ctx.InputError(doc.status());
  const std::string source = args.file == "-" ? "<stdin>" : args.file;
  if (!doc->is_object()) {
    return ctx.InputError(InvalidArgument(source + ": a job must be an object (a mapping), not " +
                                          std::string(doc->type_name())));
  }
  std::string body;
  try {
    body = doc->dump();
  } catch (const json::type_error&) {
    return ctx.InputError(InvalidArgument(source + ": a string is not valid UTF-8"));
  }
  if (args.idempotency_key.size() > 200 ||
      args.idempotency_key.find_first_of("\r\n") != std::string::npos) {
    return ctx.InputError(
        InvalidArgument("--idempotency-key: at most 200 bytes, no line break"));
  }
  HttpHeaders headers;
  if (!args.idempotency_key.empty()) headers.emplace_back("Idempotency-Key", args.idempotency_key);

  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Post("/v1/jobs", body, headers);
  if (!response.ok()) return ctx.ServerError(response.status());
  auto job = ParseBody(*response);
  if (!job.ok()) return ctx.ServerError(job.status());
  const std::string id = JobIdOf(*job);
  if (args.watch) {
    if (id.empty()) return ctx.ServerError(Internal("internal: the submitted job has no id"));
    if (!ctx.json_output()) ctx.out() << id << "\n";
    return WatchJob(ctx, id);
  }
  if (ctx.json_output()) return ctx.PrintJson(*response);
  ctx.out() << Sanitize(id) << "\n";
  return kExitOk;
}

int Get(Context& ctx, const JobArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get(JobPath(args.id));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto job = ParseBody(*response);
  if (!job.ok()) return ctx.ServerError(job.status());
  ctx.out() << FormatJob(*job);
  return kExitOk;
}

std::string ListPath(const JobArgs& args, const std::string& cursor) {
  std::string path = "/v1/jobs";
  char sep = '?';
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    path += sep + std::string(name) + "=" + EscapeUrlComponent(value);
    sep = '&';
  };
  add("status", args.status);
  add("limit", args.limit > 0 ? std::to_string(args.limit) : "");
  add("cursor", cursor);
  return path;
}

int List(Context& ctx, const JobArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  ordered_json jobs = ordered_json::array();
  std::string cursor = args.cursor;
  std::set<std::string> seen_cursors;
  while (true) {
    auto response = (*api)->Get(ListPath(args, cursor));
    if (!response.ok()) return ctx.ServerError(response.status());
    if (!args.all && ctx.json_output()) return ctx.PrintJson(*response);
    auto page = ParseBody<ordered_json>(*response);
    if (!page.ok()) return ctx.ServerError(page.status());
    if (page->contains("jobs") && (*page)["jobs"].is_array()) {
      for (auto& job : (*page)["jobs"]) jobs.push_back(std::move(job));
    }
    const auto next = page->value("next_cursor", ordered_json());
    cursor = next.is_string() ? next.get<std::string>() : "";
    // Stop at the last page, or if the server hands back a cursor it gave before.
    if (!args.all || cursor.empty() || !seen_cursors.insert(cursor).second) break;
  }
  if (ctx.json_output()) {
    ctx.out() << ordered_json{{"jobs", std::move(jobs)}, {"next_cursor", nullptr}}.dump(2) << "\n";
    return kExitOk;
  }
  // JobTable reads a plain json; the order of the array is kept either way.
  ctx.out() << JobTable(json::parse(jobs.dump()));
  if (!args.all && !cursor.empty()) {
    ctx.err() << "skiff: more jobs: add --all, or --cursor " << Sanitize(cursor) << "\n";
  }
  return kExitOk;
}

// cancel and retry: POST /v1/jobs/{id}/<verb> with an empty body.
int JobAction(Context& ctx, const JobArgs& args, const char* verb) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Post(JobPath(args.id) + "/" + verb, "");
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto job = ParseBody(*response);
  if (!job.ok()) return ctx.ServerError(job.status());
  JobCounts c = CountsOf(*job);
  ctx.out() << Sanitize(JobIdOf(*job)) << " " << DisplayScalar(job->value("status", json()))
            << "  ok " << c.ok << "  ko " << c.ko << "  pending " << c.pending << "\n";
  return kExitOk;
}

}  // namespace

std::string JobPath(const std::string& id) { return "/v1/jobs/" + EscapeUrlComponent(id); }

void AddJobCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<JobArgs>();
  CLI::App* job = app.add_subcommand("job", "submit, inspect and control jobs");
  job->require_subcommand(1);
  auto set = [&ctx, action, args](int (*run)(Context&, const JobArgs&)) {
    return [&ctx, action, args, run] { *action = [&ctx, args, run] { return run(ctx, *args); }; };
  };

  CLI::App* submit = job->add_subcommand(
      "submit", "submit a job file (JSON or YAML; - for stdin), or a job from a template");
  submit->add_option("file", args->file, "job file: .json, .yaml/.yml, or - for stdin");
  submit->add_option("--template", args->template_ref, "catalog template NAME or NAME@VERSION");
  submit->add_option("--param", args->params, "NAME=VALUE, repeatable (with --template)");
  submit->add_option("--idempotency-key", args->idempotency_key,
                     "a resubmit with the same key returns the first job");
  submit->add_flag("--watch", args->watch, "watch the job until it finishes");
  submit->callback(set(Submit));

  CLI::App* get = job->add_subcommand("get", "show a job and its ko tasks");
  get->add_option("id", args->id, "job id")->required();
  get->callback(set(Get));

  CLI::App* list = job->add_subcommand("list", "list jobs, newest first");
  list->add_option("--status", args->status, "only jobs with this status")
      ->check(CLI::IsMember({"pending", "running", "succeeded", "failed", "cancelled"}));
  list->add_option("--limit", args->limit, "jobs per page (1..1000)")->check(CLI::Range(1, 1000));
  list->add_option("--cursor", args->cursor, "continue from a previous page's next_cursor");
  list->add_flag("--all", args->all, "follow next_cursor through every page");
  list->callback(set(List));

  CLI::App* cancel = job->add_subcommand("cancel", "cancel a running job");
  cancel->add_option("id", args->id, "job id")->required();
  cancel->callback(set([](Context& c, const JobArgs& a) { return JobAction(c, a, "cancel"); }));

  CLI::App* retry = job->add_subcommand("retry", "retry the ko tasks of a finished job");
  retry->add_option("id", args->id, "job id")->required();
  retry->callback(set([](Context& c, const JobArgs& a) { return JobAction(c, a, "retry"); }));

  CLI::App* watch = job->add_subcommand("watch", "show a job's progress until it finishes");
  watch->add_option("id", args->id, "job id")->required();
  watch->callback(set([](Context& c, const JobArgs& a) { return WatchJob(c, a.id); }));

  AddJobLogsCommand(job, ctx, action);
}

}  // namespace skiff::cli

// `skiff usage show|export`: usage totals and the CSV export (GET /v1/usage[/export.csv]).
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

struct UsageArgs {
  std::string email;
  std::string team;
  std::string from;
  std::string to;
  std::string out;  // export: a file ("" or "-": stdout)
};

std::string Query(const UsageArgs& a) {
  std::string q;
  auto add = [&q](const char* name, const std::string& v) {
    if (v.empty()) return;
    q += (q.empty() ? "?" : "&") + std::string(name) + "=" + EscapeUrlComponent(v);
  };
  add("email", a.email);
  add("team", a.team);
  add("from", a.from);
  add("to", a.to);
  return q;
}

int Show(Context& ctx, const UsageArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get("/v1/usage" + Query(args));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto t = ParseBody(*response);
  if (!t.ok()) return ctx.ServerError(t.status());
  if (!t->is_object()) return ctx.ServerError(Internal("internal: the totals are not an object"));
  std::vector<std::vector<std::string>> rows;
  for (const char* name : {"from", "to", "team", "email", "jobs", "tasks", "tasks_ok",
                           "tasks_failed", "attempts", "wall_seconds", "cpu_seconds",
                           "peak_rss_kb", "stdout_bytes", "stderr_bytes"}) {
    auto it = t->find(name);
    rows.push_back({name, it == t->end() || it->is_null() ? "-" : DisplayScalar(*it)});
  }
  ctx.out() << FormatTable({"FIELD", "VALUE"}, rows);
  return kExitOk;
}

// Streams the CSV to the file (through a temporary file renamed at the end, so a failed export
// leaves no partial file) or to stdout.
int Export(Context& ctx, const UsageArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  const bool to_stdout = args.out.empty() || args.out == "-";
  const std::string tmp = args.out + ".part";
  std::FILE* file = nullptr;
  if (!to_stdout) {
    file = std::fopen(tmp.c_str(), "wb");
    if (file == nullptr) return ctx.InputError(ErrnoStatus("open " + tmp, errno));
  }
  bool write_failed = false;
  auto response = (*api)->GetStreamed(
      "/v1/usage/export.csv" + Query(args), [&](std::string_view piece) {
        if (to_stdout) {
          ctx.out().write(piece.data(), static_cast<std::streamsize>(piece.size()));
          write_failed = !ctx.out();
        } else {
          write_failed = std::fwrite(piece.data(), 1, piece.size(), file) != piece.size();
        }
        return !write_failed;
      });
  if (file != nullptr) {
    bool closed = std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
    closed = std::fclose(file) == 0 && closed;
    if (!response.ok() || write_failed || !closed) {
      std::remove(tmp.c_str());
    } else if (std::rename(tmp.c_str(), args.out.c_str()) != 0) {
      return ctx.InputError(ErrnoStatus("rename " + tmp, errno));
    }
  }
  if (write_failed) return ctx.InputError(Unavailable("cannot write " + (to_stdout ? "stdout" : args.out)));
  if (!response.ok()) return ctx.ServerError(response.status());
  return kExitOk;
}

}  // namespace

void AddUsageCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<UsageArgs>();
  CLI::App* usage = app.add_subcommand("usage", "usage totals and CSV export (your team; admins: any)");
  usage->require_subcommand(1);
  auto set = [&ctx, action, args](int (*run)(Context&, const UsageArgs&)) {
    return [&ctx, action, args, run] { *action = [&ctx, args, run] { return run(ctx, *args); }; };
  };
  auto common = [args](CLI::App* cmd) {
    cmd->add_option("--email", args->email, "only usage of keys with this email");
    cmd->add_option("--team", args->team, "a team (admins; members see their own)");
    cmd->add_option("--from", args->from,
                    "start, inclusive: 2026-11-22 or 2026-11-22T10:00:00Z (default: today, UTC)");
    cmd->add_option("--to", args->to, "end, exclusive (default: the day after --from's day)");
  };
  CLI::App* show = usage->add_subcommand("show", "totals of jobs, tasks, seconds and bytes");
  common(show);
  show->callback(set(Show));
  CLI::App* exp = usage->add_subcommand("export", "the usage records as RFC 4180 CSV");
  common(exp);
  exp->add_option("-o,--out", args->out, "write to this file instead of stdout");
  exp->callback(set(Export));
}

}  // namespace skiff::cli

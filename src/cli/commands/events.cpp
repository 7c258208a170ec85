// `skiff events [-f] [--type T]... [--job J] [--after SEQ]`: the event log (GET /v1/events).
//
// Reads the Server-Sent Events the server sends (follow=0: what is there now), prints one line per
// event, and with -f asks again from the last id it saw (Last-Event-ID) until interrupted, so no
// event is missed or printed twice across polls and reconnects.
#include <CLI/CLI.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

struct EventArgs {
  bool follow = false;
  std::vector<std::string> types;
  std::string job;
  uint64_t after = 0;
};

constexpr double kRetryUnavailableFor = 30.0;  // seconds of outage tolerated while following

// The JSON of every "data:" line of an SSE body, in order.
std::vector<json> ParseSse(const std::string& body) {
  std::vector<json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    json j = json::parse(line.substr(6), nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

std::string Dash(const json& v) { return v.is_string() ? v.get<std::string>() : "-"; }

std::string Path(const EventArgs& args, uint64_t after) {
  std::string p = "/v1/events?follow=0&last_event_id=" + std::to_string(after);
  if (!args.types.empty()) {
    std::string t;
    for (const auto& s : args.types) t += (t.empty() ? "" : ",") + s;
    p += "&types=" + EscapeUrlComponent(t);
  }
  if (!args.job.empty()) p += "&job=" + EscapeUrlComponent(args.job);
  return p;
}

int Run(Context& ctx, const EventArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  uint64_t after = args.after;
  auto failing_since = std::chrono::steady_clock::time_point::min();
  while (true) {
    auto response = (*api)->Get(Path(args, after));
    if (!response.ok()) {
      if (args.follow && response.status().code() == Code::kUnavailable) {
        auto now = std::chrono::steady_clock::now();
        if (failing_since == std::chrono::steady_clock::time_point::min()) failing_since = now;
        if (std::chrono::duration<double>(now - failing_since).count() < kRetryUnavailableFor) {
          std::this_thread::sleep_for(ctx.poll_interval());
          continue;
        }
      }
      return ctx.ServerError(response.status());
    }
    failing_since = std::chrono::steady_clock::time_point::min();
    for (const json& e : ParseSse(response->body)) {
      after = std::max<uint64_t>(after, e.value("seq", uint64_t{0}));
      if (ctx.json_output()) {
        ctx.out() << e.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      } else {
        ctx.out() << e.value("seq", uint64_t{0}) << "  " << Dash(e.value("ts", json())) << "  "
                  << Dash(e.value("type", json())) << "  " << Dash(e.value("team", json()))
                  << "  " << Dash(e.value("job", json())) << "  " << Dash(e.value("task", json()))
                  << "  "
                  << e.value("data", json::object())
                         .dump(-1, ' ', false, json::error_handler_t::replace)
                  << "\n";
      }
    }
    ctx.out() << std::flush;
    if (!args.follow) return kExitOk;
    std::this_thread::sleep_for(ctx.poll_interval());
  }
}

}  // namespace

void AddEventCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<EventArgs>();
  CLI::App* events = app.add_subcommand(
      "events", "print the event log: job, task and audit events of your team (admins: all)");
  events->add_flag("-f,--follow", args->follow, "keep printing new events until interrupted");
  events->add_option("--type", args->types, "only events of this type (repeatable)");
  events->add_option("--job", args->job, "only the events of this job");
  events->add_option("--after", args->after, "only events after this sequence number");
  events->callback([&ctx, action, args] { *action = [&ctx, args] { return Run(ctx, *args); }; });
}

}  // namespace skiff::cli

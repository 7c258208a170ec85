// `skiff team ...`: create and list teams (POST/GET /v1/teams; the server allows admins only).
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

struct TeamArgs {
  std::string name;
};

std::string Text(const json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() ? "-" : DisplayScalar(*it);
}

int Create(Context& ctx, const TeamArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  // Invalid UTF-8 is replaced, not thrown: the server then refuses the name with its rules.
  const std::string body =
      json{{"name", args.name}}.dump(-1, ' ', false, json::error_handler_t::replace);
  auto response = (*api)->Post("/v1/teams", body);
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto team = ParseBody(*response);
  if (!team.ok()) return ctx.ServerError(team.status());
  if (!team->is_object()) return ctx.ServerError(Internal("internal: the team is not an object"));
  ctx.out() << "created team " << Text(*team, "name") << "\n";
  return kExitOk;
}

int List(Context& ctx, const TeamArgs&) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get("/v1/teams");
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto page = ParseBody(*response);
  if (!page.ok()) return ctx.ServerError(page.status());
  std::vector<std::vector<std::string>> rows;
  if (page->is_object() && page->contains("teams") && (*page)["teams"].is_array()) {
    for (const json& team : (*page)["teams"]) {
      if (!team.is_object()) continue;
      rows.push_back({Text(team, "name"), FormatTime(team.value("created_at", json()))});
    }
  }
  ctx.out() << FormatTable({"NAME", "CREATED"}, rows);
  return kExitOk;
}

}  // namespace

void AddTeamCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<TeamArgs>();
  CLI::App* team = app.add_subcommand("team", "create and list teams (admin)");
  team->require_subcommand(1);
  auto set = [&ctx, action, args](int (*run)(Context&, const TeamArgs&)) {
    return [&ctx, action, args, run] { *action = [&ctx, args, run] { return run(ctx, *args); }; };
  };

  CLI::App* create = team->add_subcommand("create", "create a team");
  create->add_option("name", args->name,
                     "1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
      ->required();
  create->callback(set(Create));

  CLI::App* list = team->add_subcommand("list", "list the teams");
  list->callback(set(List));
}

}  // namespace skiff::cli

// `skiff key ...`: create, list and revoke a team's API keys (/v1/teams/{team}/keys; the server
// allows the team's owners and admins).
#include <CLI/CLI.hpp>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

constexpr int64_t kMaxExpiresInS = int64_t{10} * 365 * 86400;  // the server's limit

struct KeyArgs {
  std::string team;
  std::string role;
  std::string name;
  std::string email;
  std::string expires_in;
  std::vector<std::string> worker_teams;
  std::string id;
};

// A field for display: "-" when missing, null or empty.
std::string Text(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    return "-";
  }
  return DisplayScalar(*it);
}

std::string KeysPath(const std::string& team) {
  return "/v1/teams/" + EscapeUrlComponent(team) + "/keys";
}


int Create(Context& ctx, const KeyArgs& args) {
  json body = {{"role", args.role}};
  if (!args.name.empty()) body["name"] = args.name;
  if (!args.email.empty()) body["email"] = args.email;
  if (!args.expires_in.empty()) {
    auto seconds = ParseExpiresIn(args.expires_in);
    if (!seconds.ok()) return ctx.InputError(seconds.status());
    body["expires_in_s"] = *seconds;
  }
  if (!args.worker_teams.empty()) body["worker_teams"] = args.worker_teams;
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  // Invalid UTF-8 is replaced, not thrown: the server then judges the text.
  auto response = (*api)->Post(KeysPath(args.team),
                               body.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) {
    int code = ctx.PrintJson(*response);
    if (code == kExitOk) ctx.err() << "skiff: the key is shown only this once: store it now\n";
    return code;
  }
  auto key = ParseBody(*response);
  if (!key.ok()) return ctx.ServerError(key.status());
  if (!key->is_object() || !(*key)["key"].is_string()) {
    return ctx.ServerError(Internal("internal: the server's answer has no key"));
  }
  ctx.out() << Sanitize((*key)["key"].get<std::string>()) << "\n";
  ctx.err() << "skiff: created key " << Text(*key, "id") << " (" << Text(*key, "role")
            << ") in team " << Text(*key, "team")
            << "; it is shown only this once: store it now\n";
  return kExitOk;
}

int List(Context& ctx, const KeyArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get(KeysPath(args.team));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto page = ParseBody(*response);
  if (!page.ok()) return ctx.ServerError(page.status());
  std::vector<std::vector<std::string>> rows;
  if (page->is_object() && page->contains("keys") && (*page)["keys"].is_array()) {
    for (const json& k : (*page)["keys"]) {
      if (!k.is_object()) continue;
      rows.push_back({Text(k, "id"), Text(k, "name"), Text(k, "email"), Text(k, "role"),
                      FormatTime(k.value("created_at", json())),
                      FormatTime(k.value("expires_at", json())),
                      FormatTime(k.value("revoked_at", json())),
                      FormatTime(k.value("last_used_at", json()))});
    }
  }
  ctx.out() << FormatTable(
      {"ID", "NAME", "EMAIL", "ROLE", "CREATED", "EXPIRES", "REVOKED", "LAST-USED"}, rows);
  return kExitOk;
}

int Revoke(Context& ctx, const KeyArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Delete(KeysPath(args.team) + "/" + EscapeUrlComponent(args.id));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto key = ParseBody(*response);
  if (!key.ok()) return ctx.ServerError(key.status());
  if (!key->is_object()) return ctx.ServerError(Internal("internal: the key is not an object"));
  ctx.out() << "revoked key " << Text(*key, "id") << " in team " << Text(*key, "team") << " at "
            << FormatTime(key->value("revoked_at", json())) << "\n";
  return kExitOk;
}

}  // namespace

Result<int64_t> ParseExpiresIn(const std::string& text) {
  auto bad = [&] {
    return InvalidArgument("--expires-in " + Sanitize(text) +
                           ": expected a number and a unit, like 3600s, 90m, 12h or 30d");
  };
  if (text.size() < 2 || text.size() > 20) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return bad();
  }
  int64_t count = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return bad();
    if (count > (std::numeric_limits<int64_t>::max() - 9) / 10) return bad();
    count = count * 10 + (c - '0');
  }
  if (count == 0) return InvalidArgument("--expires-in " + text + ": must be more than zero");
  if (count > kMaxExpiresInS / unit) {
    return InvalidArgument("--expires-in " + text + ": at most ten years (3650d)");
  }
  return count * unit;
}

void AddKeyCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<KeyArgs>();
  CLI::App* key = app.add_subcommand("key", "create, list and revoke a team's API keys");
  key->require_subcommand(1);
  auto set = [&ctx, action, args](int (*run)(Context&, const KeyArgs&)) {
    return [&ctx, action, args, run] { *action = [&ctx, args, run] { return run(ctx, *args); }; };
  };

  CLI::App* create = key->add_subcommand("create", "create a key; it is printed only this once");
  create->add_option("--team", args->team, "the key's team")->required();
  create->add_option("--role", args->role, "owner, member, viewer, worker or admin")
      ->required()
      ->check(CLI::IsMember({"owner", "member", "viewer", "worker", "admin"}));
  create->add_option("--name", args->name, "a label for the key");
  create->add_option("--email", args->email, "the email of the key's holder");
  create->add_option("--expires-in", args->expires_in, "lifetime: 3600s, 90m, 12h or 30d");
  create->add_option("--worker-team", args->worker_teams,
                     "role worker: a team whose tasks it may run (repeat; default all)")
      ->allow_extra_args(false);
  create->callback(set(Create));

  CLI::App* list = key->add_subcommand("list", "list a team's keys (never the keys themselves)");
  list->add_option("--team", args->team, "the team")->required();
  list->callback(set(List));

  CLI::App* revoke = key->add_subcommand("revoke", "revoke a key at once, everywhere");
  revoke->add_option("--team", args->team, "the key's team")->required();
  revoke->add_option("key_id", args->id, "the key's id (key_...), from key list")->required();
  revoke->callback(set(Revoke));
}

}  // namespace skiff::cli

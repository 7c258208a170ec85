// `skiff template ...`: list, get, publish and demo catalog templates (docs/catalog.md).
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "cli/context.h"
#include "cli/format.h"
#include "cli/http_client.h"
#include "cli/yaml_json.h"

namespace skiff::cli {
namespace {

using nlohmann::json;

struct TemplateArgs {
  std::string name;
  std::string file;
  int version = 0;
};

std::string TemplatePath(const std::string& name, int version) {
  std::string path = "/v1/catalog/" + EscapeUrlComponent(name);
  if (version > 0) path += "?version=" + std::to_string(version);
  return path;
}

int List(Context& ctx, const TemplateArgs&) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get("/v1/catalog");
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto list = ParseBody(*response);
  if (!list.ok()) return ctx.ServerError(list.status());
  std::vector<std::vector<std::string>> rows;
  for (const json& t : list->value("templates", json::array())) {
    rows.push_back({DisplayScalar(t.value("name", json())), DisplayScalar(t.value("version", json())),
                    DisplayScalar(t.value("visibility", json())),
                    DisplayScalar(t.value("team", json())), DisplayScalar(t.value("title", json()))});
  }
  ctx.out() << FormatTable({"NAME", "VERSION", "VISIBILITY", "TEAM", "TITLE"}, rows, {1});
  return kExitOk;
}

int Get(Context& ctx, const TemplateArgs& args) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get(TemplatePath(args.name, args.version));
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto t = ParseBody(*response);
  if (!t.ok()) return ctx.ServerError(t.status());
  std::ostream& out = ctx.out();
  out << Sanitize(t->value("name", "")) << "@" << DisplayScalar(t->value("version", json()))
      << "  " << Sanitize(t->value("title", "")) << "\n";
  if (!t->value("description", "").empty()) out << Sanitize(t->value("description", "")) << "\n";
  out << "team " << Sanitize(t->value("team", "")) << ", " << Sanitize(t->value("visibility", ""))
      << ", published " << FormatTime(t->value("published_at", json())) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& p : t->value("params", json::array())) {
    std::string rules;
    auto add = [&rules](const std::string& r) { rules += (rules.empty() ? "" : " ") + r; };
    if (p.value("required", false)) add("required");
    if (p.contains("min")) add("min=" + p["min"].dump());
    if (p.contains("max")) add("max=" + p["max"].dump());
    if (p.contains("pattern")) add("pattern=" + p["pattern"].get<std::string>());
    if (p.contains("values")) {
      std::string v;
      for (const json& x : p["values"]) v += (v.empty() ? "" : "|") + x.get<std::string>();
      add(v);
    }
    rows.push_back({DisplayScalar(p.value("name", json())), DisplayScalar(p.value("type", json())),
                    p.contains("default") ? p["default"].dump() : "-", rules});
  }
  if (rows.empty()) {
    out << "no parameters\n";
  } else {
    out << FormatTable({"PARAM", "TYPE", "DEFAULT", "RULES"}, rows);
  }
  for (const json& a : t->value("assets", json::array())) {
    out << "asset " << Sanitize(a.value("name", "")) << " (" << Sanitize(a.value("content_type", ""))
        << ", " << DisplayScalar(a.value("size", json())) << " bytes): "
        << TemplatePath(t->value("name", ""), 0) << "/assets/"
        << EscapeUrlComponent(a.value("name", "")) << "\n";
  }
  return kExitOk;
}

int Publish(Context& ctx, const TemplateArgs& args) {
  auto doc = ReadDocument(args.file);
  if (!doc.ok()) return ctx.InputError(doc.status());
  const std::string source = args.file == "-" ? "<stdin>" : args.file;
  if (!doc->is_object()) {
    return ctx.InputError(InvalidArgument(source + ": a template must be an object (a mapping)"));
  }
  std::string body;
  try {
    body = doc->dump();
  } catch (const json::type_error&) {
    return ctx.InputError(InvalidArgument(source + ": a string is not valid UTF-8"));
  }
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Post("/v1/catalog", body);
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto t = ParseBody(*response);
  if (!t.ok()) return ctx.ServerError(t.status());
  ctx.out() << "published " << Sanitize(t->value("name", "")) << "@"
            << DisplayScalar(t->value("version", json())) << "\n";
  return kExitOk;
}

int Demo(Context& ctx, const TemplateArgs& args) {
  std::string ref = args.name;
  if (args.version > 0) ref += "@" + std::to_string(args.version);
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  json body = {{"template", ref}, {"items", 1}, {"name", args.name + " demo"}};
  auto response = (*api)->Post("/v1/jobs", body.dump());
  if (!response.ok()) return ctx.ServerError(response.status());
  auto job = ParseBody(*response);
  if (!job.ok()) return ctx.ServerError(job.status());
  const std::string id = job->value("id", "");
  if (id.empty()) return ctx.ServerError(Internal("internal: the submitted job has no id"));
  if (!ctx.json_output()) ctx.out() << id << "\n";
  return WatchJob(ctx, id);
}

}  // namespace

Result<nlohmann::json> TemplateParams(Context& ctx, const std::string& ref,
                                      const std::vector<std::string>& pairs) {
  json params = json::object();
  if (pairs.empty()) return params;
  std::string name = ref.substr(0, ref.find('@'));
  int version = 0;
  if (size_t at = ref.find('@'); at != std::string::npos) {
    version = std::atoi(ref.c_str() + at + 1);
  }
  ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ASSIGN_OR_RETURN(HttpResponse response, api->Get(TemplatePath(name, version)));
  ASSIGN_OR_RETURN(json t, ParseBody(response));
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--param " + pair + ": expected NAME=VALUE");
    }
    std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    std::string type;
    for (const json& p : t.value("params", json::array())) {
      if (p.value("name", "") == key) type = p.value("type", "");
    }
    // The value as the schema's type says; anything that does not convert goes as a string, and
    // the server names the parameter and the rule.
    json v = value;
    if (type == "int" || type == "number" || type == "bool") {
      json parsed = json::parse(value, nullptr, false);
      if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean())) v = parsed;
    }
    params[key] = v;
  }
  return params;
}

void AddTemplateCommands(CLI::App& app, Context& ctx, Action* action) {
  auto args = std::make_shared<TemplateArgs>();
  CLI::App* tmpl = app.add_subcommand("template", "list, show, publish and demo catalog templates");
  tmpl->require_subcommand(1);
  auto set = [&ctx, action, args](int (*run)(Context&, const TemplateArgs&)) {
    return [&ctx, action, args, run] {
      *action = [&ctx, args, run] { return run(ctx, *args); };
    };
  };

  CLI::App* list = tmpl->add_subcommand("list", "templates you can see: public ones and your team's");
  list->callback(set(List));

  CLI::App* get = tmpl->add_subcommand("get", "show a template: parameters, rules, assets");
  get->add_option("name", args->name, "template name")->required();
  get->add_option("--version", args->version, "a published version (default: the current one)")
      ->check(CLI::PositiveNumber);
  get->callback(set(Get));

  CLI::App* publish = tmpl->add_subcommand(
      "publish", "publish a new version of a template file (JSON or YAML; - for stdin)");
  publish->add_option("file", args->file, "template file: .json, .yaml/.yml, or -")->required();
  publish->callback(set(Publish));

  CLI::App* demo = tmpl->add_subcommand(
      "demo", "run one task of a template with its default parameters and watch it");
  demo->add_option("name", args->name, "template name")->required();
  demo->add_option("--version", args->version, "a published version (default: the current one)")
      ->check(CLI::PositiveNumber);
  demo->callback(set(Demo));
}

}  // namespace skiff::cli

#include "cli/cli.h"

#include <unistd.h>

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace skiff::cli {

Result<ApiClient*> Context::Api() {
  if (api_ == nullptr) {
    ASSIGN_OR_RETURN(ClientConfig config, ResolveConfig(options_.config));
    has_key_ = !config.key.empty();
    HttpClientOptions http_options;
    http_options.ca_cert = options_.ca_cert;
    api_ = std::make_unique<ApiClient>(
        std::make_unique<HttpClient>(config.server, config.key, http_options));
  }
  return api_.get();
}

int Context::ServerError(const Status& status) {
  err_ << "skiff: " << status.message() << "\n";
  if (status.code() == Code::kUnauthenticated && !has_key_) {
    err_ << "skiff: no API key is set: use SKIFF_KEY, --key, or \"key\" in "
            "~/.config/skiff/config.json\n";
  }
  return kExitServer;
}

int Context::InputError(const Status& status) {
  err_ << "skiff: " << status.message() << "\n";
  return kExitUsage;
}

int Context::PrintJson(const HttpResponse& response) {
  auto doc = ParseBody<nlohmann::ordered_json>(response);
  if (!doc.ok()) return ServerError(doc.status());
  out_ << doc->dump(2) << "\n";
  return kExitOk;
}

int Main(int argc, char** argv, const std::function<void(CLI::App&)>& register_more) {
  return Main(argc, argv, register_more, std::cout, std::cerr);
}

int Main(int argc, char** argv, const std::function<void(CLI::App&)>& register_more,
         std::ostream& out, std::ostream& err) {
  CLI::App app("skiff: batch jobs on a skiff server", "skiff");
  app.fallthrough();  // inherited by subcommands: `skiff job get ID -o json` works
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "skiff: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });

  GlobalOptions options;
  app.add_option("--server", options.config.server,
                 "server URL (else SKIFF_SERVER, the config file, http://127.0.0.1:8080)");
  app.add_option("--key", options.config.key,
                 "API key (else SKIFF_KEY or the config file; prefer those: flags show in ps)");
  app.add_option("--ca-cert", options.ca_cert,
                 "PEM file of the CA to trust for an https server (else SKIFF_CA_CERT)");
  app.add_option("-o,--output", options.output, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));

  const bool tty = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
  Context context(options, out, err, tty);
  Action action;
  AddJobCommands(app, context, &action);
  AddTemplateCommands(app, context, &action);
  AddTeamCommands(app, context, &action);
  AddKeyCommands(app, context, &action);
  AddAuthCommands(app, context, &action);
  AddUsageCommands(app, context, &action);
  AddEventCommands(app, context, &action);
  if (register_more) register_more(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::RuntimeError*>(&e) != nullptr) return e.get_exit_code();
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!action) return kExitOk;  // a verb from register_more ran in its callback
  try {
    int code = action();
    out.flush();
    return code;
  } catch (const std::exception& e) {
    // A library threw where we did not expect it (a server answer of an unexpected shape).
    err << "skiff: internal: " << e.what() << "\n";
    return kExitServer;
  }
}

}  // namespace skiff::cli

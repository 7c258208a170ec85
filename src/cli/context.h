// Context: what every CLI verb needs: the global options, the output streams, and the API client
// built from the resolved configuration on first use. Internal to src/cli.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/http_client.h"
#include "core/status.h"

namespace skiff::cli {

struct GlobalOptions {
  ConfigFlags config;
  std::string output = "text";  // "text" or "json"
  std::string ca_cert;          // --ca-cert (else $SKIFF_CA_CERT): CA to trust for https
};

class Context {
 public:
  Context(const GlobalOptions& options, std::ostream& out, std::ostream& err, bool out_is_tty)
      : options_(options), out_(out), err_(err), out_is_tty_(out_is_tty) {}

  const GlobalOptions& options() const { return options_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool json_output() const { return options_.output == "json"; }
  bool out_is_tty() const { return out_is_tty_; }
  std::chrono::milliseconds poll_interval() const { return poll_interval_; }

  // The client for the resolved server and key, built on the first call. InvalidArgument when the
  // configuration is bad (a broken config file, a non-http server URL).
  Result<ApiClient*> Api();

  // Print "skiff: <message>" on stderr and return the exit code: kExitServer for an error from
  // the server or the network (with a hint when the server wants a key and none is set),
  // kExitUsage for bad input.
  int ServerError(const Status& status);
  int InputError(const Status& status);

  // Prints a 2xx answer as pretty JSON, keeping the server's key order (-o json).
  int PrintJson(const HttpResponse& response);

 private:
  const GlobalOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  bool out_is_tty_;
  std::chrono::milliseconds poll_interval_{500};
  std::unique_ptr<ApiClient> api_;
  bool has_key_ = false;
};

// A parsed verb's work, run after parsing; returns the exit code.
using Action = std::function<int()>;

// Adds `job` with submit, get, list, cancel, retry and watch; the chosen verb stores its action in
// *action. `context` and `action` must outlive parsing and the action.
void AddJobCommands(CLI::App& app, Context& context, Action* action);

// Adds `template` with list, get, publish and demo.
void AddTemplateCommands(CLI::App& app, Context& context, Action* action);

// `--param NAME=VALUE` pairs for a job from template `ref` ("name" or "name@N"), each value typed
// as the template's schema says (int, number, bool; else a string). Reads the template when there
// are pairs. InvalidArgument for a pair without '='; the server's error otherwise.
Result<nlohmann::json> TemplateParams(Context& context, const std::string& ref,
                                      const std::vector<std::string>& pairs);

// Adds `team` with create and list (admin only on the server).
void AddTeamCommands(CLI::App& app, Context& context, Action* action);

// Adds `key` with create, list and revoke, for a team's owners and admins.
void AddKeyCommands(CLI::App& app, Context& context, Action* action);

// Adds `usage` with show (totals) and export (CSV to a file or stdout).
void AddUsageCommands(CLI::App& app, Context& context, Action* action);

// Adds `whoami` and `login` (checks a server and key, then saves them in the config file).
void AddAuthCommands(CLI::App& app, Context& context, Action* action);

// Adds `job logs` under `job`.
void AddJobLogsCommand(CLI::App* job, Context& context, Action* action);

// Adds `events` (the event log, -f to follow).
void AddEventCommands(CLI::App& app, Context& context, Action* action);

// --expires-in: a positive count with a unit, "3600s", "90m", "12h" or "30d", as seconds.
// InvalidArgument otherwise (no unit, zero, over ten years).
Result<int64_t> ParseExpiresIn(const std::string& text);

// Polls the job until it is finished, drawing progress; 0 if it succeeded, 1 if it failed or was
// cancelled, 3 on a server error. In json output prints the final job instead of progress.
int WatchJob(Context& context, const std::string& id);

// "/v1/jobs/<escaped id>".
std::string JobPath(const std::string& id);

}  // namespace skiff::cli

// `skiff whoami` (GET /v1/whoami) and `skiff login` (checks a server and key with whoami, then
// saves them in the config file that config.h reads).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli/context.h"
#include "cli/format.h"

namespace skiff::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string Text(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    return "-";
  }
  return DisplayScalar(*it);
}

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}


Status ErrnoStatus(const std::string& what, int err) {
  return InvalidArgument(what + ": " + std::strerror(err));
}

// Creates `dir` and its missing parents with mode 0700; existing folders keep their mode.
Status MakeFolders(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create folder " + prefix, errno);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("cannot create folder " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return InvalidArgument(dir + " is not a folder");
  return OkStatus();
}

// The existing config file as a JSON object, an empty object when there is none. A file that is
// not a JSON object is an error: it is the user's, so it is never overwritten blindly.
Result<ordered_json> ReadConfigObject(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ordered_json::object();
  std::ostringstream text;
  text << in.rdbuf();
  ordered_json doc = ordered_json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument(path + ": not a JSON object; fix or remove it, then log in again");
  }
  return doc;
}

// Writes `text` to `path` with mode 0600, atomically: a temporary file in the same folder, fsync,
// rename over the old file. On failure nothing is left behind and the old file is untouched.
Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string dir = path.substr(0, path.rfind('/'));
  const std::string temp = dir + "/.config.json.tmp-" + std::to_string(::getpid());
  ::unlink(temp.c_str());  // a leftover of a crashed login of a process with the same pid
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus("cannot write " + temp, errno);
  Status status = OkStatus();
  if (::fchmod(fd, 0600) != 0) status = ErrnoStatus("cannot chmod " + temp, errno);
  for (size_t done = 0; status.ok() && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus("cannot write " + temp, errno);
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus("cannot fsync " + temp, errno);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot close " + temp, errno);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("cannot replace " + path, errno);
  }
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

// Sets "server" and "key" in the config file, keeping its other fields.
Status SaveLogin(const std::string& path, const std::string& server, const std::string& key) {
  ASSIGN_OR_RETURN(ordered_json doc, ReadConfigObject(path));
  doc["server"] = server;
  doc["key"] = key;
  RETURN_IF_ERROR(MakeFolders(path.substr(0, path.rfind('/'))));
  return WriteFileAtomically(path, doc.dump(2) + "\n");
}

// "team:      a\nrole:      owner\n..." for a whoami answer.
std::string FormatWhoami(const json& who) {
  std::string out;
  out += "team:      " + Text(who, "team") + "\n";
  out += "role:      " + Text(who, "role") + "\n";
  out += "key id:    " + Text(who, "key_id") + "\n";
  out += "email:     " + Text(who, "email") + "\n";
  if (auto it = who.find("worker_teams"); it != who.end() && it->is_array() && !it->empty()) {
    std::string teams;
    for (const json& t : *it) teams += (teams.empty() ? "" : ", ") + DisplayScalar(t);
    out += "tasks of:  " + teams + "\n";
  }
  return out;
}

int Whoami(Context& ctx) {
  auto api = ctx.Api();
  if (!api.ok()) return ctx.InputError(api.status());
  auto response = (*api)->Get("/v1/whoami");
  if (!response.ok()) return ctx.ServerError(response.status());
  if (ctx.json_output()) return ctx.PrintJson(*response);
  auto who = ParseBody(*response);
  if (!who.ok()) return ctx.ServerError(who.status());
  if (!who->is_object()) return ctx.ServerError(Internal("internal: whoami is not an object"));
  ctx.out() << FormatWhoami(*who);
  return kExitOk;
}

int Login(Context& ctx) {
  // Only an explicit server and key: never the config file being replaced or the local admin key.
  std::string server = ctx.options().config.server;
  if (server.empty()) server = GetEnv("SKIFF_SERVER");
  std::string key = ctx.options().config.key;
  if (key.empty()) key = GetEnv("SKIFF_KEY");
  if (server.empty() || key.empty()) {
    return ctx.InputError(InvalidArgument(
        "login: give --server and --key (or SKIFF_SERVER and SKIFF_KEY)"));
  }
  auto url = NormalizeServerUrl(server);
  if (!url.ok()) return ctx.InputError(url.status());
  const std::string path = ConfigFilePath();
  if (path.empty()) {
    return ctx.InputError(InvalidArgument("login: set HOME or XDG_CONFIG_HOME for the config file"));
  }

  HttpClientOptions http_options;
  http_options.ca_cert = ctx.options().ca_cert;
  ApiClient api(std::make_unique<HttpClient>(*url, key, http_options));
  auto response = api.Get("/v1/whoami");
  if (!response.ok()) {
    // Not ServerError: its "no API key is set" hint is wrong here, the key was given.
    ctx.err() << "skiff: " << response.status().message() << "\n";
    return kExitServer;
  }
  auto who = ParseBody(*response);
  if (!who.ok()) return ctx.ServerError(who.status());
  if (!who->is_object()) return ctx.ServerError(Internal("internal: whoami is not an object"));

  if (Status st = SaveLogin(path, *url, key); !st.ok()) return ctx.InputError(st);
  if (ctx.json_output()) {
    auto ordered = ParseBody<ordered_json>(*response);  // the server's key order
    if (!ordered.ok()) return ctx.ServerError(ordered.status());
    ctx.out() << ordered_json{{"config_file", path}, {"server", *url}, {"whoami", *ordered}}.dump(2)
              << "\n";
    return kExitOk;
  }
  ctx.out() << "logged in to " << Sanitize(*url) << " as team " << Text(*who, "team") << ", role "
            << Text(*who, "role") << " (key " << Text(*who, "key_id") << ", email "
            << Text(*who, "email") << ")\nsaved the server and key in " << Sanitize(path) << "\n";
  return kExitOk;
}

}  // namespace

void AddAuthCommands(CLI::App& app, Context& ctx, Action* action) {
  CLI::App* whoami = app.add_subcommand("whoami", "show the team and role of the API key in use");
  whoami->callback([&ctx, action] { *action = [&ctx] { return Whoami(ctx); }; });

  CLI::App* login = app.add_subcommand(
      "login",
      "check --server and --key against the server, then save them in the config file "
      "($XDG_CONFIG_HOME/skiff/config.json or ~/.config/skiff/config.json, mode 0600)");
  login->callback([&ctx, action] { *action = [&ctx] { return Login(ctx); }; });
}

}  // namespace skiff::cli

// Where the CLI finds its server and API key.
//
// Each value is resolved on its own, first found wins:
//   1. the flags --server / --key;
//   2. the environment: SKIFF_SERVER / SKIFF_KEY;
//   3. the config file $XDG_CONFIG_HOME/skiff/config.json, or ~/.config/skiff/config.json when
//      XDG_CONFIG_HOME is unset: {"server": "...", "key": "..."} (both optional);
//   4. key only, for a local `skiff up`: the bootstrap key file admin.key in $SKIFF_DATA (or
//      ./.skiff/ when SKIFF_DATA is unset), used only when the server is a loopback address, so a
//      local admin key is never sent to a remote server.
// The server defaults to http://127.0.0.1:8080; the key may stay empty (requests then fail with
// unauthenticated). Nothing here prints the key.
#pragma once

#include <string>

#include "core/status.h"

namespace skiff::cli {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";

struct ConfigFlags {
  std::string server;  // "" when --server was not given
  std::string key;     // "" when --key was not given
};

struct ClientConfig {
  std::string server;  // normalized: scheme://host[:port][/prefix], no trailing slash
  std::string key;
  // Where each value came from, for messages: "--server", "SKIFF_KEY", a file path, "default".
  std::string server_source;
  std::string key_source;  // "" when there is no key
};

// Resolves server and key from flags, the environment and the files above. InvalidArgument when
// the config file is not valid JSON or has a non-string field, or when the server URL is not
// http(s); the message names the file or the source.
Result<ClientConfig> ResolveConfig(const ConfigFlags& flags);

// "host:8080" -> "http://host:8080"; strips trailing slashes; InvalidArgument for another scheme
// or an empty host.
Result<std::string> NormalizeServerUrl(const std::string& url);

// The config file ResolveConfig reads: $XDG_CONFIG_HOME/skiff/config.json, else
// ~/.config/skiff/config.json; "" when neither variable is set.
std::string ConfigFilePath();

// True when the URL's host is localhost, 127.x.y.z or [::1].
bool IsLoopbackUrl(const std::string& url);

}  // namespace skiff::cli

#include "cli/config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace skiff::cli {
namespace {

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string Trim(const std::string& s) {
  const char* kSpace = " \t\r\n";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// The file's contents, or nullopt when it cannot be opened (missing, unreadable).
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}


struct FileConfig {
  std::string server;
  std::string key;
};

Result<FileConfig> ReadConfigFile(const std::string& path) {
  FileConfig config;
  if (path.empty()) return config;
  std::optional<std::string> text = ReadFile(path);
  if (!text) return config;
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument(path + ": expected a JSON object like {\"server\": \"...\", \"key\": \"...\"}");
  }
  for (const char* field : {"server", "key"}) {
    auto it = doc.find(field);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_string()) return InvalidArgument(path + ": " + field + ": expected a string");
    (std::string_view(field) == "server" ? config.server : config.key) = it->get<std::string>();
  }
  return config;
}

// The host part of "scheme://[user@]host[:port][/path]", brackets kept for IPv6.
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    return close == std::string::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

}  // namespace

Result<std::string> NormalizeServerUrl(const std::string& url) {
  std::string out = Trim(url);
  if (out.find("://") == std::string::npos) out = "http://" + out;
  if (out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0) {
    return InvalidArgument("server URL " + url + ": only http:// and https:// are supported");
  }
  if (HostOf(out).empty()) return InvalidArgument("server URL " + url + ": no host");
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (out.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument("server URL " + url + ": contains white space");
  }
  return out;
}

bool IsLoopbackUrl(const std::string& url) {
  std::string host = HostOf(url);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted IPv4 literal (not a name like 127.example.com).
  return host.rfind("127.", 0) == 0 &&
         host.find_first_not_of("0123456789.") == std::string::npos;
}

Result<ClientConfig> ResolveConfig(const ConfigFlags& flags) {
  ClientConfig config;
  std::string server = flags.server;
  config.server_source = "--server";
  config.key = flags.key;
  config.key_source = "--key";

  if (server.empty()) {
    server = GetEnv("SKIFF_SERVER");
    config.server_source = "SKIFF_SERVER";
  }
  if (config.key.empty()) {
    config.key = GetEnv("SKIFF_KEY");
    config.key_source = "SKIFF_KEY";
  }
  if (server.empty() || config.key.empty()) {
    const std::string path = ConfigFilePath();
    ASSIGN_OR_RETURN(FileConfig file, ReadConfigFile(path));
    if (server.empty() && !file.server.empty()) {
      server = file.server;
      config.server_source = path;
    }
    if (config.key.empty() && !file.key.empty()) {
      config.key = file.key;
      config.key_source = path;
    }
  }
  if (server.empty()) {
    server = kDefaultServer;
    config.server_source = "default";
  }
  auto normalized = NormalizeServerUrl(server);
  if (!normalized.ok()) {
    return InvalidArgument(normalized.status().message() + " (from " + config.server_source + ")");
  }
  config.server = *normalized;

  if (config.key.empty() && IsLoopbackUrl(config.server)) {
    std::string data = GetEnv("SKIFF_DATA");
    std::string path = (data.empty() ? std::string("./.skiff") : data) + "/admin.key";
    if (std::optional<std::string> text = ReadFile(path)) {
      config.key = Trim(*text);
      config.key_source = path;
    }
  }
  if (config.key.empty()) config.key_source.clear();
  return config;
}

std::string ConfigFilePath() {
  std::string xdg = GetEnv("XDG_CONFIG_HOME");
  if (!xdg.empty()) return xdg + "/skiff/config.json";
  std::string home = GetEnv("HOME");
  if (!home.empty()) return home + "/.config/skiff/config.json";
  return "";
}

}  // namespace skiff::cli

#include "obs/log.h"

#include <unistd.h>

#include <atomic>

#include "core/time.h"

namespace skiff::obs {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
const char* Name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}
}  // namespace

void SetLogLevel(Level level) { g_level = static_cast<int>(level); }

bool ParseLevel(std::string_view name, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == Name(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void Log(Level level, std::string_view msg, Json fields) {
  if (!Enabled(level)) return;
  Json line = Json::object();
  line["ts"] = FormatTime(SystemClock()->NowMs());
  line["level"] = Name(level);
  line["msg"] = msg;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = *it;
  }
  std::string text = DumpJson(line);
  text.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace skiff::obs

// Structured logs: one JSON object per line on stderr ({"ts","level","msg", ...fields}).
// Thread-safe; a line is written with one write(2) so lines from threads never interleave.
// Never pass secrets (API keys, tokens) as fields.
#pragma once

#include <string_view>

#include "core/json_input.h"

namespace skiff::obs {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(Level level);
bool ParseLevel(std::string_view name, Level* out);
bool Enabled(Level level);
void Log(Level level, std::string_view msg, Json fields = Json::object());

inline void Info(std::string_view msg, Json fields = Json::object()) {
  Log(Level::kInfo, msg, std::move(fields));
}
inline void Warn(std::string_view msg, Json fields = Json::object()) {
  Log(Level::kWarn, msg, std::move(fields));
}
inline void Error(std::string_view msg, Json fields = Json::object()) {
  Log(Level::kError, msg, std::move(fields));
}

}  // namespace skiff::obs

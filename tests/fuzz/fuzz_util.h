// Shared by the libFuzzer targets: a scratch folder for the process, quiet logs.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "obs/log.h"

namespace skiff::fuzz {

// A folder under $TMPDIR made once per process; the fuzz targets write into it and clean it up
// themselves between inputs.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/skiff-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  return dir;
}

// Removes the regular files of `dir` (not recursive).
inline void ClearDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
}

inline void QuietLogs() { obs::SetLogLevel(obs::Level::kError); }

}  // namespace skiff::fuzz

// TempDir: a fresh folder under $TMPDIR (or /tmp) for one test, removed with its contents at the end.
#pragma once

#include <string>

namespace skiff::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace skiff::testing

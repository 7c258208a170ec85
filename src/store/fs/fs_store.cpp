#include "store/fs/fs_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <vector>

namespace skiff::store {
namespace {

constexpr char kLockFile[] = ".lock";
constexpr char kTempPrefix[] = ".tmp-";

// "jobs/a.json" -> {"jobs", "a.json"}; "a.json" -> {"", "a.json"}.
std::pair<std::string, std::string> SplitKey(std::string_view key) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

// Opens folder `path` relative to `at` ("" is `at` itself). Returns 0 or an errno value.
int OpenDir(int at, const std::string& path, UniqueFd* out) {
  return OpenBeneath(at, path.empty() ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, out);
}

// No object there: missing, a path component is a file, or a symlink (never followed).
bool IsAbsentErrno(int err) { return err == ENOENT || err == ENOTDIR || err == ELOOP; }

Status KeyAbsent(std::string_view key, const Precondition& pre) {
  return FailedPrecondition("key is absent (put if etag " + pre.etag +
                            " matches): " + std::string(key));
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

Result<std::unique_ptr<FsStore>> FsStore::Open(std::string root) {
  if (root.empty()) return InvalidArgument("the folder store needs a root folder, got \"\"");
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(root, ec).lexically_normal();
  if (ec) return ErrnoStatus("resolve store folder " + root, ec.value());
  std::string abs_root = abs.string();
  if (abs_root.size() > 1 && abs_root.back() == '/') abs_root.pop_back();
  std::filesystem::create_directories(abs, ec);
  if (ec) return ErrnoStatus("create store folder " + abs_root, ec.value());
  int fd = ::open(abs_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open store folder " + abs_root, errno);
  UniqueFd root_fd(fd);
  ASSIGN_OR_RETURN(std::unique_ptr<StripeLocks> locks,
                   StripeLocks::Open(root_fd.get(), kLockFile, abs_root + "/" + kLockFile));
  return std::unique_ptr<FsStore>(
      new FsStore(std::move(abs_root), std::move(root_fd), std::move(locks)));
}

FsStore::FsStore(std::string root, UniqueFd root_fd, std::unique_ptr<StripeLocks> locks)
    : root_(std::move(root)), root_fd_(std::move(root_fd)), locks_(std::move(locks)) {}

Status FsStore::Error(std::string_view what, std::string_view key, int err) const {
  std::string k(key);
  if (err == ENAMETOOLONG) {
    return InvalidArgument("invalid key \"" + k +
                           "\": a segment is longer than the folder backend's 255 bytes");
  }
  if (err == ELOOP) {
    return FailedPrecondition("cannot " + std::string(what) + " key " + k + " in " + root_ +
                              ": a symlink on its path is not followed");
  }
  if (err == ENOTDIR || err == EISDIR) {
    return FailedPrecondition("cannot " + std::string(what) + " key " + k + " in " + root_ +
                              ": a key cannot also be a folder (\"a/b\" and \"a/b/c\")");
  }
  return ErrnoStatus(std::string(what) + " key " + k + " in " + root_, err);
}

Result<Object> FsStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::string path(key);
  UniqueFd file;
  if (int err = OpenBeneath(root_fd_.get(), path, O_RDONLY | O_CLOEXEC, &file); err != 0) {
    if (IsAbsentErrno(err)) return NotFound("no such key: " + path);
    return Error("get", key, err);
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return Error("get", key, errno);
  if (!S_ISREG(st.st_mode)) return NotFound("no such key: " + path + " (it is a folder)");
  Object obj;
  if (int err = ReadAll(file.get(), &obj.bytes); err != 0) return Error("get", key, err);
  obj.etag = ContentEtag(obj.bytes);
  return obj;
}

Result<UniqueFd> FsStore::OpenFolder(std::string_view key, std::string_view folder, bool create) {
  UniqueFd dir;
  int err = OpenDir(root_fd_.get(), std::string(folder), &dir);
  if (err == 0) return dir;
  if (err != ENOENT || !create) return Error("open the folder of", key, err);
  // Create the missing folders one level at a time; fsync each new folder's parent so the new
  // entry survives a crash.
  UniqueFd cur;
  if (int e = OpenDir(root_fd_.get(), "", &cur); e != 0) return Error("open root for", key, e);
  size_t begin = 0;
  while (begin < folder.size()) {
    size_t end = std::min(folder.find('/', begin), folder.size());
    std::string segment(folder.substr(begin, end - begin));
    if (::mkdirat(cur.get(), segment.c_str(), 0755) == 0) {
      if (int e = Fsync(cur.get()); e != 0) return Error("fsync a new folder for", key, e);
    } else if (errno != EEXIST) {
      return Error("create a folder for", key, errno);
    }
    UniqueFd next;
    if (int e = OpenDir(cur.get(), segment, &next); e != 0) {
      return Error("open a folder for", key, e);
    }
    cur = std::move(next);
    begin = end + 1;
  }
  return cur;
}

Result<std::string> FsStore::CurrentEtag(int dir_fd, std::string_view key,
                                         const std::string& name) {
  UniqueFd file;
  if (int err = OpenBeneath(dir_fd, name, O_RDONLY | O_CLOEXEC, &file); err != 0) {
    if (IsAbsentErrno(err)) return std::string();
    return Error("read the current version of", key, err);
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return Error("read the current version of", key, errno);
  if (!S_ISREG(st.st_mode)) return std::string();  // a folder: no object (rename will refuse)
  std::string bytes;
  if (int err = ReadAll(file.get(), &bytes); err != 0) {
    return Error("read the current version of", key, err);
  }
  return ContentEtag(bytes);
}

Status FsStore::CheckPrecondition(int dir_fd, std::string_view key, const std::string& name,
                                  const Precondition& pre) {
  if (pre.kind == Precondition::Kind::kNone) return OkStatus();
  ASSIGN_OR_RETURN(std::string current, CurrentEtag(dir_fd, key, name));
  if (pre.kind == Precondition::Kind::kIfAbsent) {
    if (!current.empty()) {
      return FailedPrecondition("key exists (put if absent): " + std::string(key));
    }
    return OkStatus();
  }
  if (current.empty()) return KeyAbsent(key, pre);
  if (current != pre.etag) {
    return FailedPrecondition("etag is " + current + ", not " + pre.etag + ": " + std::string(key));
  }
  return OkStatus();
}

Result<std::string> FsStore::WriteTemp(int dir_fd, std::string_view key, std::string_view bytes,
                                       bool sync) {
  std::string name;
  UniqueFd file;
  for (int attempt = 0;; ++attempt) {
    name = kTempPrefix + RandomHex();
    int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      file.Reset(fd);
      break;
    }
    if (errno != EEXIST || attempt == 3) return Error("create a temporary file for", key, errno);
  }
  int err = WriteAll(file.get(), bytes);
  if (err == 0 && sync) err = Fsync(file.get());
  file.Reset();
  if (err != 0) {
    ::unlinkat(dir_fd, name.c_str(), 0);
    return Error("write", key, err);
  }
  return name;
}

Result<std::string> FsStore::Put(std::string_view key, std::string_view bytes,
                                 const Precondition& pre) {
  RETURN_IF_ERROR(ValidateKey(key));
  const auto split = SplitKey(key);  // not a structured binding: lambdas capture `name`
  const auto& folder = split.first;
  const auto& name = split.second;
  // An IfMatch put of a key whose folder is missing fails without creating the folder.
  const bool if_match = pre.kind == Precondition::Kind::kIfMatch;
  Result<UniqueFd> dir_or = OpenFolder(key, folder, /*create=*/!if_match);
  if (if_match && dir_or.status().code() == Code::kNotFound) return KeyAbsent(key, pre);
  if (!dir_or.ok()) return dir_or.status();
  UniqueFd dir = std::move(dir_or).value();
  // Fail fast, before writing anything, when the precondition already fails; it is checked
  // again under the lock, where it counts.
  RETURN_IF_ERROR(CheckPrecondition(dir.get(), key, name, pre));
  ASSIGN_OR_RETURN(std::string temp, WriteTemp(dir.get(), key, bytes));
  // Unconditional puts lock too: otherwise one could land between a conditional put's check and
  // its rename, and be silently overwritten by a put whose precondition no longer held.
  Status status = locks_->WithLock(key, [&]() -> Status {
    RETURN_IF_ERROR(CheckPrecondition(dir.get(), key, name, pre));
    if (::renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) != 0) {
      return Error("put", key, errno);
    }
    return OkStatus();
  });
  if (!status.ok()) {
    ::unlinkat(dir.get(), temp.c_str(), 0);
    return status;
  }
  if (int err = Fsync(dir.get()); err != 0) return Error("fsync the folder of", key, err);
  return ContentEtag(bytes);
}

Status FsStore::PutMany(const std::vector<PutItem>& items) {
  if (items.size() <= 1) return ObjectStore::PutMany(items);
  for (const PutItem& item : items) RETURN_IF_ERROR(ValidateKey(item.key));
  struct Pending {
    const PutItem* item;
    int dir;  // into `dirs`
    std::string name, temp;
  };
  std::map<std::string, UniqueFd> dirs;  // by folder: each opened (and fsynced) once
  std::vector<Pending> pending;
  auto unlink_temps = [&] {
    for (const Pending& p : pending) ::unlinkat(p.dir, p.temp.c_str(), 0);
  };
  // 1. Every object to a temporary file, unsynced.
  for (const PutItem& item : items) {
    auto [folder, name] = SplitKey(item.key);
    auto it = dirs.find(std::string(folder));
    if (it == dirs.end()) {
      Result<UniqueFd> dir = OpenFolder(item.key, folder, /*create=*/true);
      if (!dir.ok()) {
        unlink_temps();
        return dir.status();
      }
      it = dirs.emplace(std::string(folder), std::move(dir).value()).first;
    }
    auto temp = WriteTemp(it->second.get(), item.key, item.bytes, /*sync=*/false);
    if (!temp.ok()) {
      unlink_temps();
      return temp.status();
    }
    pending.push_back({&item, it->second.get(), std::string(name), std::move(temp).value()});
  }
  // 2. One flush of the file system for all of them; then an fsync of each file, which finds it
  // clean (cheap) but reports a write-back error that belongs to that file.
  if (::syncfs(root_fd_.get()) != 0) {
    int err = errno;
    unlink_temps();
    return Error("sync", pending[0].item->key, err);
  }
  for (const Pending& p : pending) {
    UniqueFd file(::openat(p.dir, p.temp.c_str(), O_RDONLY | O_CLOEXEC));
    int err = file.valid() ? Fsync(file.get()) : errno;
    if (err != 0) {
      unlink_temps();
      return Error("write", p.item->key, err);
    }
  }
  // 3. Into place, each under its lock like a Put; then each folder's entry made durable once.
  Status first;
  for (size_t i = 0; i < pending.size(); ++i) {
    const Pending& p = pending[i];
    Status st = locks_->WithLock(p.item->key, [&]() -> Status {
      if (::renameat(p.dir, p.temp.c_str(), p.dir, p.name.c_str()) != 0) {
        return Error("put", p.item->key, errno);
      }
      return OkStatus();
    });
    if (!st.ok()) {
      ::unlinkat(p.dir, p.temp.c_str(), 0);
      if (first.ok()) first = st;
    }
  }
  for (auto& [folder, dir] : dirs) {
    if (int err = Fsync(dir.get()); err != 0 && first.ok()) {
      first = Error("fsync the folder of", folder.empty() ? "/" : folder + "/", err);
    }
  }
  return first;
}

Status FsStore::Remove(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  const auto split = SplitKey(key);  // not a structured binding: a lambda captures `name`
  const auto& folder = split.first;
  const auto& name = split.second;
  UniqueFd dir;
  if (int err = OpenDir(root_fd_.get(), folder, &dir); err != 0) {
    if (IsAbsentErrno(err)) return OkStatus();
    return Error("remove", key, err);
  }
  bool removed = false;
  RETURN_IF_ERROR(locks_->WithLock(key, [&]() -> Status {
    if (::unlinkat(dir.get(), name.c_str(), 0) == 0) {
      removed = true;
      return OkStatus();
    }
    if (IsAbsentErrno(errno) || errno == EISDIR) return OkStatus();  // no such object
    return Error("remove", key, errno);
  }));
  if (removed) {
    if (int err = Fsync(dir.get()); err != 0) return Error("fsync the folder of", key, err);
  }
  return OkStatus();
}

Result<ListResult> FsStore::List(const ListRequest& req) {
  RETURN_IF_ERROR(ValidatePrefix(req.prefix));
  RETURN_IF_ERROR(ValidatePrefix(req.start_after));
  ListResult out;
  // Start at the deepest folder the prefix names: "jobs/jo" walks "jobs/", keeping "jo*".
  size_t slash = req.prefix.rfind('/');
  std::string rel = slash == std::string::npos ? "" : req.prefix.substr(0, slash + 1);
  std::string folder = rel.empty() ? "" : rel.substr(0, rel.size() - 1);
  UniqueFd dir;
  if (int err = OpenDir(root_fd_.get(), folder, &dir); err != 0) {
    if (IsAbsentErrno(err)) return out;
    return Error("list", req.prefix, err);
  }
  Status error;
  Walk(dir.Release(), rel, req, &out, &error);
  if (!error.ok()) return error;
  return out;
}

bool FsStore::Walk(int dir_fd, const std::string& rel, const ListRequest& req, ListResult* out,
                   Status* error) {
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(dir_fd));
  if (dir == nullptr) {
    *error = Error("list", rel, errno);
    ::close(dir_fd);
    return false;
  }
  // A folder sorts as "name/", so a depth-first walk in this order yields keys in byte order
  // ("a-b" < "a/x" < "a0").
  struct Entry {
    std::string sort_name;
    bool is_dir;
  };
  std::vector<Entry> entries;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(dir.get());
    if (e == nullptr) break;
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // ".", "..", temporary files, the lock file
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(dir.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) entries.push_back({name + "/", true});
    if (type == DT_REG) entries.push_back({name, false});
  }
  if (errno != 0) {
    *error = Error("list", rel, errno);
    return false;
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sort_name < b.sort_name; });
  const std::string& prefix = req.prefix;
  const std::string& after = req.start_after;
  for (const Entry& entry : entries) {
    std::string path = rel + entry.sort_name;
    if (!entry.is_dir) {
      if (!path.starts_with(prefix) || path <= after || !ValidateKey(path).ok()) continue;
      if (out->keys.size() >= req.limit) {
        out->truncated = true;
        return false;
      }
      out->keys.push_back(std::move(path));
      continue;
    }
    if (!path.starts_with(prefix) && !prefix.starts_with(path)) continue;
    if (after > path && !after.starts_with(path)) continue;  // every key below is <= after
    std::string name = entry.sort_name.substr(0, entry.sort_name.size() - 1);
    int child =
        ::openat(::dirfd(dir.get()), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (child < 0) {
      if (IsAbsentErrno(errno)) continue;  // removed or replaced while we walked
      *error = Error("list", path, errno);
      return false;
    }
    if (!Walk(child, path, req, out, error)) return false;
  }
  return true;
}

}  // namespace skiff::store

#include "exec/local/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace skiff::exec {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = other.Release();
  }
  return *this;
}

int UniqueFd::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::Reset() {
  if (fd_ >= 0) {
    // Linux releases the descriptor even when close reports EINTR: never retry.
    ::close(fd_);
    fd_ = -1;
  }
}

namespace {

// A pipe whose ends are both O_CLOEXEC (so no concurrently spawned process inherits them) and
// numbered 3 or above (so dup2 onto 1 or 2 in the child never meets itself). Returns errno or 0.
int MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return errno;
  }
  UniqueFd ends[2] = {UniqueFd(fds[0]), UniqueFd(fds[1])};
  for (UniqueFd& end : ends) {
    if (end.get() <= 2) {
      int moved = ::fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
      if (moved < 0) {
        return errno;
      }
      end = UniqueFd(moved);
    }
  }
  int flags = ::fcntl(ends[0].get(), F_GETFL);
  if (flags < 0 || ::fcntl(ends[0].get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return errno;
  }
  *read_end = std::move(ends[0]);
  *write_end = std::move(ends[1]);
  return 0;
}

// "K=V" strings: environ without the names req.env sets, then req.env.
std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (overrides.find(name) == overrides.end()) {
      env.push_back(std::move(entry));
    }
  }
  for (const auto& [name, value] : overrides) {
    env.push_back(name + "=" + value);
  }
  return env;
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

int Configure(posix_spawnattr_t* attr, posix_spawn_file_actions_t* actions, int out_w, int err_w,
              const std::string& workdir) {
  sigset_t empty;
  sigset_t all;
  sigemptyset(&empty);
  sigfillset(&all);
  int rc = posix_spawnattr_setflags(
      attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setpgroup(attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(attr, &empty);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(attr, &all);
  if (rc == 0 && !workdir.empty()) {
    rc = posix_spawn_file_actions_addchdir_np(actions, workdir.c_str());
  }
  if (rc == 0) rc = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, out_w, 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, err_w, 2);
  // Descriptors other code opened without O_CLOEXEC must not reach user code either.
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(actions, 3);
  return rc;
}

// Returns 0 or the errno of the failed step (posix_spawnp reports exec and chdir failures).
int Spawn(const RunRequest& req, int out_w, int err_w, pid_t* pid) {
  std::vector<std::string> env = BuildEnv(req.env);
  std::vector<char*> envp = CStrings(env);
  std::vector<char*> argv = CStrings(req.argv);

  posix_spawn_file_actions_t actions;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) {
    return rc;
  }
  posix_spawnattr_t attr;
  rc = posix_spawnattr_init(&attr);
  if (rc == 0) {
    rc = Configure(&attr, &actions, out_w, err_w, req.workdir);
    if (rc == 0) {
      rc = posix_spawnp(pid, argv[0], &actions, &attr, argv.data(), envp.data());
    }
    posix_spawnattr_destroy(&attr);
  }
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

// The failed step is not reported by posix_spawnp; blame the workdir when it is unusable.
Status StartError(const RunRequest& req, int err) {
  std::string context = "cannot start '" + req.argv[0] + "'";
  if (!req.workdir.empty()) {
    struct stat st;
    if (::stat(req.workdir.c_str(), &st) != 0) {
      return ErrnoStatus(context + ": workdir '" + req.workdir + "'", errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return ErrnoStatus(context + ": workdir '" + req.workdir + "'", ENOTDIR);
    }
  }
  return ErrnoStatus(context, err);
}

}  // namespace

Result<SpawnedChild> SpawnChild(const RunRequest& req) {
  if (req.argv.empty() || req.argv[0].empty()) {
    return InvalidArgument("cannot start: empty argv");
  }
  for (const auto& entry : req.env) {
    if (entry.first.empty() || entry.first.find('=') != std::string::npos) {
      return InvalidArgument("cannot start '" + req.argv[0] + "': invalid env name '" +
                             entry.first + "'");
    }
  }
  SpawnedChild child;
  UniqueFd out_w;
  UniqueFd err_w;
  int rc = MakePipe(&child.stdout_fd, &out_w);
  if (rc == 0) rc = MakePipe(&child.stderr_fd, &err_w);
  if (rc != 0) {
    return ErrnoStatus("cannot start '" + req.argv[0] + "': pipe", rc);
  }
  rc = Spawn(req, out_w.get(), err_w.get(), &child.pid);
  if (rc != 0) {
    return StartError(req, rc);
  }
  // out_w and err_w close here: the child holds the only write ends, so EOF means it (and every
  // process it shared them with) closed them.
  return child;
}

}  // namespace skiff::exec

#include "testing/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace skiff::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kUnset = "\x01unset";

int64_t MsSince(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

std::vector<std::string> MergedEnv(const Env& overrides) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : overrides) {
    if (v == kUnset) {
      env.erase(k);
    } else {
      env[k] = v;
    }
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string Tail(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return "[... " + std::to_string(s.size() - max) + " bytes cut ...]\n" + s.substr(s.size() - max);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Subprocess

Subprocess::Subprocess(const std::vector<std::string>& argv, const Env& env,
                       const std::string& stdout_path, const std::string& stderr_path,
                       const std::string& stdin_path) {
  if (argv.empty()) throw std::invalid_argument("Subprocess: empty argv");
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = MergedEnv(env);
  std::vector<char*> cargs = CStrings(args);
  std::vector<char*> cenv = CStrings(envs);
  int in = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err = stderr_path == stdout_path
                ? -1
                : ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in < 0 || out < 0 || (stderr_path != stdout_path && err < 0)) {
    int e = errno;
    for (int fd : {in, out, err}) {
      if (fd >= 0) ::close(fd);
    }
    throw std::runtime_error("Subprocess: cannot open redirections: " +
                             std::string(std::strerror(e)));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {in, out, err}) {
      if (fd >= 0) ::close(fd);
    }
    throw std::runtime_error("fork: " + std::string(std::strerror(e)));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err >= 0 ? err : out, 2);
    ::execve(cargs[0], cargs.data(), cenv.data());
    ::_exit(127);
  }
  pid_ = pid;
  for (int fd : {in, out, err}) {
    if (fd >= 0) ::close(fd);
  }
}

Subprocess::~Subprocess() {
  if (!status_) Kill9();
}

void Subprocess::Reaped(int wstatus) {
  if (WIFEXITED(wstatus)) {
    status_ = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    status_ = 128 + WTERMSIG(wstatus);
  } else {
    status_ = -1;
  }
}

bool Subprocess::Running() {
  if (status_) return false;
  int ws = 0;
  pid_t r = ::waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) {
    Reaped(ws);
    return false;
  }
  return r == 0;
}

std::optional<int> Subprocess::Wait(milliseconds timeout) {
  auto end = Clock::now() + timeout;
  while (!status_) {
    int ws = 0;
    pid_t r = ::waitpid(pid_, &ws, WNOHANG);
    if (r == pid_) {
      Reaped(ws);
      break;
    }
    if (r < 0 && errno != EINTR) {
      status_ = -1;
      break;
    }
    if (Clock::now() >= end) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return status_;
}

void Subprocess::Signal(int sig) {
  if (!status_) ::kill(pid_, sig);
}

void Subprocess::Kill9() {
  if (status_) return;
  ::kill(pid_, SIGKILL);
  int ws = 0;
  while (::waitpid(pid_, &ws, 0) < 0) {
    if (errno != EINTR) {
      status_ = -1;
      return;
    }
  }
  Reaped(ws);
}

int Subprocess::Terminate(milliseconds timeout) {
  if (status_) return *status_;
  ::kill(pid_, SIGTERM);
  if (auto st = Wait(timeout)) return *st;
  ADD_FAILURE() << "pid " << pid_ << " did not stop within " << timeout.count()
                << " ms of SIGTERM; killing it";
  Kill9();
  return *status_;
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const Env& env,
                         const std::string& scratch_dir, milliseconds timeout,
                         const std::string& stdin_path) {
  static std::atomic<int> counter{0};
  std::string base = scratch_dir + "/run-" + std::to_string(::getpid()) + "-" +
                     std::to_string(++counter);
  ProcessResult res;
  {
    Subprocess p(argv, env, base + ".out", base + ".err", stdin_path);
    auto st = p.Wait(timeout);
    if (!st) {
      ADD_FAILURE() << argv[0] << " did not finish within " << timeout.count() << " ms";
      p.Kill9();
      res.exit_code = -1;
    } else {
      res.exit_code = *st;
    }
  }
  res.out = ReadFileOrEmpty(base + ".out");
  res.err = ReadFileOrEmpty(base + ".err");
  ::unlink((base + ".out").c_str());
  ::unlink((base + ".err").c_str());
  return res;
}

// ---------------------------------------------------------------------------------------------
// TestServer

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  data_dir_ = temp_.path() + "/data";
  port_file_ = temp_.path() + "/port";
  log_path_ = temp_.path() + "/server.log";
  ::mkdir((temp_.path() + "/xdg").c_str(), 0700);
  Start();
}

TestServer::~TestServer() {
  DumpLogsIfFailed();
  if (server_) server_->Kill9();
}

void TestServer::Start() {
  ::unlink(port_file_.c_str());
  port_ = 0;
  url_.clear();
  const std::string listen =
      "127.0.0.1:" + std::to_string(options_.keep_port ? first_port_ : 0);
  std::vector<std::string> argv = {SKIFF_BINARY, options_.verb,  "--data",      data_dir_,
                                   "--listen",   listen,         "--port-file", port_file_,
                                   "--log-level", options_.log_level};
  if (options_.verb == "up") {
    argv.push_back("--workers");
    argv.push_back(std::to_string(options_.workers));
  }
  if (options_.lease_ms > 0) {
    argv.push_back("--lease-ms");
    argv.push_back(std::to_string(options_.lease_ms));
  }
  if (!options_.tls_cert.empty()) {
    argv.insert(argv.end(), {"--tls-cert", options_.tls_cert, "--tls-key", options_.tls_key});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  {
    std::ofstream log(log_path_, std::ios::app);
    log << "==== test: starting";
    for (const auto& a : argv) log << " " << a;
    log << "\n";
  }
  auto t0 = Clock::now();
  server_ = std::make_unique<Subprocess>(argv, Env{}, log_path_, log_path_);
  auto deadline = t0 + std::chrono::seconds(60);
  std::string port_text;
  while (true) {
    port_text = ReadFileOrEmpty(port_file_);
    if (!port_text.empty() && port_text.back() == '\n') break;
    if (!server_->Running()) {
      ADD_FAILURE() << "skiff exited (status " << server_->exit_status().value_or(-1)
                    << ") before writing its port file";
      DumpLogs();
      return;
    }
    if (Clock::now() > deadline) {
      ADD_FAILURE() << "skiff wrote no port file within 60 s";
      DumpLogs();
      return;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  int port = std::atoi(port_text.c_str());
  std::string url = (options_.tls_cert.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") +
                    std::to_string(port);
  std::string key = ReadFileOrEmpty(data_dir_ + "/admin.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (port <= 0 || key.rfind("skf_", 0) != 0) {
    ADD_FAILURE() << "bad port file (" << port_text << ") or admin key";
    DumpLogs();
    return;
  }
  net::HttpClient probe(url, "", {1000, 2000, options_.ca_cert});
  while (true) {
    auto r = probe.Get("/readyz");
    if (r.ok() && r->status == 200) break;
    if (!server_->Running() || Clock::now() > deadline) {
      ADD_FAILURE() << "skiff did not become ready: "
                    << (r.ok() ? std::to_string(r->status) + " " + r->body
                               : r.status().message());
      DumpLogs();
      return;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  last_start_ms_ = MsSince(t0);
  port_ = port;
  if (first_port_ == 0) first_port_ = port;
  url_ = url;
  key_ = key;
}

std::unique_ptr<net::HttpClient> TestServer::Client(net::HttpClientOptions options) const {
  if (options.ca_cert.empty()) options.ca_cert = options_.ca_cert;
  return std::make_unique<net::HttpClient>(url_, key_, options);
}

std::unique_ptr<net::HttpClient> TestServer::ClientWithKey(const std::string& key,
                                                           net::HttpClientOptions options) const {
  if (options.ca_cert.empty()) options.ca_cert = options_.ca_cert;
  return std::make_unique<net::HttpClient>(url_, key, options);
}

void TestServer::Kill9() {
  if (server_) server_->Kill9();
}

int TestServer::Terminate(milliseconds timeout) {
  if (!server_) return -1;
  return server_->Terminate(timeout);
}

void TestServer::Restart() {
  if (server_) server_->Kill9();
  Start();
}

Result<Json> TestServer::Submit(const Json& body, const net::HttpHeaders& headers) {
  auto http = Client();
  auto r = http->Post("/v1/jobs", body.dump(), headers);
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 201) {
    return InvalidArgument("submit answered " + std::to_string(r->status) + ": " + r->body);
  }
  return ParseJson(r->body);
}

Result<Json> TestServer::GetJob(const std::string& id, bool tasks) {
  auto http = Client();
  auto r = http->Get("/v1/jobs/" + net::EscapeUrlComponent(id) + (tasks ? "" : "?tasks=0"));
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return NotFound("GET job answered " + std::to_string(r->status) + ": " + r->body);
  }
  return ParseJson(r->body);
}

Result<Json> TestServer::WaitFinished(const std::string& id, milliseconds timeout) {
  auto http = Client();
  auto end = Clock::now() + timeout;
  std::string last = "no answer";
  int delay_ms = 10;
  while (true) {
    auto r = http->Get("/v1/jobs/" + net::EscapeUrlComponent(id) + "?tasks=0");
    if (r.ok() && r->status == 200) {
      auto job = ParseJson(r->body);
      if (job.ok()) {
        std::string status = job->value("status", "");
        if (status == "succeeded" || status == "failed" || status == "cancelled") {
          return GetJob(id, true);
        }
        last = status + " " + (*job)["counts"].dump();
      }
    } else {
      last = r.ok() ? std::to_string(r->status) + " " + r->body : r.status().message();
    }
    if (Clock::now() >= end) {
      return DeadlineExceeded("job " + id + " not finished after " +
                              std::to_string(timeout.count()) + " ms: " + last);
    }
    std::this_thread::sleep_for(milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 200);
  }
}

Result<std::vector<std::string>> TestServer::ListJobIds() {
  auto http = Client();
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    std::string path = "/v1/jobs?limit=1000";
    if (!cursor.empty()) path += "&cursor=" + net::EscapeUrlComponent(cursor);
    auto r = http->Get(path);
    if (!r.ok()) return r.status();
    if (r->status != 200) return Internal("list answered " + std::to_string(r->status));
    ASSIGN_OR_RETURN(Json doc, ParseJson(r->body));
    for (const Json& j : doc["jobs"]) ids.push_back(j["id"].get<std::string>());
    if (!doc["next_cursor"].is_string()) return ids;
    cursor = doc["next_cursor"].get<std::string>();
  }
  return Internal("list: more than 100 pages");
}

std::unique_ptr<Subprocess> TestServer::StartWorker(int concurrency, const std::string& name,
                                                    const std::vector<std::string>& extra) {
  std::string log = temp_.path() + "/worker-" + std::to_string(worker_logs_.size() + 1) + ".log";
  worker_logs_.push_back(log);
  std::vector<std::string> argv = {SKIFF_BINARY, "worker", "--server", url_, "--concurrency",
                                   std::to_string(concurrency)};
  if (std::find(extra.begin(), extra.end(), "--key") == extra.end()) {
    argv.push_back("--key");
    argv.push_back(key_);
  }
  if (!name.empty()) {
    argv.push_back("--name");
    argv.push_back(name);
  }
  if (!options_.ca_cert.empty()) argv.insert(argv.end(), {"--ca-cert", options_.ca_cert});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Subprocess>(argv, Env{}, log, log);
}

ProcessResult TestServer::RunCli(const std::vector<std::string>& args, const Env& env,
                                 milliseconds timeout, const std::string& stdin_path) {
  Env e = {{"SKIFF_SERVER", url_},
           {"SKIFF_KEY", key_},
           {"XDG_CONFIG_HOME", temp_.path() + "/xdg"}};
  if (!options_.ca_cert.empty()) e["SKIFF_CA_CERT"] = options_.ca_cert;
  for (const auto& [k, v] : env) e[k] = v;
  std::vector<std::string> argv = {SKIFF_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ++cli_runs_;
  return RunProcess(argv, e, temp_.path(), timeout, stdin_path);
}

void TestServer::DumpLogsIfFailed() {
  if (!dumped_ && ::testing::Test::HasFailure()) DumpLogs();
}

void TestServer::DumpLogs() {
  dumped_ = true;
  std::vector<std::string> logs = {log_path_};
  logs.insert(logs.end(), worker_logs_.begin(), worker_logs_.end());
  for (const std::string& path : logs) {
    std::cerr << "==== " << path << " ====\n" << Tail(ReadFileOrEmpty(path), 24000) << "\n";
  }
  std::cerr << "==== end of logs ====" << std::endl;
}

// ---------------------------------------------------------------------------------------------
// Helpers

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFileOrDie(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

long ResidentKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  if (stat.empty()) return false;
  size_t close = stat.rfind(')');
  return !(close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

std::string RawExchange(int port, const std::string& bytes, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  auto end = Clock::now() + timeout;
  std::string got;
  size_t sent = 0;
  char buf[65536];
  bool peer_closed = false;
  while (!peer_closed && Clock::now() < end) {
    pollfd p = {fd, static_cast<short>(POLLIN | (sent < bytes.size() ? POLLOUT : 0)), 0};
    int left = static_cast<int>(std::max<int64_t>(
        1, std::chrono::duration_cast<milliseconds>(end - Clock::now()).count()));
    if (::poll(&p, 1, std::min(left, 100)) <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n > 0) {
        got.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        peer_closed = true;
      }
    } else if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd, bytes.data() + sent, std::min<size_t>(bytes.size() - sent, 65536),
                         MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
        sent = bytes.size();  // the peer stopped reading; keep reading what it said
      }
    }
  }
  ::close(fd);
  return got;
}

int RawStatus(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string RawBody(const std::string& response) {
  size_t p = response.find("\r\n\r\n");
  return p == std::string::npos ? "" : response.substr(p + 4);
}

}  // namespace skiff::testing

// TestServer: the real `skiff` binary (SKIFF_BINARY) as a child process on 127.0.0.1 with a free
// port, for black-box integration tests over HTTP and through the CLI.
//
//   skiff::testing::TestServer server({.workers = 2});
//   auto http = server.Client();
//   auto r = http->Post("/v1/jobs", R"({"argv": ["true"]})");
//   auto job = server.WaitFinished(id, std::chrono::seconds(30));
//
// Every process it starts writes stdout/stderr to a log file in its temp folder; DumpLogsIfFailed
// (called by the destructor too) prints their tails when the current test has failed. Children get
// SIGKILL when the thread that started them ends (PR_SET_PDEATHSIG), so a crashed test leaves no
// server behind: start processes from the test's own thread. Not thread-safe: start, stop and
// restart from the test's thread; clients may live on any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json_input.h"
#include "core/status.h"
#include "net/http_client.h"
#include "testing/temp_dir.h"

namespace skiff::testing {

using Env = std::map<std::string, std::string>;

// A child process started with fork/exec; stdin is /dev/null (or `stdin_path`), stdout and
// stderr go to `stdout_path` / `stderr_path` (appended; the same path for both is fine).
class Subprocess {
 public:
  // `env` overrides (or adds to) this process's environment; a value of "\x01unset" removes it.
  Subprocess(const std::vector<std::string>& argv, const Env& env, const std::string& stdout_path,
             const std::string& stderr_path, const std::string& stdin_path = "/dev/null");
  ~Subprocess();  // SIGKILL and reap if it still runs
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // True while it has not exited (reaps it when it has).
  bool Running();
  // Sends `sig` (no wait).
  void Signal(int sig);
  // SIGKILL, then reap.
  void Kill9();
  // SIGTERM, wait up to `timeout_ms` (then SIGKILL); the exit status (see Wait).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits for the exit up to `timeout`: the exit code, 128 + signal when killed by a signal, or
  // nullopt when it still runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::optional<int> exit_status() const { return status_; }

 private:
  void Reaped(int wstatus);
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed; -1 when it had to be killed after the timeout
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv, const Env& env,
                         const std::string& scratch_dir,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60),
                         const std::string& stdin_path = "/dev/null");

struct TestServerOptions {
  std::string verb = "up";  // "up" (API + in-process workers) or "server" (no workers)
  int workers = 2;          // --workers, for "up" only
  int64_t lease_ms = 0;     // --lease-ms; 0 keeps the binary's default
  std::string log_level = "info";
  std::vector<std::string> extra_args;
  // HTTPS: --tls-cert/--tls-key for the server, and the CA file its clients, workers and CLI
  // runs trust (url() is then https://).
  std::string tls_cert;
  std::string tls_key;
  std::string ca_cert;
  // Restart() listens on the port of the first start again (so workers and clients started with
  // url() find the server after a restart); else every start takes a free port.
  bool keep_port = false;
};

class TestServer {
 public:
  // Starts the server and waits until /readyz answers 200; a failure to start is a fatal gtest
  // failure (check with ::testing::Test::HasFatalFailure()) that prints the log.
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  bool started() const { return port_ > 0; }
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& key() const { return key_; }
  const std::string& data_dir() const { return data_dir_; }
  // The server's stdout and stderr (its JSON log lines).
  const std::string& log_path() const { return log_path_; }
  // The test's own scratch folder (beside the data folder), for marker and pid files.
  const std::string& scratch() const { return temp_.path(); }
  pid_t pid() const { return server_ ? server_->pid() : -1; }
  bool Running() { return server_ && server_->Running(); }

  // A client for url() carrying the admin key (or `key`, "" for none).
  std::unique_ptr<net::HttpClient> Client(net::HttpClientOptions options = {}) const;
  std::unique_ptr<net::HttpClient> ClientWithKey(const std::string& key,
                                                 net::HttpClientOptions options = {}) const;

  void Kill9();
  // SIGTERM and wait: the exit status (0 for a clean stop).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Starts again on the same data folder (kill -9 first if it still runs) and waits for ready.
  void Restart();
  // Milliseconds from spawn to the first 200 from /readyz, for the latest (re)start.
  int64_t last_start_ms() const { return last_start_ms_; }

  // Submits `body` to POST /v1/jobs; the answer's JSON when the status is 200 or 201, else an
  // error holding the status and body.
  Result<Json> Submit(const Json& body, const net::HttpHeaders& headers = {});
  // GET /v1/jobs/{id} (with tasks and attempts unless `tasks` is false).
  Result<Json> GetJob(const std::string& id, bool tasks = true);
  // Polls the job until its status is succeeded, failed or cancelled, and returns it with tasks;
  // DeadlineExceeded (with the last counts) after `timeout`.
  Result<Json> WaitFinished(const std::string& id,
                            std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Every job id from GET /v1/jobs, following cursors (bounded to 100 pages).
  Result<std::vector<std::string>> ListJobIds();

  // Starts `skiff worker --server URL --concurrency N --key KEY [--name NAME] [extra]` (no --key
  // of ours when `extra` has one), with its log in the temp folder (printed on failure). The
  // caller owns the process.
  std::unique_ptr<Subprocess> StartWorker(int concurrency, const std::string& name = "",
                                          const std::vector<std::string>& extra = {});

  // Runs `skiff ARGS...` with SKIFF_SERVER=url() and SKIFF_KEY=key() (overridable by `env`) and
  // a config folder of its own, so no user configuration is read.
  ProcessResult RunCli(const std::vector<std::string>& args, const Env& env = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(60),
                       const std::string& stdin_path = "/dev/null");

  // Prints the tail of every log of this server and its workers when the current test failed.
  void DumpLogsIfFailed();
  void DumpLogs();

 private:
  void Start();

  TestServerOptions options_;
  TempDir temp_;
  std::string data_dir_;
  std::string port_file_;
  std::string log_path_;
  std::unique_ptr<Subprocess> server_;
  std::vector<std::string> worker_logs_;
  std::string url_;
  std::string key_;
  int port_ = 0;
  int first_port_ = 0;  // for keep_port
  int64_t last_start_ms_ = 0;
  int cli_runs_ = 0;
  bool dumped_ = false;
};

// Reads a whole file ("" when it cannot be read).
std::string ReadFileOrEmpty(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& text);

// Resident memory of a process in KiB, from /proc/<pid>/status (-1 when unknown).
long ResidentKb(pid_t pid);

// Whether a process with this pid exists (and is not a zombie).
bool ProcessAlive(pid_t pid);

// Raw TCP to 127.0.0.1:`port`: sends `bytes` (stopping quietly if the peer closes), then reads
// until the peer closes or `timeout` passes; returns what was read.
std::string RawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The HTTP status of a raw response ("HTTP/1.1 413 ..."), 0 when there is none.
int RawStatus(const std::string& response);
// The body of a raw response (after the blank line).
std::string RawBody(const std::string& response);

}  // namespace skiff::testing

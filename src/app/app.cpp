#include "app/app.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "api/api.h"
#include "api/server.h"
#include "catalog/catalog.h"
#include "coord/coord_metrics.h"
#include "coord/coordinator.h"
#include "core/ids.h"
#include "events/event_log.h"
#include "exec/builtin/builtin_executor.h"
#include "identity/identity.h"
#include "exec/local/local_executor.h"
#include "notify/notifier.h"
#include "obs/log.h"
#include "store/instrumented_store.h"
#include "store/open_store.h"
#include "usage/usage.h"
#include "worker/http_task_source.h"
#include "worker/worker.h"

namespace skiff::app {
namespace {

struct ServerFlags {
  std::string data;
  std::string listen = "127.0.0.1:8080";
  std::string store;
  std::string port_file;
  std::string log_level = "info";
  int workers = -1;
  size_t task_output_bytes = 64 * 1024;
  int64_t lease_ms = 30000;
  size_t max_body = 16u << 20;
  int request_timeout_ms = 30000;
  std::string tls_cert;
  std::string tls_key;
  double rate_limit = 0;  // requests a second per key; 0: no limit
  identity::OidcConfig oidc;
  std::string smtp_url;
  std::string smtp_from = "skiff@localhost";
  int64_t notify_retry_ms = 1000;
};

struct WorkerFlags {
  std::string server;
  std::string key;
  std::string name;
  std::string log_level = "info";
  std::string ca_cert;
  int concurrency = 0;
  size_t task_output_bytes = 64 * 1024;
};

std::string DefaultDataDir() {
  const char* d = std::getenv("SKIFF_DATA");
  return d && *d ? d : ".skiff";
}

std::string HostName() {
  char buf[256] = {};
  ::gethostname(buf, sizeof(buf) - 1);
  return buf;
}

Status SplitHostPort(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen: expected HOST:PORT");
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  char* end = nullptr;
  long p = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535 || colon + 1 == listen.size()) {
    return InvalidArgument("--listen: bad port in " + listen);
  }
  *port = static_cast<int>(p);
  return OkStatus();
}

// The bootstrap admin key: created once (0600, O_EXCL), read on every start. Never logged.
Result<std::string> BootstrapKey(const std::string& data_dir, bool* created) {
  std::string path = data_dir + "/admin.key";
  *created = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string key = "skf_" + RandomBase62(43) + "\n";
    bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return ErrnoStatus("write " + path, errno);
    *created = true;
  } else if (errno != EEXIST) {
    return ErrnoStatus("create " + path, errno);
  }
  std::ifstream in(path);
  std::string key;
  std::getline(in, key);
  if (key.rfind("skf_", 0) != 0) return InvalidArgument(path + " does not hold a skf_ key");
  return key;
}

Status WritePortFile(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return ErrnoStatus("write " + tmp, errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename " + path, errno);
  return OkStatus();
}

// Blocks SIGINT/SIGTERM in this thread (and so in every thread started after) and returns the set
// to sigwait on.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Over a file size limit (RLIMIT_FSIZE) a write fails with EFBIG, which the journal and the store
  // report (503) and retry, instead of the signal killing the process.
  ::signal(SIGXFSZ, SIG_IGN);
  return set;
}

void SetLogLevel(const std::string& name) {
  obs::Level level;
  if (!obs::ParseLevel(name, &level)) throw CLI::ValidationError("--log-level", "debug|info|warn|error");
  obs::SetLogLevel(level);
}

int RunServer(const ServerFlags& f, bool with_workers) {
  SetLogLevel(f.log_level);
  // In-process tasks inherit this process's environment: a key set for the CLI must not reach
  // them. Done before any thread starts.
  ::unsetenv("SKIFF_KEY");
  sigset_t stop_signals = BlockStopSignals();
  std::string data = f.data.empty() ? DefaultDataDir() : f.data;
  if (::mkdir(data.c_str(), 0700) != 0 && errno != EEXIST) {
    obs::Error("cannot create the data folder", {{"path", data}, {"error", std::strerror(errno)}});
    return 2;
  }
  std::string host;
  int port = 0;
  if (Status st = SplitHostPort(f.listen, &host, &port); !st.ok()) {
    obs::Error(st.message());
    return 2;
  }
  auto opened = store::OpenStore(f.store.empty() ? "file:" + data + "/store" : f.store);
  if (!opened.ok()) {
    obs::Error("cannot open the store", {{"error", opened.status().message()}});
    return 2;
  }
  std::unique_ptr<store::ObjectStore> store = std::make_unique<store::InstrumentedStore>(
      std::move(opened).value(), &obs::Metrics::Default());

  bool created = false;
  auto key = BootstrapKey(data, &created);
  if (!key.ok()) {
    obs::Error("bootstrap key", {{"error", key.status().message()}});
    return 2;
  }
  identity::IdentityOptions iopts;
  iopts.bootstrap_key_hash = Sha256Hex(*key);
  auto ident = identity::Identity::Open(store.get(), SystemClock(), iopts);
  if (!ident.ok()) {
    obs::Error("cannot load teams and keys", {{"error", ident.status().message()}});
    return 1;
  }

  if (!f.oidc.issuer.empty()) {
    if (Status st = (*ident)->EnableOidc(f.oidc); !st.ok()) {
      obs::Error("OIDC", {{"error", st.message()}});
      return 2;
    }
    obs::Info("accepting OIDC tokens", {{"issuer", f.oidc.issuer}, {"audience", f.oidc.audience}});
  }

  coord::CoordinatorOptions copts;
  copts.journal_dir = data + "/journal";
  copts.lease_ms = f.lease_ms;
  auto coordinator = coord::Coordinator::Open(store.get(), SystemClock(), copts);
  if (!coordinator.ok()) {
    obs::Error("recovery failed", {{"error", coordinator.status().message()}});
    return 1;
  }
  coord::Coordinator* c = coordinator->get();
  coord::CoordinatorMetrics coordinator_metrics(c, &obs::Metrics::Default());

  auto event_log = events::EventLog::Open(store.get(), SystemClock());
  if (!event_log.ok()) {
    obs::Error("cannot open the event log", {{"error", event_log.status().message()}});
    return 1;
  }
  events::EventLog* log = event_log->get();
  c->AddListener([log](const std::vector<coord::JobEvent>& batch) {
    for (const coord::JobEvent& e : batch) log->Append(events::FromJobEvent(e));
  });

  // Usage and notifications hear of finished jobs before any request is served (a finish left
  // unacknowledged by the previous run is delivered to them again now).
  auto email_of = [id = ident->get()](const std::string& user_id) { return id->EmailOf(user_id); };
  usage::UsageMeter meter(store.get(), email_of);
  notify::NotifierOptions nopts;
  nopts.smtp_url = f.smtp_url;
  nopts.smtp_from = f.smtp_from;
  nopts.retry_base_ms = f.notify_retry_ms;
  notify::Notifier notifier(store.get(), SystemClock(), email_of, nopts);
  if (Status st = notifier.Start(); !st.ok()) {
    obs::Error("cannot load pending notifications", {{"error", st.message()}});
    return 1;
  }
  c->AddListener(meter.Listener());
  c->AddListener(notifier.Listener());
  // On any return from here on, the coordinator stops (delivering its queued events) while the
  // listeners' objects still exist.
  struct StopCoordinatorFirst {
    coord::Coordinator* c;
    ~StopCoordinatorFirst() { c->Shutdown(); }
  } stop_coordinator_first{c};

  catalog::Catalog catalog(store.get(), SystemClock());
  api::Router router(ident->get());
  api::ApiDeps deps{c, ident->get(), SystemClock(), [] { return true; }};
  deps.catalog = &catalog;
  deps.usage = &meter;
  deps.notifier = &notifier;
  deps.metrics = &obs::Metrics::Default();
  deps.events = log;
  api::RegisterRoutes(router, deps);
  std::unique_ptr<api::RateLimiter> limiter;
  if (f.rate_limit > 0) {
    limiter = std::make_unique<api::RateLimiter>(f.rate_limit, f.rate_limit, SystemClock());
    router.SetRateLimiter(limiter.get());
  }
  api::ServerOptions sopts;
  sopts.host = host;
  sopts.port = port;
  sopts.max_body_bytes = f.max_body;
  sopts.request_timeout_ms = f.request_timeout_ms;
  sopts.tls_cert = f.tls_cert;
  sopts.tls_key = f.tls_key;
  auto server = api::HttpServer::Start(sopts, &router);
  if (!server.ok()) {
    obs::Error("cannot start the HTTP server", {{"error", server.status().message()}});
    return 1;
  }
  if (!f.port_file.empty()) {
    if (Status st = WritePortFile(f.port_file, (*server)->port()); !st.ok()) {
      obs::Error("port file", {{"error", st.message()}});
      return 1;
    }
  }

  exec::BuiltinExecutor executor(std::make_unique<exec::LocalProcessExecutor>());
  std::unique_ptr<worker::Worker> workers;
  int n = f.workers >= 0 ? f.workers : static_cast<int>(std::thread::hardware_concurrency());
  if (with_workers && n > 0) {
    worker::WorkerOptions wo;
    wo.name = HostName() + "/in-process";
    wo.concurrency = n;
    wo.output_limit = f.task_output_bytes;
    workers = std::make_unique<worker::Worker>(c, &executor, wo);
    workers->Start();
  }
  std::string url = std::string((*server)->tls() ? "https://" : "http://") +
                    f.listen.substr(0, f.listen.rfind(':')) + ":" +
                    std::to_string((*server)->port());
  obs::Info("skiff is up", {{"url", url},
                            {"data", data},
                            {"store", std::string(store->Backend())},
                            {"workers", with_workers ? n : 0},
                            {"admin_key_file", data + "/admin.key"},
                            {"admin_key_created", created}});

  int sig = 0;
  sigwait(&stop_signals, &sig);
  obs::Info("stopping", {{"signal", sig}});
  c->Drain();
  if (workers) workers->Stop(10000);
  (*server)->Stop(5000);
  c->Shutdown();  // delivers queued events to usage and notify first
  notifier.Stop();
  meter.Stop();
  log->Close();
  (*ident)->Shutdown();
  obs::Info("stopped");
  return 0;
}

int RunWorker(const WorkerFlags& f) {
  SetLogLevel(f.log_level);
  sigset_t stop_signals = BlockStopSignals();
  std::string server = f.server, key = f.key;
  if (server.empty()) {
    const char* s = std::getenv("SKIFF_SERVER");
    server = s && *s ? s : "http://127.0.0.1:8080";
  }
  if (key.empty()) {
    const char* k = std::getenv("SKIFF_KEY");
    key = k ? k : "";
  }
  // Tasks inherit this process's environment: the worker's key must not reach them.
  ::unsetenv("SKIFF_KEY");
  if (key.empty()) {
    obs::Error("skiff worker needs a key: --key or SKIFF_KEY");
    return 2;
  }
  worker::HttpTaskSource source(server, key, f.ca_cert);
  exec::BuiltinExecutor executor(std::make_unique<exec::LocalProcessExecutor>());
  worker::WorkerOptions wo;
  wo.name = f.name.empty() ? HostName() + "/" + std::to_string(::getpid()) : f.name;
  wo.output_limit = f.task_output_bytes;
  wo.concurrency = f.concurrency > 0 ? f.concurrency
                                     : static_cast<int>(std::thread::hardware_concurrency());
  worker::Worker w(&source, &executor, wo);
  w.Start();
  obs::Info("worker started", {{"server", server}, {"name", wo.name},
                               {"concurrency", wo.concurrency}});
  int sig = 0;
  sigwait(&stop_signals, &sig);
  obs::Info("worker stopping", {{"signal", sig}});
  source.Cancel();
  w.Stop(10000);
  return 0;
}

void AddServerFlags(CLI::App* cmd, ServerFlags* f) {
  cmd->add_option("--data", f->data, "data folder (default $SKIFF_DATA or ./.skiff)");
  cmd->add_option("--listen", f->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--store", f->store,
                  "object store URL: file:PATH, memory: or s3://bucket/prefix?region=..&endpoint=.. "
                  "(default file:<data>/store)");
  cmd->add_option("--port-file", f->port_file, "write the port listened on to this file");
  cmd->add_option("--log-level", f->log_level, "debug, info, warn or error")->capture_default_str();
  cmd->add_option("--lease-ms", f->lease_ms, "task lease (visibility timeout) in ms")
      ->check(CLI::Range(int64_t{100}, int64_t{3600000}))
      ->capture_default_str();
  cmd->add_option("--max-body", f->max_body, "largest request body in bytes")
      ->capture_default_str();
  cmd->add_option("--smtp-url", f->smtp_url,
                  "SMTP server for job emails (smtp://host:port); none: no email");
  cmd->add_option("--smtp-from", f->smtp_from, "From: address of job emails")
      ->capture_default_str();
  cmd->add_option("--notify-retry-ms", f->notify_retry_ms,
                  "first wait before retrying a failed notification (doubles, up to an hour)")
      ->check(CLI::Range(int64_t{10}, int64_t{3600000}))
      ->capture_default_str();
  cmd->add_option("--request-timeout-ms", f->request_timeout_ms,
                  "a whole request must arrive within this time (slow clients get 408)")
      ->check(CLI::Range(100, 3600000))
      ->capture_default_str();
  cmd->add_option("--tls-cert", f->tls_cert, "serve HTTPS: PEM certificate chain (with --tls-key)");
  cmd->add_option("--tls-key", f->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--rate-limit", f->rate_limit,
                  "requests a second per API key, bursts of as many (429 over it); 0: no limit")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--oidc-issuer", f->oidc.issuer, "accept JWTs from this issuer (iss)");
  cmd->add_option("--oidc-audience", f->oidc.audience, "required audience (aud) of the JWTs");
  cmd->add_option("--oidc-jwks-file", f->oidc.jwks_file, "the issuer's JWKS as a file");
  cmd->add_option("--oidc-jwks-url", f->oidc.jwks_url, "the issuer's JWKS URL");
  cmd->add_option("--oidc-team-claim", f->oidc.team_claim, "claim naming the team")
      ->capture_default_str();
  cmd->add_option("--oidc-role-claim", f->oidc.role_claim,
                  "claim naming the role (default: every token is a member)");
}

}  // namespace

void RegisterCommands(CLI::App& app) {
  auto up_flags = std::make_shared<ServerFlags>();
  CLI::App* up = app.add_subcommand("up", "Run the platform on this machine: API server, "
                                          "coordinator and in-process workers");
  AddServerFlags(up, up_flags.get());
  up->add_option("--workers", up_flags->workers, "in-process worker slots (default: cores)");
  up->add_option("--task-output-bytes", up_flags->task_output_bytes,
                 "bytes of each attempt's stdout and of its stderr kept (the tail)")
      ->check(CLI::Range(size_t{1024}, size_t{64 * 1024}))
      ->capture_default_str();
  up->callback([up_flags] {
    int rc = RunServer(*up_flags, true);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto server_flags = std::make_shared<ServerFlags>();
  CLI::App* server = app.add_subcommand("server", "Run the API server and coordinator without "
                                                  "workers (use `skiff worker` elsewhere)");
  AddServerFlags(server, server_flags.get());
  server->callback([server_flags] {
    int rc = RunServer(*server_flags, false);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto wf = std::make_shared<WorkerFlags>();
  CLI::App* worker = app.add_subcommand("worker", "Run tasks for a skiff server");
  worker->add_option("--server", wf->server, "server URL (default $SKIFF_SERVER)");
  worker->add_option("--key", wf->key, "worker or admin API key (default $SKIFF_KEY)");
  worker->add_option("--concurrency", wf->concurrency, "tasks at once (default: cores)");
  worker->add_option("--name", wf->name, "worker name on attempts (default host/pid)");
  worker->add_option("--log-level", wf->log_level, "debug, info, warn or error");
  worker->add_option("--ca-cert", wf->ca_cert,
                     "PEM file of the CA to trust for an https server (else $SKIFF_CA_CERT)");
  worker->add_option("--task-output-bytes", wf->task_output_bytes,
                     "bytes of each attempt's stdout and of its stderr kept (the tail)")
      ->check(CLI::Range(size_t{1024}, size_t{64 * 1024}))
      ->capture_default_str();
  worker->callback([wf] {
    int rc = RunWorker(*wf);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace skiff::app

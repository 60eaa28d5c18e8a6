// `ecoute serve`: the service (docs/SERVER.md) — the API, the dashboard, the watcher, alerts
// and SLA escalation — until SIGTERM or SIGINT, then a graceful stop.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "ecoute/serve.h"

#include "commands.h"

namespace ecoute::cli {

std::function<int()> AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the service: API, dashboard, source watching, alerts and SLA escalation");
  cmd->add_option("--config", options->config_path,
                  "TOML settings (docs/SERVER.md); ECOUTE_<SECTION>_<KEY> variables override it");
  cmd->add_option("--db", options->db_path,
                  "SQLite database (default: $ECOUTE_DB, else ecoute.db)");
  cmd->add_option("--brands", options->brands_path, "Brand catalog (TOML)");
  cmd->add_option("--listen", options->listen,
                  "Address and port, e.g. 127.0.0.1:8080 (:0 picks one)");
  cmd->add_option("--web-dir", options->web_dir,
                  "Serve the dashboard from this folder instead of the built-in copy");
  cmd->add_option("--data-dir", options->data_dir, "Lexicons and models (default: built in)");
  cmd->add_option("--log-format", options->log_format, "text or json");
  cmd->add_option("--secret-key-file", options->secret_key_file,
                  "Key sealing the reply accounts' secrets (default: <db>.key, made if missing)");
  cmd->add_flag("--no-model", options->no_model, "Cues only, without the trained model");
  return [options]() -> int {
    Result<std::unique_ptr<Service>> configured =
        Service::Configure(*options, [](const char* name) { return std::getenv(name); });
    if (!configured) {
      PrintError(configured.error().message());
      return ExitCodeFor(configured.error());
    }
    std::unique_ptr<Service> service = std::move(configured).value();
    if (Status logging = service->SetUpLogging(); !logging.ok()) {
      PrintError(logging.message());
      return kExitUsage;
    }

    // Signals are waited for by this thread only: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    if (Status started = service->Start(); !started.ok()) {
      PrintError(started.message());
      return ExitCodeFor(started);
    }
    std::fprintf(stderr, "ecoute: listening on %s\n", service->url().c_str());
    std::fflush(stderr);

    int signal = 0;
    sigwait(&signals, &signal);
    service->Stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    return kExitOk;
  };
}

}  // namespace ecoute::cli

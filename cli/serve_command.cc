// `ecoute serve`: the service (docs/SERVER.md) — the API, the dashboard, the watcher, alerts
// and SLA escalation — until SIGTERM or SIGINT, then a graceful stop.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "server/app.h"
#include "server/config.h"
#include "util/clock.h"

namespace ecoute::cli {
namespace {

// The message as a JSON string, for log lines that stay JSON whatever they say.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

Status SetUpLogging(const server::ServerConfig& config) {
  auto logger = spdlog::stderr_logger_mt("ecoute");
  spdlog::set_default_logger(logger);
  if (config.log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  const spdlog::level::level_enum level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    return InvalidArgumentError("log.level \"" + config.log_level +
                                "\": use debug, info, warn or error");
  }
  spdlog::set_level(level);
  spdlog::flush_on(spdlog::level::info);
  return OkStatus();
}

}  // namespace

std::function<int()> AddServeCommand(CLI::App& app) {
  struct Options {
    std::string config;
    std::string db;
    std::string brands;
    std::string listen;
    std::string web_dir;
    std::string data_dir;
    std::string log_format;
    bool no_model = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the service: API, dashboard, source watching, alerts and SLA escalation");
  cmd->add_option("--config", options->config,
                  "TOML settings (docs/SERVER.md); ECOUTE_<SECTION>_<KEY> variables override it");
  cmd->add_option("--db", options->db, "SQLite database (default: $ECOUTE_DB, else ecoute.db)");
  cmd->add_option("--brands", options->brands, "Brand catalog (TOML)");
  cmd->add_option("--listen", options->listen,
                  "Address and port, e.g. 127.0.0.1:8080 (:0 picks one)");
  cmd->add_option("--web-dir", options->web_dir,
                  "Serve the dashboard from this folder instead of the built-in copy");
  cmd->add_option("--data-dir", options->data_dir, "Lexicons and models (default: built in)");
  cmd->add_option("--log-format", options->log_format, "text or json");
  cmd->add_flag("--no-model", options->no_model, "Cues only, without the trained model");
  return [options]() -> int {
    Result<server::ServerConfig> loaded = server::LoadServerConfig(
        options->config, [](const char* name) { return std::getenv(name); });
    if (!loaded) {
      PrintError(loaded.error().message());
      return ExitCodeFor(loaded.error());
    }
    server::ServerConfig config = std::move(loaded).value();
    if (!options->db.empty()) {
      config.db_path = options->db;
    } else if (const char* env = std::getenv("ECOUTE_DB"); env != nullptr && *env != '\0') {
      config.db_path = env;
    }
    if (!options->brands.empty()) config.brands_path = options->brands;
    if (!options->listen.empty()) config.listen = options->listen;
    if (!options->web_dir.empty()) config.web_dir = options->web_dir;
    if (!options->data_dir.empty()) config.data_dir = options->data_dir;
    if (!options->log_format.empty()) config.log_format = options->log_format;
    if (options->no_model) config.no_model = true;
    if (config.log_format != "text" && config.log_format != "json") {
      PrintError("--log-format: text or json");
      return kExitUsage;
    }
    if (Status logging = SetUpLogging(config); !logging.ok()) {
      PrintError(logging.message());
      return kExitUsage;
    }

    // Signals are waited for by this thread only: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    static SystemClock clock;
    Result<std::unique_ptr<server::App>> created = server::App::Create(config, clock);
    if (!created) {
      PrintError(created.error().message());
      return ExitCodeFor(created.error());
    }
    std::unique_ptr<server::App> service = std::move(created).value();
    if (Status started = service->Start(); !started.ok()) {
      PrintError(started.message());
      return ExitCodeFor(started);
    }
    Result<int64_t> users = service->access().CountUsers();
    if (users && *users == 0) {
      spdlog::warn(
          "no user yet: create the first admin with `ecoute users add NAME --role admin "
          "--db {}`",
          config.db_path);
    }
    std::string host = config.listen.substr(0, config.listen.rfind(':'));
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    const std::string url = config.public_url.empty()
                                ? "http://" + host + ":" + std::to_string(service->port()) + "/"
                                : config.public_url;
    spdlog::info("listening on {} (database {}, {} brands)", url, config.db_path,
                 service->catalog().brands.size());
    std::fprintf(stderr, "ecoute: listening on %s\n", url.c_str());
    std::fflush(stderr);

    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("{}: stopping (requests in flight finish, pending work stays queued)",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT");
    service->Stop();
    spdlog::info("stopped");
    return kExitOk;
  };
}

}  // namespace ecoute::cli

// Service (ecoute/serve.h): the settings of `ecoute serve` with the command line's
// overrides, its logging, and the App from start to a graceful stop.
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "ecoute/serve.h"

#include "server/app.h"
#include "server/config.h"
#include "util/clock.h"

namespace ecoute {
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

class AppService final : public Service {
 public:
  explicit AppService(server::ServerConfig config) : config_(std::move(config)) {}

  Status SetUpLogging() override;
  Status Start() override;
  std::string url() const override;
  void Stop(std::string_view reason) override;

 private:
  server::ServerConfig config_;
  const SystemClock clock_;  // before app_, which borrows it
  std::unique_ptr<server::App> app_;
};

Status AppService::SetUpLogging() {
  if (config_.log_format != "text" && config_.log_format != "json") {
    return InvalidArgumentError("--log-format: text or json");
  }
  auto logger = spdlog::stderr_logger_mt("ecoute");
  spdlog::set_default_logger(logger);
  if (config_.log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  const spdlog::level::level_enum level = spdlog::level::from_str(config_.log_level);
  if (level == spdlog::level::off && config_.log_level != "off") {
    return InvalidArgumentError("log.level \"" + config_.log_level +
                                "\": use debug, info, warn or error");
  }
  spdlog::set_level(level);
  spdlog::flush_on(spdlog::level::info);
  return OkStatus();
}

Status AppService::Start() {
  ECOUTE_ASSIGN_OR_RETURN(app_, server::App::Create(config_, clock_));
  ECOUTE_RETURN_IF_ERROR(app_->Start());
  Result<int64_t> users = app_->access().CountUsers();
  if (users && *users == 0) {
    spdlog::warn(
        "no user yet: create the first admin with `ecoute users add NAME --role admin "
        "--db {}`",
        config_.db_path);
  }
  spdlog::info("listening on {} (database {}, {} brands)", url(), config_.db_path,
               app_->catalog_snapshot()->brands.size());
  return OkStatus();
}

std::string AppService::url() const {
  if (!config_.public_url.empty()) return config_.public_url;
  std::string host = config_.listen.substr(0, config_.listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  const uint16_t port = app_ == nullptr ? 0 : app_->port();
  return "http://" + host + ":" + std::to_string(port) + "/";
}

void AppService::Stop(std::string_view reason) {
  spdlog::info("{}: stopping (requests in flight finish, pending work stays queued)", reason);
  if (app_ != nullptr) app_->Stop();
  spdlog::info("stopped");
}

}  // namespace

Result<std::unique_ptr<Service>> Service::Configure(const ServeOptions& options,
                                                    const Getenv& getenv) {
  ECOUTE_ASSIGN_OR_RETURN(server::ServerConfig config,
                          server::LoadServerConfig(options.config_path, getenv));
  server::ApplyServeOptions(options, getenv, config);
  return std::unique_ptr<Service>(std::make_unique<AppService>(std::move(config)));
}

namespace server {

void ApplyServeOptions(const ServeOptions& options, const Service::Getenv& getenv,
                       ServerConfig& config) {
  if (!options.db_path.empty()) {
    config.db_path = options.db_path;
  } else if (const char* env = getenv("ECOUTE_DB"); env != nullptr && *env != '\0') {
    config.db_path = env;
  }
  if (!options.brands_path.empty()) config.brands_path = options.brands_path;
  if (!options.listen.empty()) config.listen = options.listen;
  if (!options.web_dir.empty()) config.web_dir = options.web_dir;
  if (!options.data_dir.empty()) config.data_dir = options.data_dir;
  if (!options.log_format.empty()) config.log_format = options.log_format;
  if (!options.secret_key_file.empty()) config.replies.key_file = options.secret_key_file;
  if (options.no_model) config.no_model = true;
}

}  // namespace server
}  // namespace ecoute

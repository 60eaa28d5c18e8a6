// ReplyDesk (ecoute/replies.h): the reply accounts and the outbox of one database for the
// command line, over the same settings, outbox and senders as `ecoute serve`. A reply is
// sent through an App that is not started (no HTTP, no background work): its outbox's
// callbacks read the case's post and record the sent reply into the case as the server's do.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "ecoute/replies.h"

#include "reply/outbox.h"
#include "server/app.h"
#include "server/config.h"
#include "server/reply_options.h"
#include "util/clock.h"

namespace ecoute {
namespace {

using nlohmann::json;

ReplyInfo InfoOf(const ReplyRecord& r) {
  ReplyInfo info;
  info.id = r.id;
  info.case_id = r.case_id;
  info.channel = r.channel;
  info.status = r.status;
  info.recipient = r.recipient;
  info.in_reply_to = r.in_reply_to;
  info.idempotency_key = r.idempotency_key;
  info.attempts = r.attempts;
  info.next_attempt_at = r.next_attempt_at;
  info.last_error = r.last_error;
  info.platform_id = r.platform_id;
  info.platform_url = r.platform_url;
  return info;
}

class AppReplyDesk final : public ReplyDesk {
 public:
  explicit AppReplyDesk(server::ServerConfig config) : config_(std::move(config)) {
    // Standard output is the command's answer: what the outbox logs goes to stderr.
    auto logger = std::make_shared<spdlog::logger>(
        "ecoute", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("ecoute: %l: %v");
    spdlog::set_default_logger(std::move(logger));
  }

  Status SetAccount(const std::string& brand, const std::string& channel,
                    const std::vector<std::pair<std::string, std::string>>& settings,
                    const std::optional<std::string>& secret, const std::string& actor) override {
    if (!reply::IsChannel(channel)) {
      return InvalidArgumentError("--channel: mastodon, bluesky, email or webhook");
    }
    ECOUTE_ASSIGN_OR_RETURN(reply::Outbox * outbox, Accounts());
    json fields = json::object();
    for (const auto& [name, value] : settings) fields[name] = value;
    std::optional<json> secrets;
    if (secret) secrets = json{{reply::FieldsOf(channel).secrets.at(0), *secret}};
    return outbox->SetAccount(brand, channel, fields, secrets, actor);
  }

  Result<std::vector<ReplyAccountInfo>> ListAccounts(const std::string& brand) override {
    ECOUTE_ASSIGN_OR_RETURN(reply::Outbox * outbox, Accounts());
    ECOUTE_ASSIGN_OR_RETURN(std::vector<reply::AccountView> views, outbox->ListAccounts(brand));
    std::vector<ReplyAccountInfo> accounts;
    for (const reply::AccountView& v : views) {
      ReplyAccountInfo a{v.brand, v.channel, {}, v.has_secret, v.updated_by, v.updated_at};
      for (const auto& [name, value] : v.settings.items()) {
        a.settings.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
      }
      accounts.push_back(std::move(a));
    }
    return accounts;
  }

  Status RemoveAccount(const std::string& brand, const std::string& channel) override {
    ECOUTE_ASSIGN_OR_RETURN(reply::Outbox * outbox, Accounts());
    return outbox->RemoveAccount(brand, channel);
  }

  Result<ReplyInfo> Reply(const ReplyRequest& request) override;

 private:
  // The outbox alone: accounts need neither the catalog nor the analyzer.
  Result<reply::Outbox*> Accounts() {
    if (app_) return &app_->replies();
    if (!outbox_) {
      ECOUTE_ASSIGN_OR_RETURN(outbox_,
                              reply::Outbox::Open(config_.db_path, clock_, config_.replies));
    }
    return outbox_.get();
  }

  server::ServerConfig config_;
  const SystemClock clock_;  // before what borrows it
  std::unique_ptr<reply::Outbox> outbox_;
  std::unique_ptr<server::App> app_;
};

Result<ReplyInfo> AppReplyDesk::Reply(const ReplyRequest& request) {
  if (!reply::IsChannel(request.channel)) {
    return InvalidArgumentError("--channel: mastodon, bluesky, email or webhook");
  }
  if (!app_) {
    outbox_.reset();  // the App opens its own
    ECOUTE_ASSIGN_OR_RETURN(app_, server::App::Create(config_, clock_));
  }
  ECOUTE_ASSIGN_OR_RETURN(CaseDetail detail, app_->store().Lock()->GetCase(request.case_id));
  const std::optional<server::ReplyTarget> target = server::ReplyTargetOn(detail, request.channel);
  if (!target) {
    return InvalidArgumentError("the customer of case " + std::to_string(request.case_id) +
                                " cannot be reached on " + request.channel +
                                ": choose another channel");
  }
  ReplyRecord r;
  r.case_id = request.case_id;
  r.brand = detail.summary.brand;
  r.channel = request.channel;
  r.text = request.text;
  r.idempotency_key = request.idempotency_key;
  r.actor = request.actor;
  r.in_reply_to = target->in_reply_to;
  r.recipient = target->recipient;
  if (request.recipient && (r.channel == "email" || r.channel == "webhook")) {
    r.recipient = *request.recipient;
  }
  reply::Outbox& outbox = app_->replies();
  ECOUTE_ASSIGN_OR_RETURN(auto queued, outbox.Queue(r));
  ReplyRecord reply = queued.first;
  if (request.retry && (reply.status == "failed" || reply.status == "uncertain")) {
    ECOUTE_ASSIGN_OR_RETURN(reply, outbox.Retry(reply.id));
  }
  ECOUTE_ASSIGN_OR_RETURN(reply, outbox.SendNow(reply.id));
  return InfoOf(reply);
}

}  // namespace

Result<std::unique_ptr<ReplyDesk>> ReplyDesk::Configure(const ServeOptions& options,
                                                        const Getenv& getenv) {
  ECOUTE_ASSIGN_OR_RETURN(server::ServerConfig config,
                          server::LoadServerConfig(options.config_path, getenv));
  server::ApplyServeOptions(options, getenv, config);
  return std::unique_ptr<ReplyDesk>(std::make_unique<AppReplyDesk>(std::move(config)));
}

}  // namespace ecoute

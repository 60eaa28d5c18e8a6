#include "reply/outbox.h"

#include <algorithm>
#include <chrono>

#include "ecoute/datetime.h"

namespace ecoute::reply {

using nlohmann::json;

namespace {

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string_view VerdictStatus(Verdict v) {
  switch (v) {
    case Verdict::kSent:
      return "sent";
    case Verdict::kRetry:
      return "queued";
    case Verdict::kUncertain:
      return "uncertain";
    case Verdict::kFailed:
      break;
  }
  return "failed";
}

}  // namespace

json ReplyJson(const ReplyRecord& r) {
  auto time = [](const std::optional<int64_t>& t) {
    return t ? json(FormatRfc3339(*t)) : json(nullptr);
  };
  return {{"id", r.id},
          {"case_id", r.case_id},
          {"brand", r.brand},
          {"channel", r.channel},
          {"status", r.status},
          {"text", r.text},
          {"recipient", r.recipient},
          {"in_reply_to", r.in_reply_to},
          {"idempotency_key", r.idempotency_key},
          {"attempts", r.attempts},
          {"last_error", r.last_error},
          {"next_attempt_at", r.status == "queued" ? time(r.next_attempt_at) : json(nullptr)},
          {"platform_id", r.platform_id},
          {"platform_url", r.platform_url},
          {"actor", r.actor},
          {"created_at", FormatRfc3339(r.created_at)},
          {"sent_at", time(r.sent_at)}};
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& db_path, const Clock& clock,
                                             ReplyOptions options) {
  const std::string key_file =
      options.key_file.empty() ? DefaultKeyFile(db_path) : options.key_file;
  ECOUTE_ASSIGN_OR_RETURN(SecretVault vault, SecretVault::Open(key_file));
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<ReplyTables> tables, OpenReplyTables(db_path));
  return std::make_unique<Outbox>(std::move(tables), vault, clock, std::move(options));
}

Outbox::Outbox(std::unique_ptr<ReplyTables> tables, SecretVault vault, const Clock& clock,
               ReplyOptions options)
    : clock_(clock), options_(std::move(options)), vault_(vault), tables_(std::move(tables)) {}

Outbox::~Outbox() { Stop(); }

// ---- accounts ----

Status Outbox::SetAccount(const std::string& brand, const std::string& channel,
                          const json& settings, const std::optional<json>& secrets,
                          const std::string& actor) {
  if (brand.empty()) return InvalidArgumentError("a reply account needs a brand");
  json merged = json::object();
  if (!IsChannel(channel))
    return ValidateAccount(channel, settings, merged, options_.fetch.outbound);
  Result<ReplyAccount> existing = [&] {
    MutexLock lock(mutex_);
    return tables_->FindAccount(brand, channel);
  }();
  if (existing && !existing->sealed.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(std::string opened, vault_.Unseal(existing->sealed));
    merged = json::parse(opened, nullptr, false);
    if (!merged.is_object()) merged = json::object();
  }
  if (secrets) {
    if (!secrets->is_object()) return InvalidArgumentError("secrets: a JSON object");
    for (const auto& [name, value] : secrets->items()) merged[name] = value;
  }
  ECOUTE_RETURN_IF_ERROR(ValidateAccount(channel, settings, merged, options_.fetch.outbound));
  for (const auto& [name, value] : merged.items()) {
    const AccountFields fields = FieldsOf(channel);
    if (std::find(fields.secrets.begin(), fields.secrets.end(), name) == fields.secrets.end()) {
      return InvalidArgumentError("secrets." + name.substr(0, 40) + ": not a secret of " + channel +
                                  " accounts");
    }
  }
  ReplyAccount account{brand, channel,     Dump(settings), vault_.Seal(Dump(merged)),
                       actor, clock_.Now()};
  MutexLock lock(mutex_);
  return tables_->PutAccount(account);
}

Result<std::vector<AccountView>> Outbox::ListAccounts(const std::string& brand) {
  Result<std::vector<ReplyAccount>> accounts = [&] {
    MutexLock lock(mutex_);
    return tables_->ListAccounts(brand);
  }();
  if (!accounts) return accounts.error();
  std::vector<AccountView> out;
  for (const ReplyAccount& a : *accounts) {
    json settings = json::parse(a.settings, nullptr, false);
    if (!settings.is_object()) settings = json::object();
    out.push_back(
        {a.brand, a.channel, std::move(settings), !a.sealed.empty(), a.updated_by, a.updated_at});
  }
  return out;
}

Status Outbox::RemoveAccount(const std::string& brand, const std::string& channel) {
  MutexLock lock(mutex_);
  return tables_->DeleteAccount(brand, channel);
}

bool Outbox::HasAccount(const std::string& brand, const std::string& channel) {
  MutexLock lock(mutex_);
  return tables_->FindAccount(brand, channel).has_value();
}

Result<OpenAccount> Outbox::OpenAccountOf(const std::string& brand, const std::string& channel) {
  Result<ReplyAccount> account = [&] {
    MutexLock lock(mutex_);
    return tables_->FindAccount(brand, channel);
  }();
  if (!account) return account.error();
  OpenAccount open{account->brand, account->channel, json::parse(account->settings, nullptr, false),
                   json::object()};
  if (!open.settings.is_object()) open.settings = json::object();
  if (!account->sealed.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(std::string secrets, vault_.Unseal(account->sealed));
    open.secrets = json::parse(secrets, nullptr, false);
    if (!open.secrets.is_object()) open.secrets = json::object();
  }
  return open;
}

// ---- replies ----

Result<std::pair<ReplyRecord, bool>> Outbox::Queue(ReplyRecord reply) {
  if (!IsChannel(reply.channel)) {
    return InvalidArgumentError("channel: mastodon, bluesky, email or webhook");
  }
  if (reply.text.empty()) return InvalidArgumentError("a reply needs a text");
  if (reply.idempotency_key.empty() || reply.idempotency_key.size() > 200) {
    return InvalidArgumentError("idempotency_key: 1 to 200 characters, the same for a repeat");
  }
  if (std::optional<TextLimit> limit = LimitOf(reply.channel)) {
    const int length = TextLength(reply.text, limit->unit);
    if (length > limit->limit) {
      return InvalidArgumentError("the reply is " + std::to_string(length) + " " + limit->unit +
                                  " long; " + reply.channel + " takes " +
                                  std::to_string(limit->limit) + ": shorten it");
    }
  }
  if (reply.channel == "email" && reply.recipient.find('@') == std::string::npos) {
    return InvalidArgumentError("an e-mail reply needs the customer's address as recipient");
  }
  reply.status = "queued";
  reply.attempts = 0;
  reply.created_at = clock_.Now();
  reply.next_attempt_at = reply.created_at;
  Result<std::pair<ReplyRecord, bool>> added = [&]() -> Result<std::pair<ReplyRecord, bool>> {
    MutexLock lock(mutex_);
    if (!tables_->FindAccount(reply.brand, reply.channel)) {
      return Status(StatusCode::kFailedPrecondition,
                    "no " + reply.channel + " account for brand " + reply.brand +
                        ": an admin adds one (Settings, or `ecoute accounts set`)");
    }
    return tables_->AddReply(reply);
  }();
  if (!added) return added.error();
  if (added->first.case_id != reply.case_id) {
    return Status(StatusCode::kAlreadyExists,
                  "this idempotency_key belongs to another reply: make a new key for a new reply");
  }
  if (added->second) {
    Changed(added->first);
    Wake();
  }
  return added;
}

Result<ReplyRecord> Outbox::Get(int64_t id) {
  MutexLock lock(mutex_);
  return tables_->FindReply(id);
}

Result<std::vector<ReplyRecord>> Outbox::ForCase(int64_t case_id) {
  MutexLock lock(mutex_);
  return tables_->CaseReplies(case_id);
}

Result<ReplyRecord> Outbox::Retry(int64_t id) {
  ECOUTE_ASSIGN_OR_RETURN(ReplyRecord reply, Get(id));
  if (reply.status != "failed" && reply.status != "uncertain") {
    return Status(StatusCode::kFailedPrecondition,
                  "reply " + std::to_string(id) + " is " + reply.status +
                      ": only a failed or uncertain reply is retried");
  }
  const std::string from = reply.status;
  reply.status = "queued";
  reply.attempts = 0;
  reply.next_attempt_at = clock_.Now();
  if (!Write(reply, from)) {
    return Status(StatusCode::kFailedPrecondition, "reply " + std::to_string(id) + " changed");
  }
  Changed(reply);
  Wake();
  return reply;
}

bool Outbox::Write(const ReplyRecord& reply, std::string_view from) {
  Result<bool> written = [&] {
    MutexLock lock(mutex_);
    return tables_->UpdateReply(reply, from);
  }();
  if (!written) Report(written.error());
  return written && *written;
}

void Outbox::Changed(const ReplyRecord& reply) {
  if (on_change) on_change(reply);
}

void Outbox::Report(const Status& status) {
  if (on_error) on_error(status);
}

// ---- sending ----

int Outbox::SendDue() {
  MutexLock sending(send_mutex_);
  Result<std::vector<ReplyRecord>> due = [&] {
    MutexLock lock(mutex_);
    return tables_->RepliesIn("queued", clock_.Now(), 100);
  }();
  if (!due) {
    Report(due.error());
    return 0;
  }
  for (const ReplyRecord& reply : *due) {
    if (stopping_.load()) break;
    Attempt(reply);
  }
  return static_cast<int>(due->size());
}

Result<ReplyRecord> Outbox::SendNow(int64_t id) {
  MutexLock sending(send_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(ReplyRecord reply, Get(id));
  if (reply.status != "queued" || reply.next_attempt_at.value_or(0) > clock_.Now()) return reply;
  Attempt(reply);
  return Get(id);
}

void Outbox::Attempt(const ReplyRecord& due) {
  ReplyRecord reply = due;
  reply.status = "sending";
  reply.attempts += 1;
  reply.next_attempt_at.reset();
  if (!Write(reply, "queued")) return;  // retried or changed meanwhile
  Changed(reply);
  Outgoing outgoing;
  outgoing.reply = reply;
  SendResult result;
  Result<OpenAccount> account = OpenAccountOf(reply.brand, reply.channel);
  if (!account) {
    result.error = account.error().message();
    Finish(std::move(reply), result);
    return;
  }
  outgoing.account = std::move(account).value();
  if (find_original) {
    Result<Post> original = find_original(reply);
    if (!original) {
      result.error = "the case's post cannot be read: " + original.error().message();
      Finish(std::move(reply), result);
      return;
    }
    outgoing.original = std::move(original).value();
  }
  Finish(std::move(reply), Send(outgoing, options_.fetch, clock_.Now()));
}

void Outbox::Finish(ReplyRecord reply, const SendResult& result) {
  const int64_t now = clock_.Now();
  reply.status = std::string(VerdictStatus(result.verdict));
  reply.last_error = result.error;
  if (result.verdict == Verdict::kRetry) {
    if (reply.attempts >= options_.max_attempts) {
      reply.status = "failed";
      reply.last_error += " (gave up after " + std::to_string(reply.attempts) + " attempts)";
    } else {
      int64_t wait = options_.first_backoff_seconds;
      for (int i = 1; i < reply.attempts && wait < options_.max_backoff_seconds; ++i) wait *= 2;
      wait = std::min(wait, options_.max_backoff_seconds);
      if (result.retry_at) {
        wait = std::clamp<int64_t>(*result.retry_at - now, 0, options_.max_retry_after_seconds);
      }
      reply.next_attempt_at = now + wait;
    }
  }
  if (result.verdict == Verdict::kSent) {
    reply.sent_at = now;
    reply.platform_id = result.platform_id;
    reply.platform_url = result.platform_url;
  }
  if (!Write(reply, "sending")) return;
  if (result.verdict == Verdict::kSent && on_sent) {
    if (Status recorded = on_sent(reply, result.sent); !recorded.ok()) {
      reply.last_error = "sent, but recording it in the case failed: " + recorded.message();
      Write(reply, "sent");
      Report(
          Status(recorded.code(), "reply " + std::to_string(reply.id) + ": " + reply.last_error));
    }
  }
  if (reply.status == "failed" || reply.status == "uncertain") {
    Report(UnavailableError("reply " + std::to_string(reply.id) + " " + reply.status + ": " +
                            reply.last_error));
  }
  Changed(reply);
}

void Outbox::Settle() {
  Result<std::vector<ReplyRecord>> left = [&] {
    MutexLock lock(mutex_);
    return tables_->RepliesIn("sending", 0, 100000);
  }();
  if (!left) {
    Report(left.error());
    return;
  }
  for (ReplyRecord reply : *left) {
    if (reply.channel == "email") {
      reply.status = "uncertain";
      reply.last_error =
          "ecoute stopped while sending this e-mail: it may have been delivered; check the "
          "mailbox before retrying";
    } else {
      reply.status = "queued";  // the platform recognises a repeat
      reply.next_attempt_at = clock_.Now();
    }
    if (Write(reply, "sending")) Changed(reply);
  }
}

void Outbox::Start() {
  if (worker_.joinable()) return;
  stopping_ = false;
  Settle();
  worker_ = std::thread([this] { Run(); });
}

void Outbox::Stop() {
  stopping_ = true;
  Wake();
  if (worker_.joinable()) worker_.join();
}

void Outbox::Wake() {
  MutexLock lock(wake_mutex_);
  woken_ = true;
  wake_.NotifyAll();
}

void Outbox::Run() {
  while (!stopping_.load()) {
    SendDue();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    MutexLock lock(wake_mutex_);
    while (!woken_ && !stopping_.load()) {
      if (!wake_.WaitUntil(wake_mutex_, deadline)) break;
    }
    woken_ = false;
  }
}

}  // namespace ecoute::reply

// `ecoute accounts` (the brands' reply accounts) and `ecoute cases reply` (a reply sent
// where the customer spoke), over the same outbox, senders, secret key file and settings
// as `ecoute serve` (docs/REPLIES.md). A secret is read from a file or standard input,
// never from the command line, so that it is in neither the shell's history nor the list
// of processes; it is never printed.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ecoute/datetime.h"
#include "ecoute/json_string.h"
#include "ecoute/replies.h"

#include "commands.h"
#include "store_options.h"

namespace ecoute::cli {
namespace {

constexpr size_t kMaxSecretBytes = 16 << 10;

// What every command here shares with `ecoute serve`'s settings.
struct DeskSetup {
  StoreSetup store;
  std::string config_path;
  std::string secret_key_file;

  void AddOptions(CLI::App& cmd) {
    store.AddOptions(cmd);
    AddSettingsOptions(cmd);
  }
  void AddSettingsOptions(CLI::App& cmd) {
    cmd.add_option("--config", config_path,
                   "the settings of `ecoute serve` (TOML): [outbound], [secrets], [replies]");
    cmd.add_option("--secret-key-file", secret_key_file,
                   "key sealing the accounts' secrets (default: <db>.key, made if missing)");
  }
  ServeOptions Serve(const std::string& db) const {
    ServeOptions options;
    options.config_path = config_path;
    options.db_path = db;
    options.secret_key_file = secret_key_file;
    return options;
  }
};

// Reads the settings, and opens the store first so that a file that is not ecoute's is
// refused and the schema exists.
std::unique_ptr<ReplyDesk> OpenDesk(const ServeOptions& serve, int& exit_code) {
  StoreSetup store;
  store.db = serve.db_path;
  if (OpenStore(store, StoreOptions{}, exit_code) == nullptr) return nullptr;
  Result<std::unique_ptr<ReplyDesk>> desk =
      ReplyDesk::Configure(serve, [](const char* name) { return std::getenv(name); });
  if (!desk) {
    PrintError(desk.error().message());
    exit_code = ExitCodeFor(desk.error());
    return nullptr;
  }
  return std::move(desk).value();
}

int Fail(const Status& status) {
  PrintError(status.message());
  return ExitCodeFor(status);
}

// ---- accounts ----

struct AccountsOptions {
  DeskSetup desk;
  std::string brand;
  std::string channel;
  std::string instance, handle, service, smtp_url, from, username, url;
  std::string secret_file;
  std::string by;
  std::string format;
};

// The secret in `path` ("-": standard input), without its final line break.
Result<std::string> ReadSecret(const std::string& path) {
  ECOUTE_ASSIGN_OR_RETURN(std::string secret, ReadInput(path, kMaxSecretBytes));
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    return InvalidArgumentError("--secret-file " + path + ": empty; put the secret in it");
  }
  return secret;
}

std::string Actor(const std::string& by) {
  if (!by.empty()) return "admin:" + by;
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

int RunAccountsSet(const AccountsOptions& o) {
  std::vector<std::pair<std::string, std::string>> settings;
  const std::pair<const char*, const std::string*> fields[] = {{"instance", &o.instance},
                                                               {"handle", &o.handle},
                                                               {"service", &o.service},
                                                               {"smtp_url", &o.smtp_url},
                                                               {"from", &o.from},
                                                               {"username", &o.username},
                                                               {"url", &o.url}};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) settings.emplace_back(name, *value);
  }
  std::optional<std::string> secret;
  if (!o.secret_file.empty()) {
    Result<std::string> read = ReadSecret(o.secret_file);
    if (!read) return Fail(read.error());
    secret = std::move(read).value();
  }
  int exit_code = kExitOk;
  std::unique_ptr<ReplyDesk> desk = OpenDesk(o.desk.Serve(o.desk.store.db), exit_code);
  if (desk == nullptr) return exit_code;
  if (Status set = desk->SetAccount(o.brand, o.channel, settings, secret, Actor(o.by)); !set.ok()) {
    return Fail(set);
  }
  std::printf("%s account of %s set (secret: %s)\n", o.channel.c_str(), o.brand.c_str(),
              secret ? "set" : "kept");
  return kExitOk;
}

void PrintAccountsJson(const std::vector<ReplyAccountInfo>& accounts) {
  std::string out = "[";
  for (size_t i = 0; i < accounts.size(); ++i) {
    const ReplyAccountInfo& a = accounts[i];
    out += i > 0 ? ",{" : "{";
    out += "\"brand\":";
    AppendJsonString(a.brand, out);
    out += ",\"channel\":";
    AppendJsonString(a.channel, out);
    out += ",\"settings\":{";
    for (size_t j = 0; j < a.settings.size(); ++j) {
      if (j > 0) out += ',';
      AppendJsonString(a.settings[j].first, out);
      out += ':';
      AppendJsonString(a.settings[j].second, out);
    }
    out += "},\"has_secret\":";
    out += a.has_secret ? "true" : "false";
    out += ",\"updated_by\":";
    AppendJsonString(a.updated_by, out);
    out += ",\"updated_at\":";
    AppendJsonString(FormatRfc3339(a.updated_at), out);
    out += '}';
  }
  out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int RunAccountsList(const AccountsOptions& o) {
  int exit_code = kExitOk;
  std::unique_ptr<ReplyDesk> desk = OpenDesk(o.desk.Serve(o.desk.store.db), exit_code);
  if (desk == nullptr) return exit_code;
  Result<std::vector<ReplyAccountInfo>> accounts = desk->ListAccounts(o.brand);
  if (!accounts) return Fail(accounts.error());
  if (IsJsonOutput(o.format)) {
    PrintAccountsJson(*accounts);
    return kExitOk;
  }
  if (accounts->empty()) std::printf("no reply account: add one with `ecoute accounts set`\n");
  for (const ReplyAccountInfo& a : *accounts) {
    std::printf("%s %s\n", a.brand.c_str(), a.channel.c_str());
    for (const auto& [name, value] : a.settings) {
      std::printf("  %s: %s\n", name.c_str(), value.c_str());
    }
    std::printf("  secret: %s\n", a.has_secret ? "set" : "not set");
    std::printf("  updated: %s by %s\n", FormatRfc3339(a.updated_at).c_str(), a.updated_by.c_str());
  }
  return kExitOk;
}

int RunAccountsRemove(const AccountsOptions& o) {
  int exit_code = kExitOk;
  std::unique_ptr<ReplyDesk> desk = OpenDesk(o.desk.Serve(o.desk.store.db), exit_code);
  if (desk == nullptr) return exit_code;
  if (Status removed = desk->RemoveAccount(o.brand, o.channel); !removed.ok()) return Fail(removed);
  std::printf("%s account of %s removed\n", o.channel.c_str(), o.brand.c_str());
  return kExitOk;
}

const std::vector<std::string> kReplyChannels = {"mastodon", "bluesky", "email", "webhook"};

void AddSetOptions(CLI::App& set, AccountsOptions& o) {
  set.add_option("--brand", o.brand, "the brand (as in the catalog)")->required();
  set.add_option("--channel", o.channel, "mastodon, bluesky, email or webhook")
      ->required()
      ->check(CLI::IsMember(kReplyChannels));
  set.add_option("--instance", o.instance, "mastodon: the brand's instance, https://...");
  set.add_option("--handle", o.handle, "mastodon, bluesky: the brand's handle");
  set.add_option("--service", o.service, "bluesky: the PDS (default https://bsky.social)");
  set.add_option("--smtp-url", o.smtp_url, "email: smtp://host:587 or smtps://host:465");
  set.add_option("--from", o.from, "email: the sender's address");
  set.add_option("--username", o.username, "email: the SMTP user name");
  set.add_option("--url", o.url, "webhook: where replies are posted");
  set.add_option("--secret-file", o.secret_file,
                 "a file holding the token, app password, SMTP password or webhook secret "
                 "(\"-\": standard input); omitted: the current secret is kept");
  set.add_option("--by", o.by, "who sets it (recorded with the account)");
}

// ---- cases reply ----

struct ReplyOptionsCli {
  int64_t id = 0;
  std::string by;
  std::string channel;
  std::string text;
  std::string recipient;
  std::string key;
  bool retry = false;
  DeskSetup desk;
  std::string brands_path;
  std::string data_dir;
  bool no_model = false;
};

std::string NewKey() {
  std::random_device random;
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "cli-%08x%08x%08x", random(), random(), random());
  return buffer;
}

// What became of the reply, and what to do next; the exit code says it too.
int Report(const ReplyInfo& r, const ReplyOptionsCli& o) {
  std::printf("reply %lld to case %lld on %s: %s\n", static_cast<long long>(r.id),
              static_cast<long long>(r.case_id), r.channel.c_str(), r.status.c_str());
  if (r.status == "sent") {
    std::printf("  %s\n", r.platform_url.empty() ? r.platform_id.c_str() : r.platform_url.c_str());
    return kExitOk;
  }
  if (!r.last_error.empty()) std::printf("  why: %s\n", r.last_error.c_str());
  const std::string again = "ecoute cases reply " + std::to_string(r.case_id) + " --by " + o.by +
                            " --channel " + r.channel + " --text ... --idempotency-key " +
                            r.idempotency_key;
  if (r.status == "queued" || r.status == "sending") {
    if (r.next_attempt_at) {
      std::printf("  next attempt: %s (by `ecoute serve`, or run `%s` then)\n",
                  FormatRfc3339(*r.next_attempt_at).c_str(), again.c_str());
    }
    return kExitTempFail;
  }
  if (r.status == "uncertain") {
    std::printf("  it may have been delivered: check before sending it again with `%s --retry`\n",
                again.c_str());
    return kExitTempFail;
  }
  std::printf("  fix what is said above, then send it again with `%s --retry`\n", again.c_str());
  return kExitUnavailable;
}

int RunCaseReply(const ReplyOptionsCli& o, const std::string& db) {
  ServeOptions serve = o.desk.Serve(db);
  serve.brands_path = o.brands_path;
  serve.data_dir = o.data_dir;
  serve.no_model = o.no_model;
  int exit_code = kExitOk;
  std::unique_ptr<ReplyDesk> desk = OpenDesk(serve, exit_code);
  if (desk == nullptr) return exit_code;
  ReplyRequest request;
  request.case_id = o.id;
  request.channel = o.channel;
  request.text = o.text;
  if (!o.recipient.empty()) request.recipient = o.recipient;
  request.idempotency_key = o.key.empty() ? NewKey() : o.key;
  request.actor = "agent:" + o.by;
  request.retry = o.retry;
  Result<ReplyInfo> reply = desk->Reply(request);
  if (!reply) return Fail(reply.error());
  return Report(*reply, o);
}

}  // namespace

std::function<int()> AddAccountsCommand(CLI::App& app) {
  auto options = std::make_shared<AccountsOptions>();
  auto action = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "accounts",
      "The brands' accounts replies are sent with (Mastodon, Bluesky, e-mail, webhook).");
  cmd->require_subcommand(1);
  options->desk.AddOptions(*cmd);
  CLI::App* set = cmd->add_subcommand("set", "Add or change a brand's account on a channel.");
  AddSetOptions(*set, *options);
  CLI::App* list = cmd->add_subcommand("list", "List the accounts, never their secrets.");
  list->add_option("--brand", options->brand, "only this brand");
  list->add_option("--format", options->format, "json or text (default on a terminal)")
      ->check(CLI::IsMember({"json", "text"}));
  CLI::App* remove = cmd->add_subcommand("remove", "Remove a brand's account on a channel.");
  remove->add_option("--brand", options->brand, "the brand")->required();
  remove->add_option("--channel", options->channel, "mastodon, bluesky, email or webhook")
      ->required();
  for (CLI::App* sub : {set, list, remove}) {
    sub->fallthrough();
    const std::string name = sub->get_name();
    sub->callback([action, name] { *action = name; });
  }
  return [options, action] {
    if (*action == "set") return RunAccountsSet(*options);
    if (*action == "list") return RunAccountsList(*options);
    return RunAccountsRemove(*options);
  };
}

std::function<int()> AddCaseReplyCommand(CLI::App& cases, const std::string& db,
                                         const std::shared_ptr<std::string>& action) {
  auto o = std::make_shared<ReplyOptionsCli>();
  CLI::App* sub = cases.add_subcommand(
      "reply", "Send a reply where the customer spoke, at once, and say what became of it.");
  sub->add_option("id", o->id, "case id")->required();
  sub->add_option("--by", o->by, "who answers (an agent's name)")->required();
  sub->add_option("--channel", o->channel, "mastodon, bluesky, email or webhook")
      ->required()
      ->check(CLI::IsMember(kReplyChannels));
  sub->add_option("--text", o->text, "the reply")->required();
  sub->add_option("--recipient", o->recipient, "email: the customer's address; webhook: whom");
  sub->add_option("--idempotency-key", o->key,
                  "the same key again gives the same reply, never a second one (default: new)");
  sub->add_flag("--retry", o->retry, "send again a failed or uncertain reply of this key");
  sub->add_option("--brands", o->brands_path,
                  "the brand catalog (TOML), to record the sent reply into the case");
  sub->add_option("--data-dir", o->data_dir, "lexicons and models (default: built in)");
  sub->add_flag("--no-model", o->no_model, "cues only, without the trained model");
  o->desk.AddSettingsOptions(*sub);
  sub->callback([action] { *action = "reply"; });
  sub->fallthrough();
  return [o, &db] { return RunCaseReply(*o, db); };
}

}  // namespace ecoute::cli

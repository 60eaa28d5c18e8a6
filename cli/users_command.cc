// `ecoute users`: the accounts of `ecoute serve` (docs/ACCESS.md). Adds, lists and deletes
// users, sets passwords, issues and revokes API tokens. Secrets are printed once, when
// made, and never stored in plaintext.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <termios.h>
#include <unistd.h>

#include "ecoute/datetime.h"
#include "ecoute/json_string.h"
#include "ecoute/users.h"

#include "commands.h"
#include "store_options.h"

namespace ecoute::cli {
namespace {

struct UsersOptions {
  StoreSetup store;
  std::string name;
  std::string role;
  std::string brands;
  bool all_brands = false;
  std::string email;
  std::string display_name;
  bool password_stdin = false;
  std::string format;
  std::string label;
  int64_t expires_days = 0;
  int64_t token_id = 0;
};

// A name taken is the operator's input to fix, as a weak password is.
int Fail(const Status& status) {
  PrintError(status.message());
  return status.code() == StatusCode::kAlreadyExists ? kExitDataErr : ExitCodeFor(status);
}

// Opens the store first, so that its schema exists and a file that is not ecoute's is
// refused, then the access tables in the same file.
std::unique_ptr<UserAdmin> OpenAccess(const UsersOptions& options, bool must_exist,
                                      int& exit_code) {
  std::error_code error;
  if (must_exist && !std::filesystem::exists(options.store.db, error)) {
    PrintError(options.store.db + ": no such database; add a user first with `ecoute users add`");
    exit_code = kExitNoInput;
    return nullptr;
  }
  if (OpenStore(options.store, StoreOptions{}, exit_code) == nullptr) return nullptr;
  Result<std::unique_ptr<UserAdmin>> access = UserAdmin::Open(options.store.db);
  if (!access) {
    exit_code = Fail(access.error());
    return nullptr;
  }
  return std::move(access).value();
}

// One line from standard input, without echo when it is a terminal.
Result<std::string> ReadPasswordLine() {
  const bool is_tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (is_tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::fprintf(stderr, "password: ");
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (is_tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty()) return InvalidArgumentError("no password on standard input");
  return line;
}

// The password for `add` and `passwd`: one line of standard input, else a random one.
Result<std::string> NewPassword(const UsersOptions& options) {
  if (options.password_stdin) return ReadPasswordLine();
  return GeneratePassword();
}

std::vector<std::string> SplitBrands(const std::string& list) {
  std::vector<std::string> brands;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    brands.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return brands;
}

std::string JoinBrands(const User& user) {
  if (user.all_brands) return "all";
  std::string out;
  for (const std::string& brand : user.brands) out += (out.empty() ? "" : ", ") + brand;
  return out.empty() ? "none" : out;
}

void PrintSecretOnce(std::string_view what, const std::string& secret) {
  std::printf("%.*s: %s\n", static_cast<int>(what.size()), what.data(), secret.c_str());
  std::printf("It will not be shown again: store it now (a password manager, a secret store).\n");
}

int RunAdd(const UsersOptions& options) {
  Role role;
  if (!ParseRole(options.role, role)) {
    PrintError("unknown role \"" + options.role + "\": give admin, manager, agent or viewer");
    return kExitUsage;
  }
  if (role != Role::kAdmin && !options.all_brands && options.brands.empty()) {
    PrintError("which brands may \"" + options.name +
               "\" see? give --brands \"A,B\" or --all-brands");
    return kExitUsage;
  }
  Result<std::string> password = NewPassword(options);
  if (!password) return Fail(password.error());
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, false, exit_code);
  if (access == nullptr) return exit_code;
  User user;
  user.name = options.name;
  user.role = role;
  user.all_brands = options.all_brands;
  if (!options.all_brands && !options.brands.empty()) user.brands = SplitBrands(options.brands);
  user.email = options.email;
  user.display_name = options.display_name;
  Result<User> added = access->AddUser(std::move(user), *password);
  if (!added) return Fail(added.error());
  std::printf("added %s (%s; brands: %s)\n", added->name.c_str(),
              std::string(RoleName(added->role)).c_str(), JoinBrands(*added).c_str());
  if (!options.password_stdin) PrintSecretOnce("password", *password);
  return kExitOk;
}

int RunList(const UsersOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  Result<std::vector<User>> users = access->ListUsers();
  if (!users) return Fail(users.error());
  Result<std::vector<ApiToken>> tokens = access->ListTokens(std::nullopt);
  if (!tokens) return Fail(tokens.error());
  std::map<int64_t, int> token_counts;
  for (const ApiToken& token : *tokens) ++token_counts[token.user_id];

  const bool is_json = IsJsonOutput(options.format);
  std::string out;
  if (!is_json) {
    char line[256];
    std::snprintf(line, sizeof line, "%-24s %-8s %-9s %-7s %s\n", "NAME", "ROLE", "STATUS",
                  "TOKENS", "BRANDS");
    out += line;
  }
  for (const User& user : *users) {
    const std::string role(RoleName(user.role));
    if (is_json) {
      out += "{\"id\":" + std::to_string(user.id) + ",\"name\":";
      AppendJsonString(user.name, out);
      out += ",\"display_name\":";
      AppendJsonString(user.display_name, out);
      out += ",\"email\":";
      AppendJsonString(user.email, out);
      out += ",\"role\":\"" + role + "\",\"all_brands\":";
      out += user.all_brands ? "true" : "false";
      out += ",\"brands\":";
      AppendJsonStringArray(user.brands, out);
      out += ",\"disabled\":";
      out += user.disabled ? "true" : "false";
      out += ",\"created_at\":";
      AppendJsonString(FormatRfc3339(user.created_at), out);
      out += ",\"tokens\":" + std::to_string(token_counts[user.id]) + "}\n";
    } else {
      char line[256];
      std::snprintf(line, sizeof line, "%-24s %-8s %-9s %-7d ", user.name.c_str(), role.c_str(),
                    user.disabled ? "disabled" : "active", token_counts[user.id]);
      out += line + JoinBrands(user) + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RunPasswd(const UsersOptions& options) {
  Result<std::string> password = NewPassword(options);
  if (!password) return Fail(password.error());
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  Result<User> user = access->GetUserByName(options.name);
  if (!user) return Fail(user.error());
  if (Status status = access->SetPassword(user->id, *password); !status.ok()) return Fail(status);
  std::printf("password of %s changed; their sessions have ended\n", user->name.c_str());
  if (!options.password_stdin) PrintSecretOnce("password", *password);
  return kExitOk;
}

int RunDelete(const UsersOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  Result<User> user = access->GetUserByName(options.name);
  if (!user) return Fail(user.error());
  if (Status status = access->DeleteUser(user->id); !status.ok()) return Fail(status);
  std::printf("deleted %s, their sessions and API tokens\n", user->name.c_str());
  return kExitOk;
}

int RunToken(const UsersOptions& options) {
  if (options.expires_days < 0 || options.expires_days > 3650) {
    PrintError("--expires-days must be between 1 and 3650 (or absent: no expiry)");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  Result<User> user = access->GetUserByName(options.name);
  if (!user) return Fail(user.error());
  std::optional<int64_t> expires_at;
  if (options.expires_days > 0) expires_at = NowSeconds() + options.expires_days * 86400;
  Result<NewApiToken> token = access->CreateToken(user->id, options.label, expires_at);
  if (!token) return Fail(token.error());
  // The token alone on standard output, so that `TOKEN=$(ecoute users token ...)` works.
  std::printf("%s\n", token->token.c_str());
  std::fprintf(stderr, "API token %lld (\"%s\") for %s%s; it will not be shown again\n",
               static_cast<long long>(token->info.id), token->info.label.c_str(),
               user->name.c_str(),
               expires_at ? (", expires " + FormatRfc3339(*expires_at)).c_str() : "");
  return kExitOk;
}

int RunTokens(const UsersOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  std::optional<int64_t> user_id;
  std::map<int64_t, std::string> names;
  Result<std::vector<User>> users = access->ListUsers();
  if (!users) return Fail(users.error());
  for (const User& user : *users) names[user.id] = user.name;
  if (!options.name.empty()) {
    Result<User> user = access->GetUserByName(options.name);
    if (!user) return Fail(user.error());
    user_id = user->id;
  }
  Result<std::vector<ApiToken>> tokens = access->ListTokens(user_id);
  if (!tokens) return Fail(tokens.error());
  std::printf("%-6s %-16s %-20s %-20s %-20s %s\n", "ID", "PREFIX", "USER", "EXPIRES", "LAST USED",
              "LABEL");
  for (const ApiToken& token : *tokens) {
    std::printf("%-6lld %-16s %-20s %-20s %-20s %s\n", static_cast<long long>(token.id),
                token.prefix.c_str(), names[token.user_id].c_str(),
                token.expires_at ? FormatRfc3339(*token.expires_at).c_str() : "never",
                token.last_used_at ? FormatRfc3339(*token.last_used_at).c_str() : "never",
                token.label.c_str());
  }
  return kExitOk;
}

int RunRevoke(const UsersOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<UserAdmin> access = OpenAccess(options, true, exit_code);
  if (access == nullptr) return exit_code;
  if (Status status = access->RevokeToken(options.token_id); !status.ok()) return Fail(status);
  std::printf("revoked API token %lld (a running server stops accepting it within 30 s)\n",
              static_cast<long long>(options.token_id));
  return kExitOk;
}

}  // namespace

std::function<int()> AddUsersCommand(CLI::App& app) {
  auto options = std::make_shared<UsersOptions>();
  auto action = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "users",
      "Manage who may use `ecoute serve`: users with a role (viewer, agent, manager,\n"
      "admin) and the brands they see, passwords and API tokens (docs/ACCESS.md).");
  cmd->require_subcommand(1);
  options->store.AddOptions(*cmd);
  auto on = [&](CLI::App* sub, const char* name) {
    sub->fallthrough();
    sub->callback([action, name] { *action = name; });
  };

  CLI::App* add = cmd->add_subcommand(
      "add", "Add a user. Without --password-stdin a random password is made and printed once.");
  add->add_option("name", options->name, "the login: letters a-z, digits, . _ @ -")->required();
  add->add_option("--role", options->role, "admin, manager, agent or viewer")->required();
  CLI::Option* brands =
      add->add_option("--brands", options->brands, "the brands they see, comma-separated");
  add->add_flag("--all-brands", options->all_brands, "they see every brand (admins always do)")
      ->excludes(brands);
  add->add_option("--email", options->email, "their e-mail address");
  add->add_option("--display-name", options->display_name, "their name as shown");
  add->add_flag("--password-stdin", options->password_stdin,
                "read the password from one line of standard input");
  on(add, "add");

  CLI::App* list = cmd->add_subcommand("list", "List users, their role, brands and tokens.");
  list->add_option("--format", options->format, "json (one object per line) or text")
      ->check(CLI::IsMember({"json", "text"}));
  on(list, "list");

  CLI::App* passwd = cmd->add_subcommand(
      "passwd", "Set a user's password (a random one unless --password-stdin); ends sessions.");
  passwd->add_option("name", options->name, "the user")->required();
  passwd->add_flag("--password-stdin", options->password_stdin,
                   "read the password from one line of standard input");
  on(passwd, "passwd");

  CLI::App* remove = cmd->add_subcommand("delete", "Delete a user, their sessions and API tokens.");
  remove->add_option("name", options->name, "the user")->required();
  on(remove, "delete");

  CLI::App* token = cmd->add_subcommand(
      "token", "Issue an API token for a user (Authorization: Bearer); printed once.");
  token->add_option("name", options->name, "the user")->required();
  token->add_option("--label", options->label, "what the token is for")->required();
  token->add_option("--expires-days", options->expires_days,
                    "days until it expires (default: never)");
  on(token, "token");

  CLI::App* tokens = cmd->add_subcommand("tokens", "List API tokens (never their secret).");
  tokens->add_option("name", options->name, "only this user's");
  on(tokens, "tokens");

  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke an API token by its id.");
  revoke->add_option("id", options->token_id, "the token's id (see `ecoute users tokens`)")
      ->required();
  on(revoke, "revoke");

  return [options, action] {
    if (*action == "add") return RunAdd(*options);
    if (*action == "list") return RunList(*options);
    if (*action == "passwd") return RunPasswd(*options);
    if (*action == "delete") return RunDelete(*options);
    if (*action == "token") return RunToken(*options);
    if (*action == "tokens") return RunTokens(*options);
    if (*action == "revoke") return RunRevoke(*options);
    return kExitUsage;
  };
}

}  // namespace ecoute::cli

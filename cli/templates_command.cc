// `ecoute templates`: the reply templates agents pick on a case (docs/REPLIES.md,
// "Templates"). Lists, adds, edits and removes them, checked as the API checks them: brands
// against the catalog (--brands), language tags, topics, the body's variables.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "ecoute/catalog.h"
#include "ecoute/datetime.h"
#include "ecoute/json_string.h"
#include "ecoute/templates.h"

#include "commands.h"
#include "store_options.h"

namespace ecoute::cli {
namespace {

struct TemplatesOptions {
  StoreSetup store;
  std::string brands_path;
  int64_t id = 0;
  std::optional<std::string> name;
  std::optional<std::string> brand;
  std::optional<std::string> lang;
  std::optional<std::string> topic;
  std::optional<std::string> body;
  std::string body_file;
  std::string by = "cli";
  std::string format;
};

int Fail(const Status& status) {
  PrintError(status.message());
  return status.code() == StatusCode::kInvalidArgument ? kExitDataErr : ExitCodeFor(status);
}

// The templates of the database; the catalog checks the brands written (none for reads).
std::unique_ptr<TemplateAdmin> OpenTemplates(const TemplatesOptions& options, bool must_exist,
                                             int& exit_code) {
  std::error_code error;
  if (must_exist && !std::filesystem::exists(options.store.db, error)) {
    PrintError(options.store.db +
               ": no such database; add a template first with "
               "`ecoute templates add`");
    exit_code = kExitNoInput;
    return nullptr;
  }
  BrandCatalog catalog;
  if (!options.brands_path.empty()) {
    Result<BrandCatalog> loaded = LoadCatalog(options.brands_path);
    if (!loaded) {
      exit_code = Fail(loaded.error());
      return nullptr;
    }
    catalog = std::move(loaded).value();
  } else if (options.brand && !options.brand->empty()) {
    PrintError("--brand needs the brand catalog it is checked against: give --brands FILE");
    exit_code = kExitUsage;
    return nullptr;
  }
  if (OpenStore(options.store, StoreOptions{}, exit_code) == nullptr) return nullptr;
  Result<std::unique_ptr<TemplateAdmin>> templates =
      TemplateAdmin::Open(options.store.db, std::move(catalog));
  if (!templates) {
    exit_code = Fail(templates.error());
    return nullptr;
  }
  return std::move(templates).value();
}

std::string TemplateJson(const ReplyTemplate& t) {
  std::string out = "{\"id\":" + std::to_string(t.id);
  for (auto [key, value] : {std::pair{"name", &t.name}, std::pair{"brand", &t.brand},
                            std::pair{"lang", &t.lang}, std::pair{"topic", &t.topic},
                            std::pair{"body", &t.body}, std::pair{"updated_by", &t.updated_by}}) {
    out += ",\"" + std::string(key) + "\":";
    AppendJsonString(*value, out);
  }
  out += ",\"updated_at\":";
  AppendJsonString(FormatRfc3339(t.updated_at), out);
  return out + "}";
}

void Print(const ReplyTemplate& t, const std::string& verb, bool is_json) {
  if (is_json) {
    std::printf("%s\n", TemplateJson(t).c_str());
  } else {
    std::printf("%s template %lld: %s (%s)\n", verb.c_str(), static_cast<long long>(t.id),
                t.name.c_str(), t.brand.empty() ? "every brand" : t.brand.c_str());
  }
}

// The options given into `t`: every one for `add`, those given for `edit`.
Status Apply(const TemplatesOptions& options, ReplyTemplate& t) {
  if (options.name) t.name = *options.name;
  if (options.brand) t.brand = *options.brand;
  if (options.lang) t.lang = *options.lang;
  if (options.topic) t.topic = *options.topic;
  if (options.body) t.body = *options.body;
  if (!options.body_file.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(t.body, ReadInput(options.body_file, kMaxTemplateBodyBytes + 1));
  }
  t.updated_by = "cli:" + options.by;
  t.updated_at = NowSeconds();
  return OkStatus();
}

int RunList(const TemplatesOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<TemplateAdmin> templates = OpenTemplates(options, true, exit_code);
  if (templates == nullptr) return exit_code;
  Result<std::vector<ReplyTemplate>> list = templates->List();
  if (!list) return Fail(list.error());
  const bool is_json = IsJsonOutput(options.format);
  std::string out;
  if (!is_json) {
    char line[160];
    std::snprintf(line, sizeof line, "%-6s %-24s %-20s %-6s %-14s %s\n", "ID", "NAME", "BRAND",
                  "LANG", "TOPIC", "UPDATED BY");
    out += line;
  }
  for (const ReplyTemplate& t : *list) {
    if (is_json) {
      out += TemplateJson(t) + "\n";
      continue;
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-6lld %-24s %-20s %-6s %-14s %s\n",
                  static_cast<long long>(t.id), t.name.c_str(),
                  t.brand.empty() ? "*" : t.brand.c_str(), t.lang.empty() ? "*" : t.lang.c_str(),
                  t.topic.empty() ? "*" : t.topic.c_str(), t.updated_by.c_str());
    out += line;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RunAdd(const TemplatesOptions& options) {
  if (!options.body && options.body_file.empty()) {
    PrintError("what does the template say? give --body TEXT or --body-file FILE");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<TemplateAdmin> templates = OpenTemplates(options, false, exit_code);
  if (templates == nullptr) return exit_code;
  ReplyTemplate t;
  if (Status st = Apply(options, t); !st.ok()) return Fail(st);
  Result<ReplyTemplate> added = templates->Add(std::move(t));
  if (!added) return Fail(added.error());
  Print(*added, "added", IsJsonOutput(options.format));
  return kExitOk;
}

int RunEdit(const TemplatesOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<TemplateAdmin> templates = OpenTemplates(options, true, exit_code);
  if (templates == nullptr) return exit_code;
  Result<ReplyTemplate> t = templates->Get(options.id);
  if (!t) return Fail(t.error());
  // A brand kept as it is needs no catalog; a brand changed is checked against it.
  if (!options.brand && options.brands_path.empty() && !t->brand.empty()) {
    PrintError("template " + std::to_string(options.id) + " is for brand " + t->brand +
               ": give --brands FILE so that it is checked against the catalog");
    return kExitUsage;
  }
  if (Status st = Apply(options, *t); !st.ok()) return Fail(st);
  Result<ReplyTemplate> updated = templates->Update(std::move(t).value());
  if (!updated) return Fail(updated.error());
  Print(*updated, "changed", IsJsonOutput(options.format));
  return kExitOk;
}

int RunRemove(const TemplatesOptions& options) {
  int exit_code = kExitOk;
  std::unique_ptr<TemplateAdmin> templates = OpenTemplates(options, true, exit_code);
  if (templates == nullptr) return exit_code;
  if (Status st = templates->Remove(options.id); !st.ok()) return Fail(st);
  std::printf("removed template %lld\n", static_cast<long long>(options.id));
  return kExitOk;
}

// The options `add` and `edit` share.
void AddFields(CLI::App* sub, TemplatesOptions& o) {
  sub->add_option("--name", o.name, "what agents pick it by (at most 100 bytes)");
  sub->add_option("--brand", o.brand, "a brand of the catalog; \"\" for every brand");
  sub->add_option("--lang", o.lang, "a short BCP 47 tag (fr, fr-CA); \"\" for every language");
  sub->add_option("--topic", o.topic, "a topic (delay, billing...); \"\" for every topic");
  CLI::Option* body = sub->add_option(
      "--body", o.body, "the text, with {{customer}}, {{brand}}, {{case}}, {{agent}}");
  sub->add_option("--body-file", o.body_file, "the text from a file (- for standard input)")
      ->excludes(body);
  sub->add_option("--brands", o.brands_path, "the brand catalog (TOML) brands are checked against");
  sub->add_option("--by", o.by, "who makes the change, as recorded (default: cli)");
  sub->add_option("--format", o.format, "json or text")->check(CLI::IsMember({"json", "text"}));
}

}  // namespace

std::function<int()> AddTemplatesCommand(CLI::App& app) {
  auto options = std::make_shared<TemplatesOptions>();
  auto action = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "templates",
      "Manage the reply templates agents pick on a case: canned answers for a brand, a\n"
      "language and a topic, or for every one (docs/REPLIES.md).");
  cmd->require_subcommand(1);
  options->store.AddOptions(*cmd);
  auto on = [&](CLI::App* sub, const char* name) {
    sub->fallthrough();
    sub->callback([action, name] { *action = name; });
  };

  CLI::App* list = cmd->add_subcommand("list", "List the templates.");
  list->add_option("--format", options->format, "json (one object per line) or text")
      ->check(CLI::IsMember({"json", "text"}));
  on(list, "list");

  CLI::App* add = cmd->add_subcommand("add", "Add a template.");
  AddFields(add, *options);
  add->get_option("--name")->required();
  on(add, "add");

  CLI::App* edit = cmd->add_subcommand("edit", "Change a template: only the options given.");
  edit->add_option("id", options->id, "the template's id (see `ecoute templates list`)")
      ->required();
  AddFields(edit, *options);
  on(edit, "edit");

  CLI::App* remove = cmd->add_subcommand("remove", "Remove a template.");
  remove->add_option("id", options->id, "the template's id")->required();
  on(remove, "remove");

  return [options, action] {
    if (*action == "list") return RunList(*options);
    if (*action == "add") return RunAdd(*options);
    if (*action == "edit") return RunEdit(*options);
    if (*action == "remove") return RunRemove(*options);
    return kExitUsage;
  };
}

}  // namespace ecoute::cli

// The subcommands over a stored database: `search`, `cases` (list, show and the agent's
// actions), `report` and `forget`.
#include <cstdio>
#include <fstream>
#include <optional>

#include <unistd.h>

#include "ecoute/datetime.h"
#include "ecoute/json.h"
#include "ecoute/store.h"

#include "commands.h"
#include "inputs.h"
#include "store_options.h"

namespace ecoute::cli {
namespace {

// "3h05", "2d4h", "45s".
std::string Duration(int64_t seconds) {
  char buffer[32];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldmin", static_cast<long long>(seconds / 60));
  } else if (seconds < 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds % 3600 / 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldd%lldh", static_cast<long long>(seconds / 86400),
                  static_cast<long long>(seconds % 86400 / 3600));
  }
  return buffer;
}

// `s` cut or padded with spaces to `width` characters (code points, not bytes).
std::string Column(std::string_view s, size_t width) {
  std::string out;
  size_t count = 0;
  for (size_t i = 0; i < s.size() && count < width; ++count) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.append(s.substr(i, n));
    i += n;
  }
  out.append(width - count, ' ');
  return out;
}

// ---- search ----

struct SearchOptionsCli {
  StoreSetup store;
  std::string format;
  int limit = 20;
  std::vector<std::string> words;
};

int RunSearch(const SearchOptionsCli& options) {
  std::string text;
  for (const std::string& w : options.words) text += (text.empty() ? "" : " ") + w;
  Result<SearchQuery> query = ParseSearchQuery(text, NowSeconds());
  if (!query) {
    PrintError("query: " + query.error().message());
    std::fprintf(stderr, "  %s\n", text.c_str());
    return kExitUsage;
  }
  StoreOptions store_options;
  store_options.read_only = true;
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  const bool is_json = IsJsonOutput(options.format);
  const bool is_tty = !is_json && isatty(STDOUT_FILENO) != 0;
  SearchOptions search_options;
  search_options.limit = options.limit;
  if (is_tty) {
    search_options.highlight_open = "\033[1m";
    search_options.highlight_close = "\033[0m";
  } else if (is_json) {
    search_options.highlight_open = "<mark>";
    search_options.highlight_close = "</mark>";
  }
  Result<std::vector<SearchHit>> hits = store->Search(*query, search_options);
  if (!hits) {
    PrintError(hits.error().message());
    return ExitCodeFor(hits.error());
  }
  std::string out;
  for (size_t i = 0; i < hits->size(); ++i) {
    const SearchHit& hit = (*hits)[i];
    if (is_json) {
      AppendSearchHitJson(hit, out);
      out += '\n';
      continue;
    }
    out += std::to_string(i + 1) + ". ";
    out += hit.author.empty() ? "(unknown author)" : hit.author;
    out += " · " + (hit.published_at.empty() ? "undated" : hit.published_at.substr(0, 10));
    out += " · " + std::string(StanceName(hit.stance));
    for (const std::string& brand : hit.brands) out += " · " + brand;
    for (int64_t c : hit.cases) out += " · case " + std::to_string(c);
    out += "\n   ";
    if (!hit.title.empty()) out += hit.title + " — ";
    for (char c : hit.snippet) out += c == '\n' ? ' ' : c;
    out += '\n';
    if (!hit.url.empty()) out += "   " + hit.url + '\n';
  }
  if (!is_json && hits->empty()) out = "no post matches\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

// ---- cases ----

struct CasesOptions {
  StoreSetup store;
  std::string format;
  std::vector<std::string> brands;
  std::vector<std::string> statuses;
  std::string sort = "priority";
  int limit = 50;
  // show / respond / resolve / close / reopen
  int64_t id = 0;
  std::string by;
  std::string text;
  std::string channel;          // respond
  std::optional<int> priority;  // priority --set
  bool clear_priority = false;  // priority --clear
};

int RunCasesList(const CasesOptions& options) {
  CaseFilter filter;
  filter.brands = options.brands;
  filter.limit = options.limit;
  for (const std::string& s : options.statuses) {
    if (s == "open") {
      filter.statuses.insert(filter.statuses.end(),
                             {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kReopened});
      continue;
    }
    CaseStatus status;
    if (!ParseCaseStatus(s, status)) {
      PrintError("--status " + s + ": use new, acknowledged, resolved, closed, reopened or open");
      return kExitUsage;
    }
    filter.statuses.push_back(status);
  }
  filter.sort = options.sort == "recent"   ? CaseSort::kRecent
                : options.sort == "oldest" ? CaseSort::kOldest
                                           : CaseSort::kPriority;
  StoreOptions store_options;
  store_options.read_only = true;
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  Result<std::vector<CaseSummary>> cases = store->ListCases(filter);
  if (!cases) {
    PrintError(cases.error().message());
    return ExitCodeFor(cases.error());
  }
  std::string out;
  const int64_t now = NowSeconds();
  if (!IsJsonOutput(options.format)) {
    char line[512];
    std::snprintf(line, sizeof line, "%6s  %-12s  %-20s  %-18s  %3s  %-14s  %7s  %s\n", "case",
                  "status", "brand", "customer", "pri", "topic", "age", "first response");
    out += line;
  }
  for (const CaseSummary& c : *cases) {
    if (IsJsonOutput(options.format)) {
      AppendCaseSummaryJson(c, nullptr, out);
      out += '\n';
      continue;
    }
    char head[64];
    std::snprintf(head, sizeof head, "%6lld  %-12s  ", static_cast<long long>(c.id),
                  std::string(CaseStatusName(c.status)).c_str());
    char tail[160];
    std::snprintf(tail, sizeof tail, "  %3d  %-14s  %7s  %s\n", c.priority,
                  c.topic ? std::string(TopicName(*c.topic)).c_str() : "-",
                  Duration(std::max<int64_t>(0, now - c.opened_at)).c_str(),
                  c.first_response_at
                      ? ("after " + Duration(*c.first_response_at - c.opened_at)).c_str()
                      : "none yet");
    out += head + Column(c.brand, 20) + "  " + Column(c.customer, 18) + tail;
    if (!c.title.empty()) {
      std::string title = c.title;
      for (char& ch : title) {
        if (ch == '\n') ch = ' ';
      }
      out += "        " + title + '\n';
    }
  }
  if (!IsJsonOutput(options.format) && cases->empty()) out += "no case\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RunCasesShow(const CasesOptions& options) {
  StoreOptions store_options;
  store_options.read_only = true;
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  Result<CaseDetail> detail = store->GetCase(options.id);
  if (!detail) {
    PrintError(detail.error().message());
    return ExitCodeFor(detail.error());
  }
  std::string out;
  const CaseSummary& c = detail->summary;
  if (IsJsonOutput(options.format)) {
    AppendCaseDetailJson(*detail, nullptr, {}, out);
    out += '\n';
  } else {
    out += "case " + std::to_string(c.id) + " · " + c.brand + " · " + c.customer + " · " +
           std::string(CaseStatusName(c.status)) + " · priority " + std::to_string(c.priority);
    if (c.priority_override) out += " (set by an agent)";
    if (c.topic) out += " · " + std::string(TopicName(*c.topic));
    out += '\n';
    out += "opened " + FormatRfc3339(c.opened_at);
    if (c.first_response_at) {
      out += " · first response after " + Duration(*c.first_response_at - c.opened_at) + " (" +
             std::string(ResponseKind(c)) + ")";
    }
    if (c.resolved_at) out += " · resolved " + FormatRfc3339(*c.resolved_at);
    out += "\n\nposts\n";
    for (const CasePost& p : detail->posts) {
      std::string text = p.text.size() > 240 ? p.text.substr(0, 240) + "…" : p.text;
      for (char& ch : text) {
        if (ch == '\n') ch = ' ';
      }
      out += "  " + p.published_at + "  " + std::string(CaseRoleName(p.role)) + "  " + p.author +
             " (" + std::string(StanceName(p.stance)) + ")\n    " + text + '\n';
      if (!p.url.empty()) out += "    " + p.url + '\n';
    }
    out += "\ntimeline\n";
    for (const CaseEvent& e : detail->events) {
      // Internal notes are the team's own words, never a response to the customer.
      out += "  " + FormatRfc3339(e.at) + "  " + (e.kind == "note" ? "note (internal)" : e.kind) +
             "  by " + e.actor;
      if (!e.reason.empty()) out += "  — " + e.reason;
      out += '\n';
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RunCaseAction(const CasesOptions& options, const std::string& action) {
  StoreOptions store_options;
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  const std::string actor = "agent:" + options.by;
  const int64_t now = NowSeconds();
  Status status;
  if (action == "respond") {
    status = store->DeclareResponse(options.id, options.channel, options.text, actor, now);
  } else if (action == "note") {
    status = store->AddNote(options.id, actor, now, options.text);
  } else if (action == "priority") {
    if (options.priority.has_value() == options.clear_priority) {
      PrintError("give --set N (0 to 100) or --clear");
      return kExitUsage;
    }
    status = store->SetPriority(options.id, options.priority, actor, now, options.text);
  } else if (action == "resolve") {
    status = store->ResolveCase(options.id, actor, now, options.text);
  } else if (action == "close") {
    status = store->CloseCase(options.id, actor, now, options.text);
  } else {
    status = store->ReopenCase(options.id, actor, now, options.text);
  }
  if (!status.ok()) {
    PrintError(status.message());
    return ExitCodeFor(status);
  }
  Result<CaseDetail> detail = store->GetCase(options.id);
  if (detail) {
    std::printf("case %lld is %s\n", static_cast<long long>(options.id),
                std::string(CaseStatusName(detail->summary.status)).c_str());
  }
  return kExitOk;
}

// ---- report ----

struct ReportOptionsCli {
  StoreSetup store;
  std::vector<std::string> brands;
  std::string since;
  std::string until;
  std::string format = "text";
  std::string out;
  int64_t min_cases = kDefaultMinCases;
};

int RunReport(const ReportOptionsCli& options) {
  ReportOptions report_options;
  report_options.brands = options.brands;
  report_options.now = NowSeconds();
  for (const TimeBound bound : {TimeBound::kSince, TimeBound::kUntil}) {
    const bool is_since = bound == TimeBound::kSince;
    const std::string& text = is_since ? options.since : options.until;
    if (text.empty()) continue;
    const std::optional<int64_t> when = ParseTimeBound(text, bound, report_options.now);
    if (!when) {
      PrintError((is_since ? "--since " : "--until ") + text + ": not a date; " +
                 std::string(kTimeBoundForms));
      return kExitUsage;
    }
    (is_since ? report_options.since : report_options.until) = when;
  }
  StoreOptions store_options;
  store_options.read_only = true;
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  Result<Report> report = store->BuildReport(report_options);
  if (!report) {
    PrintError(report.error().message());
    return ExitCodeFor(report.error());
  }
  AddUncertainty(*report, options.min_cases);
  std::string out;
  if (options.format == "json") {
    AppendReportJson(*report, out);
    out += '\n';
  } else if (options.format == "csv") {
    AppendReportCsv(*report, out);
  } else if (options.format == "html") {
    AppendReportHtml(*report, out);
  } else {
    AppendReportText(*report, out);
  }
  if (options.out.empty() || options.out == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  std::ofstream file(options.out, std::ios::binary);
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  file.close();
  if (!file) {
    PrintError(options.out + ": cannot write the report");
    return kExitCantCreate;
  }
  std::fprintf(stderr, "ecoute: report written to %s\n", options.out.c_str());
  return kExitOk;
}

// ---- forget ----

struct ForgetOptions {
  StoreSetup store;
  std::string author;
  int64_t older_than_days = 0;
};

int RunForget(const ForgetOptions& options) {
  if (options.author.empty() == (options.older_than_days <= 0)) {
    PrintError("give either --author X or --older-than DAYS");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<Store> store = OpenStore(options.store, StoreOptions(), exit_code);
  if (store == nullptr) return exit_code;
  const int64_t now = NowSeconds();
  if (!options.author.empty()) {
    Result<ForgetSummary> summary = store->ForgetAuthor(options.author, now);
    if (!summary) {
      PrintError(summary.error().message());
      return ExitCodeFor(summary.error());
    }
    std::printf(
        "forgot %s: %lld posts, %lld cases removed; an audit line records the erasure "
        "without naming the author\n",
        options.author.c_str(), static_cast<long long>(summary->posts),
        static_cast<long long>(summary->cases));
    return kExitOk;
  }
  Result<int64_t> removed = store->ForgetOlderThan(now - options.older_than_days * 86400, now);
  if (!removed) {
    PrintError(removed.error().message());
    return ExitCodeFor(removed.error());
  }
  std::printf("removed %lld posts older than %lld days\n", static_cast<long long>(*removed),
              static_cast<long long>(options.older_than_days));
  return kExitOk;
}

}  // namespace

std::function<int()> AddSearchCommand(CLI::App& app) {
  auto options = std::make_shared<SearchOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Search stored posts. Words (all must match; accents and endings do not matter),\n"
      "\"phrases\", prefix*, -excluded, a OR b, and filters brand: stance: topic: lang:\n"
      "author: since: until: case: (docs/SEARCH.md). Best matches first.");
  options->store.AddOptions(*cmd);
  cmd->add_option("--format", options->format,
                  "json (one object per line) or text (default on a terminal)")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--limit", options->limit, "at most this many results (default 20)");
  cmd->add_option("query", options->words, "the query")->required();
  return [options] { return RunSearch(*options); };
}

namespace {

// The agents' actions: `cases respond|note|priority|resolve|close|reopen ID --by NAME ...`.
void AddCaseActions(CLI::App& cmd, const std::shared_ptr<CasesOptions>& options,
                    const std::shared_ptr<std::string>& action) {
  struct ActionSpec {
    const char* name;
    const char* help;
    const char* text_flag;  // the text's option
    const char* text_help;
    bool is_text_required;
  };
  for (const ActionSpec& spec :
       {ActionSpec{"respond",
                   "Record a response given outside ecoute (declared: phone, e-mail...).", "--note",
                   "what was answered (required)", true},
        ActionSpec{"note", "Add an internal note, for the team: never a response.", "--text",
                   "the note", true},
        ActionSpec{"priority", "Override the case's priority (--set N) or clear it (--clear).",
                   "--reason", "why", false},
        ActionSpec{"resolve", "Resolve a case.", "--reason", "why it is resolved", true},
        ActionSpec{"close", "Close a case without resolution.", "--reason", "why it is closed",
                   true},
        ActionSpec{"reopen", "Reopen a resolved or closed case.", "--reason", "why", true}}) {
    CLI::App* sub = cmd.add_subcommand(spec.name, spec.help);
    sub->add_option("id", options->id, "case id")->required();
    sub->add_option("--by", options->by, "who acts (an agent's name)")->required();
    CLI::Option* text = sub->add_option(spec.text_flag, options->text, spec.text_help);
    if (spec.is_text_required) text->required();
    const std::string name = spec.name;
    if (name == "respond") {
      sub->add_option("--channel", options->channel,
                      "where the answer was given: " + std::string(kDeclaredChannels))
          ->required();
    } else if (name == "priority") {
      sub->add_option("--set", options->priority, "the priority, 0 to 100")
          ->check(CLI::Range(0, 100));
      sub->add_flag("--clear", options->clear_priority, "back to the computed priority");
    }
    sub->callback([action, name] { *action = name; });
    sub->fallthrough();
  }
}

}  // namespace

std::function<int()> AddCasesCommand(CLI::App& app) {
  auto options = std::make_shared<CasesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cases", "List cases (one customer's problem with one brand), show one, or act on it.");
  options->store.AddOptions(*cmd);
  cmd->add_option("--brand", options->brands, "only this brand (repeatable)");
  cmd->add_option("--status", options->statuses,
                  "only this status: new, acknowledged, resolved, closed, reopened, or open "
                  "(repeatable)");
  cmd->add_option("--sort", options->sort, "priority (default), recent or oldest")
      ->check(CLI::IsMember({"priority", "recent", "oldest"}));
  cmd->add_option("--limit", options->limit, "at most this many cases (default 50)");
  cmd->add_option("--format", options->format, "json or text (default on a terminal)")
      ->check(CLI::IsMember({"json", "text"}));
  auto action = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Print a case: its posts and its timeline.");
  show->add_option("id", options->id, "case id")->required();
  show->add_option("--format", options->format, "json or text")
      ->check(CLI::IsMember({"json", "text"}));
  show->callback([action] { *action = "show"; });
  show->fallthrough();
  AddCaseActions(*cmd, options, action);
  std::function<int()> run_reply = AddCaseReplyCommand(*cmd, options->store.db, action);
  return [options, action, run_reply] {
    if (action->empty()) return RunCasesList(*options);
    if (*action == "show") return RunCasesShow(*options);
    if (*action == "reply") return run_reply();
    return RunCaseAction(*options, *action);
  };
}

std::function<int()> AddReportCommand(CLI::App& app) {
  auto options = std::make_shared<ReportOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Per brand: mentions, complaints, cases, response rate, time to first response,\n"
      "resolution, recoveries, net word-of-mouth (3/10/12), topics, weeks and spikes;\n"
      "brands ranked by responsiveness (docs/REPORT.md).");
  options->store.AddOptions(*cmd);
  cmd->add_option("--brand", options->brands, "only this brand (repeatable)");
  cmd->add_option("--since", options->since,
                  "from this time on: YYYY-MM-DD (from 00:00 UTC), an RFC 3339 time, or an age "
                  "such as 90m, 12h, 30d, 2w");
  cmd->add_option("--until", options->until,
                  "before this time, in the same forms; a date includes its whole day");
  cmd->add_option("--format", options->format, "text (default), json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  cmd->add_option("--out", options->out, "write to this file instead of standard output");
  cmd->add_option("--min-cases", options->min_cases,
                  "rank only the brands with at least this many cases (default 10; 0 ranks "
                  "every brand); the others are listed last, unranked")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000}));
  return [options] { return RunReport(*options); };
}

std::function<int()> AddForgetCommand(CLI::App& app) {
  auto options = std::make_shared<ForgetOptions>();
  CLI::App* cmd = app.add_subcommand(
      "forget",
      "Erase an author's posts, verdicts, index entries and cases (the right to be\n"
      "forgotten), or every post older than a number of days (retention). An audit line\n"
      "records each erasure without its content.");
  options->store.AddOptions(*cmd);
  cmd->add_option("--author", options->author, "a handle (@name), profile URL or display name");
  cmd->add_option("--older-than", options->older_than_days, "days");
  return [options] { return RunForget(*options); };
}

}  // namespace ecoute::cli

#include "inputs.h"

#include <cstdio>
#include <cstdlib>

#include "ecoute/fetch.h"

#include "commands.h"

namespace ecoute::cli {
namespace {

// One input may not exceed this: past it, JSON lines are the way to bring many posts.
constexpr size_t kMaxInputBytes = size_t{1} << 30;

// The bytes of a file, of standard input ("-") or of an http(s) URL.
Result<std::string> ReadSource(const std::string& source, const OutboundPolicy& outbound,
                               std::string& name) {
  name = source == "-" ? "stdin" : source;
  if (!IsUrl(source)) return ReadInput(source, kMaxInputBytes);
  FetchOptions options;
  options.outbound = outbound;
  ECOUTE_ASSIGN_OR_RETURN(FetchResult fetched, Fetch(source, options));
  name = fetched.url;
  return std::move(fetched.body);
}

constexpr char kAllowPrivateVariable[] = "ECOUTE_OUTBOUND_ALLOW_PRIVATE";

}  // namespace

bool IsUrl(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
}

void AddInputFormatOption(CLI::App& cmd, std::string& input, bool is_checked_when_parsed) {
  CLI::Option* option = cmd.add_option(
      "--input", input, "input format: auto, text, html, jsonl, feed, mastodon or bluesky");
  if (is_checked_when_parsed) {
    option->check(CLI::IsMember({"auto", "text", "html", "jsonl", "feed", "mastodon", "bluesky"}));
  }
}

bool ParseInputFormatOption(const std::string& input, InputFormat& format) {
  if (ParseInputFormat(input, format)) return true;
  PrintError("--input " + input + ": expected auto, text, html, jsonl, feed, mastodon or bluesky");
  return false;
}

void OutboundSetup::AddOptions(CLI::App& cmd) {
  cmd.add_option("--allow-private", allow_private,
                 "let URLs reach this non-public address range, in CIDR (repeatable; e.g. "
                 "127.0.0.0/8 for a server on this machine). Default: the comma-separated "
                 "ranges of $ECOUTE_OUTBOUND_ALLOW_PRIVATE, else public addresses only")
      ->type_name("CIDR")
      ->allow_extra_args(false);  // one range per flag: the words after it are the inputs
}

Result<OutboundPolicy> OutboundSetup::Policy() const {
  std::vector<std::string> ranges = allow_private;
  std::string where = "--allow-private";
  const char* variable = std::getenv(kAllowPrivateVariable);
  if (ranges.empty() && variable != nullptr) {
    where = kAllowPrivateVariable;
    ranges = SplitCommaList(variable);
  }
  OutboundPolicy policy;
  Result<std::vector<IpRange>> parsed = ParseIpRanges(ranges);
  if (!parsed) return InvalidArgumentError(where + " " + parsed.error().message());
  policy.allow_private = std::move(parsed).value();
  policy.allow_hint = "allow it with --allow-private CIDR or $ECOUTE_OUTBOUND_ALLOW_PRIVATE";
  return policy;
}

InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const OutboundPolicy& outbound,
                            const std::function<void(const Post&)>& emit) {
  return ReadInputPosts(files, format, outbound,
                        [&](const Post& post, const std::string&) { emit(post); });
}

void AnalyzerSetup::AddOptions(CLI::App& cmd, bool is_catalog_required) {
  CLI::Option* option =
      cmd.add_option("--brands", brands, "brand catalog (TOML)")->check(CLI::ExistingFile);
  if (is_catalog_required) option->required();
  cmd.add_option("--data-dir", data_dir,
                 "folder holding lexicon/ (default: $ECOUTE_DATA_DIR or the installed data)");
  cmd.add_option("--model", model,
                 "stance model from `ecoute train` to combine with the cues (default: the "
                 "data folder's model/stance.model, the one that ships)");
  cmd.add_option("--topic-model", topic_model,
                 "topic model from `ecoute train` (labels are topic names) to choose a "
                 "complaint's first topic with the cues (default: model/topics.model)");
  cmd.add_flag("--no-model", no_model, "the cues alone, without the trained models");
}

std::unique_ptr<Analyzer> MakeAnalyzer(const AnalyzerSetup& setup, BrandCatalog& catalog,
                                       int& exit_code) {
  catalog = BrandCatalog();
  if (!setup.brands.empty()) {
    Result<BrandCatalog> loaded = LoadCatalog(setup.brands);
    if (!loaded) {
      PrintError(loaded.error().message());
      exit_code = ExitCodeFor(loaded.error());
      return nullptr;
    }
    catalog = std::move(loaded).value();
  }
  const std::string data_dir = setup.data_dir.empty() ? DefaultDataDir() : setup.data_dir;
  const std::string model = setup.no_model        ? std::string()
                            : setup.model.empty() ? DefaultModelPath(data_dir)
                                                  : setup.model;
  const std::string topic_model = setup.no_model              ? std::string()
                                  : setup.topic_model.empty() ? DefaultTopicModelPath(data_dir)
                                                              : setup.topic_model;
  Result<std::unique_ptr<Analyzer>> analyzer =
      Analyzer::Create(catalog, data_dir, model, topic_model);
  if (!analyzer) {
    PrintError(analyzer.error().message());
    exit_code = ExitCodeFor(analyzer.error());
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(analyzer).value();
}

InputSummary ReadInputs(const std::vector<std::string>& files, const OutboundPolicy& outbound,
                        const InputReader& read) {
  InputSummary summary;
  std::vector<std::string> names = files;
  if (names.empty()) names.emplace_back("-");
  for (const std::string& file : names) {
    std::string name;
    Result<std::string> bytes = ReadSource(file, outbound, name);
    if (!bytes) {
      PrintError(bytes.error().message());
      summary.worst_exit = ExitCodeFor(bytes.error());
      continue;
    }
    std::vector<Problem> problems;
    summary.posts += read(*bytes, name, problems);
    for (const Problem& p : problems) {
      const std::string message = p.where.empty() ? p.message : p.where + ": " + p.message;
      if (p.is_fatal) {
        PrintError(message);
        summary.worst_exit = kExitDataErr;
      } else {
        PrintWarning(message);
      }
    }
    summary.problems += problems.size();
  }
  return summary;
}

InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const OutboundPolicy& outbound,
                            const std::function<void(const Post&, const std::string&)>& emit) {
  return ReadInputs(
      files, outbound,
      [&](std::string_view bytes, const std::string& name, std::vector<Problem>& problems) {
        size_t posts = 0;
        ReadPosts(
            bytes, name, format,
            [&](const Post& post) {
              emit(post, name);
              ++posts;
            },
            problems);
        return posts;
      });
}

void StdoutBuffer::Add() {
  if (text.size() < (size_t{1} << 16)) return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  text.clear();
}

void StdoutBuffer::Flush() {
  std::fwrite(text.data(), 1, text.size(), stdout);
  text.clear();
  std::fflush(stdout);
}

int FinishInputs(const InputSummary& summary, const char* verb) {
  if (summary.posts == 0) {
    if (summary.worst_exit == kExitOk) {
      PrintError("no post found in the input");
      return kExitDataErr;
    }
    return summary.worst_exit;
  }
  if (summary.problems > 0 || summary.worst_exit != kExitOk) {
    std::fprintf(stderr, "ecoute: %s %zu post%s; %zu problem%s reported above\n", verb,
                 summary.posts, summary.posts == 1 ? "" : "s", summary.problems,
                 summary.problems == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace ecoute::cli

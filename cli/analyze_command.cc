// `ecoute analyze`: analyzes posts from files or standard input and prints one result per
// post, as JSON lines or as a readable summary.
#include <cstdio>

#include <unistd.h>

#include "ecoute/analysis.h"
#include "ecoute/sources.h"

#include "commands.h"
#include "inputs.h"

namespace ecoute::cli {
namespace {

struct AnalyzeOptions {
  std::string brands;
  std::string format;
  std::string input = "auto";
  std::string data_dir;
  std::string model;
  std::string topic_model;
  bool no_model = false;
  std::vector<std::string> files;
};

int RunAnalyze(const AnalyzeOptions& options) {
  InputFormat input_format = InputFormat::kAuto;
  if (!ParseInputFormat(options.input, input_format)) {
    PrintError("--input " + options.input +
               ": expected auto, text, html, jsonl, feed, mastodon or bluesky");
    return kExitUsage;
  }
  const bool is_json =
      options.format.empty() ? isatty(STDOUT_FILENO) == 0 : options.format == "json";

  BrandCatalog catalog;
  if (!options.brands.empty()) {
    Result<BrandCatalog> loaded = LoadCatalog(options.brands);
    if (!loaded) {
      PrintError(loaded.error().message());
      return ExitCodeFor(loaded.error());
    }
    catalog = std::move(loaded).value();
  }
  const std::string data_dir = options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  const std::string model = options.no_model        ? std::string()
                            : options.model.empty() ? DefaultModelPath(data_dir)
                                                    : options.model;
  const std::string topic_model = options.no_model              ? std::string()
                                  : options.topic_model.empty() ? DefaultTopicModelPath(data_dir)
                                                                : options.topic_model;
  Result<std::unique_ptr<Analyzer>> analyzer =
      Analyzer::Create(catalog, data_dir, model, topic_model);
  if (!analyzer) {
    PrintError(analyzer.error().message());
    return ExitCodeFor(analyzer.error());
  }

  Analyzer::Scratch scratch;
  Analysis analysis;
  StdoutBuffer out;
  const InputSummary summary = ReadInputPosts(options.files, input_format, [&](const Post& post) {
    (*analyzer)->Analyze(post, scratch, analysis);
    if (is_json) {
      AppendAnalysisJson(analysis, out.text);
    } else {
      AppendAnalysisText(analysis, out.text);
    }
    out.text += '\n';
    out.Add();
  });
  out.Flush();
  return FinishInputs(summary, "analyzed");
}

}  // namespace

std::function<int()> AddAnalyzeCommand(CLI::App& app) {
  auto options = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Analyze posts: language, brands, stance per brand, topics, facts, priority.\n"
      "Each FILE is one post (plain text or HTML) or JSON lines, one post per line;\n"
      "with no FILE, or '-', standard input is read.");
  cmd->add_option("--brands", options->brands, "brand catalog (TOML)")->check(CLI::ExistingFile);
  cmd->add_option("--format", options->format,
                  "output: json (one object per line) or text (default on a terminal)")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--input", options->input,
                  "input format: auto, text, html, jsonl, feed, mastodon or bluesky")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl", "feed", "mastodon", "bluesky"}));
  cmd->add_option("--data-dir", options->data_dir,
                  "folder holding lexicon/ (default: $ECOUTE_DATA_DIR or the installed data)");
  cmd->add_option("--model", options->model,
                  "stance model from `ecoute train` to combine with the cues (default: the "
                  "data folder's model/stance.model, the one that ships)");
  cmd->add_option("--topic-model", options->topic_model,
                  "topic model from `ecoute train` (labels are topic names) to choose a "
                  "complaint's first topic with the cues (default: model/topics.model)");
  cmd->add_flag("--no-model", options->no_model, "the cues alone, without the trained models");
  cmd->add_option("files", options->files, "files or http(s) URLs of posts to analyze");
  return [options] { return RunAnalyze(*options); };
}

}  // namespace ecoute::cli

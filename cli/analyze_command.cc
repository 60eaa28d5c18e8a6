// `ecoute analyze`: analyzes posts from files or standard input and prints one result per
// post, as JSON lines or as a readable summary.
#include <cstdio>

#include "ecoute/analysis.h"
#include "ecoute/sources.h"

#include "commands.h"
#include "inputs.h"

namespace ecoute::cli {
namespace {

struct AnalyzeOptions {
  AnalyzerSetup analyzer;
  OutboundSetup outbound;
  std::string format;
  std::string input = "auto";
  std::vector<std::string> files;
};

int RunAnalyze(const AnalyzeOptions& options) {
  InputFormat input_format = InputFormat::kAuto;
  if (!ParseInputFormatOption(options.input, input_format)) return kExitUsage;
  Result<OutboundPolicy> outbound = options.outbound.Policy();
  if (!outbound) {
    PrintError(outbound.error().message());
    return kExitUsage;
  }
  const bool is_json = IsJsonOutput(options.format);
  BrandCatalog catalog;
  int exit_code = kExitOk;
  std::unique_ptr<Analyzer> analyzer = MakeAnalyzer(options.analyzer, catalog, exit_code);
  if (analyzer == nullptr) return exit_code;

  Analyzer::Scratch scratch;
  Analysis analysis;
  StdoutBuffer out;
  const InputSummary summary =
      ReadInputPosts(options.files, input_format, *outbound, [&](const Post& post) {
        analyzer->Analyze(post, scratch, analysis);
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
  cmd->add_option("--format", options->format,
                  "output: json (one object per line) or text (default on a terminal)")
      ->check(CLI::IsMember({"json", "text"}));
  AddInputFormatOption(*cmd, options->input, /*is_checked_when_parsed=*/true);
  options->analyzer.AddOptions(*cmd, false);
  options->outbound.AddOptions(*cmd);
  cmd->add_option("files", options->files, "files or http(s) URLs of posts to analyze");
  return [options] { return RunAnalyze(*options); };
}

}  // namespace ecoute::cli

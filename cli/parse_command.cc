// `ecoute parse`: reads posts from files or standard input and prints them in the post
// model, one JSON object per line — what every reader makes of its input.
#include <cstdio>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "commands.h"
#include "inputs.h"

namespace ecoute::cli {
namespace {

struct ParseOptions {
  OutboundSetup outbound;
  std::string input = "auto";
  std::vector<std::string> files;
};

int RunParse(const ParseOptions& options) {
  InputFormat format = InputFormat::kAuto;
  if (!ParseInputFormatOption(options.input, format)) return kExitUsage;
  Result<OutboundPolicy> outbound = options.outbound.Policy();
  if (!outbound) {
    PrintError(outbound.error().message());
    return kExitUsage;
  }
  StdoutBuffer out;
  const InputSummary summary =
      ReadInputPosts(options.files, format, *outbound, [&](const Post& post) {
        AppendPostJson(post, out.text);
        out.text += '\n';
        out.Add();
      });
  out.Flush();
  return FinishInputs(summary, "parsed");
}

}  // namespace

std::function<int()> AddParseCommand(CLI::App& app) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "parse",
      "Read posts (text, HTML, JSON lines) and print them in ecoute's post model, one JSON\n"
      "object per line: id, source, url, title, text, lang, author, dates, parent, links,\n"
      "audience counts and content hash.");
  AddInputFormatOption(*cmd, options->input, /*is_checked_when_parsed=*/false);
  options->outbound.AddOptions(*cmd);
  cmd->add_option("files", options->files,
                  "files or http(s) URLs to read (default: standard input)");
  return [options] { return RunParse(*options); };
}

}  // namespace ecoute::cli

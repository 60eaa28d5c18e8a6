// The input side every post-reading subcommand shares (`analyze`, `parse`): files or
// standard input through the readers, problems reported, one exit code at the end.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "ecoute/analysis.h"
#include "ecoute/fetch.h"
#include "ecoute/sources.h"

namespace ecoute::cli {

struct InputSummary {
  size_t posts = 0;
  size_t problems = 0;
  int worst_exit = 0;  // from files that could not be read or were rejected whole
};

// The --allow-private option of the subcommands that fetch URLs. Without it, the ranges of
// $ECOUTE_OUTBOUND_ALLOW_PRIVATE (comma-separated), as `serve` reads them; without either,
// only public addresses are reached (ecoute/fetch.h).
struct OutboundSetup {
  std::vector<std::string> allow_private;
  void AddOptions(CLI::App& cmd);
  // The policy; kInvalidArgument naming a range that does not parse.
  Result<OutboundPolicy> Policy() const;
};

// The --input option of the subcommands that read posts (auto, text, html, jsonl, feed,
// mastodon or bluesky). With `is_checked_when_parsed`, CLI11 refuses another value while
// parsing the command line; without, ParseInputFormatOption refuses it when the command runs.
void AddInputFormatOption(CLI::App& cmd, std::string& input, bool is_checked_when_parsed);
// The format the --input value names; else prints the error and returns false (exit 64).
bool ParseInputFormatOption(const std::string& input, InputFormat& format);

// Whether `source` is an http(s) URL rather than a file.
bool IsUrl(const std::string& source);

// Reads each file ("-" is standard input; none means standard input; an http(s) URL is
// fetched under `outbound`, robots.txt honored) with ReadPosts in
// `format`, calls `emit` for every post, prints each problem on stderr as it comes
// (fatal ones as errors), and returns the counts.
InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const OutboundPolicy& outbound,
                            const std::function<void(const Post&)>& emit);
// The same, telling `emit` the name the post was read under (the path, "stdin" or the
// final URL).
InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const OutboundPolicy& outbound,
                            const std::function<void(const Post&, const std::string&)>& emit);

// Reads each file's bytes as ReadInputPosts does and hands them to `read` with the input's
// name; `read` fills the input's problems and returns how many posts it found. Problems
// are printed on stderr after each input (fatal ones as errors).
using InputReader = std::function<size_t(std::string_view bytes, const std::string& name,
                                         std::vector<Problem>& problems)>;
InputSummary ReadInputs(const std::vector<std::string>& files, const OutboundPolicy& outbound,
                        const InputReader& read);

// The analysis options `analyze` and `ingest` share, and the analyzer they describe.
struct AnalyzerSetup {
  std::string brands;       // catalog file; empty for none
  std::string data_dir;     // empty: DefaultDataDir()
  std::string model;        // empty: the shipped one
  std::string topic_model;  // empty: the shipped one
  bool no_model = false;
  void AddOptions(CLI::App& cmd, bool is_catalog_required);
};
// Loads the catalog into `catalog` and builds the analyzer; errors are printed and their
// exit code returned in `exit_code`.
std::unique_ptr<Analyzer> MakeAnalyzer(const AnalyzerSetup& setup, BrandCatalog& catalog,
                                       int& exit_code);

// Standard output in 64 KiB writes: Add() after appending a record to `text`, Flush() at
// the end.
class StdoutBuffer {
 public:
  std::string text;
  void Add();    // writes `text` out once it holds 64 KiB or more
  void Flush();  // writes what is left and flushes stdout
};

// The exit code for a run: 65 (or the worst file error) when no post was found, else 0,
// with a summary line on stderr when problems were reported ("analyzed 3 posts; 1
// problem reported above"; `verb` is "analyzed", "parsed"...).
int FinishInputs(const InputSummary& summary, const char* verb);

}  // namespace ecoute::cli

// The input side every post-reading subcommand shares (`analyze`, `parse`): files or
// standard input through the readers, problems reported, one exit code at the end.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ecoute/sources.h"

namespace ecoute::cli {

struct InputSummary {
  size_t posts = 0;
  size_t problems = 0;
  int worst_exit = 0;  // from files that could not be read or were rejected whole
};

// Reads each file ("-" is standard input; none means standard input; an http(s) URL is
// fetched, robots.txt honored) with ReadPosts in
// `format`, calls `emit` for every post, prints each problem on stderr as it comes
// (fatal ones as errors), and returns the counts.
InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const std::function<void(const Post&)>& emit);

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

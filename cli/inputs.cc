#include "inputs.h"

#include <cstdio>

#include "commands.h"
#include "fetch/fetcher.h"

namespace ecoute::cli {
namespace {

// One input may not exceed this: past it, JSON lines are the way to bring many posts.
constexpr size_t kMaxInputBytes = size_t{1} << 30;

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// The bytes of a file, of standard input ("-") or of an http(s) URL.
Result<std::string> ReadSource(const std::string& source, std::string& name) {
  name = source == "-" ? "stdin" : source;
  if (!IsUrl(source)) return ReadInput(source, kMaxInputBytes);
  ECOUTE_ASSIGN_OR_RETURN(FetchResult fetched, Fetch(source, FetchOptions()));
  name = fetched.url;
  return std::move(fetched.body);
}

}  // namespace

InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const std::function<void(const Post&)>& emit) {
  InputSummary summary;
  std::vector<std::string> names = files;
  if (names.empty()) names.emplace_back("-");
  for (const std::string& file : names) {
    std::string name;
    Result<std::string> bytes = ReadSource(file, name);
    if (!bytes) {
      PrintError(bytes.error().message());
      summary.worst_exit = ExitCodeFor(bytes.error());
      continue;
    }
    std::vector<Problem> problems;
    ReadPosts(
        *bytes, name, format,
        [&](const Post& post) {
          emit(post);
          ++summary.posts;
        },
        problems);
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

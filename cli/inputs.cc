#include "inputs.h"

#include <cstdio>

#include "commands.h"

namespace ecoute::cli {
namespace {

// One input may not exceed this: past it, JSON lines are the way to bring many posts.
constexpr size_t kMaxInputBytes = size_t{1} << 30;

}  // namespace

InputSummary ReadInputPosts(const std::vector<std::string>& files, InputFormat format,
                            const std::function<void(const Post&)>& emit) {
  InputSummary summary;
  std::vector<std::string> names = files;
  if (names.empty()) names.emplace_back("-");
  for (const std::string& file : names) {
    Result<std::string> bytes = ReadInput(file, kMaxInputBytes);
    if (!bytes) {
      PrintError(bytes.error().message());
      summary.worst_exit = ExitCodeFor(bytes.error());
      continue;
    }
    std::vector<Problem> problems;
    const std::string name = file == "-" ? "stdin" : file;
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

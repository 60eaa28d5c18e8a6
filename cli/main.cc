// ecoute: listens to customers who complain in public. A thin front end over libecoute.
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>

#include <unistd.h>

#include "ecoute/json_string.h"

#include "commands.h"

namespace ecoute::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kNotFound:
      return kExitNoInput;
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataLoss:
    case StatusCode::kResourceExhausted:
    case StatusCode::kFailedPrecondition:
      return kExitDataErr;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case StatusCode::kPermissionDenied:
      return kExitNoPermission;
    default:
      return kExitSoftware;
  }
}

void PrintError(std::string_view message) {
  std::fprintf(stderr, "ecoute: error: %.*s\n", static_cast<int>(message.size()), message.data());
}

void PrintWarning(std::string_view message) {
  std::fprintf(stderr, "ecoute: warning: %.*s\n", static_cast<int>(message.size()), message.data());
}

bool IsJsonOutput(const std::string& format) {
  return format.empty() ? isatty(STDOUT_FILENO) == 0 : format == "json";
}

void AppendJsonStringArray(const std::vector<std::string>& items, std::string& out) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(items[i], out);
  }
  out += ']';
}

Result<std::string> ReadInput(const std::string& path, size_t max_bytes) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return NotFoundError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  std::string data;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    if (data.size() + n > max_bytes) {
      if (file != stdin) std::fclose(file);
      return ResourceExhaustedError(path + ": larger than " + std::to_string(max_bytes >> 20) +
                                    " MiB; split it (one post per JSON line) and retry");
    }
    data.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  if (file != stdin) std::fclose(file);
  if (failed) return NotFoundError(path + ": read error (" + std::strerror(errno) + ")");
  return data;
}

namespace {

// Registers every subcommand, parses the command line and runs the one it names.
int Main(int argc, char** argv) {
  CLI::App app("ecoute: finds customers who complain in public, and tells who answers.", "ecoute");
  app.require_subcommand(1);
  app.set_version_flag("--version", "ecoute 0.1.0");
  std::function<int()> run_analyze = AddAnalyzeCommand(app);
  std::function<int()> run_parse = AddParseCommand(app);
  std::function<int()> run_fetch = AddFetchCommand(app);
  std::function<int()> run_bench = AddBenchCommand(app);
  std::function<int()> run_train = AddTrainCommand(app);
  std::function<int()> run_eval = AddEvalCommand(app);
  std::function<int()> run_ingest = AddIngestCommand(app);
  std::function<int()> run_search = AddSearchCommand(app);
  std::function<int()> run_cases = AddCasesCommand(app);
  std::function<int()> run_report = AddReportCommand(app);
  std::function<int()> run_forget = AddForgetCommand(app);
  std::function<int()> run_users = AddUsersCommand(app);
  std::function<int()> run_templates = AddTemplatesCommand(app);
  std::function<int()> run_serve = AddServeCommand(app);
  std::function<int()> run_accounts = AddAccountsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(e.what());
    std::fprintf(stderr, "Run 'ecoute --help' or 'ecoute <command> --help' for usage.\n");
    return kExitUsage;
  }
  if (app.got_subcommand("analyze")) return run_analyze();
  if (app.got_subcommand("parse")) return run_parse();
  if (app.got_subcommand("fetch")) return run_fetch();
  if (app.got_subcommand("bench")) return run_bench();
  if (app.got_subcommand("train")) return run_train();
  if (app.got_subcommand("eval")) return run_eval();
  if (app.got_subcommand("ingest")) return run_ingest();
  if (app.got_subcommand("search")) return run_search();
  if (app.got_subcommand("cases")) return run_cases();
  if (app.got_subcommand("report")) return run_report();
  if (app.got_subcommand("forget")) return run_forget();
  if (app.got_subcommand("users")) return run_users();
  if (app.got_subcommand("templates")) return run_templates();
  if (app.got_subcommand("serve")) return run_serve();
  if (app.got_subcommand("accounts")) return run_accounts();
  return kExitUsage;
}

}  // namespace
}  // namespace ecoute::cli

int main(int argc, char** argv) {
  // An exception that reaches here is a bug: it ends the run with the software exit code
  // and its message rather than an abort.
  try {
    return ecoute::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecoute: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ecoute: error: unknown exception\n");
  }
  return ecoute::cli::kExitSoftware;
}

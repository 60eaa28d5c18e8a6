// The `ecoute` subcommands: each registers its options on the CLI11 app and runs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "ecoute/status.h"

namespace ecoute::cli {

// Exit codes (sysexits.h), one table for every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;         // bad option or argument
constexpr int kExitDataErr = 65;       // input or configuration that cannot be used
constexpr int kExitNoInput = 66;       // a file that cannot be opened
constexpr int kExitUnavailable = 69;   // a server that cannot be reached or answers an error
constexpr int kExitSoftware = 70;      // a bug: please report it
constexpr int kExitCantCreate = 73;    // an output file that cannot be written
constexpr int kExitTempFail = 75;      // not done yet, may pass later (a reply to retry)
constexpr int kExitNoPermission = 77;  // a file or URL we may not read (robots.txt)

int ExitCodeFor(const Status& status);

// Prints "ecoute: error: <message>" on stderr.
void PrintError(std::string_view message);
void PrintWarning(std::string_view message);

// Whether a subcommand's --format (json, text, or empty for the default) asks for JSON:
// by default, JSON unless standard output is a terminal.
bool IsJsonOutput(const std::string& format);

// Appends `items` as a JSON array of strings.
void AppendJsonStringArray(const std::vector<std::string>& items, std::string& out);

// Reads a whole file ("-" is standard input). Fails with kNotFound when it cannot be
// opened and kResourceExhausted past `max_bytes`.
Result<std::string> ReadInput(const std::string& path, size_t max_bytes);

// Registers the subcommand; the returned function runs it once parsing succeeded.
std::function<int()> AddAnalyzeCommand(CLI::App& app);
std::function<int()> AddParseCommand(CLI::App& app);
std::function<int()> AddFetchCommand(CLI::App& app);
std::function<int()> AddBenchCommand(CLI::App& app);
std::function<int()> AddTrainCommand(CLI::App& app);
std::function<int()> AddEvalCommand(CLI::App& app);
std::function<int()> AddIngestCommand(CLI::App& app);
std::function<int()> AddSearchCommand(CLI::App& app);
std::function<int()> AddCasesCommand(CLI::App& app);
std::function<int()> AddReportCommand(CLI::App& app);
std::function<int()> AddForgetCommand(CLI::App& app);
std::function<int()> AddUsersCommand(CLI::App& app);
std::function<int()> AddTemplatesCommand(CLI::App& app);
std::function<int()> AddServeCommand(CLI::App& app);
std::function<int()> AddAccountsCommand(CLI::App& app);
// `cases reply`, under `cases` (whose --db is `db`); sets `action` to "reply" when given.
std::function<int()> AddCaseReplyCommand(CLI::App& cases, const std::string& db,
                                         const std::shared_ptr<std::string>& action);

}  // namespace ecoute::cli

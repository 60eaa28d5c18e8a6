// `ecoute fetch URL`: gets a feed or a page as ecoute's pollers will, and writes its body.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ecoute/fetch.h"

#include "commands.h"
#include "inputs.h"

namespace ecoute::cli {
namespace {

struct FetchCommandOptions {
  std::string url;
  std::string out;
  FetchOptions fetch;
  OutboundSetup outbound;
  double timeout_seconds = 30;
  bool no_robots = false;
};

int RunFetch(FetchCommandOptions options) {
  options.fetch.timeout_ms = static_cast<long>(options.timeout_seconds * 1000);
  options.fetch.honor_robots = !options.no_robots;
  Result<OutboundPolicy> outbound = options.outbound.Policy();
  if (!outbound) {
    PrintError(outbound.error().message());
    return kExitUsage;
  }
  options.fetch.outbound = std::move(outbound).value();
  Result<FetchResult> result = Fetch(options.url, options.fetch);
  if (!result) {
    PrintError(result.error().message());
    return ExitCodeFor(result.error());
  }
  // What was fetched goes to stderr, so that stdout is the body alone.
  std::string summary = std::to_string(result->status) + " " + result->url;
  if (result->not_modified) {
    summary += ": not modified since the given validators";
  } else {
    summary += " (" + (result->content_type.empty() ? "no type" : result->content_type) + ", " +
               std::to_string(result->body.size()) + " bytes)";
  }
  if (!result->etag.empty()) summary += "\n  etag: " + result->etag;
  if (!result->last_modified.empty()) summary += "\n  last-modified: " + result->last_modified;
  std::fprintf(stderr, "ecoute: %s\n", summary.c_str());
  if (result->not_modified) return kExitOk;
  std::FILE* file = options.out.empty() ? stdout : std::fopen(options.out.c_str(), "wb");
  if (file == nullptr) {
    PrintError(options.out + ": cannot write (" + std::strerror(errno) + ")");
    return kExitCantCreate;
  }
  const bool written =
      std::fwrite(result->body.data(), 1, result->body.size(), file) == result->body.size();
  if (file != stdout) std::fclose(file);
  if (!written) {
    PrintError((options.out.empty() ? std::string("stdout") : options.out) + ": write failed");
    return kExitSoftware;
  }
  return kExitOk;
}

}  // namespace

std::function<int()> AddFetchCommand(CLI::App& app) {
  auto o = std::make_shared<FetchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fetch",
      "Fetch a feed or a page over HTTP(S) as ecoute's pollers do: bounded time, size and\n"
      "redirects, gzip accepted, conditional GET, robots.txt honored, public addresses\n"
      "only unless --allow-private names a range. The body goes to stdout (or --out), what\n"
      "was fetched to stderr.");
  cmd->add_option("url", o->url, "http or https URL")->required();
  cmd->add_option("--out", o->out, "write the body to this file");
  cmd->add_option("--etag", o->fetch.etag, "ETag of the last fetch (conditional GET)");
  cmd->add_option("--last-modified", o->fetch.last_modified,
                  "Last-Modified of the last fetch (conditional GET)");
  cmd->add_option("--timeout", o->timeout_seconds, "seconds for the whole transfer (30)");
  cmd->add_option("--max-bytes", o->fetch.max_bytes, "largest body accepted (20 MiB)");
  cmd->add_option("--max-redirects", o->fetch.max_redirects, "redirects followed (5)");
  cmd->add_flag("--no-robots", o->no_robots, "do not ask robots.txt first");
  o->outbound.AddOptions(*cmd);
  return [o] { return RunFetch(*o); };
}

}  // namespace ecoute::cli

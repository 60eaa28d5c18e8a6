// `ecoute serve` as the library runs it (docs/SERVER.md): the service, which is the REST
// API, the dashboard, source watching, alerts and SLA escalation over one database, from
// its settings to a graceful stop.
//
// The settings come from a TOML file, then from ECOUTE_<SECTION>_<KEY> variables, then
// from the command line (ServeOptions). Errors are values: each step returns a Status
// whose message can be printed as it is. A Service is driven from one thread, in order:
// Configure, SetUpLogging, Start, url, Stop; the threads it starts are its own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ecoute/status.h"

namespace ecoute {

// What a command line says; each field that is not empty (or false) overrides the
// settings file and the environment.
struct ServeOptions {
  std::string config_path;      // the TOML settings; empty: defaults and the environment only
  std::string db_path;          // the SQLite database; else $ECOUTE_DB, else the settings'
  std::string brands_path;      // the brand catalog (TOML)
  std::string listen;           // address and port, "127.0.0.1:8080" (":0" picks a port)
  std::string web_dir;          // the dashboard from this folder instead of the built-in copy
  std::string data_dir;         // lexicons and models
  std::string log_format;       // "text" or "json"
  std::string secret_key_file;  // the reply accounts' key ([secrets] key_file)
  bool no_model = false;        // the cues alone, without the trained models
};

class Service {
 public:
  // Reads a variable of the environment: nullptr when it is not set.
  using Getenv = std::function<const char*(const char*)>;

  // Reads the settings: `options.config_path`, then the environment through `getenv`
  // (ECOUTE_<SECTION>_<KEY>, and ECOUTE_DB for the database), then `options`. Nothing is
  // opened, started or logged. Fails with kInvalidArgument naming the file, the line and
  // the key, or the variable, of a setting that is wrong, kNotFound when the file cannot
  // be read.
  static Result<std::unique_ptr<Service>> Configure(const ServeOptions& options,
                                                    const Getenv& getenv);
  virtual ~Service() = default;

  // Sends the process's log lines to stderr in the settings' format (text, or one JSON
  // object a line) and from their level on. kInvalidArgument ("--log-format: text or
  // json", or naming the level) when either is not one of those ecoute knows: debug,
  // info, warn, error, off. Call once, before Start.
  virtual Status SetUpLogging() = 0;

  // Opens the store, builds the analyzer from the catalog, opens access control, alerts
  // and the watcher on the same database, binds the address and starts serving; then logs
  // a warning when the database has no user yet, and the URL it listens on. Threads start
  // here: a process that waits for signals blocks them before. Fails with the store's
  // codes (kDataLoss on a file that is not an ecoute database...), the catalog's
  // (kInvalidArgument, kNotFound) and kUnavailable when the address cannot be bound.
  virtual Status Start() = 0;

  // Where people reach the service once started: the settings' public URL, else
  // "http://HOST:PORT/" with the port bound (127.0.0.1 for a wildcard or empty host).
  virtual std::string url() const = 0;

  // Stops gracefully: stops accepting, finishes the requests in flight, closes the live
  // streams, stops the background work (pending deliveries and sources stay persisted).
  // Logs "<reason>: stopping ..." first and "stopped" last.
  virtual void Stop(std::string_view reason) = 0;
};

}  // namespace ecoute

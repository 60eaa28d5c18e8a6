// The settings of `ecoute serve`: a TOML file (docs/SERVER.md has the reference and
// data/sample/ecoute.toml an example), each setting overridable from the environment as
// ECOUTE_<SECTION>_<KEY> (ECOUTE_HTTP_LISTEN, ECOUTE_STORE_DB...), command-line flags last.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ecoute/serve.h"
#include "ecoute/status.h"
#include "ecoute/store.h"

#include "access/access.h"
#include "alerts/alerts.h"
#include "alerts/sla.h"
#include "http/http.h"
#include "reply/outbox.h"
#include "server/listening.h"
#include "server/site_contacts.h"
#include "watch/comment_follower.h"
#include "watch/watcher.h"

namespace ecoute::server {

struct ServerConfig {
  // [store]
  std::string db_path = "ecoute.db";
  StoreOptions store;
  // [analysis]
  std::string brands_path;  // the brand catalog (required)
  std::string data_dir;     // lexicons and models; empty: the default
  bool no_model = false;
  // [http]
  std::string listen = "127.0.0.1:8080";
  HttpOptions http;           // address and port come from `listen`
  bool cookie_secure = true;  // Secure cookies (browsers accept them on http://localhost)
  std::string web_dir;        // serve the dashboard from this folder instead of the binary
  std::string public_url;     // printed at start; default http://<listen>/
  // Live event streams: each is re-checked against its session or token this often (and at
  // once on any access change made through this server), and closed after stream_max_seconds
  // so that the client reconnects and authenticates again.
  int64_t stream_check_ms = 15'000;
  int64_t stream_max_seconds = 3600;
  // [log]
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // debug | info | warn | error
  // [access], [alerts], [watch], [sla]; [outbound] allow_private sets alerts.outbound and
  // watcher.fetch.outbound alike: one policy for every request the server makes.
  AccessOptions access;
  AlertOptions alerts;
  WatcherOptions watcher;
  // [secrets] key_file (default "<db>.key"), [replies] ca_file: replies sent from ecoute.
  reply::ReplyOptions replies;
  // [contacts] site_lookup: the routes of web posts looked up on their site (site_contacts.h).
  SiteLookupOptions contacts;
  // [watch] follow_comments: the comments under the web posts of open cases followed
  // (watch/comment_follower.h), scanned every follow_tick_ms.
  CommentFollowerOptions follow;
  int64_t follow_tick_ms = 60'000;
  // [listen] the sources proposed for each brand and the search back-fill (listening.h).
  ListenOptions listening;
  SlaConfig sla = DefaultSlaConfig();
  int64_t sla_tick_ms = 10'000;
  int64_t watch_tick_ms = 1'000;
  int64_t ingest_batch = 512;  // posts per store transaction for pushed JSON lines
};

// Reads `path` (none: defaults only), then the environment through `getenv` (tests pass
// their own). Errors name the file, the line and the key, or the variable.
Result<ServerConfig> LoadServerConfig(const std::string& path,
                                      const std::function<const char*(const char*)>& getenv);

// The command line's settings (`ecoute serve`, `ecoute accounts`, `ecoute cases reply`) over
// the file's and the environment's; ECOUTE_DB names the database when the line does not.
void ApplyServeOptions(const ServeOptions& options,
                       const std::function<const char*(const char*)>& getenv, ServerConfig& config);

// Splits "host:port" ("[::1]:8080", ":8080" for every address). kInvalidArgument otherwise.
Status ParseListen(const std::string& listen, std::string& address, uint16_t& port);

// "90s", "15m", "4h", "2d" or a number of seconds.
std::optional<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace ecoute::server

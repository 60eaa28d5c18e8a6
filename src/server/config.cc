#include "server/config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "fetch/outbound.h"

namespace ecoute::server {

std::optional<int64_t> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  if (unit.empty() || unit == "s") return value;
  if (unit == "m") return value * 60;
  if (unit == "h") return value * 3600;
  if (unit == "d") return value * 86400;
  return std::nullopt;
}

Status ParseListen(const std::string& listen, std::string& address, uint16_t& port) {
  const size_t colon = listen.rfind(':');
  auto bad = [&] {
    return InvalidArgumentError("listen \"" + listen +
                                "\": give host:port, as 127.0.0.1:8080, [::1]:8080 or :8080");
  };
  if (colon == std::string::npos) return bad();
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view digits = std::string_view(listen).substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      value > 65535) {
    return bad();
  }
  address = host.empty() ? "0.0.0.0" : host;
  port = static_cast<uint16_t>(value);
  return OkStatus();
}

namespace {

// One setting: where it lives in the file, and how a text value (from the environment) or
// a TOML node sets it. A list is a TOML array of strings, or comma-separated text in the
// environment; its setter may refuse an item.
struct Setting {
  const char* section;
  const char* key;
  enum Kind { kString, kInt, kBool, kDuration, kList } kind;
  std::function<void(ServerConfig&, const std::string&)> set_string;
  std::function<void(ServerConfig&, int64_t)> set_int;
  std::function<void(ServerConfig&, bool)> set_bool;
  std::function<Status(ServerConfig&, const std::vector<std::string>&)> set_list;
};

Setting Str(const char* section, const char* key,
            std::function<void(ServerConfig&, const std::string&)> set) {
  return {section, key, Setting::kString, std::move(set), nullptr, nullptr, nullptr};
}
Setting Int(const char* section, const char* key, std::function<void(ServerConfig&, int64_t)> set) {
  return {section, key, Setting::kInt, nullptr, std::move(set), nullptr, nullptr};
}
Setting Dur(const char* section, const char* key, std::function<void(ServerConfig&, int64_t)> set) {
  return {section, key, Setting::kDuration, nullptr, std::move(set), nullptr, nullptr};
}
Setting Bool(const char* section, const char* key, std::function<void(ServerConfig&, bool)> set) {
  return {section, key, Setting::kBool, nullptr, nullptr, std::move(set), nullptr};
}
Setting List(const char* section, const char* key,
             std::function<Status(ServerConfig&, const std::vector<std::string>&)> set) {
  return {section, key, Setting::kList, nullptr, nullptr, nullptr, std::move(set)};
}

// [outbound] allow_private: the one policy of every outbound request, webhooks and watched
// sources alike.
Status SetAllowPrivate(ServerConfig& config, const std::vector<std::string>& ranges) {
  ECOUTE_ASSIGN_OR_RETURN(std::vector<IpRange> parsed, ParseIpRanges(ranges));
  config.alerts.outbound.allow_private = parsed;
  config.replies.fetch.outbound.allow_private = parsed;
  config.contacts.fetch.outbound.allow_private = parsed;
  config.follow.fetch.outbound.allow_private = parsed;
  config.watcher.fetch.outbound.allow_private = std::move(parsed);
  return OkStatus();
}

// [listen] mastodon_instances: hosts ("piaille.fr"), or base URLs with their scheme
// ("http://127.0.0.1:8080" for a test instance); checked and lower-cased by listening.h.
Status SetMastodonInstances(ServerConfig& config, const std::vector<std::string>& items) {
  ECOUTE_ASSIGN_OR_RETURN(config.listening.mastodon_instances, ParseMastodonInstances(items));
  return OkStatus();
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      Str("store", "db", [](ServerConfig& c, const std::string& v) { c.db_path = v; }),
      Dur("store", "case_window",
          [](ServerConfig& c, int64_t v) { c.store.case_window_seconds = v; }),
      Bool("store", "questions_open_cases",
           [](ServerConfig& c, bool v) { c.store.questions_open_cases = v; }),
      Bool("store", "addressed_open_cases",
           [](ServerConfig& c, bool v) { c.store.addressed_open_cases = v; }),
      Bool("store", "sync_every_commit",
           [](ServerConfig& c, bool v) { c.store.sync_every_commit = v; }),
      Str("analysis", "brands", [](ServerConfig& c, const std::string& v) { c.brands_path = v; }),
      Str("analysis", "data_dir", [](ServerConfig& c, const std::string& v) { c.data_dir = v; }),
      Bool("analysis", "no_model", [](ServerConfig& c, bool v) { c.no_model = v; }),
      Int("ingest", "batch", [](ServerConfig& c, int64_t v) { c.ingest_batch = v; }),
      Str("http", "listen", [](ServerConfig& c, const std::string& v) { c.listen = v; }),
      Int("http", "threads",
          [](ServerConfig& c, int64_t v) { c.http.threads = static_cast<int>(v); }),
      Int("http", "max_body_bytes",
          [](ServerConfig& c, int64_t v) { c.http.max_body_bytes = static_cast<size_t>(v); }),
      Int("http", "max_header_bytes",
          [](ServerConfig& c, int64_t v) { c.http.max_header_bytes = static_cast<size_t>(v); }),
      Dur("http", "read_timeout",
          [](ServerConfig& c, int64_t v) { c.http.read_timeout = std::chrono::seconds(v); }),
      Dur("http", "idle_timeout",
          [](ServerConfig& c, int64_t v) { c.http.idle_timeout = std::chrono::seconds(v); }),
      Int("http", "max_connections",
          [](ServerConfig& c, int64_t v) { c.http.max_connections = static_cast<int>(v); }),
      Bool("http", "cookie_secure", [](ServerConfig& c, bool v) { c.cookie_secure = v; }),
      Str("http", "web_dir", [](ServerConfig& c, const std::string& v) { c.web_dir = v; }),
      Str("http", "public_url", [](ServerConfig& c, const std::string& v) { c.public_url = v; }),
      Dur("http", "stream_check", [](ServerConfig& c, int64_t v) { c.stream_check_ms = v * 1000; }),
      Dur("http", "stream_max_lifetime",
          [](ServerConfig& c, int64_t v) { c.stream_max_seconds = v; }),
      Str("log", "format", [](ServerConfig& c, const std::string& v) { c.log_format = v; }),
      Str("log", "level", [](ServerConfig& c, const std::string& v) { c.log_level = v; }),
      Dur("access", "session", [](ServerConfig& c, int64_t v) { c.access.session_seconds = v; }),
      Dur("access", "idle_session",
          [](ServerConfig& c, int64_t v) { c.access.idle_session_seconds = v; }),
      Int("access", "max_failures",
          [](ServerConfig& c, int64_t v) { c.access.max_failures = static_cast<int>(v); }),
      Dur("access", "failure_window",
          [](ServerConfig& c, int64_t v) { c.access.failure_window_seconds = v; }),
      Dur("access", "lockout", [](ServerConfig& c, int64_t v) { c.access.lockout_seconds = v; }),
      Int("access", "min_password_length",
          [](ServerConfig& c, int64_t v) {
            c.access.min_password_length = static_cast<size_t>(v);
          }),
      Int("access", "min_password_bits",
          [](ServerConfig& c, int64_t v) { c.access.min_password_bits = static_cast<double>(v); }),
      Int("alerts", "max_attempts",
          [](ServerConfig& c, int64_t v) { c.alerts.max_attempts = static_cast<int>(v); }),
      Dur("alerts", "first_backoff",
          [](ServerConfig& c, int64_t v) { c.alerts.first_backoff_seconds = v; }),
      Dur("alerts", "max_backoff",
          [](ServerConfig& c, int64_t v) { c.alerts.max_backoff_seconds = v; }),
      Dur("alerts", "timeout", [](ServerConfig& c, int64_t v) { c.alerts.timeout_ms = v * 1000; }),
      Bool("alerts", "legacy_signature",
           [](ServerConfig& c, bool v) { c.alerts.legacy_signature = v; }),
      Str("alerts", "smtp_url",
          [](ServerConfig& c, const std::string& v) { c.alerts.mail.smtp_url = v; }),
      Str("alerts", "smtp_username",
          [](ServerConfig& c, const std::string& v) { c.alerts.mail.username = v; }),
      Str("alerts", "smtp_password",
          [](ServerConfig& c, const std::string& v) { c.alerts.mail.password = v; }),
      Str("alerts", "mail_from",
          [](ServerConfig& c, const std::string& v) { c.alerts.mail.from = v; }),
      Str("alerts", "ca_file",
          [](ServerConfig& c, const std::string& v) { c.alerts.mail.ca_file = v; }),
      List("outbound", "allow_private", SetAllowPrivate),
      Bool("contacts", "site_lookup", [](ServerConfig& c, bool v) { c.contacts.enabled = v; }),
      Bool("watch", "follow_comments", [](ServerConfig& c, bool v) { c.follow.enabled = v; }),
      Str("secrets", "key_file",
          [](ServerConfig& c, const std::string& v) { c.replies.key_file = v; }),
      Str("replies", "ca_file",
          [](ServerConfig& c, const std::string& v) { c.replies.fetch.ca_file = v; }),
      Dur("watch", "min_host_interval",
          [](ServerConfig& c, int64_t v) { c.watcher.min_host_interval_seconds = v; }),
      Dur("watch", "max_backoff",
          [](ServerConfig& c, int64_t v) { c.watcher.max_backoff_seconds = v; }),
      Dur("watch", "min_interval",
          [](ServerConfig& c, int64_t v) { c.watcher.min_interval_seconds = v; }),
      Dur("watch", "tick", [](ServerConfig& c, int64_t v) { c.watch_tick_ms = v * 1000; }),
      Int("watch", "max_requests_per_host",
          [](ServerConfig& c, int64_t v) {
            c.watcher.max_requests_per_host = static_cast<int>(std::clamp<int64_t>(v, 1, 64));
          }),
      Int("watch", "max_parallel_polls",
          [](ServerConfig& c, int64_t v) {
            c.watcher.max_parallel_polls = static_cast<int>(std::clamp<int64_t>(v, 1, 64));
          }),
      Dur("sla", "tick", [](ServerConfig& c, int64_t v) { c.sla_tick_ms = v * 1000; }),
      Str("listen", "jetstream_url",
          [](ServerConfig& c, const std::string& v) { c.listening.jetstream_url = v; }),
      List("listen", "mastodon_instances", SetMastodonInstances),
      Str("listen", "bluesky_search_url",
          [](ServerConfig& c, const std::string& v) { c.listening.bluesky_search_url = v; }),
      Int("listen", "backfill_limit",
          [](ServerConfig& c, int64_t v) { c.listening.backfill_limit = v; }),
      Int("listen", "backfill_days",
          [](ServerConfig& c, int64_t v) { c.listening.backfill_days = v; }),
  };
  return kSettings;
}

std::string EnvName(const Setting& s) {
  std::string name = "ECOUTE_";
  for (const char* p : {s.section, "_", s.key}) {
    for (const char* c = p; *c != '\0'; ++c) name.push_back(static_cast<char>(std::toupper(*c)));
  }
  return name;
}

Status ApplyList(ServerConfig& config, const Setting& s, const std::vector<std::string>& items,
                 const std::string& where) {
  if (Status status = s.set_list(config, items); !status.ok()) {
    return Status(status.code(), where + ": " + status.message());
  }
  return OkStatus();
}

Status ApplyText(ServerConfig& config, const Setting& s, const std::string& value,
                 const std::string& where) {
  switch (s.kind) {
    case Setting::kString:
      s.set_string(config, value);
      return OkStatus();
    case Setting::kBool:
      if (value == "true" || value == "1" || value == "yes") {
        s.set_bool(config, true);
      } else if (value == "false" || value == "0" || value == "no") {
        s.set_bool(config, false);
      } else {
        return InvalidArgumentError(where + ": \"" + value + "\" is not true or false");
      }
      return OkStatus();
    case Setting::kInt: {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
        return InvalidArgumentError(where + ": \"" + value + "\" is not a number");
      }
      s.set_int(config, n);
      return OkStatus();
    }
    case Setting::kDuration: {
      std::optional<int64_t> seconds = ParseDurationSeconds(value);
      if (!seconds) {
        return InvalidArgumentError(where + ": \"" + value +
                                    "\" is not a duration (90s, 15m, 4h, 2d or seconds)");
      }
      s.set_int(config, *seconds);
      return OkStatus();
    }
    case Setting::kList: {
      return ApplyList(config, s, SplitCommaList(value), where);
    }
  }
  return OkStatus();
}

std::string Where(const std::string& path, const toml::node& node, const std::string& key) {
  return path + ":" + std::to_string(node.source().begin.line) + ": " + key;
}

Status ApplyNode(ServerConfig& config, const Setting& s, const toml::node& node,
                 const std::string& where) {
  if (s.kind == Setting::kList) {
    const toml::array* array = node.as_array();
    std::vector<std::string> items;
    for (size_t i = 0; array != nullptr && i < array->size(); ++i) {
      const std::optional<std::string> item = (*array)[i].value<std::string>();
      if (!item || !(*array)[i].is_string()) {
        array = nullptr;
        break;
      }
      items.push_back(*item);
    }
    if (array == nullptr) {
      return InvalidArgumentError(where + ": expected an array of strings ([\"10.0.0.0/8\"])");
    }
    return ApplyList(config, s, items, where);
  }
  if (auto v = node.value<std::string>(); v && node.is_string()) {
    return ApplyText(config, s, *v, where);
  }
  if (node.is_boolean()) return ApplyText(config, s, *node.value<bool>() ? "true" : "false", where);
  if (node.is_integer()) return ApplyText(config, s, std::to_string(*node.value<int64_t>()), where);
  return InvalidArgumentError(where + ": expected a string, a number or true/false");
}

// A policy's next_response, and its business hours: time_zone, hours (a table of weekdays,
// "mon" to "sun", each "09:00-18:00") and holidays (["2026-12-25"]).
Status ReadSlaPolicyExtras(const toml::table& t, const std::string& path, const toml::node& node,
                           SlaPolicy& p) {
  if (t.contains("next_response")) {
    const std::optional<int64_t> next =
        ParseDurationSeconds(t["next_response"].value_or(std::string()));
    if (!next || *next == 0) {
      return InvalidArgumentError(Where(path, node, "sla.policies.next_response") +
                                  ": give a duration such as \"4h\"");
    }
    p.next_response_seconds = *next;
  }
  p.hours.time_zone = t["time_zone"].value_or(std::string());
  if (p.hours.time_zone.empty()) return OkStatus();
  if (!IsKnownTimeZone(p.hours.time_zone)) {
    return InvalidArgumentError(Where(path, node, "sla.policies.time_zone") +
                                ": unknown time zone \"" + p.hours.time_zone +
                                "\" (give an IANA name such as Europe/Paris)");
  }
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  const toml::table* hours = t["hours"].as_table();
  for (size_t d = 0; d < kDays.size(); ++d) {
    const std::string range =
        hours != nullptr ? (*hours)[kDays[d]].value_or(std::string()) : std::string();
    if (range.empty()) continue;
    p.hours.days[d] = ParseHoursRange(range);
    if (!p.hours.days[d]) {
      return InvalidArgumentError(Where(path, node, "sla.policies.hours." + std::string(kDays[d])) +
                                  ": give the opening hours as \"09:00-18:00\"");
    }
  }
  if (std::none_of(p.hours.days.begin(), p.hours.days.end(),
                   [](const auto& day) { return day.has_value(); })) {
    return InvalidArgumentError(Where(path, node, "sla.policies.hours") +
                                ": open at least one day, as mon = \"09:00-18:00\"");
  }
  if (const toml::array* holidays = t["holidays"].as_array()) {
    for (const toml::node& h : *holidays) {
      const std::string day = h.value_or(std::string());
      if (!IsIsoDate(day)) {
        return InvalidArgumentError(Where(path, h, "sla.policies.holidays") +
                                    ": give dates as \"2026-12-25\"");
      }
      p.hours.holidays.push_back(day);
    }
  }
  return OkStatus();
}

// After the other settings: a contact is checked against the outbound policy, which the
// file sets anywhere and the environment may change.
Status ReadSla(const toml::table& sla, const std::string& path, const OutboundPolicy& outbound,
               SlaConfig& out) {
  if (const toml::array* policies = sla["policies"].as_array()) {
    out.policies.clear();
    for (const toml::node& node : *policies) {
      const toml::table* t = node.as_table();
      if (t == nullptr)
        return InvalidArgumentError(Where(path, node, "sla.policies") + ": a table");
      SlaPolicy p;
      p.brand = (*t)["brand"].value_or(std::string("*"));
      p.min_priority = static_cast<int>((*t)["min_priority"].value_or(int64_t{0}));
      const std::string first = (*t)["first_response"].value_or(std::string());
      std::optional<int64_t> seconds = ParseDurationSeconds(first);
      if (!seconds || *seconds == 0) {
        return InvalidArgumentError(Where(path, node, "sla.policies.first_response") +
                                    ": give a duration such as \"1h\"");
      }
      p.first_response_seconds = *seconds;
      ECOUTE_RETURN_IF_ERROR(ReadSlaPolicyExtras(*t, path, node, p));
      out.policies.push_back(std::move(p));
    }
  }
  if (const toml::array* levels = sla["levels"].as_array()) {
    out.levels.clear();
    for (const toml::node& node : *levels) {
      const toml::table* t = node.as_table();
      if (t == nullptr) return InvalidArgumentError(Where(path, node, "sla.levels") + ": a table");
      EscalationLevel level;
      level.name = (*t)["name"].value_or(std::string());
      if (level.name.empty()) {
        return InvalidArgumentError(Where(path, node, "sla.levels.name") + ": give a name");
      }
      if (const toml::array* contacts = (*t)["contacts"].as_array()) {
        for (const toml::node& c : *contacts) {
          const toml::table* ct = c.as_table();
          if (ct == nullptr) continue;
          WebhookTarget target;
          target.url = (*ct)["url"].value_or(std::string());
          target.secret = (*ct)["secret"].value_or(std::string());
          if (Status valid = ValidateTarget(target, outbound); !valid.ok()) {
            return InvalidArgumentError(Where(path, c, "sla.levels.contacts") + ": " +
                                        valid.message());
          }
          level.contacts.push_back(std::move(target));
        }
      }
      out.levels.push_back(std::move(level));
    }
  }
  return OkStatus();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::string& path,
                                      const std::function<const char*(const char*)>& getenv) {
  ServerConfig config;
  toml::table root;
  if (!path.empty()) {
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      if (e.source().begin.line == 0)
        return NotFoundError(path + ": " + std::string(e.description()));
      return InvalidArgumentError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                  std::string(e.description()));
    }
    for (auto&& [section, node] : root) {
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        return InvalidArgumentError(Where(path, node, std::string(section.str())) +
                                    ": settings go in sections ([http], [store]...)");
      }
      for (auto&& [key, value] : *table) {
        if (section.str() == "sla" && (key.str() == "policies" || key.str() == "levels")) continue;
        const Setting* found = nullptr;
        for (const Setting& s : Settings()) {
          if (section.str() == s.section && key.str() == s.key) found = &s;
        }
        const std::string name = std::string(section.str()) + "." + std::string(key.str());
        if (found == nullptr) {
          return InvalidArgumentError(Where(path, value, name) +
                                      ": unknown setting (docs/SERVER.md lists them)");
        }
        ECOUTE_RETURN_IF_ERROR(ApplyNode(config, *found, value, Where(path, value, name)));
      }
    }
  }
  for (const Setting& s : Settings()) {
    const std::string name = EnvName(s);
    if (const char* value = getenv(name.c_str()); value != nullptr && *value != '\0') {
      ECOUTE_RETURN_IF_ERROR(ApplyText(config, s, value, "environment " + name));
    }
  }
  if (const toml::table* sla = root["sla"].as_table()) {
    ECOUTE_RETURN_IF_ERROR(ReadSla(*sla, path, config.alerts.outbound, config.sla));
  }
  if (config.log_format != "text" && config.log_format != "json") {
    return InvalidArgumentError("log.format: text or json");
  }
  std::string address;
  uint16_t port = 0;
  ECOUTE_RETURN_IF_ERROR(ParseListen(config.listen, address, port));
  ECOUTE_RETURN_IF_ERROR(CheckListenOptions(config.listening));
  if (config.sla.levels.empty()) {
    return InvalidArgumentError("sla: give at least one [[sla.levels]]");
  }
  return config;
}

}  // namespace ecoute::server

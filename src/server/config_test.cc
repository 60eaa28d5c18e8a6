// The service's settings: the example file, the environment over it, and errors that say
// where.
#include "server/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

namespace ecoute::server {
namespace {

const std::string kExample = std::string(ECOUTE_TEST_DATA_DIR) + "/sample/ecoute.toml";

auto NoEnv() {
  return [](const char*) -> const char* { return nullptr; };
}

std::string Write(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(ServerConfigTest, TheExampleFileLoads) {
  Result<ServerConfig> config = LoadServerConfig(kExample, NoEnv());
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->listen, "127.0.0.1:8080");
  EXPECT_EQ(config->brands_path, "data/sample/brands.toml");
  EXPECT_EQ(config->store.case_window_seconds, 7 * 86400);
  EXPECT_EQ(config->http.read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config->access.lockout_seconds, 900);
  EXPECT_EQ(config->alerts.first_backoff_seconds, 5);
  EXPECT_EQ(config->alerts.timeout_ms, 5000);
  EXPECT_EQ(config->sla_tick_ms, 10'000);
  ASSERT_EQ(config->sla.policies.size(), 4u);
  EXPECT_EQ(config->sla.policies[3].brand, "Skyway Airlines");
  EXPECT_EQ(config->sla.policies[3].first_response_seconds, 1800);
  ASSERT_EQ(config->sla.levels.size(), 3u);
  EXPECT_EQ(config->sla.levels[2].name, "manager");
}

TEST(ServerConfigTest, SiteLookupsFollowTheOutboundPolicyAndCanBeTurnedOff) {
  Result<ServerConfig> defaults = LoadServerConfig("", NoEnv());
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_TRUE(defaults->contacts.enabled);
  EXPECT_TRUE(defaults->contacts.fetch.honor_robots);
  EXPECT_TRUE(defaults->contacts.fetch.outbound.allow_private.empty());
  const std::string path = Write("ecoute-contacts.toml",
                                 "[contacts]\nsite_lookup = false\n"
                                 "[outbound]\nallow_private = [\"10.0.0.0/8\"]\n");
  Result<ServerConfig> config = LoadServerConfig(path, NoEnv());
  std::filesystem::remove(path);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_FALSE(config->contacts.enabled);
  ASSERT_EQ(config->contacts.fetch.outbound.allow_private.size(), 1u);
  EXPECT_EQ(config->contacts.fetch.outbound.allow_private[0].ToString(), "10.0.0.0/8");
}

TEST(ServerConfigTest, TheEnvironmentWinsOverTheFile) {
  std::map<std::string, std::string> env = {{"ECOUTE_HTTP_LISTEN", "0.0.0.0:9000"},
                                            {"ECOUTE_ACCESS_LOCKOUT", "2m"},
                                            {"ECOUTE_STORE_SYNC_EVERY_COMMIT", "false"},
                                            {"ECOUTE_LOG_FORMAT", "json"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  Result<ServerConfig> config = LoadServerConfig(kExample, getenv);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->listen, "0.0.0.0:9000");
  EXPECT_EQ(config->access.lockout_seconds, 120);
  EXPECT_FALSE(config->store.sync_every_commit);
  EXPECT_EQ(config->log_format, "json");
  env["ECOUTE_ACCESS_LOCKOUT"] = "soon";
  Result<ServerConfig> bad = LoadServerConfig(kExample, getenv);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "environment ECOUTE_ACCESS_LOCKOUT: \"soon\" is not a duration (90s, 15m, 4h, 2d or "
            "seconds)");
}

TEST(ServerConfigTest, ErrorsNameTheFileTheLineAndTheKey) {
  const std::string unknown =
      Write("ecoute-config-unknown.toml", "[http]\nlisten = \"127.0.0.1:1\"\nlistn = 3\n");
  Result<ServerConfig> config = LoadServerConfig(unknown, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            unknown + ":3: http.listn: unknown setting (docs/SERVER.md lists them)");
  const std::string policy =
      Write("ecoute-config-policy.toml",
            "[sla]\n[[sla.policies]]\nbrand = \"*\"\nfirst_response = \"soon\"\n"
            "[[sla.levels]]\nname = \"agent\"\n");
  config = LoadServerConfig(policy, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message().rfind(policy + ":2: sla.policies.first_response", 0), 0u)
      << config.error().message();
  const std::string syntax = Write("ecoute-config-syntax.toml", "[http\n");
  config = LoadServerConfig(syntax, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message().rfind(syntax + ":1: ", 0), 0u) << config.error().message();
  const std::string contact = Write("ecoute-config-contact.toml",
                                    "[[sla.levels]]\nname = \"agent\"\n[[sla.levels.contacts]]\n"
                                    "url = \"ftp://x\"\nsecret = \"0123456789abcdef\"\n");
  config = LoadServerConfig(contact, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message().rfind(contact + ":3: sla.levels.contacts: ", 0), 0u)
      << config.error().message();
  EXPECT_EQ(LoadServerConfig("/nonexistent/ecoute.toml", NoEnv()).error().code(),
            StatusCode::kNotFound);
  const std::string zone =
      Write("ecoute-config-zone.toml",
            "[[sla.policies]]\nbrand = \"*\"\nfirst_response = \"1h\"\n"
            "time_zone = \"Europe/Pariss\"\n[[sla.levels]]\nname = \"agent\"\n");
  config = LoadServerConfig(zone, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message().rfind(zone + ":1: sla.policies.time_zone: unknown", 0), 0u)
      << config.error().message();
}

TEST(ServerConfigTest, SlaPoliciesMayGiveANextResponseAndBusinessHours) {
  const std::string path = Write(
      "ecoute-config-hours.toml",
      "[[sla.policies]]\nbrand = \"Fnac\"\nfirst_response = \"30m\"\nnext_response = \"1h\"\n"
      "time_zone = \"Europe/Paris\"\nhours = { mon = \"09:00-18:00\", sat = \"10:00-13:00\" }\n"
      "holidays = [\"2026-12-25\"]\n[[sla.levels]]\nname = \"agent\"\n");
  Result<ServerConfig> config = LoadServerConfig(path, NoEnv());
  ASSERT_TRUE(config) << config.error().ToString();
  ASSERT_EQ(config->sla.policies.size(), 1u);
  const SlaPolicy& p = config->sla.policies[0];
  EXPECT_EQ(p.next_response_seconds, 3600);
  EXPECT_EQ(p.hours.time_zone, "Europe/Paris");
  EXPECT_EQ(p.hours.days[0], (std::pair{540, 1080}));
  EXPECT_FALSE(p.hours.days[1]);
  EXPECT_EQ(p.hours.days[5], (std::pair{600, 780}));
  EXPECT_EQ(p.hours.holidays, std::vector<std::string>{"2026-12-25"});
}

TEST(ServerConfigTest, TheOutboundAllowListIsAnArrayOfRangesForEveryRequest) {
  // Off by default: public addresses only, for webhooks and watched sources alike.
  Result<ServerConfig> config = LoadServerConfig(kExample, NoEnv());
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_TRUE(config->alerts.outbound.allow_private.empty());
  EXPECT_TRUE(config->watcher.fetch.outbound.allow_private.empty());
  EXPECT_TRUE(config->alerts.legacy_signature);

  const std::string file = Write("ecoute-config-outbound.toml",
                                 "[outbound]\nallow_private = [\"127.0.0.0/8\", \"fd00::/8\"]\n"
                                 "[alerts]\nlegacy_signature = false\n");
  config = LoadServerConfig(file, NoEnv());
  ASSERT_TRUE(config) << config.error().ToString();
  for (const OutboundPolicy* policy : {&config->alerts.outbound, &config->watcher.fetch.outbound}) {
    ASSERT_EQ(policy->allow_private.size(), 2u);
    EXPECT_EQ(policy->allow_private[0].ToString(), "127.0.0.0/8");
    EXPECT_EQ(policy->allow_private[1].ToString(), "fd00::/8");
  }
  EXPECT_FALSE(config->alerts.legacy_signature);

  // The environment, comma-separated, wins over the file.
  std::map<std::string, std::string> env = {
      {"ECOUTE_OUTBOUND_ALLOW_PRIVATE", "10.0.0.0/8, 192.168.1.20"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  config = LoadServerConfig(file, getenv);
  ASSERT_TRUE(config) << config.error().ToString();
  ASSERT_EQ(config->watcher.fetch.outbound.allow_private.size(), 2u);
  EXPECT_EQ(config->watcher.fetch.outbound.allow_private[1].ToString(), "192.168.1.20/32");
  EXPECT_EQ(config->alerts.outbound.allow_private[0].ToString(), "10.0.0.0/8");

  env["ECOUTE_OUTBOUND_ALLOW_PRIVATE"] = "10.0.0.0/8,10.0.0.1/8";
  Result<ServerConfig> bad = LoadServerConfig(file, getenv);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(),
            "environment ECOUTE_OUTBOUND_ALLOW_PRIVATE: \"10.0.0.1/8\": bits are set past the "
            "prefix (did you mean 10.0.0.0/8?)");

  const std::string scalar =
      Write("ecoute-config-outbound-scalar.toml", "[outbound]\nallow_private = \"10.0.0.0/8\"\n");
  bad = LoadServerConfig(scalar, NoEnv());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), scalar +
                                       ":2: outbound.allow_private: expected an array of strings "
                                       "([\"10.0.0.0/8\"])");
  const std::string wrong = Write("ecoute-config-outbound-wrong.toml",
                                  "[outbound]\nallow_private = [\"127.0.0.0/8\", \"intranet\"]\n");
  bad = LoadServerConfig(wrong, NoEnv());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            wrong +
                ":2: outbound.allow_private: \"intranet\": not an address range (write "
                "10.0.0.0/8, 127.0.0.1 or fd00::/8)");
}

TEST(ServerConfigTest, AnEscalationContactFollowsTheOutboundPolicy) {
  const std::string contact =
      "[[sla.levels]]\nname = \"agent\"\n[[sla.levels.contacts]]\n"
      "url = \"http://127.0.0.1:9000/hook\"\nsecret = \"0123456789abcdef\"\n";
  const std::string refused = Write("ecoute-config-contact-inward.toml", contact);
  Result<ServerConfig> config = LoadServerConfig(refused, NoEnv());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            refused +
                ":3: sla.levels.contacts: webhook URL refused by the outbound policy: "
                "127.0.0.1 is a loopback address (allow it with [outbound] allow_private)");
  // Allowed after the contact in the file, or from the environment: the whole file counts.
  const std::string allowed = Write("ecoute-config-contact-allowed.toml",
                                    contact + "[outbound]\nallow_private = [\"127.0.0.1\"]\n");
  config = LoadServerConfig(allowed, NoEnv());
  ASSERT_TRUE(config) << config.error().ToString();
  ASSERT_EQ(config->sla.levels[0].contacts.size(), 1u);
  auto getenv = [](const char* name) -> const char* {
    return std::string_view(name) == "ECOUTE_OUTBOUND_ALLOW_PRIVATE" ? "127.0.0.0/8" : nullptr;
  };
  EXPECT_TRUE(LoadServerConfig(refused, getenv));
}

TEST(ServerConfigTest, ListenAndDurations) {
  std::string address;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListen("127.0.0.1:8080", address, port).ok());
  EXPECT_EQ(address, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListen("[::1]:0", address, port).ok());
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListen(":80", address, port).ok());
  EXPECT_EQ(address, "0.0.0.0");
  EXPECT_FALSE(ParseListen("localhost", address, port).ok());
  EXPECT_FALSE(ParseListen("h:65536", address, port).ok());
  EXPECT_FALSE(ParseListen("h:8x", address, port).ok());
  EXPECT_EQ(ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(ParseDurationSeconds("15m"), 900);
  EXPECT_EQ(ParseDurationSeconds("4h"), 14400);
  EXPECT_EQ(ParseDurationSeconds("2d"), 172800);
  EXPECT_EQ(ParseDurationSeconds("42"), 42);
  EXPECT_EQ(ParseDurationSeconds("4w"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("-1s"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds(""), std::nullopt);
}

}  // namespace
}  // namespace ecoute::server

// Any request through the API, as an admin and as a one-brand agent: no crash, no hang, no
// answer that is not JSON (outside the dashboard's files, the metrics and the CSV/JSON-lines
// exports), no 500. The input is "METHOD TARGET\nHEADER: value\n...\n\nBODY" (the body
// may hold @DEEPn and @WIDEn, expanded to deep and wide JSON); the service runs on a fresh
// SQLite file holding the sample conversations.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/app.h"
#include "util/clock.h"

namespace {

using ecoute::server::App;

struct Service {
  ecoute::ManualClock clock{1795600000};
  std::unique_ptr<App> app;
  std::string admin;
  std::string agent;
};

Service* Start() {
  auto* s = new Service;
  const std::string data = std::getenv("ECOUTE_DATA_DIR") != nullptr
                               ? std::getenv("ECOUTE_DATA_DIR")
                               : ecoute::DefaultDataDir();
  const auto dir =
      std::filesystem::temp_directory_path() / ("ecoute-api-fuzz-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ecoute::server::ServerConfig config;
  config.db_path = (dir / "f.db").string();
  config.brands_path = data + "/sample/brands.toml";
  config.data_dir = data;
  config.access.fast_hashing_for_tests = true;
  config.store.sync_every_commit = false;
  auto app = App::Create(config, s->clock);
  if (!app) std::abort();
  s->app = std::move(app).value();
  auto token = [&](const char* name, ecoute::server::Role role, const char* brand) {
    ecoute::server::User user;
    user.name = name;
    user.role = role;
    if (brand != nullptr) user.brands = {brand};
    auto added = s->app->access().AddUser(user, "fuzzing password 1234");
    if (!added) std::abort();
    return s->app->access().CreateToken(added->id, "fuzz", std::nullopt)->token;
  };
  s->admin = token("admin", ecoute::server::Role::kAdmin, nullptr);
  s->agent = token("agent", ecoute::server::Role::kAgent, "Jeanerie");
  std::ifstream in(data + "/sample/posts/conversations.jsonl");
  std::stringstream posts;
  posts << in.rdbuf();
  ecoute::server::Request seed;
  seed.method = "POST";
  seed.path = seed.target = "/api/v1/posts";
  seed.headers = {{"authorization", "Bearer " + s->admin}};
  seed.body = posts.str();
  if (s->app->Handle(seed).status != 200) std::abort();
  return s;
}

// Deep and wide JSON from a few bytes: "@DEEP123" becomes 123 nested arrays around a 1,
// "@WIDE123" 123 ones in an array (each up to 200,000), so that the fuzzer can plant the
// bombs anywhere in a body that is otherwise what a route expects.
std::string Expand(std::string_view body) {
  std::string out;
  size_t at = 0;
  while (at < body.size()) {
    const size_t mark = body.find('@', at);
    if (mark == std::string_view::npos) break;
    out.append(body.substr(at, mark - at));
    const std::string_view rest = body.substr(mark);
    const bool deep = rest.starts_with("@DEEP");
    if (!deep && !rest.starts_with("@WIDE")) {
      out.push_back('@');
      at = mark + 1;
      continue;
    }
    size_t n = 0, digits = 5;
    while (digits < rest.size() && digits < 11 && rest[digits] >= '0' && rest[digits] <= '9') {
      n = n * 10 + static_cast<size_t>(rest[digits] - '0');
      ++digits;
    }
    n = std::min<size_t>(n, 200000);
    if (deep) {
      out.append(n, '[').append("1").append(n, ']');
    } else {
      out.push_back('[');
      for (size_t i = 0; i < n; ++i) out.append(i == 0 ? "1" : ",1");
      out.push_back(']');
    }
    at = mark + digits;
  }
  out.append(body.substr(std::min(at, body.size())));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Service* service = Start();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  const std::string_view line = input.substr(0, line_end);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  ecoute::server::Request request;
  request.method = std::string(line.substr(0, space));
  request.target = std::string(line.substr(space + 1));
  const size_t q = request.target.find('?');
  request.path =
      ecoute::server::PercentDecode(std::string_view(request.target).substr(0, q), false);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(request.target).substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const size_t eq = pair.find('=');
      request.query.emplace_back(ecoute::server::PercentDecode(pair.substr(0, eq), true),
                                 eq == std::string_view::npos
                                     ? ""
                                     : ecoute::server::PercentDecode(pair.substr(eq + 1), true));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  std::string_view rest = line_end == std::string_view::npos ? "" : input.substr(line_end + 1);
  while (!rest.empty() && rest.front() != '\n') {
    const size_t end = rest.find('\n');
    const std::string_view header = rest.substr(0, end);
    const size_t colon = header.find(':');
    if (colon != std::string_view::npos) {
      std::string name(header.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(name, std::string(header.substr(colon + 1)));
    }
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
  }
  if (!rest.empty()) request.body = Expand(rest.substr(1));
  // Half of the inputs as the admin, half as the one-brand agent.
  const bool as_admin = (size & 1) == 0;
  request.headers.emplace_back("authorization",
                               "Bearer " + (as_admin ? service->admin : service->agent));
  request.remote_address = "127.0.0.1";
  // The stream route would hold a subscriber: not through this harness.
  if (request.path == "/api/v1/events") return 0;
  ecoute::server::Response response = service->app->Handle(request);
  if (response.status >= 500 && response.status != 503) std::abort();
  const bool is_json = response.content_type == "application/json";
  if (is_json && !response.body.empty() &&
      nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
    std::abort();
  }
  return 0;
}

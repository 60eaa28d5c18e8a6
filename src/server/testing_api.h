// The API's test fixture, shared by the API's tests and the attack replays: an App on a
// real SQLite file with the sample posts, users of every role and brand scope with their
// API tokens, a clock the tests move, and readers of live streams over real HTTP.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fetch/outbound.h"
#include "server/app.h"
#include "server/config.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

inline constexpr int64_t kNow = 1795600000;  // 2026-11-25, after the sample conversations

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ServerConfig config;
    config.db_path = (dir_ / "t.db").string();
    config.brands_path = std::string(ECOUTE_TEST_DATA_DIR) + "/sample/brands.toml";
    config.data_dir = ECOUTE_TEST_DATA_DIR;
    config.listen = "127.0.0.1:0";
    config.access.fast_hashing_for_tests = true;
    config.alerts.first_backoff_seconds = 1;
    config.store.sync_every_commit = false;
    // The tests' receivers and feeds listen on loopback.
    const IpRange loopback = ParseIpRange("127.0.0.0/8").value();
    config.alerts.outbound.allow_private = {loopback};
    config.watcher.fetch.outbound.allow_private = {loopback};
    config.contacts.fetch.outbound.allow_private = {loopback};
    // No site looked up unless a test asks: the tests reach no site but their own.
    config.contacts.enabled = false;
    config.listening.bluesky_search_url = "";  // a brand's back-fill never leaves the machine
    Adjust(config);
    Result<std::unique_ptr<App>> app = App::Create(config, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(app).value();
    AddUser("admin", Role::kAdmin, {});
    AddUser("manager_j", Role::kManager, {"Jeanerie"});
    AddUser("agent_j", Role::kAgent, {"Jeanerie"});
    AddUser("agent_l", Role::kAgent, {"Lunéa"});
    AddUser("viewer_j", Role::kViewer, {"Jeanerie"});
    AddUser("manager_all", Role::kManager, {}, true);
    Result<IngestSummary> pushed = Push(
        "admin", ReadFile(std::string(ECOUTE_TEST_DATA_DIR) + "/sample/posts/conversations.jsonl"));
    ASSERT_TRUE(pushed);
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }
  virtual void Adjust(ServerConfig&) {}

  void AddUser(const std::string& name, Role role, std::vector<std::string> brands,
               bool all = false) {
    User user;
    user.name = name;
    user.role = role;
    user.brands = std::move(brands);
    user.all_brands = all;
    Result<User> added = app_->access().AddUser(user, "correct horse battery " + name);
    ASSERT_TRUE(added) << added.error().ToString();
    Result<NewToken> token = app_->access().CreateToken(added->id, "test", std::nullopt);
    ASSERT_TRUE(token);
    tokens_[name] = token->token;
  }

  Result<IngestSummary> Push(const std::string&, const std::string& jsonl) {
    Response r = Call("admin", "POST", "/api/v1/posts", jsonl);
    if (r.status != 200) return InvalidArgumentError(r.body);
    return IngestSummary{};
  }

  // One request through the API as `who` (a user name with a bearer token, or "" for
  // nobody).
  Response Call(const std::string& who, const std::string& method, const std::string& target,
                const std::string& body = "",
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request;
    request.method = method;
    request.target = target;
    const size_t q = target.find('?');
    request.path = PercentDecode(target.substr(0, q), false);
    if (q != std::string::npos) {
      std::string_view query = std::string_view(target).substr(q + 1);
      while (!query.empty()) {
        const size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        const size_t eq = pair.find('=');
        request.query.emplace_back(
            PercentDecode(pair.substr(0, eq), true),
            eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
      }
    }
    request.headers = std::move(headers);
    if (!who.empty()) request.headers.emplace_back("authorization", "Bearer " + tokens_[who]);
    request.body = body;
    request.remote_address = "127.0.0.1";
    return app_->Handle(request);
  }

  json CallJson(const std::string& who, const std::string& method, const std::string& target,
                const std::string& body = "") {
    Response r = Call(who, method, target, body);
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << target << ": " << r.body;
    return j;
  }

  int64_t CaseOf(const std::string& brand) {
    json cases = CallJson("admin", "GET", "/api/v1/cases?limit=100");
    for (const json& c : cases["cases"]) {
      if (c["brand"] == brand) return c["id"].get<int64_t>();
    }
    ADD_FAILURE() << "no case for " << brand;
    return 0;
  }

  // Every {id} of a route's pattern replaced by an id that exists, so that the request
  // reaches whatever reads its body.
  std::string Concrete(const std::string& pattern) {
    std::string path = pattern;
    const size_t at = path.find("{id}");
    if (at == std::string::npos) return path;
    std::string id = "1";
    if (pattern.starts_with("/api/v1/cases/")) id = std::to_string(CaseOf("Jeanerie"));
    if (pattern.starts_with("/api/v1/users/")) id = std::to_string(UserId("agent_j"));
    return path.replace(at, 4, id);
  }
  int64_t UserId(const std::string& name) {
    const json users = CallJson("admin", "GET", "/api/v1/users");
    for (const json& u : users["users"]) {
      if (u["name"] == name) return u["id"].get<int64_t>();
    }
    ADD_FAILURE() << "no user " << name;
    return 0;
  }
  int64_t TokenId(const std::string& name) {
    const int64_t user = UserId(name);
    const json tokens = CallJson("admin", "GET", "/api/v1/tokens");
    for (const json& t : tokens["tokens"]) {
      if (t["user_id"] == user) return t["id"].get<int64_t>();
    }
    ADD_FAILURE() << "no token for " << name;
    return 0;
  }

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<App> app_;
  std::map<std::string, std::string> tokens_;
};

class LiveApiTest : public ApiTest {
 protected:
  void StartHttp() {
    ASSERT_TRUE(app_->Start({.http = true, .background = true}).ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  std::string base_;
};

// Reads a server-sent event stream into `received` until `stop`. Thread-safe: curl's thread
// appends under `mutex` while the test reads Text().
struct StreamReader {
  Mutex mutex;
  std::string received ECOUTE_GUARDED_BY(mutex);
  std::atomic<bool> stop{false};
  std::atomic<bool> ended{false};  // the transfer is over: stopped, or ended by the server
  long status = 0;                 // NOLINT(google-runtime-int): libcurl's type
  static size_t Write(char* data, size_t size, size_t n, void* self) {
    auto* reader = static_cast<StreamReader*>(self);
    MutexLock lock(reader->mutex);
    reader->received.append(data, size * n);
    return size * n;
  }
  static int Progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<StreamReader*>(self)->stop.load() ? 1 : 0;
  }
  std::string Text() {
    MutexLock lock(mutex);
    return received;
  }
};

// Reads the stream at `url` on a thread, sending `header` ("Authorization: Bearer ...",
// "Cookie: ..."), until the reader is stopped or the server ends the stream.
inline std::thread StreamWithHeader(const std::string& url, const std::string& header,
                                    StreamReader& reader) {
  return std::thread([url, header, &reader] {
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, header.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &StreamReader::Write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reader);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &StreamReader::Progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &reader);
    curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reader.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    reader.ended = true;
  });
}

inline std::thread Stream(const std::string& url, const std::string& token, StreamReader& reader) {
  return StreamWithHeader(url, "Authorization: Bearer " + token, reader);
}

inline bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace
}  // namespace ecoute::server

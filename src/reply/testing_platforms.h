// For tests only: Mastodon and Bluesky as their public API documentation describes them, on
// loopback (fetch/testing_http_server.h), small enough to read: the requests' shape is
// checked (method, path, query, headers, JSON fields, credentials) and anything else is
// answered as the platform would, 400/401/404. A script of answers makes the next posting
// attempts fail as platforms do: an HTTP status with headers, or a connection dropped once
// the post is made (so that a retry must find it rather than post twice).
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fetch/testing_http_server.h"
#include "util/mutex.h"

namespace ecoute::testing {

inline std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

// The query's parameters of a request path.
inline std::map<std::string, std::string> QueryOf(const std::string& path) {
  std::map<std::string, std::string> out;
  const size_t q = path.find('?');
  if (q == std::string::npos) return out;
  std::string_view rest = std::string_view(path).substr(q + 1);
  while (!rest.empty()) {
    const std::string_view pair = rest.substr(0, rest.find('&'));
    const size_t eq = pair.find('=');
    out[PercentDecoded(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : PercentDecoded(pair.substr(eq + 1));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
  }
  return out;
}

inline HttpResponse JsonAnswer(int status, const nlohmann::json& body,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return HttpResponse{status, std::move(headers), body.dump(), 0};
}

// A scripted answer: `status` 0 means "make the post, then drop the connection".
struct Scripted {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;
};

// docs.joinmastodon.org: POST /api/v1/statuses (form or JSON; Idempotency-Key honoured for
// an hour), GET /api/v2/search (resolve=true fetches a remote status).
class FakeMastodon {
 public:
  std::string token = "mastodon-token-1";
  std::string remote_status_id = "777";  // what search resolves a remote URL to

  FakeMastodon() : server_([this](const HttpRequest& r) { return Handle(r); }) {}
  std::string Url() const { return server_.Url(""); }
  std::string Host() const { return "127.0.0.1"; }
  void Script(std::vector<Scripted> script) {
    MutexLock lock(mutex_);
    script_.assign(script.begin(), script.end());
  }
  // The statuses made, by idempotency key.
  std::map<std::string, nlohmann::json> Statuses() {
    MutexLock lock(mutex_);
    return statuses_;
  }
  std::vector<HttpRequest> Requests() { return server_.Requests(); }
  std::vector<std::string> problems() {
    MutexLock lock(mutex_);
    return problems_;
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    MutexLock lock(mutex_);
    const auto auth = r.headers.find("authorization");
    if (auth == r.headers.end() || auth->second != "Bearer " + token) {
      return JsonAnswer(401, {{"error", "The access token is invalid"}});
    }
    if (r.method == "GET" && r.path.starts_with("/api/v2/search?")) {
      auto q = QueryOf(r.path);
      if (q["resolve"] != "true" || q["type"] != "statuses" || q["q"].empty()) {
        problems_.push_back("search without q, resolve=true, type=statuses: " + r.path);
      }
      return JsonAnswer(200, {{"accounts", nlohmann::json::array()},
                              {"statuses", {{{"id", remote_status_id}, {"url", q["q"]}}}},
                              {"hashtags", nlohmann::json::array()}});
    }
    if (r.method != "POST" || r.path != "/api/v1/statuses") {
      return JsonAnswer(404, {{"error", "Record not found"}});
    }
    return PostStatus(r);
  }

  HttpResponse PostStatus(const HttpRequest& r) ECOUTE_REQUIRES(mutex_) {
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    const auto key = r.headers.find("idempotency-key");
    if (!r.headers.count("content-type") ||
        r.headers.at("content-type").find("application/json") != 0 || !body.is_object() ||
        !body.contains("status") || !body["status"].is_string() || key == r.headers.end()) {
      problems_.emplace_back("a status post without JSON status or Idempotency-Key");
      return JsonAnswer(422, {{"error", "Validation failed: Text can't be blank"}});
    }
    Scripted next{200, {}, 0};
    if (!script_.empty()) {
      next = script_.front();
      script_.pop_front();
    }
    if (next.status != 200 && next.status != 0) {
      HttpResponse failure = JsonAnswer(next.status, {{"error", "scripted failure"}}, next.headers);
      failure.delay_ms = next.delay_ms;
      return failure;
    }
    if (!statuses_.count(key->second)) {  // the same key within the hour: the same status
      const std::string id = std::to_string(1000 + statuses_.size());
      statuses_[key->second] = {{"id", id},
                                {"uri", Url() + "/users/brand/statuses/" + id},
                                {"url", Url() + "/@brand/" + id},
                                {"content", body["status"]},
                                {"in_reply_to_id", body.value("in_reply_to_id", "")},
                                {"visibility", body.value("visibility", "public")}};
    }
    HttpResponse ok = JsonAnswer(200, statuses_[key->second]);
    ok.drop = next.status == 0;
    ok.delay_ms = next.delay_ms;
    return ok;
  }

  Mutex mutex_;
  std::deque<Scripted> script_ ECOUTE_GUARDED_BY(mutex_);
  std::map<std::string, nlohmann::json> statuses_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<std::string> problems_ ECOUTE_GUARDED_BY(mutex_);
  HttpServer server_;  // last: stopped first
};

// atproto.com / docs.bsky.app: com.atproto.server.createSession, app.bsky.feed.getPosts,
// com.atproto.repo.getRecord and createRecord (a record key taken is refused).
class FakeBluesky {
 public:
  std::string handle = "brand.bsky.social";
  std::string app_password = "abcd-efgh-ijkl-mnop";
  std::string did = "did:plc:brand";

  FakeBluesky() : server_([this](const HttpRequest& r) { return Handle(r); }) {}
  std::string Url() const { return server_.Url(""); }
  void Script(std::vector<Scripted> script) {
    MutexLock lock(mutex_);
    script_.assign(script.begin(), script.end());
  }
  std::map<std::string, nlohmann::json> Records() {  // by rkey
    MutexLock lock(mutex_);
    return records_;
  }
  std::vector<std::string> problems() {
    MutexLock lock(mutex_);
    return problems_;
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    MutexLock lock(mutex_);
    if (r.method == "POST" && r.path == "/xrpc/com.atproto.server.createSession") {
      const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
      if (!body.is_object() || body.value("identifier", "") != handle ||
          body.value("password", "") != app_password) {
        return JsonAnswer(401, {{"error", "AuthenticationRequired"},
                                {"message", "Invalid identifier or password"}});
      }
      return JsonAnswer(
          200, {{"accessJwt", "jwt-1"}, {"refreshJwt", "jwt-r"}, {"handle", handle}, {"did", did}});
    }
    const auto auth = r.headers.find("authorization");
    if (auth == r.headers.end() || auth->second != "Bearer jwt-1") {
      return JsonAnswer(401, {{"error", "AuthenticationRequired"}, {"message", "no token"}});
    }
    if (r.method == "GET" && r.path.starts_with("/xrpc/app.bsky.feed.getPosts?")) {
      const std::string uri = QueryOf(r.path)["uris"];
      if (!uri.starts_with("at://")) return JsonAnswer(200, {{"posts", nlohmann::json::array()}});
      return JsonAnswer(
          200,
          {{"posts",
            {{{"uri", uri},
              {"cid", "bafyparent"},
              {"record",
               {{"$type", "app.bsky.feed.post"},
                {"text", "ma commande n'arrive pas"},
                {"reply",
                 {{"root",
                   {{"uri", "at://did:plc:root/app.bsky.feed.post/root1"}, {"cid", "bafyroot"}}},
                  {"parent",
                   {{"uri", "at://did:plc:root/app.bsky.feed.post/root1"},
                    {"cid", "bafyroot"}}}}}}}}}}});
    }
    if (r.method == "GET" && r.path.starts_with("/xrpc/com.atproto.repo.getRecord?")) {
      auto q = QueryOf(r.path);
      if (q["repo"] != did || q["collection"] != "app.bsky.feed.post" ||
          !records_.count(q["rkey"])) {
        return JsonAnswer(400,
                          {{"error", "RecordNotFound"}, {"message", "Could not locate record"}});
      }
      return JsonAnswer(
          200, {{"uri", UriOf(q["rkey"])}, {"cid", "bafynew"}, {"value", records_[q["rkey"]]}});
    }
    if (r.method == "POST" && r.path == "/xrpc/com.atproto.repo.createRecord") return Create(r);
    return JsonAnswer(404, {{"error", "MethodNotImplemented"}});
  }

  std::string UriOf(const std::string& rkey) const {
    return "at://" + did + "/app.bsky.feed.post/" + rkey;
  }

  HttpResponse Create(const HttpRequest& r) ECOUTE_REQUIRES(mutex_) {
    const nlohmann::json b = nlohmann::json::parse(r.body, nullptr, false);
    const bool shaped =
        b.is_object() && b.value("repo", "") == did &&
        b.value("collection", "") == "app.bsky.feed.post" && b.value("rkey", "").size() == 13 &&
        b.contains("record") && b["record"].is_object() &&
        b["record"].value("$type", "") == "app.bsky.feed.post" && b["record"].contains("text") &&
        b["record"].contains("createdAt") && b["record"].contains("reply") &&
        b["record"]["reply"]["root"].value("cid", "") == "bafyroot" &&
        b["record"]["reply"]["parent"].value("cid", "") == "bafyparent";
    if (!shaped) {
      problems_.push_back("createRecord not shaped as the lexicon says: " + r.body);
      return JsonAnswer(400, {{"error", "InvalidRequest"}, {"message", "Input is invalid"}});
    }
    Scripted next{200, {}, 0};
    if (!script_.empty()) {
      next = script_.front();
      script_.pop_front();
    }
    if (next.status != 200 && next.status != 0) {
      return JsonAnswer(next.status, {{"error", "Scripted"}, {"message", "scripted failure"}},
                        next.headers);
    }
    const std::string rkey = b["rkey"];
    if (records_.count(rkey)) {
      return JsonAnswer(400, {{"error", "InvalidRequest"}, {"message", "Record already exists"}});
    }
    records_[rkey] = b["record"];
    HttpResponse ok = JsonAnswer(200, {{"uri", UriOf(rkey)}, {"cid", "bafynew"}});
    ok.drop = next.status == 0;
    return ok;
  }

  Mutex mutex_;
  std::deque<Scripted> script_ ECOUTE_GUARDED_BY(mutex_);
  std::map<std::string, nlohmann::json> records_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<std::string> problems_ ECOUTE_GUARDED_BY(mutex_);
  HttpServer server_;
};

}  // namespace ecoute::testing

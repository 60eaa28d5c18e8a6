// The API's state kept by App: its route table and its caches (api.cc).
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/access.h"
#include "http/http.h"
#include "server/app.h"

namespace ecoute::server {

struct Context;  // a request being handled (api.cc)
using RouteHandler = Response (*)(Context&);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/api/v1/cases/{id}/respond"
  Role min_role;
  RouteHandler handler;
  bool requires_all_brands = false;  // changes that concern every brand (ingest, sources)
};

struct App::ApiState {
  // Case lists, by scope and query, valid for one generation of the store's cases and for
  // a few seconds (SLA states move with time).
  struct CachedList {
    uint64_t generation = 0;
    int64_t computed_at = 0;
    std::string body;
  };
  std::shared_mutex cache_mutex;
  std::unordered_map<std::string, CachedList> case_lists;
  std::vector<Route> routes;
};

}  // namespace ecoute::server

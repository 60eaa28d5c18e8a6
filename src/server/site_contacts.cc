#include "server/site_contacts.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "sources/site_contacts.h"

namespace ecoute::server {
namespace {

// The customer's own posts: neither the brand's replies nor others' comments.
bool IsCustomers(const CasePost& p) {
  return p.role != CaseRole::kBrandReply && p.role != CaseRole::kComment;
}

bool IsHtml(const FetchResult& page) {
  std::string type = page.content_type;
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type.empty() || type.find("html") != std::string::npos;
}

}  // namespace

SiteContacts::SiteContacts(SharedStore& store, const Clock& clock, SiteLookupOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

SiteContacts::~SiteContacts() { Stop(); }

bool SiteContacts::IsWebPage(std::string_view source, std::string_view url) {
  return (source == "html" || source == "rss" || source == "atom") && !SiteHomeUrl(url).empty();
}

void SiteContacts::Enqueue(const std::vector<int64_t>& case_ids) {
  if (!options_.enabled) return;
  MutexLock lock(mutex_);
  for (const int64_t id : case_ids) {
    if (queue_.size() >= options_.max_pending) break;
    if (queued_.insert(id).second) queue_.push_back(id);
  }
  wake_.NotifyAll();
}

void SiteContacts::Start() {
  if (!options_.enabled || thread_.joinable()) return;
  {
    MutexLock lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void SiteContacts::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    queue_.clear();
    queued_.clear();
    wake_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
}

void SiteContacts::Run() {
  while (true) {
    int64_t case_id = 0;
    {
      MutexLock lock(mutex_);
      while (!stopping_ && queue_.empty()) wake_.Wait(mutex_);
      if (stopping_) return;
      case_id = queue_.front();
      queue_.pop_front();
      queued_.erase(case_id);
      busy_ = true;
    }
    Status status = LookUp(case_id);
    if (!status.ok() && on_error) on_error(status);
    MutexLock lock(mutex_);
    busy_ = false;
  }
}

Status SiteContacts::LookUp(int64_t case_id) {
  {
    MutexLock lock(mutex_);
    ++counters_.lookups;
  }
  Result<CaseDetail> detail = store_.Lock()->GetCase(case_id);
  if (!detail) {
    // Forgotten since it was queued: nothing to do.
    return detail.error().code() == StatusCode::kNotFound ? OkStatus() : detail.error();
  }
  if (detail->summary.status == CaseStatus::kResolved ||
      detail->summary.status == CaseStatus::kClosed) {
    return OkStatus();
  }
  std::vector<ContactRoute> known;
  const CasePost* page = nullptr;
  for (const CasePost& p : detail->posts) {
    if (!IsCustomers(p)) continue;
    known.insert(known.end(), p.contacts.begin(), p.contacts.end());
    if (page == nullptr && IsWebPage(p.source, p.url)) page = &p;
  }
  if (page == nullptr || HasWritableRoute(known)) return OkStatus();
  const std::string home = SiteHomeUrl(page->url);
  std::vector<ContactRoute> routes;
  if (!Cached(home, routes)) {
    routes = FetchSite(home, page->contacts);
    Remember(home, routes);
  }
  if (routes.empty()) return OkStatus();
  ECOUTE_ASSIGN_OR_RETURN(const bool added, store_.Lock()->AddContactRoutes(page->post_id, routes));
  if (!added) return OkStatus();
  {
    MutexLock lock(mutex_);
    ++counters_.found;
  }
  if (on_found) on_found(case_id);
  return OkStatus();
}

std::vector<ContactRoute> SiteContacts::FetchSite(const std::string& home,
                                                  const std::vector<ContactRoute>& page_routes) {
  std::vector<ContactRoute> routes;
  std::string fetched_url = home;
  for (const SitePage which : {SitePage::kHome, SitePage::kContact}) {
    std::string url = home;
    if (which == SitePage::kContact) {
      std::vector<ContactRoute> candidates = routes;
      candidates.insert(candidates.end(), page_routes.begin(), page_routes.end());
      url = SiteContactPageToFetch(candidates, home);
      if (url.empty() || url == home || url == fetched_url) break;
    }
    {
      MutexLock lock(mutex_);
      ++counters_.fetches;
    }
    Result<FetchResult> got = fetch(url, options_.fetch);
    if (!got) {
      if (on_error) on_error(Status(got.error().code(), "site contacts: " + got.error().message()));
      // Refused (robots.txt, the outbound policy): the site's other pages are not asked.
      if (got.error().code() == StatusCode::kPermissionDenied) break;
      continue;
    }
    if (which == SitePage::kHome) fetched_url = got->url;
    if (got->status != 200 || !IsHtml(*got)) continue;
    MergeContactRoutes(FindSiteContactRoutes(got->body, got->url, which), routes);
  }
  return routes;
}

bool SiteContacts::Cached(const std::string& home, std::vector<ContactRoute>& routes) {
  const int64_t now = clock_.Now();
  MutexLock lock(mutex_);
  auto it = sites_.find(home);
  if (it == sites_.end() || now - it->second.fetched_at >= options_.per_site_seconds ||
      now < it->second.fetched_at) {
    return false;
  }
  routes = it->second.routes;
  return true;
}

void SiteContacts::Remember(const std::string& home, std::vector<ContactRoute> routes) {
  const int64_t now = clock_.Now();
  MutexLock lock(mutex_);
  sites_[home] = Site{now, std::move(routes)};
  if (sites_.size() <= options_.max_sites) return;
  std::erase_if(sites_, [&](const auto& site) {
    return now - site.second.fetched_at >= options_.per_site_seconds;
  });
  while (sites_.size() > options_.max_sites) {
    sites_.erase(std::min_element(sites_.begin(), sites_.end(), [](const auto& a, const auto& b) {
      return a.second.fetched_at < b.second.fetched_at;
    }));
  }
}

SiteContacts::Counters SiteContacts::counters() const {
  MutexLock lock(mutex_);
  return counters_;
}

bool SiteContacts::idle() const {
  MutexLock lock(mutex_);
  return queue_.empty() && !busy_;
}

}  // namespace ecoute::server

#include "server/reply_options.h"

#include <algorithm>

#include "reply/senders.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

// The customer's own posts: neither the brand's replies nor others' comments.
bool IsCustomers(const CasePost& p) {
  return p.role != CaseRole::kBrandReply && p.role != CaseRole::kComment;
}

// An e-mail address, not a handle ("@jane@mastodon.social").
bool IsAddress(std::string_view text) {
  return !text.empty() && text.front() != '@' && text.find('@') != std::string_view::npos &&
         text.find(' ') == std::string_view::npos;
}

// The customer's first route of `kind`, "" when none.
std::string RouteOf(const CaseDetail& d, std::string_view kind) {
  for (const CasePost& p : d.posts) {
    if (!IsCustomers(p)) continue;
    for (const ContactRoute& route : p.contacts) {
      if (route.kind == kind) return route.value;
    }
  }
  return "";
}

std::string MastodonHandle(const std::string& author) {
  return author.empty() || author.starts_with("@") ? author : "@" + author;
}

// The kinds whose value is a page one can open.
bool IsPage(std::string_view kind) {
  return kind == "author_page" || kind == "contact_page" || kind == "website" ||
         kind == "linkedin" || kind == "facebook" || kind == "youtube";
}

}  // namespace

std::optional<ReplyTarget> ReplyTargetOn(const CaseDetail& d, std::string_view channel) {
  std::optional<ReplyTarget> target;
  for (const CasePost& p : d.posts) {
    if (!IsCustomers(p)) continue;
    if (channel == "webhook") {
      target = ReplyTarget{p.url.empty() ? p.ext_id : p.url, p.author};
    } else if (p.source != channel) {
      continue;
    } else if (channel == "mastodon") {
      target = ReplyTarget{p.url.empty() ? p.ext_id : p.url, MastodonHandle(p.author)};
    } else if (channel == "bluesky") {
      target = ReplyTarget{p.ext_id, p.author};
    } else if (channel == "email") {
      target = ReplyTarget{p.ext_id, IsAddress(p.author) ? p.author : ""};
    }
  }
  if (channel == "mastodon" && !target) {
    const std::string handle = RouteOf(d, "mastodon");
    if (!handle.empty()) target = ReplyTarget{"", handle};
  }
  if (channel == "email") {
    if (!target) target = ReplyTarget{};  // to an address the agent gives, else a route
    if (target->recipient.empty()) target->recipient = RouteOf(d, "email");
  }
  return target;
}

json ContactOptions(const CaseDetail& d,
                    const std::function<bool(std::string_view channel)>& has_account) {
  json contacts = json::array();
  std::vector<ContactRoute> seen;
  for (const CasePost& p : d.posts) {
    if (!IsCustomers(p)) continue;
    for (const ContactRoute& route : p.contacts) {
      const auto same = [&route](const ContactRoute& r) {
        return r.kind == route.kind && r.value == route.value;
      };
      if (std::find_if(seen.begin(), seen.end(), same) != seen.end()) continue;
      seen.push_back(route);
      json allows = json::array();
      if (route.kind == "email" && has_account("email")) allows.push_back("reply_email");
      if (route.kind == "mastodon" && has_account("mastodon")) allows.push_back("reply_mastodon");
      if (IsPage(route.kind)) allows.push_back("visit");
      json contact = {{"kind", route.kind}, {"value", route.value}, {"allows", allows}};
      if (route.where == "site") contact["where"] = "site";  // found on the site, not the page
      contacts.push_back(std::move(contact));
    }
  }
  return contacts;
}

json ReplyOptionsJson(const CaseDetail& d,
                      const std::function<bool(std::string_view channel)>& has_account) {
  const std::string& brand = d.summary.brand;
  json options = json::array();
  for (std::string_view channel : reply::kChannels) {
    const std::string name(channel);
    const std::optional<ReplyTarget> target = ReplyTargetOn(d, channel);
    const bool account = has_account(channel);
    json limit = nullptr;
    if (std::optional<reply::TextLimit> l = reply::LimitOf(channel)) {
      limit = {{"max", l->limit}, {"unit", l->unit}};
    }
    std::string why_not;
    if (!target) {
      why_not = "the customer did not write on " + name;
      if (channel == "mastodon") why_not += " and left no Mastodon handle";
    } else if (!account) {
      why_not = "no " + name + " account for " + brand + ": an admin adds one in Settings";
    } else if (channel == "email" && target->recipient.empty()) {
      why_not = "give the customer's e-mail address";
    }
    options.push_back({{"channel", name},
                       {"available", target && account},
                       {"account", account},
                       {"recipient", target ? target->recipient : ""},
                       {"in_reply_to", target ? target->in_reply_to : ""},
                       {"limit", limit},
                       {"why_not", why_not}});
  }
  return {{"options", options}, {"contacts", ContactOptions(d, has_account)}};
}

}  // namespace ecoute::server

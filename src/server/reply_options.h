// Where a case can be answered from ecoute (docs/REPLIES.md), from what is known of its
// posts: the reader that made each one (CasePost::source), its author, and the contact
// routes found beside it. Shared by the API's reply options and `ecoute cases reply`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/cases.h"

namespace ecoute::server {

// What a reply on a channel answers, and to whom.
struct ReplyTarget {
  std::string in_reply_to;  // the customer's post (URL, AT URI, Message-ID); "" for a mention
  std::string recipient;    // the customer's handle or address
};

// The target of a reply on `channel` (a reply channel): the customer's latest post there,
// else a route to them (a Mastodon handle: a public post mentioning them; an e-mail
// address); nullopt when the customer cannot be reached there. An e-mail's recipient is the
// author's address, else the first e-mail route, else "" (the agent gives one).
std::optional<ReplyTarget> ReplyTargetOn(const CaseDetail& detail, std::string_view channel);

// The contact routes of the customer's posts, each once, with what each allows the team:
// "reply_email" (an e-mail from ecoute: the brand has an e-mail account), "reply_mastodon"
// (a post mentioning the handle: the brand has a Mastodon account), "visit" (a page).
// [{kind, value, allows: [...]}].
nlohmann::json ContactOptions(const CaseDetail& detail,
                              const std::function<bool(std::string_view channel)>& has_account);

// The options answer of GET /api/v1/cases/{id}/reply-options: {"options": [{channel,
// available, account, recipient, in_reply_to, limit, why_not}], "contacts": [...]}.
nlohmann::json ReplyOptionsJson(const CaseDetail& detail,
                                const std::function<bool(std::string_view channel)>& has_account);

}  // namespace ecoute::server

// Reply templates for a case (ecoute/templates.h, docs/REPLIES.md): which ones suit it, best
// first, and their text filled in for it. Pure functions over values: no store, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"
#include "ecoute/templates.h"

namespace ecoute::reply {

// What a template's variables stand for in one case. Values are inserted as they are:
// what they hold is never read as a variable.
struct TemplateValues {
  std::string customer;  // the case's customer
  std::string brand;     // the case's brand
  std::string case_id;   // the case's id, in decimal
  std::string agent;     // who answers
};

// Checks a body's variables: each "{{" closed by "}}", each name between (spaces around
// it allowed: "{{ customer }}") one of kTemplateVariables. kInvalidArgument otherwise,
// naming the variable (or where the unclosed "{{" is) and listing the known ones.
Status CheckTemplateBody(std::string_view body);

// The body with its variables replaced by `values`, in one pass. A body that
// CheckTemplateBody refuses is returned with what it cannot read left as it is.
std::string RenderTemplate(std::string_view body, const TemplateValues& values);

// What a case is, for choosing its templates.
struct CaseTraits {
  std::string brand;
  std::string lang;   // its opening post's language, as analyzed ("fr", "fr-CA"); "" unknown
  std::string topic;  // TopicName, "" when none
};

// The templates that suit the case, best first: those of its brand before those for every
// brand; then those of its language (a tag "fr" suits a post in "fr-CA", the exact tag
// before) before those for every language; then those of its topic before those for every
// topic; then by name and id. Templates for another brand, language or topic are left out.
std::vector<ReplyTemplate> SuggestTemplates(const std::vector<ReplyTemplate>& templates,
                                            const CaseTraits& traits);

// A language tag in its usual case ("FR-ca" -> "fr-CA", "zh-hant" -> "zh-Hant"), or nullopt
// when it is not a short BCP 47 tag: a language of 2 or 3 letters, then subtags of 2 to 8
// letters or digits, at most 12 bytes in all.
std::optional<std::string> NormalizeLanguageTag(std::string_view tag);

}  // namespace ecoute::reply

// Severity, reach and priority: how bad a post is for the brand, raised by the audience it
// can get, with the readable reasons behind both.
#include <algorithm>
#include <cmath>
#include <string>

#include "analyze/analyzer_internal.h"

namespace ecoute {

namespace {

std::string_view TopicLabel(Topic topic) {
  switch (topic) {
    case Topic::kBilling:
      return "billing";
    case Topic::kDelay:
      return "delay";
    case Topic::kSupport:
      return "customer support";
    case Topic::kProductDefect:
      return "product defect";
    case Topic::kCancellation:
      return "cancellation";
    case Topic::kContract:
      return "contract";
    case Topic::kStaffAttitude:
      return "staff attitude";
    case Topic::kDelivery:
      return "delivery";
    case Topic::kOutage:
      return "outage";
    case Topic::kOther:
      return "other";
  }
  return "other";
}

std::string_view SignalLabel(Signal signal) {
  switch (signal) {
    case Signal::kLegal:
      return "legal threat";
    case Signal::kMedia:
      return "media threat";
    case Signal::kRepeatedContact:
      return "repeated failed contacts";
    case Signal::kWaiting:
      return "long wait";
    case Signal::kHumiliation:
      return "humiliation";
    case Signal::kDiscrimination:
      return "discrimination";
    case Signal::kStranded:
      return "stranded";
  }
  return "";
}

// How much each urgency signal adds to the severity of a complaint.
double SignalWeight(Signal signal) {
  switch (signal) {
    case Signal::kLegal:
    case Signal::kMedia:
      return 0.15;
    case Signal::kRepeatedContact:
      return 0.10;
    case Signal::kWaiting:
      return 0.08;
    case Signal::kHumiliation:
      return 0.15;
    case Signal::kDiscrimination:
      return 0.20;
    case Signal::kStranded:
      return 0.15;
  }
  return 0;
}

// Severity by stance alone: a complaint's grows with the weight of its cues.
double StanceSeverity(Stance stance, double complaint_strength) {
  switch (stance) {
    case Stance::kComplaint:
      return 0.35 + 0.15 * std::min(1.0, complaint_strength / 4);
    case Stance::kQuestion:
      return 0.15;
    case Stance::kResolution:
      return 0.10;
    case Stance::kNeutral:
      return 0.05;
    case Stance::kPraise:
      return 0.02;
  }
  return 0;
}

// "complaint to X", "praise for Y" (or the post's stance when it names no brand), then
// the topics.
void AppendVerdictReasons(Analysis& out) {
  for (const BrandVerdict& b : out.brands) {
    if (b.stance == Stance::kNeutral) continue;
    std::string reason(StanceName(b.stance));
    reason += b.stance == Stance::kComplaint    ? " to "
              : b.stance == Stance::kQuestion   ? " to "
              : b.stance == Stance::kResolution ? " with "
                                                : " for ";
    reason += b.name;
    out.reasons.push_back(std::move(reason));
  }
  if (out.brands.empty() && out.stance != Stance::kNeutral) {
    out.reasons.emplace_back(StanceName(out.stance));
  }
  for (const TopicVerdict& t : out.topics) out.reasons.emplace_back(TopicLabel(t.topic));
}

// Severity raised by the facts: the largest amount and the urgency signals (at 30 % when
// the post is no complaint), and a long wait told in a complaint.
double AddFactSeverity(bool is_complaint, double severity, Analysis& out) {
  const double signal_scale = is_complaint ? 1.0 : 0.3;
  double largest = 0;
  std::string_view largest_text;
  for (const Money& m : out.facts.money) {
    if (m.amount > largest) {
      largest = m.amount;
      largest_text = m.text;
    }
  }
  if (largest >= 100) {
    severity += signal_scale * (largest >= 10000 ? 0.15 : largest >= 1000 ? 0.10 : 0.05);
    out.reasons.push_back("amount: " + std::string(largest_text));
  }
  for (const auto& [signal, cue] : out.facts.signals) {
    severity += signal_scale * SignalWeight(signal);
    out.reasons.push_back(std::string(SignalLabel(signal)) + " (\"" + std::string(cue) + "\")");
  }
  int64_t longest = 0;
  std::string_view longest_text;
  for (const Duration& d : out.facts.durations) {
    if (d.seconds > longest) {
      longest = d.seconds;
      longest_text = d.text;
    }
  }
  if (is_complaint && longest >= 3600) {
    severity += longest >= int64_t{7} * 86400 ? 0.08 : longest >= 86400 ? 0.05 : 0.03;
    out.reasons.push_back("waited " + std::string(longest_text));
  }
  return severity;
}

// Reach: the audience the post can get, from what the source tells (log scales), in 0..1.
double Reach(const Post& post, std::vector<std::string>& reasons) {
  double reach = 0;
  const int64_t followers = post.author.followers;
  if (followers > 0) {
    reach += 0.6 * std::min(1.0, std::log10(1.0 + static_cast<double>(followers)) / 6);
    if (followers >= 10000) {
      reasons.push_back("audience: " + std::to_string(followers) + " followers");
    }
  }
  if (post.comments > 0) {
    reach += 0.2 * std::min(1.0, std::log10(1.0 + static_cast<double>(post.comments)) / 3);
    if (post.comments >= 10) reasons.push_back(std::to_string(post.comments) + " comments");
  }
  if (post.shares > 0) {
    reach += 0.2 * std::min(1.0, std::log10(1.0 + static_cast<double>(post.shares)) / 4);
    if (post.shares >= 10) reasons.push_back(std::to_string(post.shares) + " shares");
  }
  return reach;
}

}  // namespace

// Severity: how bad the post is for the brand, from its stance and its urgency signals. A
// post that complains to any brand counts as a complaint. Priority: severity raised by
// the post's reach.
void Analyzer::Impl::Score(const Post& post, Analysis& out, double complaint_strength) {
  double severity = StanceSeverity(out.stance, complaint_strength);
  const bool is_complaint = out.stance == Stance::kComplaint ||
                            std::any_of(out.brands.begin(), out.brands.end(), [](const auto& b) {
                              return b.stance == Stance::kComplaint;
                            });
  if (is_complaint && out.stance != Stance::kComplaint) severity = std::max(severity, 0.35);
  AppendVerdictReasons(out);
  severity = AddFactSeverity(is_complaint, severity, out);
  out.severity = std::clamp(severity, 0.0, 1.0);
  const double reach = Reach(post, out.reasons);
  const double priority = std::min(1.0, out.severity * (1.0 + 0.5 * reach) + 0.1 * reach);
  out.priority = static_cast<int>(std::lround(100 * priority));
}

}  // namespace ecoute

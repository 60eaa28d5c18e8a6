// The names of the analysis enums, as they appear in JSON, lexicons and the CLI.
#include <array>

#include "ecoute/analysis.h"

namespace ecoute {
namespace {

constexpr std::array<std::string_view, 5> kStanceNames = {"neutral", "complaint", "praise",
                                                          "resolution", "question"};
constexpr std::array<std::string_view, kTopicCount> kTopicNames = {
    "billing",  "delay",          "support",  "product_defect", "cancellation",
    "contract", "staff_attitude", "delivery", "outage",         "other"};
constexpr std::array<std::string_view, kChannelCount> kChannelNames = {
    "phone", "email", "letter", "twitter", "facebook", "blog", "video", "shop", "chat"};
constexpr std::array<std::string_view, kSignalCount> kSignalNames = {
    "legal", "media", "repeated_contact", "waiting", "humiliation", "discrimination", "stranded"};

template <typename Enum, size_t N>
bool ParseName(const std::array<std::string_view, N>& names, std::string_view name, Enum& out) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      out = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view StanceName(Stance s) { return kStanceNames[static_cast<size_t>(s)]; }
std::string_view TopicName(Topic t) { return kTopicNames[static_cast<size_t>(t)]; }
std::string_view ChannelName(Channel c) { return kChannelNames[static_cast<size_t>(c)]; }
std::string_view SignalName(Signal s) { return kSignalNames[static_cast<size_t>(s)]; }
bool ParseStance(std::string_view name, Stance& out) { return ParseName(kStanceNames, name, out); }
bool ParseTopic(std::string_view name, Topic& out) { return ParseName(kTopicNames, name, out); }
bool ParseChannel(std::string_view name, Channel& out) {
  return ParseName(kChannelNames, name, out);
}
bool ParseSignal(std::string_view name, Signal& out) { return ParseName(kSignalNames, name, out); }

}  // namespace ecoute

// Which mentions name a brand, the verdicts they open, and the brands tagged only in copy.
#include <algorithm>
#include <string>

#include "analyze/analyzer_internal.h"
#include "util/url.h"

namespace ecoute {

namespace {

// Spans reported per brand; `mentions` still counts them all.
constexpr size_t kMaxSpansPerBrand = 256;

}  // namespace

BrandVerdict& VerdictOf(const BrandCatalog& catalog, uint32_t brand, Analysis& out) {
  const std::string_view name = catalog.brands[brand].name;
  auto it = std::find_if(out.brands.begin(), out.brands.end(),
                         [&](const BrandVerdict& v) { return v.name.data() == name.data(); });
  if (it != out.brands.end()) return *it;
  out.brands.emplace_back().name = name;
  return out.brands.back();
}

// A common word counts with a sign of the brand nearby: a capital mid-sentence, a frame
// ("chez orange"), another mention of the brand that needs no context, or a topic word in
// its sentence. Confirmed mentions and links to a brand's domain open its verdict.
void Analyzer::Impl::ConfirmBrands(const Post& post, Scratch::State& s, Analysis& out) const {
  const NormalizedText& n = s.normalized;
  s.firm_brands.clear();
  for (const Mention& m : s.mentions) {
    if (!m.needs_context || m.is_capitalized_mid_sentence || m.follows_brand_frame) {
      s.firm_brands.push_back(m.brand);
    }
  }
  std::sort(s.firm_brands.begin(), s.firm_brands.end());
  for (Mention& m : s.mentions) {
    if (!m.needs_context) continue;
    if (m.is_capitalized_mid_sentence || m.follows_brand_frame ||
        std::binary_search(s.firm_brands.begin(), s.firm_brands.end(), m.brand) ||
        std::binary_search(s.topic_sentences.begin(), s.topic_sentences.end(), m.sentence)) {
      m.needs_context = false;
    }
  }
  for (const Mention& m : s.mentions) {
    if (m.needs_context) continue;
    BrandVerdict& verdict = VerdictOf(catalog, m.brand, out);
    ++verdict.mentions;
    if (verdict.spans.size() < kMaxSpansPerBrand) {
      verdict.spans.push_back(Span{n.OriginalBegin(m.begin), n.OriginalEnd(m.end)});
    }
  }
  for (const std::string& link : post.links) {
    std::string host = UrlHost(link);
    while (!host.empty()) {
      if (auto found = brand_by_domain.find(host); found != brand_by_domain.end()) {
        ++VerdictOf(catalog, found->second, out).mentions;
        break;
      }
      const size_t dot = host.find('.');
      if (dot == std::string::npos) break;
      host.erase(0, dot + 1);
    }
  }
}

// Brands tagged in a list of handles that ends the post ("... @arcep @ufcquechoisir", a
// copy to a regulator, a carrier, a journalist) are bystanders: what the post says is
// meant for the brand it speaks to, the first it names, not for everyone in copy
// (docs/ANNOTATION.md). Their verdict is neutral.
void Analyzer::Impl::QuietBystanders(std::string_view original, Analysis& out) {
  if (out.brands.size() < 2) return;
  // The trailing run: from the end, handles (and hashtags) separated by spaces and commas.
  size_t run_begin = original.size();
  int handles = 0;
  size_t at = original.size();
  while (at > 0) {
    size_t end = at;
    while (end > 0 &&
           std::string_view(" \t\r\n,.;").find(original[end - 1]) != std::string_view::npos) {
      --end;
    }
    size_t begin = end;
    while (begin > 0 &&
           std::string_view(" \t\r\n,;").find(original[begin - 1]) == std::string_view::npos) {
      --begin;
    }
    if (begin == end || (original[begin] != '@' && original[begin] != '#')) break;
    if (original[begin] == '@') ++handles;
    run_begin = begin;
    at = begin;
  }
  if (handles < 2) return;
  for (size_t v = 1; v < out.brands.size(); ++v) {
    BrandVerdict& verdict = out.brands[v];
    if (verdict.spans.empty()) continue;
    const bool all_in_copy = std::all_of(verdict.spans.begin(), verdict.spans.end(),
                                         [&](const Span& span) { return span.begin >= run_begin; });
    if (!all_in_copy || verdict.stance == Stance::kNeutral) continue;
    verdict.stance = Stance::kNeutral;
    verdict.confidence = 0.6;
    verdict.cues.clear();
  }
}

}  // namespace ecoute

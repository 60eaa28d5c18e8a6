#include "server/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace ecoute::server {

void Counter::Inc(double v) {
  if (!(v >= 0)) return;  // negative or NaN
  value_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::erase_if(bounds_, [](double b) { return std::isnan(b) || std::isinf(b); });
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  // The first bound >= v: buckets are "le", inclusive.
  const size_t bucket =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

struct Metrics::Family {
  Type type = Type::kCounter;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> buckets;  // histograms
  // Keyed by label values, in label_names' order; the map keeps them sorted for Render.
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters;
  std::map<std::vector<std::string>, std::unique_ptr<Gauge>> gauges;
  std::map<std::vector<std::string>, std::unique_ptr<Histogram>> histograms;
  std::function<double()> read;  // callback gauges
};

namespace {

std::vector<std::string> Values(MetricLabels labels) {
  std::vector<std::string> values;
  values.reserve(labels.size());
  for (const auto& [name, value] : labels) values.emplace_back(value);
  return values;
}

// Whole numbers (counts, most gauges) in full, "400000" rather than "4e+05"; others in the
// shortest form that reads back exactly, "0.0005" rather than "5e-04"; "+Inf", "NaN".
void AppendNumber(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    out += std::to_string(static_cast<int64_t>(v));
  } else {
    char buffer[32];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general);
    out.append(buffer, error == std::errc() ? end : buffer);
  }
}

std::string Number(double v) {
  std::string out;
  AppendNumber(v, out);
  return out;
}

// Label values escape backslash, double quote and line feed; help text the first and last.
void AppendEscaped(std::string_view text, bool is_label_value, std::string& out) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && is_label_value) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// {a="x",b="y"}, with `extra` (le="0.5") last; nothing when there are no labels at all.
void AppendLabels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, std::string& out) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(values[i], true, out);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string_view name, std::string_view suffix,
                  const std::vector<std::string>& names, const std::vector<std::string>& values,
                  double value, std::string& out, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  AppendLabels(names, values, extra_name, extra_value, out);
  out += ' ';
  AppendNumber(value, out);
  out += '\n';
}

}  // namespace

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family* Metrics::FamilyLocked(std::string_view name, std::string_view help, Type type,
                                       MetricLabels labels) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->type = type;
    family->help = help;
    for (const auto& [label, value] : labels) family->label_names.emplace_back(label);
    it = families_.emplace(std::string(name), std::move(family)).first;
    return it->second.get();
  }
  Family& family = *it->second;
  bool same = family.type == type && family.label_names.size() == labels.size();
  if (same) {
    size_t i = 0;
    for (const auto& [label, value] : labels) same = same && family.label_names[i++] == label;
  }
  assert(same && "a metric family registered again with another type or other labels");
  return same ? &family : nullptr;
}

Counter& Metrics::GetCounter(std::string_view name, std::string_view help, MetricLabels labels) {
  MutexLock lock(mutex_);
  Family* family = FamilyLocked(name, help, Type::kCounter, labels);
  if (family == nullptr) return *stray_counters_.emplace_back(std::make_unique<Counter>());
  auto& child = family->counters[Values(labels)];
  if (!child) child = std::make_unique<Counter>();
  return *child;
}

Gauge& Metrics::GetGauge(std::string_view name, std::string_view help, MetricLabels labels) {
  MutexLock lock(mutex_);
  Family* family = FamilyLocked(name, help, Type::kGauge, labels);
  if (family == nullptr) return *stray_gauges_.emplace_back(std::make_unique<Gauge>());
  auto& child = family->gauges[Values(labels)];
  if (!child) child = std::make_unique<Gauge>();
  return *child;
}

Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help,
                                 std::vector<double> buckets, MetricLabels labels) {
  MutexLock lock(mutex_);
  const bool is_new = !families_.contains(name);
  Family* family = FamilyLocked(name, help, Type::kHistogram, labels);
  if (family == nullptr) {
    return *stray_histograms_.emplace_back(std::make_unique<Histogram>(std::move(buckets)));
  }
  if (is_new) family->buckets = std::move(buckets);
  auto& child = family->histograms[Values(labels)];
  if (!child) child = std::make_unique<Histogram>(family->buckets);
  return *child;
}

void Metrics::AddCallbackGauge(std::string_view name, std::string_view help,
                               std::function<double()> read) {
  MutexLock lock(mutex_);
  Family* family = FamilyLocked(name, help, Type::kCallbackGauge, {});
  if (family != nullptr) family->read = std::move(read);
}

std::string Metrics::Render() const {
  // Callbacks may take their own locks (a queue's); calling them outside ours keeps any
  // order between the two impossible to invert.
  std::vector<std::pair<std::string, std::function<double()>>> callbacks;
  {
    MutexLock lock(mutex_);
    for (const auto& [name, family] : families_) {
      if (family->type == Type::kCallbackGauge) callbacks.emplace_back(name, family->read);
    }
  }
  std::map<std::string, double, std::less<>> read;
  for (const auto& [name, callback] : callbacks) {
    read[name] = callback ? callback() : std::nan("");
  }

  std::string out;
  MutexLock lock(mutex_);
  for (const auto& [name, family] : families_) {
    const auto value = read.find(name);
    // A callback added between the two locks is read at the next scrape.
    if (family->type == Type::kCallbackGauge && value == read.end()) continue;
    out += "# HELP " + name + ' ';
    AppendEscaped(family->help, false, out);
    out += "\n# TYPE " + name + ' ';
    out += family->type == Type::kCounter     ? "counter"
           : family->type == Type::kHistogram ? "histogram"
                                              : "gauge";
    out += '\n';
    const std::vector<std::string>& names = family->label_names;
    switch (family->type) {
      case Type::kCounter:
        for (const auto& [values, counter] : family->counters) {
          AppendSample(name, "", names, values, counter->value(), out);
        }
        break;
      case Type::kGauge:
        for (const auto& [values, gauge] : family->gauges) {
          AppendSample(name, "", names, values, gauge->value(), out);
        }
        break;
      case Type::kCallbackGauge:
        AppendSample(name, "", names, {}, value->second, out);
        break;
      case Type::kHistogram:
        for (const auto& [values, histogram] : family->histograms) {
          const std::vector<uint64_t> counts = histogram->CumulativeCounts();
          const std::vector<double>& bounds = histogram->bounds();
          for (size_t i = 0; i < counts.size(); ++i) {
            const std::string le = i < bounds.size() ? Number(bounds[i]) : "+Inf";
            AppendSample(name, "_bucket", names, values, static_cast<double>(counts[i]), out, "le",
                         le);
          }
          AppendSample(name, "_sum", names, values, histogram->sum(), out);
          AppendSample(name, "_count", names, values, static_cast<double>(counts.back()), out);
        }
        break;
    }
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace ecoute::server

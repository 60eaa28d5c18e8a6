// The ground truth of TWCS: threads as the connected components of the reply graph, each
// attributed to a brand, and the brands' response figures, written as JSON.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "twcs.h"
#include "twcs_internal.h"
#include "util/json.h"

namespace ecoute::twcs {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHandleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The first "@handle" in `text` that names one of the accounts (Twitter handles ignore
// case); empty if none does.
std::string FirstAddressedAccount(
    std::string_view text, const std::unordered_map<std::string, std::string>& account_of_handle) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at > 0 && IsHandleChar(text[at - 1])) continue;  // an e-mail address
    size_t end = at + 1;
    while (end < text.size() && IsHandleChar(text[end])) ++end;
    const auto it = account_of_handle.find(ToLower(text.substr(at + 1, end - at - 1)));
    if (it != account_of_handle.end()) return it->second;
  }
  return "";
}

void AppendNumber(double value, std::string& out) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15) {
    out += std::to_string(static_cast<int64_t>(value));
    return;
  }
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, error == std::errc() ? end : buffer);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// JSON output, shared with the comparison (twcs_internal.h)

void AppendOptional(const std::optional<double>& value, std::string& out) {
  if (value) {
    AppendNumber(*value, out);
  } else {
    out += "null";
  }
}

void AppendRatio(double value, std::string& out) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  out += buffer;
}

void AppendIntArray(const std::vector<int64_t>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  out += ']';
}

std::vector<Thread> FindThreads(const std::vector<Tweet>& tweets) {
  std::vector<size_t> order(tweets.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(tweets[a].created_at, tweets[a].id) <
           std::pair(tweets[b].created_at, tweets[b].id);
  });
  std::unordered_map<int64_t, size_t> index_of;
  for (size_t i = 0; i < tweets.size(); ++i) index_of.emplace(tweets[i].id, i);

  std::vector<size_t> parent(tweets.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  const auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const auto join = [&](size_t a, int64_t other_id) {
    const auto it = index_of.find(other_id);
    if (it != index_of.end()) parent[find(a)] = find(it->second);
  };
  for (size_t i = 0; i < tweets.size(); ++i) {
    if (tweets[i].parent_id) join(i, *tweets[i].parent_id);
    for (const int64_t response : tweets[i].response_ids) join(i, response);
  }

  std::vector<Thread> threads;
  std::vector<std::vector<size_t>> members;
  std::unordered_map<size_t, size_t> thread_of_root;
  for (const size_t i : order) {
    const auto [it, is_new] = thread_of_root.emplace(find(i), threads.size());
    if (is_new) {
      threads.emplace_back();
      members.emplace_back();
    }
    threads[it->second].tweet_ids.push_back(tweets[i].id);
    members[it->second].push_back(i);
  }
  // Brand accounts by lower-case handle, for threads the brand never tweets in.
  std::unordered_map<std::string, std::string> account_of_handle;
  for (const Tweet& tweet : tweets) {
    if (!tweet.is_inbound) account_of_handle.emplace(ToLower(tweet.author_id), tweet.author_id);
  }
  for (size_t t = 0; t < threads.size(); ++t) {
    Thread& thread = threads[t];
    size_t start_position = members[t].size();
    for (size_t k = 0; k < members[t].size(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound && thread.brand_account.empty()) thread.brand_account = tweet.author_id;
      if (tweet.is_inbound && !thread.start) {
        thread.start = tweet.created_at;
        start_position = k;
      }
    }
    for (size_t k = 0; k < members[t].size() && thread.brand_account.empty(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound) continue;
      thread.brand_account = FirstAddressedAccount(tweet.text, account_of_handle);
      thread.is_brand_from_mention = !thread.brand_account.empty();
    }
    for (size_t k = start_position + 1; k < members[t].size(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound && tweet.author_id == thread.brand_account) {
        thread.first_response_s = tweet.created_at - *thread.start;
        break;
      }
    }
  }
  return threads;
}

std::optional<double> NearestRankPercentile(const std::vector<int64_t>& sorted, int percent) {
  if (sorted.empty() || percent < 1 || percent > 100) return std::nullopt;
  // Integer arithmetic: ceil(percent * n / 100) without floating-point rounding.
  const size_t n = sorted.size();
  const size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;
  return static_cast<double>(sorted[std::max<size_t>(rank, 1) - 1]);
}

Truth ComputeTruth(const std::vector<Tweet>& tweets) {
  Truth truth;
  truth.threads = FindThreads(tweets);
  const std::vector<std::string> accounts = BrandAccounts(tweets);
  const std::vector<std::string> names = UniqueNames(accounts);
  std::map<std::string, BrandTruth> by_account;
  for (size_t i = 0; i < accounts.size(); ++i) {
    BrandTruth& brand = by_account[accounts[i]];
    brand.name = names[i];
    brand.handle = "@" + accounts[i];
  }
  for (const Thread& thread : truth.threads) {
    if (thread.brand_account.empty()) {
      ++truth.threads_without_brand;
      continue;
    }
    if (!thread.start) {
      ++truth.threads_without_customer;
      continue;
    }
    if (thread.is_brand_from_mention) ++truth.threads_brand_from_mention;
    BrandTruth& brand = by_account[thread.brand_account];
    ++brand.threads;
    brand.tweets += static_cast<int64_t>(thread.tweet_ids.size());
    if (thread.first_response_s) {
      ++brand.answered;
      brand.response_times_s.push_back(*thread.first_response_s);
    }
  }
  for (auto& [account, brand] : by_account) {
    std::sort(brand.response_times_s.begin(), brand.response_times_s.end());
    brand.first_response_median_s = NearestRankPercentile(brand.response_times_s, 50);
    brand.first_response_p90_s = NearestRankPercentile(brand.response_times_s, 90);
    truth.brands.push_back(std::move(brand));
  }
  std::sort(truth.brands.begin(), truth.brands.end(), [](const BrandTruth& a, const BrandTruth& b) {
    return a.threads != b.threads ? a.threads > b.threads : a.name < b.name;
  });
  return truth;
}

std::string FormatTruthJson(const Truth& truth) {
  std::string out = "{\"threads\": [";
  size_t threads_of_two = 0;
  for (size_t t = 0; t < truth.threads.size(); ++t) {
    const Thread& thread = truth.threads[t];
    if (thread.tweet_ids.size() >= 2) ++threads_of_two;
    out += t == 0 ? "\n  [" : ",\n  [";
    for (size_t i = 0; i < thread.tweet_ids.size(); ++i) {
      if (i > 0) out += ", ";
      AppendJsonString(std::to_string(thread.tweet_ids[i]), out);
    }
    out += ']';
  }
  out += "\n],\n\"brands\": [";
  for (size_t b = 0; b < truth.brands.size(); ++b) {
    const BrandTruth& brand = truth.brands[b];
    out += b == 0 ? "\n  {\"name\": " : ",\n  {\"name\": ";
    AppendJsonString(brand.name, out);
    out += ", \"handle\": ";
    AppendJsonString(brand.handle, out);
    out += ", \"threads\": " + std::to_string(brand.threads);
    out += ", \"answered\": " + std::to_string(brand.answered);
    out += ", \"first_response_median_s\": ";
    AppendOptional(brand.first_response_median_s, out);
    out += ", \"first_response_p90_s\": ";
    AppendOptional(brand.first_response_p90_s, out);
    out += ", \"tweets\": " + std::to_string(brand.tweets);
    out += ", \"response_times_s\": ";
    AppendIntArray(brand.response_times_s, out);
    out += '}';
  }
  out += "\n],\n\"summary\": {\"threads\": " + std::to_string(truth.threads.size());
  out += ", \"threads_of_two_or_more\": " + std::to_string(threads_of_two);
  out += ", \"threads_without_customer\": " + std::to_string(truth.threads_without_customer);
  out += ", \"threads_without_brand\": " + std::to_string(truth.threads_without_brand);
  out += ", \"threads_brand_from_mention\": " + std::to_string(truth.threads_brand_from_mention);
  out += ", \"percentile\": \"nearest-rank: the value at rank ceil(p/100 * n)\"}}\n";
  return out;
}

}  // namespace ecoute::twcs

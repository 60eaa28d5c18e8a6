// What the files of the TWCS tools share beyond twcs.h: not a contract for the tools that use
// the library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ecoute::twcs {

// One name per account, unique: an account whose name is taken keeps its account name
// (twcs_catalog.cc).
std::vector<std::string> UniqueNames(const std::vector<std::string>& accounts);

// JSON numbers as the truth and the comparison write them (twcs_truth.cc): a value, an
// integer without decimals, null for none; a ratio with four decimals; ids as a list.
void AppendOptional(const std::optional<double>& value, std::string& out);
void AppendRatio(double value, std::string& out);
void AppendIntArray(const std::vector<int64_t>& values, std::string& out);

}  // namespace ecoute::twcs

#include "state/state_records.h"

#include <array>
#include <utility>

namespace geoekm {
namespace {

constexpr std::array<std::pair<CopyStatus, std::string_view>, 5> kCopyStatusNames{{
    {CopyStatus::kUnverified, "unverified"},
    {CopyStatus::kVerified, "verified"},
    {CopyStatus::kMissing, "missing"},
    {CopyStatus::kMismatch, "mismatch"},
    {CopyStatus::kQuarantined, "quarantined"},
}};

template <typename Enum, std::size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> Parse(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view CopyStatusName(CopyStatus status) { return NameOf(kCopyStatusNames, status); }
std::optional<CopyStatus> ParseCopyStatus(std::string_view name) { return Parse(kCopyStatusNames, name); }

}  // namespace geoekm

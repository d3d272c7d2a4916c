#include "state/state_records.h"

#include <array>
#include <utility>

namespace geoekm {
namespace {

constexpr std::array<std::pair<RecordedHealth, std::string_view>, 6> kHealthNames{{
    {RecordedHealth::kUnknown, "unknown"},
    {RecordedHealth::kHealthy, "healthy"},
    {RecordedHealth::kDegraded, "degraded"},
    {RecordedHealth::kEjected, "ejected"},
    {RecordedHealth::kProbing, "probing"},
    {RecordedHealth::kQuarantined, "quarantined"},
}};

constexpr std::array<std::pair<CopyStatus, std::string_view>, 5> kCopyStatusNames{{
    {CopyStatus::kUnverified, "unverified"},
    {CopyStatus::kVerified, "verified"},
    {CopyStatus::kMissing, "missing"},
    {CopyStatus::kMismatch, "mismatch"},
    {CopyStatus::kQuarantined, "quarantined"},
}};

// Must match the CHECK constraint on operations.op in schema_migrations.cc.
constexpr std::array<std::pair<OperationKind, std::string_view>, 12> kOperationNames{{
    {OperationKind::kWrap, "wrap"},
    {OperationKind::kUnwrap, "unwrap"},
    {OperationKind::kGetKey, "get-key"},
    {OperationKind::kListVersions, "list-versions"},
    {OperationKind::kProbe, "probe"},
    {OperationKind::kVerify, "verify"},
    {OperationKind::kBackup, "backup"},
    {OperationKind::kRestore, "restore"},
    {OperationKind::kImport, "import"},
    {OperationKind::kCreate, "create"},
    {OperationKind::kRotate, "rotate"},
    {OperationKind::kUpdate, "update"},
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

std::string_view RecordedHealthName(RecordedHealth health) { return NameOf(kHealthNames, health); }
RecordedHealth ParseRecordedHealth(std::string_view name) {
  return Parse(kHealthNames, name).value_or(RecordedHealth::kUnknown);
}

std::string_view CopyStatusName(CopyStatus status) { return NameOf(kCopyStatusNames, status); }
std::optional<CopyStatus> ParseCopyStatus(std::string_view name) { return Parse(kCopyStatusNames, name); }

std::string_view OperationKindName(OperationKind kind) { return NameOf(kOperationNames, kind); }
std::optional<OperationKind> ParseOperationKind(std::string_view name) { return Parse(kOperationNames, name); }

}  // namespace geoekm

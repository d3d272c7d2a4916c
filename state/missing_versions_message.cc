#include "state/missing_versions_message.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace geoekm {

std::string FormatUtcTimestamp(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::string> FormatMissingVersionsMessage(std::string_view vault,
                                                        std::span<const MissingVersion> missing) {
  std::optional<std::int64_t> oldest;
  std::optional<std::int64_t> newest;
  for (const MissingVersion& m : missing) {
    if (m.vault != vault) continue;
    const std::int64_t created_ms = m.created ? *m.created * 1000 : m.first_seen_ms;
    oldest = oldest ? std::min(*oldest, created_ms) : created_ms;
    newest = newest ? std::max(*newest, created_ms) : created_ms;
  }
  if (!oldest) return std::nullopt;
  return "Target server '" + std::string(vault) + "' does not have access to all AKV Uris created between " +
         FormatUtcTimestamp(*oldest) + " and " + FormatUtcTimestamp(*newest) +
         ". Please retry operation after restoring all AKV Uris.";
}

Result<std::optional<std::string>> MissingVersionsMessage(StateStore& store, std::string_view vault,
                                                          std::string_view key_name) {
  auto missing = store.MissingVersions(key_name);
  if (!missing.ok()) return missing.status();
  return FormatMissingVersionsMessage(vault, *missing);
}

}  // namespace geoekm

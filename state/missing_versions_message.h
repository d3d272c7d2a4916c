// The Azure SQL style message for key versions a vault cannot provide:
//   "Target server '<vault>' does not have access to all AKV Uris created
//    between <t1> and <t2>. Please retry operation after restoring all AKV Uris."
// (the wording of Azure SQL's restore error, so that operators recognise it;
// here the "target server" is the vault that lacks the versions). t1/t2 are
// the creation times (vault attribute, else first seen) of the oldest and
// newest missing version, as ISO 8601 UTC.
//
// Thread safety: pure function / StateStore's own contract.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "state/state_records.h"
#include "state/state_store.h"

namespace geoekm {

// "2026-11-23T06:50:41Z" for unix milliseconds.
std::string FormatUtcTimestamp(std::int64_t unix_ms);

// The message for `vault` from `missing` (entries for other vaults are
// ignored); nullopt when the vault lacks nothing.
std::optional<std::string> FormatMissingVersionsMessage(std::string_view vault,
                                                        std::span<const MissingVersion> missing);

// Reads the store's MissingVersions(key_name) and formats the message for `vault`.
Result<std::optional<std::string>> MissingVersionsMessage(StateStore& store, std::string_view vault,
                                                          std::string_view key_name = {});

}  // namespace geoekm

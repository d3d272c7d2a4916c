// RotationJournal: the record of one `geoekm rotate`, kept in a file beside
// its escrow (`<escrow>.journal.json`, 0600, replaced atomically) — which key
// name, which new material (thumbprint), the import order, and per vault the
// version id it got and when it was verified.
//
// Why beside the escrow and not in the state store: the escrow is the one
// thing a resume cannot do without (it holds the private key), so the two
// travel together; the state store is per SQL node (an availability group
// has several) and may be rebuilt, while the journal belongs to the
// operator's rotation. It holds no secret (thumbprint and version ids are
// public). It is a convenience, not the truth: `rotate --resume` asks every
// vault again whether it holds the thumbprint before importing, so a crash
// between an import and the journal write never yields a second copy.
//
// Thread safety: plain values and functions over one file; one writer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace geoekm {

struct RotationJournalVault {
  std::string version;                 // "" = not imported yet
  std::optional<std::int64_t> verified_unix_s;
};

struct RotationJournal {
  std::string key_name;
  std::string thumbprint;
  int key_size = 0;
  std::int64_t started_unix_s = 0;
  std::optional<std::int64_t> completed_unix_s;
  std::vector<std::string> order;  // import order: secondaries first, primary last
  std::map<std::string, RotationJournalVault> vaults;
};

// `<escrow path>.journal.json`
std::string RotationJournalPath(const std::string& escrow_path);

Result<RotationJournal> ReadRotationJournal(const std::string& path);
// Writes a temporary file (0600), fsyncs it and renames it over `path`.
Status WriteRotationJournal(const std::string& path, const RotationJournal& journal);

}  // namespace geoekm

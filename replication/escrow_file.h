// The operator's escrow of a TDE protector: the private RSA key kept outside
// every vault, so a version can be imported (BYOK) into a vault of another
// geography, where a backup blob does not restore (docs/ARCHITECTURE.md
// §Backup blobs). `geoekm rotate` writes one per new version, `geoekm sync`
// reads them.
//
// Formats read: passphrase-encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE KEY"),
// unencrypted PKCS#8/PKCS#1 PEM, and PKCS#12 (PFX). Written: encrypted
// PKCS#8 PEM only (LocalRsaKey::ToEncryptedPkcs8Pem), created 0600 with
// O_EXCL — an existing file is never overwritten (it may be the only copy
// of an older version) — and fsync'ed with its directory before the call
// returns, because rotate touches no vault until the escrow is durable.
//
// The passphrase comes from a file that must be private to its owner
// (mode & 077 == 0, like the configuration's secret files); it is held only
// in wiped buffers and never stored, logged or put into a message
// (docs/ARCHITECTURE.md, invariant 5).
//
// Thread safety: functions over the file system; no shared state.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "replication/local_rsa_key.h"

namespace geoekm {

// The passphrase file's content without trailing CR/LF/blanks. A missing,
// unreadable, group/other-accessible or empty file is error 5001
// (kInvalidInput), naming the file and what is wrong.
Result<SecureString> ReadPassphraseFile(const std::string& path);

// The key in an escrow file (PEM or PFX, told apart by content). Errors:
// 3816 (PEM) or 3809 (PFX) for a wrong passphrase or unreadable content;
// 5001 when the file cannot be read.
Result<std::unique_ptr<LocalRsaKey>> ReadEscrowFile(const std::string& path, const SecureString& passphrase);

// Writes `key` encrypted under `passphrase` to a new file `path` (0600,
// O_EXCL, fsync'ed, directory fsync'ed). Error 5001 when it exists or
// cannot be created; nothing is left behind on failure.
Status WriteEscrowFile(const std::string& path, const LocalRsaKey& key, const SecureString& passphrase);

}  // namespace geoekm

// Checks on files a configuration refers to (CA bundles, secret files,
// certificates): where a relative path points, that the file is there, and
// that files holding secrets are private to their owner.
//
// Thread safety: pure functions over the file system.
#pragma once

#include <optional>
#include <string>

namespace geoekm {

// A relative `value` is taken relative to the directory of `config_file`
// (so a config and its files can move together); absolute paths stay.
std::string ResolveConfigPath(const std::string& config_file, const std::string& value);

// nullopt when `path` is a readable regular file, else what is wrong
// ("does not exist", ...), phrased to follow the file name.
std::optional<std::string> CheckReadableFile(const std::string& path);

// Like CheckReadableFile, and the file must not be readable or writable by
// group or others (mode & 077 == 0), because it holds a secret.
std::optional<std::string> CheckPrivateFile(const std::string& path);

// Same permission rule for a file already known to exist (the config file
// itself when it holds an inline secret).
std::optional<std::string> CheckOwnerOnlyMode(const std::string& path);

}  // namespace geoekm

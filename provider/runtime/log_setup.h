// SetUpLogging: points the Poco logger of a vault set ("geoekm.<set_name>",
// EventLogger()) at the destination its configuration names, at its level:
//   - log_file empty: stderr (Poco::ConsoleChannel);
//   - log_file set: a Poco::FileChannel that rotates at 10 MB and keeps
//     five numbered archives (geoekm.log.0 newest ... geoekm.log.4), so a
//     vault flapping for days cannot fill the disk.
// Lines are "<UTC time> <Level> geoekm[<pid>] <set_name>: <event>"
// (README.md, "Logging"; the set name is the message parameter "set").
// The file is opened here, so a log_file that cannot be written is a
// startup error (5001) instead of silently lost events.
//
// Each vault set has its own logger, so sets in one process do not swap
// each other's channel; for one set the last configuration set up wins.
//
// Thread safety: call before the events of the configuration it sets up
// start (VaultSetRuntime::Open does); EventLogger() may be used anywhere.
#pragma once

#include <Poco/Logger.h>

#include <string>

#include "config/vault_set_config.h"
#include "core/status.h"

namespace geoekm {

inline constexpr const char* kLogRotation = "10 M";
inline constexpr const char* kLogArchives = "5";

Status SetUpLogging(const ProviderConfig& provider);

Poco::Logger& EventLogger(const std::string& set_name);

}  // namespace geoekm

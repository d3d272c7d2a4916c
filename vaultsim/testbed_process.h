// Daemonised child processes of the testbed: `vaultsim <mode> --config ..`
// started in their own session with stdout/stderr appended to a log file and
// a pid file next to it, stopped with SIGTERM then SIGKILL.
//
// Thread safety: functions over the process table and files; call from one
// thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace geoekm::vaultsim {

// The path of the running vaultsim binary (/proc/self/exe resolved).
std::string SelfExecutable();

// Starts `exe args...` detached (setsid, stdin /dev/null, output to log_file),
// writes its pid to pid_file, returns the pid.
Result<int> StartDaemon(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file,
                        const std::string& pid_file);

// Waits until port_file holds a port number, or the process dies, or timeout.
Result<int> WaitForPortFile(int pid, const std::string& port_file, const std::string& log_file,
                            std::chrono::milliseconds timeout);

// Stops the process named by pid_file if it is still running and its command
// line mentions `marker` (guards against a recycled pid): SIGTERM, then
// SIGKILL after grace. Removes the pid file. Missing file = nothing to do.
// Returns true when a process was stopped.
bool StopDaemon(const std::string& pid_file, const std::string& marker, std::chrono::milliseconds grace);

// Like StopDaemon but SIGKILL at once (a crash or lost host: no clean
// shutdown); waits until the process is gone. Removes the pid file.
bool KillDaemon(const std::string& pid_file, const std::string& marker);

// True when pid_file names a live process whose command line mentions marker.
bool DaemonRunning(const std::string& pid_file, const std::string& marker);

// Runs `exe args...` to completion (output appended to log_file); returns the
// exit code.
Result<int> RunToCompletion(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file);

}  // namespace geoekm::vaultsim

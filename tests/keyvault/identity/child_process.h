// ChildProcess: a helper process for integration tests (vaultsim). Output
// goes to a log file; the child gets SIGKILL if the test process dies, and
// the destructor stops it (SIGTERM, then SIGKILL after a grace period).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace geoekm {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();
  // Runs to completion; returns the exit code (or -1).
  int Wait(std::chrono::milliseconds timeout);
  void Stop();

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Polls until `path` holds a positive integer (a port file) or the timeout /
// the child's death; returns 0 on failure.
int WaitForPortFile(const std::string& path, ChildProcess& child, std::chrono::milliseconds timeout);

std::string ReadFileText(const std::string& path);

}  // namespace geoekm

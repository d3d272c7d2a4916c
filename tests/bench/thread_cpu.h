// CPU clocks for the benchmarks that count geoekm's CPU per operation: the
// calling thread's and the process's, and every live thread's by name
// (core/thread_name.h: "geoekm-writer", "geoekm-worker", …; a benchmark's
// calling threads carry the process's name), from
// /proc/self/task/<tid>/schedstat, whose first field is nanoseconds on CPU.
//
// Thread safety: each call reads the clocks afresh; safe from any thread.
#pragma once

#include <time.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace geoekm {

inline double CpuMicros(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
inline double ProcessCpuMicros() { return CpuMicros(CLOCK_PROCESS_CPUTIME_ID); }
inline double ThreadCpuMicros() { return CpuMicros(CLOCK_THREAD_CPUTIME_ID); }

// Runs call() and adds the calling thread's CPU for it to `sum`; returns
// what call() returned.
template <typename Call>
auto AddThreadCpu(double& sum, Call call) {
  const double start = ThreadCpuMicros();
  auto result = call();
  sum += ThreadCpuMicros() - start;
  return result;
}

// CPU time so far of this process's live threads, in microseconds, summed by name.
inline std::map<std::string, double> CpuByThreadName() {
  std::map<std::string, double> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::ifstream sched(task.path() / "schedstat");
    std::string name;
    double ns = 0;
    if (std::getline(comm, name) && (sched >> ns)) out[name] += ns / 1e3;
  }
  return out;
}

// The same, summed over geoekm's own threads (names starting "geoekm-").
inline double GeoekmThreadsCpuMicros() {
  double us = 0;
  for (const auto& [name, t] : CpuByThreadName())
    if (name.rfind("geoekm-", 0) == 0) us += t;
  return us;
}

}  // namespace geoekm

// RatioReporter: Google Benchmark's console output plus the real time per
// iteration of each benchmark (the median with --benchmark_repetitions=N,
// which a loaded machine needs: single runs vary by +-20%), so that a
// benchmark's main() can print the ratio of two benchmarks of the same run.
//
// Thread safety: used by Google Benchmark's runner thread only.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace geoekm::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        time_[name] = run.GetAdjustedRealTime();
        has_median_[name] = true;
      } else if (run.run_type == Run::RT_Iteration && !has_median_[name]) {
        time_[name] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Prints "ratio <label>: R (<numerator> X us, <denominator> Y us per <what>)",
  // or n/a when either benchmark did not run.
  void PrintRatio(const std::string& label, const std::string& numerator, const std::string& denominator,
                  const char* what) const {
    auto num = time_.find(numerator);
    auto den = time_.find(denominator);
    if (num == time_.end() || den == time_.end() || den->second <= 0) {
      std::printf("ratio %s: n/a (a benchmark was filtered out or failed)\n", label.c_str());
      return;
    }
    std::printf("ratio %s: %.3f (%.1f us vs %.1f us per %s)\n", label.c_str(), num->second / den->second,
                num->second, den->second, what);
  }

 private:
  std::map<std::string, double> time_;
  std::map<std::string, bool> has_median_;
};

// A benchmark program's main(): runs the benchmarks the command line selects
// and prints the ratio of `numerator` to `denominator`.
inline int RunWithRatio(int argc, char** argv, const std::string& label, const std::string& numerator,
                        const std::string& denominator, const char* what) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  reporter.PrintRatio(label, numerator, denominator, what);
  return 0;
}

}  // namespace geoekm::bench

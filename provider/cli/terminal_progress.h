// TerminalProgress: one self-overwriting progress line for long commands,
// shown only when the command writes to a terminal — the process's stderr
// (std::cerr) is a TTY — and never when piped, redirected or captured by a
// test, so machine output and logs carry no progress noise.
//
// Thread safety: Update and Finish may be called from any thread (the
// vault inventory reports from one thread per vault); they serialise.
#pragma once

#include <mutex>
#include <ostream>
#include <string_view>

namespace geoekm::cli {

class TerminalProgress {
 public:
  explicit TerminalProgress(std::ostream& err);
  ~TerminalProgress() { Finish(); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  bool active() const { return active_; }
  // Replaces the progress line (no-op when not active).
  void Update(std::string_view line);
  // Clears the line so the report starts on a clean one.
  void Finish();

 private:
  std::ostream& err_;
  const bool active_;
  std::mutex mu_;
  bool shown_ = false;
};

}  // namespace geoekm::cli

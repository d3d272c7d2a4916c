#include "provider/cli/terminal_progress.h"

#include <unistd.h>

#include <iostream>
#include <string>

namespace geoekm::cli {

TerminalProgress::TerminalProgress(std::ostream& err)
    : err_(err), active_(&err == &std::cerr && ::isatty(STDERR_FILENO) == 1) {}

void TerminalProgress::Update(std::string_view line) {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(mu_);
  // \r, the text, then erase to the end of the line (ANSI EL).
  err_ << "\r" << line << "\x1b[K" << std::flush;
  shown_ = true;
}

void TerminalProgress::Finish() {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_) err_ << "\r\x1b[K" << std::flush;
  shown_ = false;
}

}  // namespace geoekm::cli

#include "config/config_diagnostics.h"

#include <Poco/UTF8Encoding.h>

#include <cstdio>

#include "core/error_codes.h"

namespace geoekm {

namespace {

// Code points that would act on a terminal or reorder the text around them
// instead of being read: C0/C1 controls, DEL and the bidirectional formatting
// characters (U+202E would show a host name backwards).
bool ActsInsteadOfShowing(int cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// Messages quote what the file says; what the file says may be hostile.
// Such characters and bytes that are not UTF-8 are shown escaped (\x1b,
// \u202e); everything else as written.
std::string Printable(const std::string& text) {
  static const Poco::UTF8Encoding utf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const int size = static_cast<int>(text.size());
  std::string out;
  char escaped[12];
  for (int i = 0; i < size;) {
    const int length = utf8.sequenceLength(bytes + i, size - i);
    const int cp = length > 0 && length <= size - i ? utf8.queryConvert(bytes + i, length) : -1;
    if (cp < 0) {
      std::snprintf(escaped, sizeof escaped, "\\x%02x", bytes[i]);
      out += escaped;
      ++i;
      continue;
    }
    if (ActsInsteadOfShowing(cp)) {
      std::snprintf(escaped, sizeof escaped, cp < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(cp));
      out += escaped;
    } else {
      out.append(text, static_cast<std::size_t>(i), static_cast<std::size_t>(length));
    }
    i += length;
  }
  return out;
}

std::string Format(const ConfigLocation& where, const std::string& problem, const std::string& allowed) {
  std::string out = where.ToString() + ": " + problem;
  if (!allowed.empty()) out += " (allowed: " + allowed + ")";
  return Printable(out);
}

}  // namespace

void ConfigDiagnostics::Error(const ConfigLocation& where, const std::string& problem,
                              const std::string& allowed) {
  errors_.push_back(Format(where, problem, allowed));
}

void ConfigDiagnostics::ErrorWithCode(int code, const ConfigLocation& where, const std::string& problem,
                                      const std::string& allowed) {
  errors_.push_back(Format(where, "error " + std::to_string(code) + ": " + problem, allowed));
  code_ = code;
}

void ConfigDiagnostics::Warning(const ConfigLocation& where, const std::string& message) {
  warnings_.push_back(Printable(where.ToString() + ": " + message));
}

Status ConfigDiagnostics::ToStatus() const {
  std::string message = file_ + ": configuration rejected, " + std::to_string(errors_.size()) +
                        (errors_.size() == 1 ? " error:" : " errors:");
  for (const std::string& e : errors_) message += "\n  " + e;
  return Status(code_ != 0 ? code_ : codes::kConfigInvalid, ErrorClass::kInvalidInput, std::move(message));
}

}  // namespace geoekm

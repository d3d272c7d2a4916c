#include "provider/cli/time_argument.h"

#include <charconv>
#include <ctime>
#include <string>

#include "core/error_codes.h"

namespace geoekm::cli {
namespace {

// Reads `width` digits at text[pos]; -1 when they are not digits.
int Digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

Result<std::int64_t> ParseTimeArgument(std::string_view text) {
  const Status bad(codes::kInvalidArgument, ErrorClass::kInvalidInput,
                   "time '" + std::string(text) +
                       "' is not YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z (UTC) or unix seconds");
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds > 253402300799) return bad;
    return seconds * 1000;
  }
  std::tm tm{};
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || text[4] != '-' || text[7] != '-') return bad;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  if (text.size() > 10) {
    if (text[10] != 'T' || text.back() != 'Z') return bad;
    const std::string_view clock = text.substr(11, text.size() - 12);
    const int hour = Digits(clock, 0, 2), minute = Digits(clock, 3, 2);
    int second = 0;
    if (clock.size() == 8) {
      second = Digits(clock, 6, 2);
      if (clock[5] != ':') return bad;
    } else if (clock.size() != 5) {
      return bad;
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 || clock[2] != ':') return bad;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
  }
  const std::time_t seconds = timegm(&tm);
  if (seconds < 0) return bad;
  return static_cast<std::int64_t>(seconds) * 1000;
}

}  // namespace geoekm::cli

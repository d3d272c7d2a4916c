#include "keyvault/http/response_head.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "core/error_codes.h"
#include "keyvault/http/http_bytes.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

using http_bytes::AllOf;
using http_bytes::IsToken;
using http_bytes::kFieldValue;

Status Refused(const std::string& what) {
  return Status(codes::kHttpReadData, ErrorClass::kTransient, "the answer's head is malformed: " + what);
}

// What the peer sent, safe to show, cut to a line's worth.
std::string Shown(std::string_view text) { return "\"" + CutAndEscape(text, 80) + "\""; }

// Lengths first: most fields are not the one looked for.
bool IsNamed(std::string_view name, std::string_view field) {
  return name.size() == field.size() && Poco::icompare(name, field) == 0;
}

// The elements of a comma-separated list field, trimmed; empty elements
// (RFC 9110 §5.6.1 allows them) are skipped.
Poco::StringTokenizer ListElements(const std::string& value) {
  return Poco::StringTokenizer(value, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
}

bool ListHasToken(const HttpHeaders& headers, std::string_view field, const std::string& token) {
  for (const auto& [name, value] : headers) {
    if (!IsNamed(name, field)) continue;
    for (const std::string& e : ListElements(value)) {
      if (Poco::icompare(e, token) == 0) return true;
    }
  }
  return false;
}

// Content-Length (RFC 9110 §8.6): digits; several values (fields or list
// elements) are accepted only when they agree. nullopt = absent.
Status ContentLength(const HttpHeaders& headers, std::optional<std::uint64_t>* length) {
  for (const auto& [name, value] : headers) {
    if (!IsNamed(name, "Content-Length")) continue;
    const Poco::StringTokenizer elements = ListElements(value);
    if (elements.count() == 0) return Refused("an empty Content-Length");
    for (const std::string& e : elements) {
      constexpr std::size_t kMaxDigits = 18;  // far above any body cap, and no overflow
      if (e.size() > kMaxDigits) return Refused("Content-Length " + Shown(e));
      std::uint64_t n = 0;
      const auto [end, error] = std::from_chars(e.data(), e.data() + e.size(), n);  // digits only, no sign
      if (error != std::errc() || end != e.data() + e.size()) return Refused("Content-Length " + Shown(e));
      if (length->has_value() && **length != n) {
        return Refused("Content-Length values disagree (" + std::to_string(**length) + ", " + std::to_string(n) +
                       ")");
      }
      *length = n;
    }
  }
  return Status::Ok();
}

// The last transfer coding named (RFC 9112 §6.1), without parameters;
// nullopt = no Transfer-Encoding field.
std::optional<std::string> LastTransferCoding(const HttpHeaders& headers) {
  std::optional<std::string> last;
  for (const auto& [name, value] : headers) {
    if (!IsNamed(name, "Transfer-Encoding")) continue;
    if (!last) last.emplace();
    for (const std::string& e : ListElements(value)) last = Poco::trim(e.substr(0, e.find(';')));
  }
  return last;
}

Status ParseStatusLine(std::string_view line, HttpResponse* out, int* minor_version) {
  // "HTTP/1.x NNN" then " reason" (which may be empty) or nothing.
  auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !digit(7) || line[8] != ' ' || !digit(9) ||
      !digit(10) || !digit(11) || line[9] == '0' || (line.size() > 12 && line[12] != ' ')) {
    return Refused("status line " + Shown(line));
  }
  *minor_version = line[7] - '0';
  out->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  const std::string_view reason = line.size() > 13 ? line.substr(13) : std::string_view();
  if (!AllOf(kFieldValue, reason)) return Refused("reason phrase " + Shown(reason));
  out->reason.assign(reason);
  return Status::Ok();
}

}  // namespace

namespace response_head_internal {

Status EndedEarly(std::size_t bytes_read) {
  if (bytes_read == 0) {
    return Status(codes::kHttpReadData, ErrorClass::kTransient, "the connection ended before an answer arrived");
  }
  return Refused("the connection ended inside it, after " + std::to_string(bytes_read) + " bytes");
}

Status TooLong() { return Refused("longer than " + std::to_string(kMaxResponseHeadBytes) + " bytes"); }

}  // namespace response_head_internal

Status ParseResponseHead(std::string_view head, HttpResponse* out, BodyFraming* framing) {
  out->headers.clear();
  // One field per line at most (the status line and the empty one are not).
  out->headers.reserve(static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n')));
  std::size_t pos = 0;
  // The next line without its CRLF (or bare LF); false when none is left.
  auto next_line = [&](std::string_view* line) {
    const std::size_t lf = head.find('\n', pos);
    if (lf == std::string_view::npos) return false;
    std::size_t end = lf;
    if (end > pos && head[end - 1] == '\r') --end;
    *line = head.substr(pos, end - pos);
    pos = lf + 1;
    return true;
  };
  std::string_view line;
  int minor_version = 0;
  if (!next_line(&line)) return Refused("no status line");
  if (Status s = ParseStatusLine(line, out, &minor_version); !s.ok()) return s;

  bool ended = false;
  while (next_line(&line)) {
    if (line.empty()) {
      ended = true;
      break;
    }
    if (!AllOf(kFieldValue, line)) return Refused("a control byte in the line " + Shown(line));
    if (line[0] == ' ' || line[0] == '\t') {
      // obs-fold: the line continues the field before it.
      if (out->headers.empty()) return Refused("a folded line before any field");
      // The line holds no CR, LF or other control byte (checked above), so
      // Poco's trim takes off exactly the spaces and tabs around it.
      const std::string more = Poco::trim(std::string(line));
      std::string& value = out->headers.back().second;
      if (!more.empty()) value.append(value.empty() ? "" : " ").append(more);
      continue;
    }
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !IsToken(name)) {
      return Refused("field line " + Shown(line));
    }
    if (out->headers.size() == kMaxResponseFields) {
      return Refused("more than " + std::to_string(kMaxResponseFields) + " fields");
    }
    Poco::trimInPlace(out->headers.emplace_back(std::string(name), std::string(line.substr(colon + 1))).second);
  }
  if (!ended || pos != head.size()) return Refused("it does not end with one empty line");

  // Body framing, RFC 9112 §6.3.
  *framing = BodyFraming();
  const int status = out->status;
  if (status < 200 || status == 204 || status == 304) {
    framing->kind = BodyFraming::Kind::kNone;
  } else {
    std::optional<std::uint64_t> length;
    if (Status s = ContentLength(out->headers, &length); !s.ok()) return s;
    const std::optional<std::string_view> coding = LastTransferCoding(out->headers);
    if (coding && (length || minor_version == 0)) {
      // Both, or chunking in HTTP/1.0: the framing is ambiguous, the mark
      // of request smuggling or response splitting (RFC 9112 §6.1, §6.3).
      return Refused(length ? "both Transfer-Encoding and Content-Length" : "Transfer-Encoding in HTTP/1.0");
    }
    if (coding) {
      framing->kind = Poco::icompare(*coding, "chunked") == 0 ? BodyFraming::Kind::kChunked : BodyFraming::Kind::kToEnd;
    } else if (length) {
      framing->kind = BodyFraming::Kind::kLength;
      framing->length = *length;
    }
  }
  framing->keep_alive = framing->kind != BodyFraming::Kind::kToEnd &&
                        (minor_version >= 1 ? !ListHasToken(out->headers, "Connection", "close")
                                            : ListHasToken(out->headers, "Connection", "keep-alive"));
  return Status::Ok();
}

}  // namespace geoekm

#include "keyvault/identity/token_response.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/error_codes.h"
#include "core/json_fields.h"

namespace geoekm {
namespace {

constexpr std::int64_t kMaxExpiresIn = 2147483647;
constexpr std::int64_t kMaxExpiresOn = 253402300799;  // 9999-12-31T23:59:59Z

Status JsonError(std::string_view why) {
  return Status(codes::kTokenJsonParser, ErrorClass::kAuth, "cannot read the token response: " + std::string(why));
}

std::optional<std::int64_t> ParseDigits(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// A number, or a string of digits. `dates` also accepts date strings.
std::optional<std::int64_t> IntegerField(const Poco::JSON::Object& o, const std::string& name, bool dates = false) {
  if (!o.has(name)) return std::nullopt;
  Poco::Dynamic::Var v = o.get(name);
  try {
    if (v.isEmpty()) return std::nullopt;
    if (v.isString()) {
      std::string s = v.extract<std::string>();
      if (auto n = ParseDigits(s)) return n;
      if (dates) {
        Poco::DateTime dt;
        int tzd = 0;
        if (Poco::DateTimeParser::tryParse(s, dt, tzd)) {
          dt.makeUTC(tzd);
          return static_cast<std::int64_t>(dt.timestamp().epochTime());
        }
      }
      return std::nullopt;
    }
    if (v.isNumeric()) {
      double d = v.convert<double>();
      if (d < 0 || d > 9.0e15) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

// Entra error codes (AADSTS numbers) that mean "your credential is wrong".
bool IsCredentialErrorCode(std::int64_t c) {
  static constexpr std::int64_t kCodes[] = {
      7000215,  // invalid client secret
      7000222,  // client secret expired
      700016,   // application not found in the tenant
      90002,    // tenant not found
      700027,   // client assertion failed signature validation
      7000218,  // neither client_assertion nor client_secret
      700024,   // client assertion not within its valid time range
      7000112,  // application disabled
      50012,    // authentication failed (bad assertion)
      90023,    // invalid tenant / request
  };
  return std::find(std::begin(kCodes), std::end(kCodes), c) != std::end(kCodes);
}

std::string Redact(std::string text, const std::vector<std::string_view>& secrets) {
  for (std::string_view secret : secrets) {
    if (secret.size() < 4) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  return text;
}

ErrorClass ClassForHttp(int http_status) {
  if (http_status == 429) return ErrorClass::kThrottled;
  if (http_status >= 500 || http_status == 408) return ErrorClass::kTransient;
  return ErrorClass::kAuth;
}

}  // namespace

AccessToken MakeAccessToken(SecureString value, std::int64_t now, std::int64_t expires_on,
                            std::int64_t refresh_on_hint) {
  AccessToken t;
  t.value = std::move(value);
  t.expires_on = expires_on;
  std::int64_t lifetime = std::max<std::int64_t>(expires_on - now, 0);
  t.usable_until = expires_on - std::min<std::int64_t>(30, lifetime / 10);
  t.refresh_on = lifetime >= 600 ? expires_on - 300 : now + lifetime / 2;
  if (refresh_on_hint > now && refresh_on_hint < t.usable_until) t.refresh_on = refresh_on_hint;
  return t;
}

Result<AccessToken> ParseTokenResponse(std::string_view body, std::int64_t now) {
  Poco::JSON::Object::Ptr o = ParseJsonObject(body);
  if (o.isNull()) return JsonError("not a JSON object");
  std::optional<std::string> raw = JsonFields(o).String("access_token");
  if (!raw) return JsonError("no access_token string");
  SecureString value(raw->begin(), raw->end());
  OPENSSL_cleanse(raw->data(), raw->size());
  if (value.empty()) return JsonError("empty access_token");

  std::optional<std::int64_t> refresh_in = IntegerField(*o, "refresh_in");
  std::optional<std::int64_t> expires_on;
  if (auto in = IntegerField(*o, "expires_in")) {
    if (*in > kMaxExpiresIn) return JsonError("expires_in out of range");
    expires_on = now + *in;
  } else if (auto on = IntegerField(*o, "expires_on", /*dates=*/true)) {
    if (*on > kMaxExpiresOn) return JsonError("expires_on out of range");
    expires_on = *on;
  } else if (refresh_in) {
    expires_on = now + *refresh_in;
  }
  if (!expires_on) return JsonError("no expires_in, expires_on or refresh_in");
  if (*expires_on <= now) return JsonError("the token has already expired");
  return MakeAccessToken(std::move(value), now, *expires_on, refresh_in ? now + *refresh_in : 0);
}

Status TokenErrorFromResponse(int http_status, std::string_view body, std::string_view who,
                              const std::vector<std::string_view>& secrets) {
  Poco::JSON::Object::Ptr o = ParseJsonObject(body);
  std::string prefix = std::string(who) + " refused the token request (HTTP " + std::to_string(http_status);
  if (o.isNull() || !o->has("error")) {
    return Status(codes::kTokenFailed, ClassForHttp(http_status), prefix + ", no error details)")
        .WithHttp(http_status, "", "");
  }
  // Best effort: fields of other types read as absent.
  const JsonFields fields(o);
  constexpr std::size_t kMaxCode = 100;  // OAuth error codes and trace ids are short
  std::string error = fields.String("error").value_or("").substr(0, kMaxCode);
  if (error.empty()) {
    // IMDS-style nested objects or odd shapes: keep it readable, not verbatim.
    error = "unrecognised error";
  }
  std::vector<std::int64_t> error_codes = fields.Integers("error_codes").value_or(std::vector<std::int64_t>{});
  if (error_codes.size() > 8) error_codes.resize(8);  // Entra sends one or two
  // Redacted before it is cut, so that no cut-off piece of a secret survives.
  std::string description = Redact(fields.String("error_description").value_or(""), secrets);
  description = description.substr(0, description.find_first_of("\r\n"));
  if (description.size() > 300) description = description.substr(0, 300) + "...";

  bool bad_credentials = error == "invalid_client" || error == "unauthorized_client" || error == "invalid_tenant" ||
                         std::any_of(error_codes.begin(), error_codes.end(), IsCredentialErrorCode);
  std::string message = prefix + ", " + error;
  for (std::int64_t c : error_codes) message += ", AADSTS" + std::to_string(c);
  message += ")";
  if (!description.empty()) message += ": " + description;
  message = Redact(std::move(message), secrets);
  std::string trace_id = fields.String("trace_id").value_or("").substr(0, kMaxCode);

  if (bad_credentials) {
    message += "; check the client id / secret / certificate / tenant";
    return Status(codes::kTokenBadCredentials, ErrorClass::kAuth, std::move(message))
        .WithHttp(http_status, error, trace_id);
  }
  ErrorClass cls = error == "temporarily_unavailable" ? ErrorClass::kTransient : ClassForHttp(http_status);
  return Status(codes::kTokenFailed, cls, std::move(message)).WithHttp(http_status, error, trace_id);
}

}  // namespace geoekm

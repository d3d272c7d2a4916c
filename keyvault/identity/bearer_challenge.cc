#include "keyvault/identity/bearer_challenge.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "core/error_codes.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '#';
}

struct Param {
  std::string name;
  std::string value;
};

struct Challenge {
  std::string scheme;
  std::vector<Param> params;
};

// Splits a WWW-Authenticate value into challenges. Grammar accepted:
//   challenge := scheme (param ([,] param)*)?   param := name ws* '=' ws* (quoted | bare)
// A token not followed by '=' starts a new challenge.
std::vector<Challenge> SplitChallenges(std::string_view s) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  auto skip_separators = [&] {
    while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == ',')) ++i;
  };
  while (true) {
    skip_separators();
    if (i >= s.size()) break;
    std::size_t start = i;
    while (i < s.size() && IsTokenChar(s[i])) ++i;
    if (i == start) {  // junk character: skip it
      ++i;
      continue;
    }
    std::string_view token = s.substr(start, i - start);
    std::size_t j = i;
    while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
    if (j < s.size() && s[j] == '=' && !out.empty()) {
      i = j + 1;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      std::string value;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size()) ++i;
          value.push_back(s[i++]);
        }
        if (i < s.size()) ++i;  // closing quote (tolerate a missing one)
      } else {
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != ',') {
          value.push_back(s[i++]);
        }
      }
      out.back().params.push_back({Lower(token), std::move(value)});
    } else if (j < s.size() && s[j] == '=') {
      // token68-style junk before any scheme: skip the '='.
      i = j + 1;
    } else {
      out.push_back({std::string(token), {}});
    }
  }
  return out;
}

std::optional<std::string> Find(const Challenge& c, std::string_view name) {
  for (const auto& p : c.params) {
    if (p.name == name && !p.value.empty()) return p.value;
  }
  return std::nullopt;
}

// `why` quotes the challenge, which is the vault's text.
Status Malformed(std::string_view why) {
  return Status(codes::kChallengeMalformed, ErrorClass::kAuth,
                "malformed WWW-Authenticate challenge: " + EscapeControlBytes(why));
}

std::string_view StripPort(std::string_view host) {
  auto colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(':') != colon) return host;  // none, or IPv6
  std::string_view port = host.substr(colon + 1);
  if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return host;
  }
  return host.substr(0, colon);
}

}  // namespace

Result<BearerChallenge> ParseBearerChallenge(std::string_view www_authenticate) {
  const Challenge* bearer = nullptr;
  auto challenges = SplitChallenges(www_authenticate);
  for (const auto& c : challenges) {
    if (IEquals(c.scheme, "Bearer")) {
      bearer = &c;
      break;
    }
  }
  if (bearer == nullptr) return Malformed("no Bearer challenge");

  BearerChallenge out;
  auto authority = Find(*bearer, "authorization");
  if (!authority) authority = Find(*bearer, "authorization_uri");
  if (!authority) return Malformed("no authorization or authorization_uri parameter");
  out.authority = *authority;
  try {
    Poco::URI uri(out.authority);
    std::vector<std::string> segments;
    uri.getPathSegments(segments);
    if (uri.getHost().empty() || segments.empty() || segments.front().empty()) {
      return Malformed("authorization URL '" + out.authority + "' names no tenant");
    }
    out.tenant = segments.front();
  } catch (const Poco::Exception&) {
    return Malformed("authorization URL '" + out.authority + "' is not a URL");
  }

  std::string resource;
  if (auto r = Find(*bearer, "resource")) {
    resource = *r;
  } else if (auto sc = Find(*bearer, "scope")) {
    resource = *sc;
    constexpr std::string_view kDefault = "/.default";
    if (resource.size() >= kDefault.size() &&
        IEquals(std::string_view(resource).substr(resource.size() - kDefault.size()), kDefault)) {
      resource.resize(resource.size() - kDefault.size());
    }
  } else {
    return Malformed("no resource or scope parameter");
  }
  while (!resource.empty() && resource.back() == '/') resource.pop_back();
  try {
    Poco::URI uri(resource);
    if (!IEquals(uri.getScheme(), "https") || uri.getHost().empty()) {
      return Malformed("resource '" + resource + "' is not an https URL");
    }
    out.resource_host = Lower(uri.getHost());
  } catch (const Poco::Exception&) {
    return Malformed("resource '" + resource + "' is not a URL");
  }
  out.resource = std::move(resource);
  return out;
}

Status VerifyChallengeDomain(std::string_view vault_host, const BearerChallenge& challenge) {
  std::string host = Lower(StripPort(vault_host));
  while (!host.empty() && host.back() == '.') host.pop_back();  // FQDN form "host."
  const std::string& resource_host = challenge.resource_host;
  bool match = !resource_host.empty() &&
               (host == resource_host ||
                (host.size() > resource_host.size() + 1 && host.ends_with(resource_host) &&
                 host[host.size() - resource_host.size() - 1] == '.'));
  if (match) return Status::Ok();
  return Status(codes::kChallengeDomainMismatch, ErrorClass::kAuth,
                "the challenge resource '" + EscapeControlBytes(resource_host) + "' does not match the vault host '" + host +
                    "'; no token is sent (the vault URL or the challenge is wrong)");
}

}  // namespace geoekm

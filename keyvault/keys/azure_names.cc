#include "keyvault/keys/azure_names.h"

#include <Poco/Ascii.h>
#include <Poco/String.h>

#include <algorithm>

namespace geoekm {
namespace {

bool AllHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return Poco::Ascii::isHexDigit(c); });
}

}  // namespace

bool IsHex32(std::string_view s) { return s.size() == 32 && AllHex(s); }

bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool hyphen_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_place ? s[i] != '-' : !Poco::Ascii::isHexDigit(s[i])) return false;
  }
  return true;
}

bool IsClientId(std::string_view s) { return IsHex32(s) || IsGuid(s); }

bool IsTenant(std::string_view s) {
  if (IsGuid(s)) return true;
  // A DNS name with at least one dot: labels of A-Z a-z 0-9 '-'.
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  if (s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return Poco::Ascii::isAlphaNumeric(c) || c == '-' || c == '.'; });
}

bool IsKeyName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxKeyNameLength &&
         std::all_of(s.begin(), s.end(), [](char c) { return Poco::Ascii::isAlphaNumeric(c) || c == '-'; });
}

const std::vector<AzureGeography>& AzureGeographies() {
  // Azure's data-residency geographies (azure.microsoft.com/explore/global-infrastructure/geographies).
  static const std::vector<AzureGeography> kList = {
      {"US", "United States"},      {"USGOV", "Azure Government (US)"}, {"CA", "Canada"},
      {"BR", "Brazil"},             {"MX", "Mexico"},                   {"CL", "Chile"},
      {"EU", "Europe"},             {"UK", "United Kingdom"},           {"CH", "Switzerland"},
      {"NO", "Norway"},             {"DE", "Germany"},                  {"FR", "France"},
      {"SE", "Sweden"},             {"PL", "Poland"},                   {"IT", "Italy"},
      {"ES", "Spain"},              {"AT", "Austria"},                  {"BE", "Belgium"},
      {"DK", "Denmark"},            {"FI", "Finland"},                  {"GR", "Greece"},
      {"JP", "Japan"},              {"KR", "Korea"},                    {"AU", "Australia"},
      {"NZ", "New Zealand"},        {"IN", "India"},                    {"APAC", "Asia Pacific (Singapore, Hong Kong)"},
      {"ID", "Indonesia"},          {"MY", "Malaysia"},                 {"TW", "Taiwan"},
      {"AE", "United Arab Emirates"}, {"QA", "Qatar"},                  {"SA", "Saudi Arabia"},
      {"ZA", "South Africa"},       {"IL", "Israel"},                   {"CN", "China (21Vianet)"},
  };
  return kList;
}

std::string CanonicalGeography(std::string_view s) {
  std::string upper = Poco::toUpper(std::string(s));
  for (const AzureGeography& g : AzureGeographies()) {
    if (g.code == upper) return upper;
  }
  return "";
}

}  // namespace geoekm

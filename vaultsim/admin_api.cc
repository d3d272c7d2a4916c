#include "vaultsim/admin_api.h"

#include <openssl/crypto.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <vector>

#include "vaultsim/json_text.h"
#include "vaultsim/key_bundle_json.h"
#include "vaultsim/permissions.h"

namespace geoekm::vaultsim {
namespace {

using Poco::JSON::Object;

ApiResponse Ok(const Object::Ptr& o) {
  ApiResponse r;
  r.body = ToJsonText(o);
  return r;
}

ApiResponse OkEmpty() { return Ok(new Object); }

ApiResponse Bad(const std::string& m) { return ErrorResponse(400, "BadParameter", m); }

bool TokenMatches(const std::string& header, const std::string& token) {
  const std::string expected = "Bearer " + token;
  return header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), header.size()) == 0;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path + "/") {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

}  // namespace

ApiResponse AdminApi::Handle(const ApiRequest& request) {
  auto auth = request.headers.find("authorization");
  if (auth == request.headers.end() || !TokenMatches(auth->second, p_.config->admin_token)) {
    return ErrorResponse(401, "Unauthorized", "The admin token is missing or wrong.");
  }
  const std::vector<std::string> s = Segments(Poco::toLower(request.path));
  const std::string& m = request.method;
  if (s.size() == 1 && s[0] == "stats" && m == "GET") return Stats();
  if (s.size() == 1 && s[0] == "faults") {
    if (m == "GET") return Ok(p_.faults->ToJson());
    if (m == "DELETE") {
      p_.faults->Clear();
      return Ok(p_.faults->ToJson());
    }
    if (m == "POST") {
      Status st = p_.faults->Merge(request.body);
      if (!st.ok()) return Bad(st.message());
      return Ok(p_.faults->ToJson());
    }
  }
  if (s.size() == 1 && s[0] == "permissions" && m == "POST") return Permissions(request.body);
  if (s.size() == 1 && s[0] == "firewall" && m == "POST") return Firewall(request.body);
  if (m == "POST" && s.size() >= 3 && s[0] == "keys" && s.back() == "attributes" && s.size() <= 4) {
    // Use the original-case path segments for the name.
    const std::vector<std::string> orig = Segments(request.path);
    return p_.keys->SetAttributes(orig[1], s.size() == 4 ? orig[2] : "", request.body);
  }
  return ErrorResponse(404, "NotFound", "Unknown admin request.");
}

ApiResponse AdminApi::Permissions(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(body).extract<Object::Ptr>();
    std::string client = o->getValue<std::string>("client_id");
    if (client.empty()) return Bad("client_id is required");
    std::vector<std::pair<std::string, bool>> changes;
    for (const char* key : {"grant", "revoke"}) {
      Poco::JSON::Array::Ptr list = o->getArray(key);
      for (std::size_t i = 0; list && i < list->size(); ++i) {
        std::string name = list->getElement<std::string>(static_cast<unsigned>(i));
        if (name == "all") {
          for (const std::string& p : AllPermissions()) changes.emplace_back(p, std::string(key) == "grant");
          continue;
        }
        std::optional<std::string> p = CanonicalPermission(name);
        if (!p) return Bad("unknown permission " + name);
        changes.emplace_back(*p, std::string(key) == "grant");
      }
    }
    for (const auto& [p, grant] : changes) {
      if (grant) {
        p_.policies->Grant(client, p);
      } else {
        p_.policies->Revoke(client, p);
      }
    }
  } catch (const Poco::Exception& e) {
    return Bad("malformed body: " + e.message());
  }
  return OkEmpty();
}

ApiResponse AdminApi::Firewall(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(body).extract<Object::Ptr>();
    p_.faults->SetFirewallDeny(o->getValue<bool>("deny"));
  } catch (const Poco::Exception& e) {
    return Bad("malformed body: " + e.message());
  }
  return OkEmpty();
}

ApiResponse AdminApi::Stats() {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  p_.stats->AddTo(*o);
  o->set("connections_accepted", connections_accepted_());
  o->set("faults", p_.faults->ToJson());
  return Ok(o);
}

}  // namespace geoekm::vaultsim

#include "tests/router/testbed_vault_operations.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <sstream>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"
#include "tests/support/test_https_client.h"

namespace geoekm::testing {
namespace {

constexpr char kApi[] = "?api-version=7.5";

Status Unimplemented(const char* what) {
  return Status(codes::kFailure, ErrorClass::kInternal, std::string(what) + " is not part of the test stand-in");
}

// One HTTP try's outcome as the router sees it.
Status FromResponse(const TestResponse& r, const std::string& vault, const std::string& what) {
  const std::string where = vault + ": " + what + ": ";
  if (r.status == 0) return Status(codes::kHttpReadData, ErrorClass::kTransient, where + r.transport_error);
  const std::string code = r.ErrorCode();
  switch (r.status) {
    case 400: return Status(codes::kHttpClientError, ErrorClass::kBadRequest, where + "400 " + code);
    case 401: return Status(codes::kHttpUnauthorized, ErrorClass::kAuth, where + "401 " + code);
    case 403: return Status(codes::kHttpForbidden, ErrorClass::kForbidden, where + "403 " + code);
    case 404: return Status(codes::kHttpNotFound, ErrorClass::kNotFound, where + "404 " + code);
    case 429: return Status(codes::kHttpThrottled, ErrorClass::kThrottled, where + "429 " + code);
    default: break;
  }
  if (r.status >= 500 || r.status == 408) {
    return Status(codes::kHttpServerError, ErrorClass::kTransient, where + std::to_string(r.status) + " " + code);
  }
  return Status(codes::kHttpClientError, ErrorClass::kBadRequest, where + std::to_string(r.status) + " " + code);
}

// ".../keys/{name}/{version}" -> (name, version)
void ParseKid(const std::string& kid, std::string* name, std::string* version) {
  const auto keys = kid.find("/keys/");
  if (keys == std::string::npos) return;
  const std::string rest = kid.substr(keys + 6);
  const auto slash = rest.find('/');
  *name = rest.substr(0, slash);
  if (slash != std::string::npos) *version = rest.substr(slash + 1);
}

std::string Json(const Poco::JSON::Object& o) {
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

class TestbedVaultOperations : public KeyVaultOperations {
 public:
  TestbedVaultOperations(std::string name, std::string host, int port, std::string ca, std::string token)
      : name_(std::move(name)), host_(std::move(host)), port_(port), ca_(std::move(ca)), token_(std::move(token)) {}
  ~TestbedVaultOperations() override { OPENSSL_cleanse(token_.data(), token_.size()); }

  const std::string& vault_name() const override { return name_; }

  Result<KeyBundle> GetKey(const std::string& name, const std::string& version, Deadline deadline) override {
    const TestResponse r = Send("GET", "/keys/" + name + (version.empty() ? "" : "/" + version) + kApi, "", deadline);
    if (r.status != 200) return FromResponse(r, name_, "get key");
    try {
      auto key = r.Json()->getObject("key");
      if (!key) throw Poco::DataFormatException("no key");
      KeyBundle b;
      b.kid = key->getValue<std::string>("kid");
      ParseKid(b.kid, &b.name, &b.version);
      b.kty = key->getValue<std::string>("kty");
      b.n = key->getValue<std::string>("n");
      b.e = key->getValue<std::string>("e");
      auto thumbprint = RsaJwkThumbprint(b.kty, b.n, b.e);
      if (!thumbprint.ok()) return thumbprint.status();
      b.thumbprint = *thumbprint;
      return b;
    } catch (const Poco::Exception& e) {
      return Status(codes::kFailure, ErrorClass::kTransient, name_ + ": get key: bad answer: " + e.displayText());
    }
  }

  Result<std::vector<KeyVersionItem>> ListKeyVersions(const std::string& name, Deadline deadline) override {
    std::vector<KeyVersionItem> items;
    std::string target = "/keys/" + name + "/versions" + kApi;
    while (!target.empty()) {
      const TestResponse r = Send("GET", target, "", deadline);
      if (r.status != 200) return FromResponse(r, name_, "list key versions");
      try {
        auto root = r.Json();
        auto value = root->getArray("value");
        for (std::size_t i = 0; value && i < value->size(); ++i) {
          auto o = value->getObject(static_cast<unsigned>(i));
          KeyVersionItem item;
          item.kid = o->getValue<std::string>("kid");
          std::string ignored;
          ParseKid(item.kid, &ignored, &item.version);
          items.push_back(std::move(item));
        }
        const std::string next = root->optValue<std::string>("nextLink", "");
        target = next.empty() ? "" : Poco::URI(next).getPathAndQuery();
      } catch (const Poco::Exception& e) {
        return Status(codes::kFailure, ErrorClass::kTransient, name_ + ": list: bad answer: " + e.displayText());
      }
    }
    return items;
  }

  Result<Bytes> WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                        const SecureBytes& plaintext, Deadline deadline) override {
    Poco::JSON::Object body;
    body.set("alg", std::string(WrapAlgorithmName(alg)));
    body.set("value", Base64UrlEncode(plaintext));
    std::string text = Json(body);
    const TestResponse r = Send("POST", "/keys/" + name + "/" + version + "/wrapkey" + kApi, text, deadline);
    OPENSSL_cleanse(text.data(), text.size());
    if (r.status != 200) return FromResponse(r, name_, "wrap");
    return Base64UrlDecode(r.Json()->optValue<std::string>("value", ""));
  }

  Result<SecureBytes> UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                const Bytes& wrapped, Deadline deadline) override {
    Poco::JSON::Object body;
    body.set("alg", std::string(WrapAlgorithmName(alg)));
    body.set("value", Base64UrlEncode(wrapped));
    TestResponse r = Send("POST", "/keys/" + name + "/" + version + "/unwrapkey" + kApi, Json(body), deadline);
    if (r.status != 200) return FromResponse(r, name_, "unwrap");
    std::string value = r.Json()->optValue<std::string>("value", "");
    auto plain = Base64UrlDecodeSecure(value);
    OPENSSL_cleanse(value.data(), value.size());
    OPENSSL_cleanse(r.body.data(), r.body.size());
    return plain;
  }

  Result<KeyBundle> ImportKey(const std::string& name, const PrivateRsaJwk& jwk, bool hsm,
                              const KeyAttributes& /*attributes*/, Deadline deadline) override {
    Poco::JSON::Object::Ptr key = new Poco::JSON::Object;
    auto put = [&](const char* field, const SecureString& v) { key->set(field, std::string(v.begin(), v.end())); };
    key->set("kty", jwk.kty);
    put("n", jwk.n);
    put("e", jwk.e);
    put("d", jwk.d);
    put("p", jwk.p);
    put("q", jwk.q);
    put("dp", jwk.dp);
    put("dq", jwk.dq);
    put("qi", jwk.qi);
    Poco::JSON::Object body;
    body.set("key", key);
    body.set("hsm", hsm);
    std::string text = Json(body);
    const TestResponse r = Send("PUT", "/keys/" + name + kApi, text, deadline);
    OPENSSL_cleanse(text.data(), text.size());
    if (r.status != 200) return FromResponse(r, name_, "import");
    auto k = r.Json()->getObject("key");
    if (!k) return Status(codes::kFailure, ErrorClass::kTransient, name_ + ": import: no key in the answer");
    std::string kid = k->optValue<std::string>("kid", ""), ignored, version;
    ParseKid(kid, &ignored, &version);
    return GetKey(name, version, deadline);
  }

  Result<std::string> BackupKey(const std::string&, Deadline) override { return Unimplemented("backup"); }
  Result<KeyBundle> RestoreKey(const std::string&, Deadline) override { return Unimplemented("restore"); }
  Result<KeyBundle> CreateKey(const std::string&, const KeyCreateOptions&, Deadline) override {
    return Unimplemented("create");
  }
  Result<KeyBundle> RotateKey(const std::string&, Deadline) override { return Unimplemented("rotate"); }
  Result<KeyBundle> UpdateKey(const std::string&, const std::string&, const KeyUpdateOptions&, Deadline) override {
    return Unimplemented("update");
  }

 private:
  TestResponse Send(const std::string& method, const std::string& target, const std::string& body, Deadline deadline) {
    const auto timeout = deadline.remaining(std::chrono::milliseconds(10000));
    if (timeout.count() <= 0) {
      TestResponse expired;
      expired.transport_error = "deadline passed";
      return expired;
    }
    TestHttpsClient c(host_, port_, ca_);
    // Poco's TLS socket waits out a receive timeout twice (the read, then its
    // retry poll), so half of what is left keeps the call within its deadline.
    c.set_timeout(std::max(std::chrono::milliseconds(1), timeout / 2));
    c.SetDefaultHeader("Authorization", "Bearer " + token_);
    std::map<std::string, std::string> headers;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return c.Send(method, target, body, headers);
  }

  const std::string name_, host_;
  const int port_;
  const std::string ca_;
  std::string token_;
};

Result<std::string> FetchToken(const TestbedInfo& info, const std::string& secret) {
  TestHttpsClient login(info.login_host, info.login_port, info.ca_bundle);
  std::string encoded_secret, scope;
  Poco::URI::encode(secret, "!#$&'()*+,/:;=?@[]~", encoded_secret);
  Poco::URI::encode(info.resource + "/.default", "!#$&'()*+,/:;=?@[]~", scope);
  std::string form = "grant_type=client_credentials&client_id=" + info.client_id + "&client_secret=" + encoded_secret +
                     "&scope=" + scope;
  const TestResponse r = login.Send("POST", "/" + info.tenant + "/oauth2/v2.0/token", form,
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  OPENSSL_cleanse(form.data(), form.size());
  OPENSSL_cleanse(encoded_secret.data(), encoded_secret.size());
  const std::string token = r.status == 200 ? r.Json()->optValue<std::string>("access_token", "") : "";
  if (token.empty()) {
    return Status(codes::kFailure, ErrorClass::kAuth, "testbed login answered " + std::to_string(r.status));
  }
  return token;
}

}  // namespace

Result<std::vector<std::shared_ptr<KeyVaultOperations>>> MakeTestbedVaultOperations(const TestbedInfo& info,
                                                                                   const std::string& client_secret) {
  auto token = FetchToken(info, client_secret);
  if (!token.ok()) return token.status();
  std::vector<std::shared_ptr<KeyVaultOperations>> out;
  for (const auto& v : info.vaults) {
    out.push_back(std::make_shared<TestbedVaultOperations>(v.name, v.host, v.port, info.ca_bundle, *token));
  }
  return out;
}

}  // namespace geoekm::testing

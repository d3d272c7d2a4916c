#include "vaultsim/testbed_tde_key.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"
#include "core/secure_bytes.h"
#include "vaultsim/json_text.h"
#include "vaultsim/testbed_failure.h"

namespace geoekm::vaultsim {
namespace {

constexpr char kApiVersion[] = "7.5";

Status TdeKeySetupFailed(const std::string& what) { return TestbedFailure("TDE key set-up: " + what); }

// The private RSA JWK of a fresh 2048-bit key, as a JSON text kept in a
// wiped buffer.
Result<SecureString> GenerateEscrowJwk() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (!key) return TdeKeySetupFailed("RSA key generation failed");
  const char* names[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
                         OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                         OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  const char* jwk_names[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
  SecureString json = "{\"kty\":\"RSA\"";
  bool ok = true;
  for (int i = 0; i < 8 && ok; ++i) {
    BIGNUM* bn = nullptr;
    ok = EVP_PKEY_get_bn_param(key, names[i], &bn) == 1;
    if (!ok) break;
    SecureBytes bytes(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, bytes.data());
    BN_clear_free(bn);
    const std::string b64 = Base64UrlEncode(bytes);
    json += ",\"";
    json += jwk_names[i];
    json += "\":\"";
    json.append(b64.begin(), b64.end());
    json += "\"";
  }
  EVP_PKEY_free(key);
  if (!ok) return TdeKeySetupFailed("cannot read RSA key parameters");
  json += ",\"key_ops\":[\"wrapKey\",\"unwrapKey\",\"encrypt\",\"decrypt\"]}";
  return json;
}

Status WritePrivateFile(const std::string& path, const SecureString& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return TdeKeySetupFailed("cannot create " + path);
  fchmod(fd, 0600);
  const ssize_t n = write(fd, text.data(), text.size());
  close(fd);
  if (n != static_cast<ssize_t>(text.size())) return TdeKeySetupFailed("cannot write " + path);
  return Status::Ok();
}

Result<Poco::JSON::Object::Ptr> ParseObject(const std::string& text, const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return TdeKeySetupFailed(what + ": not a JSON object");
  }
}

class VaultCalls {
 public:
  VaultCalls(const TestbedHttps& https, const std::string& token) : https_(https), token_(token) {}

  // 2xx → parsed body; else an error naming the vault, status and body.
  Result<Poco::JSON::Object::Ptr> Call(const TestbedVaultEndpoint& v, const std::string& method,
                                       const std::string& path, const std::string& body) const {
    auto r = https_.Send(v.host, v.port, method, path + "?api-version=" + kApiVersion,
                         {{"Authorization", "Bearer " + token_}}, "application/json", body);
    if (!r.ok()) return r.status();
    if (r->status < 200 || r->status > 299) {
      return TdeKeySetupFailed(method + " " + path + " on " + v.name + " answered " + std::to_string(r->status) + ": " +
                    r->body.substr(0, 400));
    }
    return ParseObject(r->body, method + " " + path + " on " + v.name);
  }

 private:
  const TestbedHttps& https_;
  const std::string& token_;
};

Result<TdeKeyCopy> CopyFromBundle(const TestbedVaultEndpoint& v, const Poco::JSON::Object::Ptr& bundle,
                                  std::string* thumbprint) {
  Poco::JSON::Object::Ptr key = bundle->getObject("key");
  if (!key) return TdeKeySetupFailed("no \"key\" in the answer of " + v.name);
  TdeKeyCopy copy;
  copy.vault = v.name;
  copy.kid = key->optValue<std::string>("kid", "");
  copy.version = copy.kid.substr(copy.kid.rfind('/') + 1);
  auto t = RsaJwkThumbprint(key->optValue<std::string>("kty", ""), key->optValue<std::string>("n", ""),
                            key->optValue<std::string>("e", ""));
  if (!t.ok()) return t.status();
  *thumbprint = *t;
  return copy;
}

}  // namespace

Result<TdeKeyResult> ProvisionTdeKey(const TestbedHttps& https, const std::string& bearer_token,
                                     const std::vector<TestbedVaultEndpoint>& vaults, const std::string& key_name,
                                     const std::string& escrow_file) {
  if (vaults.empty()) return TdeKeySetupFailed("no vaults");
  auto escrow = GenerateEscrowJwk();
  if (!escrow.ok()) return escrow.status();
  Status written = WritePrivateFile(escrow_file, *escrow);
  if (!written.ok()) return written;

  // {"key": <escrow JWK>, "Hsm": false}: the JWK goes in verbatim.
  SecureString import_body = "{\"key\":";
  import_body += *escrow;
  import_body += ",\"Hsm\":false,\"attributes\":{\"enabled\":true}}";
  // The transport takes std::string; wipe this copy of the private key on exit.
  std::string import_text(import_body.begin(), import_body.end());
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{import_text};

  VaultCalls calls(https, bearer_token);
  const std::string key_path = "/keys/" + key_name;
  TdeKeyResult result;
  std::string backup_blob;
  for (std::size_t i = 0; i < vaults.size(); ++i) {
    const auto& v = vaults[i];
    Result<Poco::JSON::Object::Ptr> bundle = Status(codes::kFailure, ErrorClass::kInternal, "unset");
    if (i == 0 || v.geography != vaults[0].geography) {
      bundle = calls.Call(v, "PUT", key_path, import_text);
    } else {
      if (backup_blob.empty()) {
        auto backup = calls.Call(vaults[0], "POST", key_path + "/backup", "");
        if (!backup.ok()) return backup.status();
        backup_blob = (*backup)->optValue<std::string>("value", "");
        if (backup_blob.empty()) return TdeKeySetupFailed("empty backup blob from " + vaults[0].name);
      }
      Poco::JSON::Object restore;
      restore.set("value", backup_blob);
      bundle = calls.Call(v, "POST", "/keys/restore", ToJsonText(restore));
    }
    if (!bundle.ok()) return bundle.status();
    std::string thumbprint;
    auto copy = CopyFromBundle(v, *bundle, &thumbprint);
    if (!copy.ok()) return copy.status();
    if (result.thumbprint.empty()) result.thumbprint = thumbprint;
    if (thumbprint != result.thumbprint) {
      return TdeKeySetupFailed(v.name + " holds other key material (thumbprint " + thumbprint + " != " + result.thumbprint + ")");
    }
    result.copies.push_back(std::move(copy).value());
  }
  return result;
}

}  // namespace geoekm::vaultsim

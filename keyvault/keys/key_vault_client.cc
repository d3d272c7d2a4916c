#include "keyvault/keys/key_vault_client.h"

#include <Poco/String.h>

#include <thread>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/random_uuid.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/azure_names.h"
#include "keyvault/keys/challenge_auth_policy.h"
#include "keyvault/keys/key_bundle_json.h"
#include "keyvault/keys/key_id.h"
#include "keyvault/keys/next_link.h"
#include "keyvault/keys/vault_error.h"

namespace geoekm {
namespace {

constexpr int kMaxPages = 1000;  // 25 per page: far beyond the service's 500-version backup limit

Status InvalidArgument(const std::string& message) {
  return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, message);
}

// Built in one reserved buffer: growing it would leave freed copies of the
// value (a DEK for wrapkey) behind that nobody wipes.
std::string OpBody(WrapAlgorithm alg, const std::string& value) {
  std::string body;
  body.reserve(value.size() + 64);
  body.append(R"({"alg":")").append(WrapAlgorithmName(alg)).append(R"(","value":")").append(value).append("\"}");
  return body;
}

}  // namespace

Result<std::unique_ptr<KeyVaultClient>> KeyVaultClient::Create(KeyVaultEndpoint endpoint,
                                                               std::shared_ptr<VaultAuthenticator> auth,
                                                               KeyVaultClientOptions options) {
  if (!auth) return InvalidArgument("KeyVaultClient needs an authenticator");
  auto transport = HttpsTransport::Create(endpoint.origin);
  if (!transport.ok()) return Status(transport.status()).WithVault(endpoint.name);
  return std::make_unique<KeyVaultClient>(std::move(endpoint), std::move(auth), std::move(transport).value(),
                                          std::move(options));
}

KeyVaultClient::KeyVaultClient(KeyVaultEndpoint endpoint, std::shared_ptr<VaultAuthenticator> auth,
                               std::shared_ptr<HttpsTransport> transport, KeyVaultClientOptions options)
    : endpoint_(std::move(endpoint)),
      auth_(std::move(auth)),
      transport_(std::move(transport)),
      options_(std::move(options)),
      retry_(RetryRules{options_.max_retries, options_.retry_throttled, options_.retry_unreachable},
             options_.retry_base_delay, options_.retry_max_delay, options_.retry_budget_ratio,
             options_.retry_budget_min_per_second) {}

KeyVaultClientStats KeyVaultClient::stats() const {
  return KeyVaultClientStats{requests_.load(), retries_.load(), challenges_.load(), retry_.budget_exhausted()};
}

Status KeyVaultClient::CheckName(const std::string& name) const {
  return IsKeyName(name) ? Status() : InvalidArgument("key name must be 1-127 of A-Z a-z 0-9 -");
}

Status KeyVaultClient::CheckVersion(const std::string& version) const {
  return version.empty() || IsKeyVersion(version)
             ? Status()
             : InvalidArgument("key version must be the vault's version id (letters and digits)");
}

// The pipeline of one call: challenge auth (ChallengeAuthPolicy), the send
// with a fresh client request id, error mapping (VaultErrorFromResponse),
// retry (RetryPolicy). The body is wiped however the call ends.
Result<HttpResponse> KeyVaultClient::Execute(Call call, Deadline deadline) {
  retry_.OnCall();
  HttpRequest request;
  request.method = call.method;
  request.target = call.path + (call.path.find('?') == std::string::npos ? "?" : "&") +
                   "api-version=" + options_.api_version;
  request.body = std::move(call.body);
  ChallengeAuthPolicy challenge(*auth_, endpoint_.origin.host);
  Status last;
  for (int attempt = 0;;) {
    auto token = challenge.Token(deadline);
    if (!token.ok()) {
      WipeString(request.body);
      return Status(token.status()).WithVault(endpoint_.name);
    }
    const bool probe = challenge.HoldsBodyBack(*token, request);
    HttpRequest probe_request;
    if (probe) {
      probe_request.method = request.method;
      probe_request.target = request.target;
    }
    HttpRequest& sent = probe ? probe_request : request;
    sent.headers.clear();
    sent.headers.emplace_back("Accept", "application/json");
    if (!sent.body.empty()) sent.headers.emplace_back("Content-Type", "application/json");
    sent.headers.emplace_back("x-ms-client-request-id", RandomUuid());
    if (!token->empty()) {
      sent.headers.emplace_back("Authorization", "Bearer " + std::string(token->data(), token->size()));
    }
    requests_.fetch_add(1);
    auto response = transport_->Send(sent, deadline, call.idempotent);
    for (auto& [name, value] : sent.headers) {
      if (Poco::icompare(name, "Authorization") == 0) WipeString(value);
    }
    auto step = challenge.OnResponse(response, probe, *token, deadline);
    if (!step.ok()) {
      WipeString(request.body);  // a wrap's body holds the DEK
      return Status(step.status()).WithVault(endpoint_.name);
    }
    if (*step == ChallengeAuthPolicy::Step::kChallengeAnswered) challenges_.fetch_add(1);
    if (*step != ChallengeAuthPolicy::Step::kFinal) continue;
    if (response.ok() && response->status >= 200 && response->status < 300) {
      WipeString(request.body);
      return std::move(response).value();
    }
    last = response.ok() ? VaultErrorFromResponse(*response, endpoint_.name, call.operation, call.path)
                         : Status(response.status()).WithVault(endpoint_.name);
    if (response.ok()) WipeString(response->body);
    auto delay = retry_.NextDelay(last, response.ok() ? &*response : nullptr, call.idempotent, attempt, deadline);
    if (!delay) break;
    std::this_thread::sleep_for(*delay);
    ++attempt;
    retries_.fetch_add(1);
  }
  WipeString(request.body);
  return last;
}

Result<KeyBundle> KeyVaultClient::BundleCall(Call call, Deadline deadline) {
  const char* operation = call.operation;
  const int parser_code = call.parser_code;
  auto response = Execute(std::move(call), deadline);
  if (!response.ok()) return response.status();
  auto bundle = ParseKeyBundle(response->body);
  if (bundle.ok()) return bundle;
  if (bundle.status().error_class() != ErrorClass::kInvalidInput) {
    // A well-formed key this provider cannot use (not RSA): no retry helps.
    return Status(bundle.status()).Prefix(std::string(operation) + " failed: ").WithVault(endpoint_.name);
  }
  return VaultParseError(parser_code, endpoint_.name, operation, bundle.status().message());
}

Result<KeyBundle> KeyVaultClient::GetKey(const std::string& name, const std::string& version, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = CheckVersion(version); !s.ok()) return s;
  return BundleCall({"get key", "GET", "/keys/" + name + (version.empty() ? "" : "/" + version), "", true,
                     codes::kGetKeyJsonParser},
                    deadline);
}

Result<std::vector<KeyVersionItem>> KeyVaultClient::ListKeyVersions(const std::string& name, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  std::vector<KeyVersionItem> out;
  std::string path = "/keys/" + name + "/versions?maxresults=" + std::to_string(options_.page_size);
  for (int page = 0; page < kMaxPages; ++page) {
    auto response = Execute({"list key versions", "GET", path, "", true, codes::kGetKeyJsonParser}, deadline);
    if (!response.ok()) return response.status();
    auto parsed = ParseKeyVersionPage(response->body);
    if (!parsed.ok()) {
      return VaultParseError(codes::kGetKeyJsonParser, endpoint_.name, "list key versions", parsed.status().message());
    }
    for (auto& item : parsed->items) out.push_back(std::move(item));
    if (parsed->next_link.empty()) return out;
    // nextLink is absolute and carries its own api-version: follow it on
    // our connection, with our api-version, and only to this vault's origin.
    auto next = NextLinkTarget(parsed->next_link, endpoint_.origin.host, endpoint_.origin.port);
    if (!next.ok()) {
      return VaultParseError(codes::kGetKeyJsonParser, endpoint_.name, "list key versions", next.status().message());
    }
    path = std::move(next).value();
  }
  return VaultParseError(codes::kGetKeyJsonParser, endpoint_.name, "list key versions", "too many pages");
}

Result<Bytes> KeyVaultClient::WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                      const SecureBytes& plaintext, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = CheckVersion(version); !s.ok() || version.empty()) {
    return s.ok() ? InvalidArgument("wrap needs an explicit key version") : s;
  }
  if (alg == WrapAlgorithm::kRsa15) return InvalidArgument("RSA1_5 is accepted for unwrapping old data only");
  std::string encoded = Base64UrlEncode(plaintext);
  auto response = Execute({"wrapkey", "POST", "/keys/" + name + "/" + version + "/wrapkey", OpBody(alg, encoded),
                           true, codes::kWrapJsonParser},
                          deadline);
  WipeString(encoded);
  if (!response.ok()) return response.status();
  auto value = ParseValueField(response->body);
  if (!value.ok()) return VaultParseError(codes::kWrapJsonParser, endpoint_.name, "wrapkey", value.status().message());
  auto wrapped = Base64UrlDecode(*value);
  if (!wrapped.ok()) return VaultParseError(codes::kWrapJsonParser, endpoint_.name, "wrapkey", "value is not base64url");
  return wrapped;
}

Result<SecureBytes> KeyVaultClient::UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                              const Bytes& wrapped, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = CheckVersion(version); !s.ok() || version.empty()) {
    return s.ok() ? InvalidArgument("unwrap needs an explicit key version") : s;
  }
  auto response = Execute({"unwrapkey", "POST", "/keys/" + name + "/" + version + "/unwrapkey",
                           OpBody(alg, Base64UrlEncode(wrapped)), true, codes::kUnwrapJsonParser},
                          deadline);
  if (!response.ok()) return response.status();
  auto value = ParseValueField(response->body);
  WipeString(response->body);  // it held the DEK
  if (!value.ok()) return VaultParseError(codes::kUnwrapJsonParser, endpoint_.name, "unwrapkey", value.status().message());
  auto plain = Base64UrlDecodeSecure(*value);
  WipeString(*value);
  if (!plain.ok()) return VaultParseError(codes::kUnwrapJsonParser, endpoint_.name, "unwrapkey", "value is not base64url");
  return plain;
}

Result<std::string> KeyVaultClient::BackupKey(const std::string& name, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  auto response = Execute({"backup", "POST", "/keys/" + name + "/backup", "", true, codes::kBackupJsonParser}, deadline);
  if (!response.ok()) return response.status();
  auto value = ParseValueField(response->body);
  if (!value.ok()) return VaultParseError(codes::kBackupJsonParser, endpoint_.name, "backup", value.status().message());
  return value;
}

Result<KeyBundle> KeyVaultClient::RestoreKey(const std::string& backup_blob, Deadline deadline) {
  if (backup_blob.empty()) return InvalidArgument("empty backup blob");
  for (char c : backup_blob) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '=') {
      return InvalidArgument("backup blob is not base64url");
    }
  }
  return BundleCall({"restore", "POST", "/keys/restore", R"({"value":")" + backup_blob + "\"}", false,
                     codes::kGetKeyJsonParser},
                    deadline);
}

Result<KeyBundle> KeyVaultClient::ImportKey(const std::string& name, const PrivateRsaJwk& jwk, bool hsm,
                                            const KeyAttributes& attributes, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (jwk.n.empty() || jwk.e.empty() || jwk.d.empty()) return InvalidArgument("import needs an RSA JWK with n, e, d");
  return BundleCall({"import", "PUT", "/keys/" + name, ImportKeyJson(jwk, hsm, attributes), false,
                     codes::kGetKeyJsonParser},
                    deadline);
}

Result<KeyBundle> KeyVaultClient::CreateKey(const std::string& name, const KeyCreateOptions& options,
                                            Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  return BundleCall({"create", "POST", "/keys/" + name + "/create", CreateKeyJson(options), false,
                     codes::kGetKeyJsonParser},
                    deadline);
}

Result<KeyBundle> KeyVaultClient::RotateKey(const std::string& name, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  return BundleCall({"rotate", "POST", "/keys/" + name + "/rotate", "", false, codes::kGetKeyJsonParser}, deadline);
}

Result<KeyBundle> KeyVaultClient::UpdateKey(const std::string& name, const std::string& version,
                                            const KeyUpdateOptions& options, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = CheckVersion(version); !s.ok() || version.empty()) {
    return s.ok() ? InvalidArgument("update needs an explicit key version") : s;
  }
  return BundleCall({"update", "PATCH", "/keys/" + name + "/" + version, UpdateKeyJson(options), false,
                     codes::kGetKeyJsonParser},
                    deadline);
}

Result<std::optional<DeletedKeyBundle>> KeyVaultClient::GetDeletedKey(const std::string& name, Deadline deadline) {
  if (Status s = CheckName(name); !s.ok()) return s;
  auto response =
      Execute({"get deleted key", "GET", "/deletedkeys/" + name, "", true, codes::kGetKeyJsonParser}, deadline);
  if (!response.ok()) {
    // 404 "Deleted Key not found": the name is not soft-deleted here.
    if (response.status().code() == codes::kHttpNotFound) return std::optional<DeletedKeyBundle>();
    return response.status();
  }
  auto bundle = ParseDeletedKeyBundle(response->body);
  if (!bundle.ok()) {
    if (bundle.status().error_class() != ErrorClass::kInvalidInput) {
      return Status(bundle.status()).Prefix("get deleted key failed: ").WithVault(endpoint_.name);
    }
    return VaultParseError(codes::kGetKeyJsonParser, endpoint_.name, "get deleted key", bundle.status().message());
  }
  return std::optional<DeletedKeyBundle>(std::move(bundle).value());
}

}  // namespace geoekm

// Error codes of the SQL Server Connector for Azure Key Vault
// (docs/ARCHITECTURE.md §Error codes), reused by geoekm so that a DBA who
// knows the connector's table recognises our failures. Codes above 2048 are
// provider-specific; 0..7 are the engine's SqlCpError values.
//
// geoekm-only codes live in the 5000 range (the connector does not use it).
//
// Thread safety: constants and a pure lookup function.
#pragma once

#include <span>
#include <string_view>

namespace geoekm::codes {

// SqlCpError
inline constexpr int kSuccess = 0;
inline constexpr int kFailure = 1;
inline constexpr int kInsufficientBuffer = 2;
inline constexpr int kNotSupported = 3;
inline constexpr int kNotFound = 4;
inline constexpr int kAuthFailure = 5;
inline constexpr int kInvalidArgument = 6;
inline constexpr int kProviderError = 7;

// Connector
inline constexpr int kKeyNameDoesNotFitThumbprint = 2049;
inline constexpr int kPasswordTooShort = 2050;
inline constexpr int kAkvUnknown = 3001;
inline constexpr int kHttpConnectSession = 3004;
inline constexpr int kHttpSendRequest = 3008;
inline constexpr int kHttpUnauthorized = 3010;
inline constexpr int kHttpThrottled = 3011;
inline constexpr int kHttpClientError = 3012;
inline constexpr int kHttpServerError = 3013;
inline constexpr int kHttpReadData = 3019;
inline constexpr int kHttpNotFound = 3076;
inline constexpr int kHttpForbidden = 3077;
inline constexpr int kHttpUnauthorizedCredential = 3108;
inline constexpr int kChallengeMalformed = 3203;
inline constexpr int kTokenBadCredentials = 3303;
inline constexpr int kTokenFailed = 3304;
inline constexpr int kTokenRejected = 3305;
inline constexpr int kTokenJsonParser = 3307;
inline constexpr int kGetKeyJsonParser = 3404;
inline constexpr int kBackupJsonParser = 3504;
inline constexpr int kWrapJsonParser = 3607;
inline constexpr int kUnwrapJsonParser = 3707;
inline constexpr int kJwtCreateSignature = 3804;
inline constexpr int kPfxImport = 3809;
inline constexpr int kPemPrivateKey = 3816;
inline constexpr int kVaultNameNotResolved = 3900;

// geoekm-specific (5000+)
inline constexpr int kConfigInvalid = 5001;       // configuration file rejected
inline constexpr int kTlsFailure = 5002;          // TLS handshake / certificate verification failed
inline constexpr int kDeadlineExceeded = 5003;    // operation deadline passed
inline constexpr int kChallengeDomainMismatch = 5004;  // challenge resource does not match vault host
inline constexpr int kKeyMaterialMismatch = 5005;  // a vault holds other material under the key name
inline constexpr int kNoUsableVault = 5006;       // every vault failed or is ejected
inline constexpr int kStateStoreError = 5007;     // SQLite state store failure
inline constexpr int kVersionNotEverywhere = 5008;  // key version not held by every vault
inline constexpr int kChallengeTenantNotAllowed = 5009;  // challenge names a tenant the config does not allow

// One row of the table `geoekm explain` prints (docs/ERROR_CODES.md is
// generated from it): the code, the connector's symbol (geoekm_* for
// geoekm's own codes) and its text.
struct ErrorCodeInfo {
  int code;
  std::string_view symbol;
  std::string_view text;
};

// Every known code, ascending.
std::span<const ErrorCodeInfo> ErrorCodeTable();
const ErrorCodeInfo* FindErrorCode(int code);  // null when unknown

// The connector's own description for a code, or "" when it has none.
std::string_view Describe(int code);
// What an operator should do about it ("" when unknown).
std::string_view Action(int code);
// Who defines it: the SQL Server engine, the connector, or geoekm.
std::string_view Origin(int code);

}  // namespace geoekm::codes

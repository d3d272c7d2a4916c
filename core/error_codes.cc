// The connector's published error table plus geoekm's own codes (docs/ARCHITECTURE.md §Error codes).
#include "core/error_codes.h"

namespace geoekm::codes {
namespace {

// code, the connector's symbol (geoekm_* for geoekm's own), its text.
constexpr ErrorCodeInfo kTable[] = {
    {0, "scp_err_Success", "The operation has succeeded."},
    {1, "scp_err_Failure", "The operation has failed."},
    {2, "scp_err_InsufficientBuffer", "This error tells engine to allocate more memory for the buffer."},
    {3, "scp_err_NotSupported", "The operation is not supported. For example, the key type or algorithm specified isn't supported by the EKM provider."},
    {4, "scp_err_NotFound", "The specified key or algorithm couldn't be found by the EKM provider."},
    {5, "scp_err_AuthFailure", "The authentication has failed with EKM provider."},
    {6, "scp_err_InvalidArgument", "The provided argument is invalid."},
    {7, "scp_err_ProviderError", "There is an unspecified error happened in EKM provider that is caught by SQL engine."},
    {401, "acquireToken", "Server responded 401 for the request. Make sure the client ID and secret are correct, and the credential string is a concatenation of AAD client ID and secret without hyphens."},
    {404, "getKeyByName", "The server responded 404, because the key name was not found. Please make sure the key name exists in your vault."},
    {2049, "scp_err_KeyNameDoesNotFitThumbprint", "The key name is too long to fit into SQL engine's thumbprint. The key name must not exceed 26 characters."},
    {2050, "scp_err_PasswordTooShort", "The secret string that is the concatenation of AAD client ID and secret is shorter than 32 characters."},
    {2051, "scp_err_OutOfMemory", "SQL engine has run out of memory and failed to allocate memory for EKM provider."},
    {2052, "scp_err_ConvertKeyNameToThumbprint", "Failed to convert key name to thumbprint."},
    {2053, "scp_err_ConvertThumbprintToKeyName", "Failed to convert thumbprint to key name."},
    {2057, "scp_err_ThumbprintExistedInRegistry", "The key thumbprint already exists in Windows registry mapped to a different key URI."},
    {2058, "scp_err_FailureInRegistry", "Failed to perform the operation in registry. SQL Server service account does not have permission to create the registry key."},
    {3000, "ErrorSuccess", "The AKV operation has succeeded."},
    {3001, "ErrorUnknown", "The AKV operation has failed with an unspecified error."},
    {3002, "ErrorHttpCreateHttpClientOutOfMemory", "Cannot create an HttpClient for AKV operation due to out of memory."},
    {3003, "ErrorHttpOpenSession", "Cannot open an Http session because of network error."},
    {3004, "ErrorHttpConnectSession", "Cannot connect an Http session because of network error."},
    {3005, "ErrorHttpAttemptConnect", "Cannot attempt a connect because of network error."},
    {3006, "ErrorHttpOpenRequest", "Cannot open a request due to network error."},
    {3007, "ErrorHttpAddRequestHeader", "Cannot add request header."},
    {3008, "ErrorHttpSendRequest", "Cannot send a request due to network error."},
    {3009, "ErrorHttpGetResponseCode", "Cannot get a response code due to network error."},
    {3010, "ErrorHttpResponseCodeUnauthorized", "Server responded 401 for the request."},
    {3011, "ErrorHttpResponseCodeThrottled", "Server has throttled the request."},
    {3012, "ErrorHttpResponseCodeClientError", "The request sent from the connector is invalid. This usually means the key name is invalid or contains invalid characters."},
    {3013, "ErrorHttpResponseCodeServerError", "Server responded a response code between 500 and 600."},
    {3014, "ErrorHttpQueryHeader", "Cannot query for response header."},
    {3015, "ErrorHttpQueryHeaderOutOfMemoryCopyHeader", "Cannot copy the response header due to out of memory."},
    {3016, "ErrorHttpQueryHeaderOutOfMemoryReallocBuffer", "Cannot query the response header due to out of memory when reallocating a buffer."},
    {3017, "ErrorHttpQueryHeaderNotFound", "Cannot find the query header in the response."},
    {3018, "ErrorHttpQueryHeaderUpdateBufferLength", "Cannot update the buffer length when querying the response header."},
    {3019, "ErrorHttpReadData", "Cannot read response data due to network error."},
    {3076, "ErrorHttpResourceNotFound", "The server responded 404, because the key name was not found. Make sure the key name exists in your vault."},
    {3077, "ErrorHttpOperationForbidden", "The server responded 403, because the user doesn't have proper permission to perform the action. Make sure you have the permission for the specified operation. At minimum, the connector requires 'get, list, wrapKey, unwrapKey' permissions to function properly."},
    {3100, "ErrorHttpCreateHttpClientOutOfMemory", "Cannot create a HttpClient for AKV operation due to out of memory."},
    {3101, "ErrorHttpOpenSession", "Cannot open a Http session due to network error."},
    {3102, "ErrorHttpConnectSession", "Cannot connect a Http session due to network error."},
    {3103, "ErrorHttpAttemptConnect", "Cannot attempt a connect due to network error."},
    {3104, "ErrorHttpOpenRequest", "Cannot open a request due to network error."},
    {3105, "ErrorHttpAddRequestHeader", "Cannot add request header."},
    {3106, "ErrorHttpSendRequest", "Cannot send a request due to network error."},
    {3107, "ErrorHttpGetResponseCode", "Cannot get a response code due to network error."},
    {3108, "ErrorHttpResponseCodeUnauthorized", "Server responded 401 for the request. Make sure the client Id and secret are correct, and the credential string is a concatenation of AAD client Id and secret without hyphens."},
    {3109, "ErrorHttpResponseCodeThrottled", "Server has throttled the request."},
    {3110, "ErrorHttpResponseCodeClientError", "The request is invalid. This usually means the key name is invalid or contains invalid characters."},
    {3111, "ErrorHttpResponseCodeServerError", "Server responded a response code between 500 and 600."},
    {3112, "ErrorHttpResourceNotFound", "The server responded 404, because the key name was not found. Please make sure the key name exists in your vault."},
    {3113, "ErrorHttpOperationForbidden", "The server responded 403, because the user does not have proper permission to perform the action. Please make sure you have the permission for the specified operation. At minimum,'get, wrapKey, unwrapKey' permissions are required."},
    {3114, "ErrorHttpQueryHeader", "Cannot query for response header."},
    {3115, "ErrorHttpQueryHeaderOutOfMemoryCopyHeader", "Cannot copy the response header due to out of memory."},
    {3116, "ErrorHttpQueryHeaderOutOfMemoryReallocBuffer", "Cannot query the response header due to out of memory when reallocating a buffer."},
    {3117, "ErrorHttpQueryHeaderNotFound", "Cannot find the query header in the response."},
    {3118, "ErrorHttpQueryHeaderUpdateBufferLength", "Cannot update the buffer length when querying the response header."},
    {3119, "ErrorHttpReadData", "Cannot read response data due to network error."},
    {3120, "ErrorHttpGetResponseOutOfMemoryCreateTempBuffer", "Cannot get response body due to out of memory when creating a temp buffer."},
    {3121, "ErrorHttpGetResponseOutOfMemoryGetResultString", "Cannot get response body due to out of memory when get result string."},
    {3122, "ErrorHttpGetResponseOutOfMemoryAppendResponse", "Cannot get response body due to out of memory when appending response."},
    {3128, "ErrorHttpBadRequest", "The secret and client id are correct but in the wrong format."},
    {3200, "ErrorGetAADValuesOutOfMemoryConcatPath", "Cannot get Azure Active Directory challenge header values due to out of memory when concatenating the path."},
    {3201, "ErrorGetAADDomainUrlStartPosition", "Cannot find the starting position for Azure Active Directory domain Url in malformatted response challenge header."},
    {3202, "ErrorGetAADDomainUrlStopPosition", "Cannot find the ending position for Azure Active Directory domain Url in malformatted response challenge header."},
    {3203, "ErrorGetAADDomainUrlMalformatted", "The Azure Active Directory response challenge header is malformatted and doesn't contain the AAD domain Url."},
    {3204, "ErrorGetAADDomainUrlOutOfMemoryAlloc", "Out of memory when allocating buffer for Azure Active Directory domain Url."},
    {3205, "ErrorGetAADTenantIdOutOfMemoryAlloc", "Out of memory when allocating buffer for Azure Active Directory tenantId."},
    {3206, "ErrorGetAKVResourceUrlStartPosition", "Cannot find the starting position for Azure Key Vault resource Url in malformatted response challenge header."},
    {3207, "ErrorGetAKVResourceUrlStopPosition", "Cannot find the ending position for Azure Key Vault resource Url in malformatted response challenge header."},
    {3208, "ErrorGetAKVResourceUrlOutOfMemoryAlloc", "Out of memory when allocating buffer for Azure Key Vault resource Url."},
    {3300, "ErrorGetTokenOutOfMemoryConcatPath", "Cannot get token due to out of memory when concatenating the request path."},
    {3301, "ErrorGetTokenOutOfMemoryConcatBody", "Cannot get token due to out of memory when concatenating the response body."},
    {3302, "ErrorGetTokenOutOfMemoryConvertResponseString", "Cannot get token due to out of memory when converting the response string."},
    {3303, "ErrorGetTokenBadCredentials", "Cannot get token due to incorrect credentials. Make sure the credential string or certificate is valid."},
    {3304, "ErrorGetTokenFailedToGetToken", "While the credentials are correct, the operation still failed to get a valid token."},
    {3305, "ErrorGetTokenRejected", "The token is valid but is rejected by server."},
    {3306, "ErrorGetTokenNotFound", "Cannot find the token in response."},
    {3307, "ErrorGetTokenJsonParser", "Cannot parse the JSON response of server."},
    {3308, "ErrorGetTokenExtractToken", "Cannot extract the token from the JSON response."},
    {3400, "ErrorGetKeyByNameOutOfMemoryConvertResponseString", "Cannot get the key by name due to out of memory converting the response string."},
    {3401, "ErrorGetKeyByNameOutOfMemoryConcatPath", "Cannot get the key by name due to out of memory when concatenating the path."},
    {3402, "ErrorGetKeyByNameOutOfMemoryConcatHeader", "Cannot get the key by name due to out of memory when concatenating the header."},
    {3403, "ErrorGetKeyByNameNoResponse", "Cannot get the key by name due to no response from server."},
    {3404, "ErrorGetKeyByNameJsonParser", "Cannot get the key by name due to failed to parse the JSON response."},
    {3405, "ErrorGetKeyByNameExtractKeyNode", "Cannot get the key by name due to failed to extract the key node from the response."},
    {3406, "ErrorGetKeyByNameExtractKeyId", "Cannot get the key by name due to failed to extract the key Id from the response."},
    {3407, "ErrorGetKeyByNameExtractKeyType", "Cannot get the key by name due to failed to extract the key type from the response."},
    {3408, "ErrorGetKeyByNameExtractKeyN", "Cannot get the key by name due to failed to extract the key N from the response."},
    {3409, "ErrorGetKeyByNameBase64DecodeN", "Cannot get the key by name due to failed to Base64 decode the N."},
    {3410, "ErrorGetKeyByNameExtractKeyE", "Cannot get the key by name due to failed to extract the key E from the response."},
    {3411, "ErrorGetKeyByNameBase64DecodeE", "Cannot get the key by name due to failed to Base64 decode the E."},
    {3412, "ErrorGetKeyByNameExtractKeyUri", "Cannot extract the key Uri from the response."},
    {3500, "ErrorBackupKeyOutOfMemoryConvertResponseString", "Cannot back up key due to out of memory when converting the response string."},
    {3501, "ErrorBackupKeyOutOfMemoryConcatPath", "Cannot back up key due to out of memory when concatenating the path."},
    {3502, "ErrorBackupKeyOutOfMemoryConcatHeader", "Cannot back up key due to out of memory when concatenating the request header."},
    {3503, "ErrorBackupKeyNoResponse", "Cannot back up key due to no response from server."},
    {3504, "ErrorBackupKeyJsonParser", "Cannot back up key due to failed to parse the JSON response."},
    {3505, "ErrorBackupKeyExtractValue", "Cannot back up key due to failed to extract the value from JSON response."},
    {3506, "ErrorBackupKeyBase64DecodeValue", "Cannot back up key due to failed to Base64 decode the value field."},
    {3600, "ErrorWrapKeyOutOfMemoryConvertResponseString", "Cannot wrap key due to out of memory when converting response string."},
    {3601, "ErrorWrapKeyOutOfMemoryConcatPath", "Cannot wrap key due to out of memory when concatenating the path."},
    {3602, "ErrorWrapKeyOutOfMemoryConcatHeader", "Cannot wrap key due to out of memory when concatenating the header."},
    {3603, "ErrorWrapKeyOutOfMemoryConcatBody", "Cannot wrap key due to out of memory when concatenating the body."},
    {3604, "ErrorWrapKeyOutOfMemoryConvertEncodedBody", "Cannot wrap key due to out of memory when converting the encoded body."},
    {3605, "ErrorWrapKeyBase64EncodeKey", "Cannot wrap key due to failed to Base64 encode the key."},
    {3606, "ErrorWrapKeyBase64DecodeValue", "Cannot wrap key due to failed to Base64 decode the response value."},
    {3607, "ErrorWrapKeyJsonParser", "Cannot wrap key due to failed to parse the JSON response."},
    {3608, "ErrorWrapKeyExtractValue", "Cannot wrap key due to failed to extract value from response."},
    {3609, "ErrorWrapKeyNoResponse", "Cannot wrap key due to no response from server."},
    {3700, "ErrorUnwrapKeyOutOfMemoryConvertResponseString", "Cannot unwrap key due to out of memory when converting response string."},
    {3701, "ErrorUnwrapKeyOutOfMemoryConcatPath", "Cannot unwrap key due to out of memory when concatenating the path."},
    {3702, "ErrorUnwrapKeyOutOfMemoryConcatHeader", "Cannot unwrap key due to out of memory when concatenating the header."},
    {3703, "ErrorUnwrapKeyOutOfMemoryConcatBody", "Cannot unwrap key due to out of memory when concatenating the body."},
    {3704, "ErrorUnwrapKeyOutOfMemoryConvertEncodedBody", "Cannot unwrap key due to out of memory when converting the encoded body."},
    {3705, "ErrorUnwrapKeyBase64EncodeKey", "Cannot unwrap key due to failed to Base64 encode the key."},
    {3706, "ErrorUnwrapKeyBase64DecodeValue", "Cannot unwrap key due to failed to Base64 decode the response value."},
    {3707, "ErrorUnwrapKeyJsonParser", "Cannot unwrap key due to failed to extract value from response."},
    {3708, "ErrorUnwrapKeyExtractValue", "Cannot unwrap key due to failed to extract value from response."},
    {3709, "ErrorUnwrapKeyNoResponse", "Cannot unwrap key due to no response from server."},
    {3800, "ErrorSecretAuthParamsGetRequestBody", "Error creating request body using AAD clientId and secret."},
    {3801, "ErrorJWTTokenCreateHeader", "Error creating JWT token header for authentication with AAD."},
    {3802, "ErrorJWTTokenCreatePayloadGUID", "Error creating GUID for JWT token payload for authentication with AAD."},
    {3803, "ErrorJWTTokenCreatePayload", "Error creating JWT token payload for authentication with AAD."},
    {3804, "ErrorJWTTokenCreateSignature", "Error creating JWT token signature for authentication with AAD."},
    {3805, "ErrorJWTTokenSignatureHashAlg", "Error getting SHA256 hash algorithm for authentication with AAD."},
    {3806, "ErrorJWTTokenSignatureHash", "Error creating SHA256 hash for JWT token authentication with AAD."},
    {3807, "ErrorJWTTokenSignatureSignHash", "Error signing JWT token hash for authentication with AAD."},
    {3808, "ErrorJWTTokenCreateToken", "Error creating JWT token for authentication with AAD."},
    {3809, "ErrorPfxCertAuthParamsImportPfx", "Error importing Pfx certificate for authentication with AAD."},
    {3810, "ErrorPfxCertAuthParamsGetThumbprint", "Error getting thumbprint from Pfx certificate for authentication with AAD."},
    {3811, "ErrorPfxCertAuthParamsGetPrivateKey", "Error getting private key from Pfx certificate for authentication with AAD."},
    {3812, "ErrorPfxCertAuthParamsSignAlg", "Error getting RSA signing algorithm for Pfx certificate authentication with AAD."},
    {3813, "ErrorPfxCertAuthParamsImportForSign", "Error importing Pfx private key for RSA signing for authentication with AAD."},
    {3814, "ErrorPfxCertAuthParamsCreateRequestBody", "Error creating request body from Pfx certificate for authentication with AAD."},
    {3815, "ErrorPEMCertAuthParamsGetThumbprint", "Error Base64 decoding Thumbprint for authentication with AAD."},
    {3816, "ErrorPEMCertAuthParamsGetPrivateKey", "Error getting RSA private key from PEM for authentication with AAD."},
    {3817, "ErrorPEMCertAuthParamsSignAlg", "Error getting RSA signing algorithm for PEM private key authentication with AAD."},
    {3818, "ErrorPEMCertAuthParamsImportForSign", "Error importing PEM private key for RSA signing for authentication with AAD."},
    {3819, "ErrorPEMCertAuthParamsCreateRequestBody", "Error creating request body from PEM private key for authentication with AAD."},
    {3820, "ErrorLegacyPrivateKeyAuthParamsSignAlg", "Error getting RSA signing algorithm for Legacy private key authentication with AAD."},
    {3821, "ErrorLegacyPrivateKeyAuthParamsImportForSign", "Error importing Legacy private key for RSA signing for authentication with AAD."},
    {3822, "ErrorLegacyPrivateKeyAuthParamsCreateRequestBody", "Error creating request body from Legacy private key for authentication with AAD."},
    {3900, "ErrorAKVDoesNotExist", "Error internet name not resolved. This typically indicates the Azure Key Vault is deleted."},
    {4000, "ErrorCreateKeyVaultRetryManagerOutOfMemory", "Cannot create a RetryManager for AKV operation due to out of memory."},
    {5001, "geoekm_ConfigInvalid", "The configuration was rejected; nothing was started. Fix the listed errors and run 'geoekm config check'."},
    {5002, "geoekm_TlsFailure", "TLS handshake or certificate verification failed. Check the vault URL, the CA bundle and the server certificate."},
    {5003, "geoekm_DeadlineExceeded", "The operation did not finish before its deadline."},
    {5004, "geoekm_ChallengeDomainMismatch", "The vault's authentication challenge names a resource whose domain does not match the vault host; no token was sent."},
    {5005, "geoekm_KeyMaterialMismatch", "A vault holds different key material under the configured key name. It is quarantined; wrapping with it would make data unrecoverable."},
    {5006, "geoekm_NoUsableVault", "No vault in the set could perform the operation."},
    {5007, "geoekm_StateStoreError", "The local state store failed."},
    {5008, "geoekm_VersionNotEverywhere", "The key version is not held by every vault in the set; it is not used for new wraps."},
    {5009, "geoekm_ChallengeTenantNotAllowed", "The vault's authentication challenge names a tenant other than the configured one; no credential was sent. "
           "List it in additionally_allowed_tenants if the vault really belongs to it."},
};

// What to do, for the codes geoekm produces or an operator meets most;
// other codes get their range's advice (RangeAction).
struct CodeAction {
  int code;
  std::string_view action;
};

constexpr CodeAction kActions[] = {
    {0, "Nothing."},
    {401, "As 3010: check the client id and secret (the credential string is client id + secret, no hyphens)."},
    {404, "As 3076: the key name is not in the vault."},
    {3000, "Nothing."},
    {3001, "An unspecified Key Vault failure: read the message logged with it (HTTP status, vault error code)."},
    {3128, "Give the credential as the 32-hex client id (no hyphens) followed by the client secret."},
    {4000, "The connector ran out of memory: restart the SQL Server service."},
    {2050, "Give the credential as the 32-hex client id (no hyphens) followed by the client secret."},
    {3004, "The vault could not be reached: check DNS, routing, proxy and the vault's firewall from this host; "
           "geoekm fails over to another vault meanwhile."},
    {3008, "The request could not be sent: check the network path to the vault (proxy, firewall, TLS inspection)."},
    {3010, "The vault refused the token: check the client id, secret or certificate and the tenant; run 'geoekm "
           "config check'."},
    {3011, "The vault throttled the request: geoekm backs off and spreads load to other vaults; if it persists, "
           "lower the request rate or ask for higher limits."},
    {3012, "The vault rejected the request as invalid: check the key name and version in the configuration."},
    {3013, "The vault answered 5xx: a service problem; geoekm retries and fails over. Check the Azure status page "
           "if it persists."},
    {3076, "The key or version is not in this vault: run 'geoekm check' and 'geoekm sync' to bring every version "
           "to every vault; if the key was deleted, recover it (az keyvault key recover)."},
    {3077, "Forbidden: grant the identity get, list, wrapKey and unwrapKey on keys (plus backup, restore, import for "
           "sync); or allow this host through the vault firewall; or enable the key / fix its nbf, exp or key_ops. "
           "'geoekm check' names which."},
    {3108, "The token is for another tenant or resource: check the tenant and authority in the configuration."},
    {3303, "The authority rejected the credential: check the client id and secret or certificate."},
    {3900, "The vault's host name does not resolve: the vault may have been deleted, or DNS is wrong. Check the "
           "vault URL."},
    {5001, "Fix the listed configuration errors and run 'geoekm config check FILE'."},
    {5002, "Check the vault URL, the CA bundle and the server certificate; TLS is always verified."},
    {5003, "The operation ran out of time: check vault latency ('geoekm status') and the operation_deadline."},
    {5004, "The vault's challenge names a resource outside its domain: the vault URL or a proxy is wrong; no token "
           "was sent."},
    {5005, "A vault holds other material under the key name and is quarantined: run 'geoekm check', find out who "
           "added it, and make every vault hold the same versions ('geoekm sync')."},
    {5006, "No vault could serve the request: run 'geoekm status' and 'geoekm check' to see why each failed."},
    {5007, "The state store failed: check the disk, the file's permissions (0600, owned by the service account) and "
           "'geoekm state rebuild' if it is lost."},
    {5008, "The key version is not in every vault, so it is not used for new wraps: run 'geoekm sync --apply'."},
    {5009, "The vault's challenge names another tenant: list it in additionally_allowed_tenants if the vault really "
           "belongs to it."},
};

std::string_view RangeAction(int code) {
  if (code >= 0 && code <= 7) return "An SQL Server engine status: see the message logged with it.";
  if (code >= 2049 && code <= 2058) return "A connector limitation or registry problem on the SQL Server host.";
  if ((code >= 3002 && code <= 3009) || (code >= 3014 && code <= 3019) || (code >= 3100 && code <= 3107) ||
      (code >= 3114 && code <= 3122)) {
    return "A network or HTTP failure talking to the vault: check connectivity, proxy and firewall; geoekm fails "
           "over to another vault meanwhile.";
  }
  if (code >= 3109 && code <= 3113) return "As the matching 30xx code (the connector reports the same in two places).";
  if (code >= 3200 && code <= 3208) return "The vault's authentication challenge was malformed: check that the URL is a Key Vault.";
  if (code >= 3300 && code <= 3308) return "Getting a token failed: check the credential, tenant and authority.";
  if (code >= 3400 && code <= 3412) return "The vault's key answer was unusable: check that the key is an RSA key and the vault a Key Vault.";
  if (code >= 3500 && code <= 3506) return "The vault's backup answer was unusable.";
  if (code >= 3600 && code <= 3609) return "The vault's wrap answer was unusable: retry; if it persists, check the vault (proxy, TLS inspection).";
  if (code >= 3700 && code <= 3709) return "The vault's unwrap answer was unusable: retry; if it persists, check the vault.";
  if (code >= 3800 && code <= 3822) return "Building the certificate credential failed: check the certificate file, its key and password.";
  return "";
}

}  // namespace

std::string_view Describe(int code) {
  const ErrorCodeInfo* info = FindErrorCode(code);
  return info ? info->text : std::string_view();
}

std::span<const ErrorCodeInfo> ErrorCodeTable() { return kTable; }

const ErrorCodeInfo* FindErrorCode(int code) {
  for (const ErrorCodeInfo& e : kTable) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

std::string_view Action(int code) {
  for (const CodeAction& a : kActions) {
    if (a.code == code) return a.action;
  }
  return RangeAction(code);
}

std::string_view Origin(int code) {
  if (code >= 5000) return "geoekm";
  if (code >= 0 && code <= 7) return "SQL Server engine (SqlCpError)";
  return "SQL Server Connector for Azure Key Vault";
}

}  // namespace geoekm::codes

/* sql_crypt_api.h: SQL Server's EKM provider interface ("SQL Crypto API"
 * v1.1) as geoekm implements it — the 17 functions SQL Server resolves in a
 * provider library and the structures they exchange, laid out exactly as
 * the engine expects (docs/ARCHITECTURE.md §EKM ABI). Plain C, so the
 * engine harness (tests/provider/ekm/engine_harness.c) includes it too.
 *
 * On Linux ULONG is 32 bits (not `unsigned long`), WCHAR a 16-bit UTF-16
 * code unit (char16_t, never wchar_t) and BOOLEAN 8 bits; the static
 * asserts at the end pin sizes and offsets for LP64. On Windows the same
 * declarations export __cdecl functions from a DLL.
 *
 * Thread safety: the functions may be called concurrently by any number of
 * engine threads (see provider/ekm/ekm_process.h).
 */
#ifndef GEOEKM_PROVIDER_EKM_SQL_CRYPT_API_H
#define GEOEKM_PROVIDER_EKM_SQL_CRYPT_API_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <uchar.h>
#endif

#if defined(_WIN32)
#define GEOEKM_SQLCRYPT_CALL __cdecl
#if defined(GEOEKM_EKM_BUILDING)
#define GEOEKM_SQLCRYPT_EXPORT __declspec(dllexport)
#else
#define GEOEKM_SQLCRYPT_EXPORT
#endif
#else
#define GEOEKM_SQLCRYPT_CALL
#define GEOEKM_SQLCRYPT_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Scalar types (§EKM ABI "Scalar types"). Our own names, so that the header
 * never clashes with <windows.h>'s ULONG/BYTE/WCHAR. */
typedef uint32_t SqlCpUlong;
typedef uint16_t SqlCpUshort;
typedef uint8_t SqlCpByte;
typedef uint8_t SqlCpBoolean;
typedef char16_t SqlCpWchar;

typedef SqlCpUlong SqlCpAlgId;
typedef SqlCpUlong SqlCpKeyFlags;
typedef SqlCpUlong SqlCpKeyId;
typedef void* SqlCpSession;

typedef enum SqlCpError {
  scp_err_Success = 0,
  scp_err_Failure = 1,
  scp_err_InsufficientBuffer = 2,
  scp_err_NotSupported = 3,
  scp_err_NotFound = 4,
  scp_err_AuthFailure = 5,
  scp_err_InvalidArgument = 6,
  scp_err_ProviderError = 7
} SqlCpError;

typedef enum SqlCpAuthType { scp_auth_Other = 0, scp_auth_Basic = 1 } SqlCpAuthType;

typedef enum SqlCpKeyFlagsBm {
  scp_kf_Supported = 0x01,
  scp_kf_Volatile = 0x02,
  scp_kf_Exportable = 0x04,
  scp_kf_Importable = 0x08
} SqlCpKeyFlagsBm;

typedef enum SqlCpKeyBlobType { scp_kbt_SimpleBlob = 0, scp_kbt_PublicKeyBlob = 1 } SqlCpKeyBlobType;

typedef enum SqlCpEncParamType { scp_ept_IV = 0 } SqlCpEncParamType;

/* `cb` is a byte count; buffers passed for output belong to the engine. */
typedef struct SqlCpData {
  SqlCpUlong cb;
  SqlCpByte* pb;
} SqlCpData;

/* UTF-16, `cb` bytes (not characters), no terminator. */
typedef struct SqlCpStr {
  SqlCpUlong cb;
  SqlCpWchar* ws;
} SqlCpStr;

typedef struct SqlCpVersion {
  SqlCpByte major;
  SqlCpByte minor;
  SqlCpUshort build;
  SqlCpByte revision;
} SqlCpVersion;

typedef struct SqlCpCredential {
  SqlCpStr name;
  SqlCpStr password;
} SqlCpCredential;

typedef SqlCpData SqlCpKeyThumbprint;
typedef SqlCpData SqlCpKeyBlob;

typedef struct SqlCpGuid {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} SqlCpGuid;

typedef struct SqlCpKeyInfo {
  SqlCpStr name;
  SqlCpKeyThumbprint thumb;
  SqlCpAlgId algId;
  SqlCpKeyFlags flags;
} SqlCpKeyInfo;

typedef struct SqlCpProviderInfo {
  SqlCpStr name;
  SqlCpGuid guid;
  SqlCpVersion version;
  SqlCpVersion scpVersion; /* 1.1 */
  SqlCpAuthType authType;
  SqlCpKeyFlags symmKeySupport;
  SqlCpKeyFlags asymmKeySupport;
  SqlCpUlong cbKeyThumbLen;
  SqlCpBoolean fAcceptsKeyName;
} SqlCpProviderInfo;

typedef struct SqlCpAlgorithmInfo {
  SqlCpAlgId algId;
  SqlCpStr algTag;
  int type;
  SqlCpUlong bitLen;
  SqlCpUlong ivLen;
} SqlCpAlgorithmInfo;

typedef struct SqlCpEncryptionParam {
  SqlCpEncParamType type;
  SqlCpUlong cb;
  SqlCpByte* pb;
} SqlCpEncryptionParam;

/* The environment variable naming geoekm's configuration file (else
 * /etc/geoekm/geoekm.ini), read by SqlCryptInitializeProvider. */
#define GEOEKM_CONFIG_ENV "GEOEKM_CONFIG"

/* geoekm's algorithm ids and SqlCpAlgorithmInfo.type (the spec leaves the
 * values to the provider; §EKM ABI). */
enum {
  GEOEKM_ALG_RSA_2048 = 1,
  GEOEKM_ALG_RSA_3072 = 2,
  GEOEKM_ALG_RSA_4096 = 3,
  GEOEKM_ALG_TYPE_ASYMMETRIC = 1,
  GEOEKM_KEY_THUMB_LEN = 32
};

/* The 17 functions, in the engine's order (its error 33085 names a missing
 * one by this position as the state, 1..17). */
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptInitializeProvider(void);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptFreeProvider(void);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptOpenSession(const SqlCpCredential* pAuth,
                                                                         SqlCpSession* pSess);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptCloseSession(SqlCpSession* pSess, SqlCpBoolean fAbort);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetProviderInfo(SqlCpProviderInfo* pInfo);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetNextAlgorithmId(SqlCpAlgId* pAlgId);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetAlgorithmInfo(SqlCpAlgId algId,
                                                                              SqlCpAlgorithmInfo* pInfo);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptCreateKey(const SqlCpSession* pSess,
                                                                       const SqlCpStr* keyName, SqlCpAlgId algId,
                                                                       SqlCpKeyFlags flags,
                                                                       SqlCpKeyThumbprint* outThumb);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptDropKey(const SqlCpSession* pSess,
                                                                     const SqlCpKeyThumbprint* thumb);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetNextKeyId(const SqlCpSession* pSess,
                                                                          SqlCpKeyId* pKeyId);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetKeyInfoByKeyId(const SqlCpSession* pSess,
                                                                               SqlCpKeyId keyId,
                                                                               SqlCpKeyInfo* pInfo);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetKeyInfoByThumb(const SqlCpSession* pSess,
                                                                               const SqlCpKeyThumbprint* thumb,
                                                                               SqlCpKeyInfo* pInfo);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptGetKeyInfoByName(const SqlCpSession* pSess,
                                                                              const SqlCpStr* keyName,
                                                                              SqlCpKeyInfo* pInfo);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptExportKey(const SqlCpSession* pSess,
                                                                       const SqlCpKeyThumbprint* key,
                                                                       const SqlCpKeyThumbprint* encryptor,
                                                                       SqlCpKeyBlobType blobType,
                                                                       SqlCpKeyBlob* blob);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptImportKey(const SqlCpSession* pSess,
                                                                       const SqlCpStr* keyName,
                                                                       const SqlCpKeyThumbprint* decryptor,
                                                                       SqlCpKeyBlobType blobType,
                                                                       SqlCpKeyFlags flags,
                                                                       const SqlCpKeyBlob* blob);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptEncrypt(const SqlCpSession* pSess,
                                                                     const SqlCpKeyThumbprint* thumb,
                                                                     SqlCpBoolean fFinal,
                                                                     const SqlCpEncryptionParam* params,
                                                                     SqlCpUlong cParams, const SqlCpData* plain,
                                                                     SqlCpData* cipher);
GEOEKM_SQLCRYPT_EXPORT SqlCpError GEOEKM_SQLCRYPT_CALL SqlCryptDecrypt(const SqlCpSession* pSess,
                                                                     const SqlCpKeyThumbprint* thumb,
                                                                     SqlCpBoolean fFinal,
                                                                     const SqlCpEncryptionParam* params,
                                                                     SqlCpUlong cParams, const SqlCpData* cipher,
                                                                     SqlCpData* plain);

#ifdef __cplusplus
}
#endif

/* Layout checks (LP64 Linux; §EKM ABI "Layout"). */
#if defined(__LP64__)
#ifdef __cplusplus
#define GEOEKM_SQLCRYPT_ASSERT(c, m) static_assert(c, m)
#else
#define GEOEKM_SQLCRYPT_ASSERT(c, m) _Static_assert(c, m)
#endif
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpUlong) == 4 && sizeof(SqlCpWchar) == 2 && sizeof(SqlCpBoolean) == 1,
                       "ULONG 32, WCHAR 16, BOOLEAN 8 bits");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpError) == 4 && sizeof(SqlCpAuthType) == 4, "enums are int");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpData) == 16 && offsetof(SqlCpData, pb) == 8, "SqlCpData");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpStr) == 16 && offsetof(SqlCpStr, ws) == 8, "SqlCpStr");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpVersion) == 6 && offsetof(SqlCpVersion, build) == 2 &&
                           offsetof(SqlCpVersion, revision) == 4,
                       "SqlCpVersion");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpCredential) == 32 && offsetof(SqlCpCredential, password) == 16,
                       "SqlCpCredential");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpGuid) == 16, "GUID");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpKeyInfo) == 40 && offsetof(SqlCpKeyInfo, thumb) == 16 &&
                           offsetof(SqlCpKeyInfo, algId) == 32 && offsetof(SqlCpKeyInfo, flags) == 36,
                       "SqlCpKeyInfo");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpProviderInfo) == 64 && offsetof(SqlCpProviderInfo, guid) == 16 &&
                           offsetof(SqlCpProviderInfo, version) == 32 &&
                           offsetof(SqlCpProviderInfo, scpVersion) == 38 &&
                           offsetof(SqlCpProviderInfo, authType) == 44 &&
                           offsetof(SqlCpProviderInfo, symmKeySupport) == 48 &&
                           offsetof(SqlCpProviderInfo, asymmKeySupport) == 52 &&
                           offsetof(SqlCpProviderInfo, cbKeyThumbLen) == 56 &&
                           offsetof(SqlCpProviderInfo, fAcceptsKeyName) == 60,
                       "SqlCpProviderInfo");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpAlgorithmInfo) == 40 && offsetof(SqlCpAlgorithmInfo, algTag) == 8 &&
                           offsetof(SqlCpAlgorithmInfo, type) == 24 &&
                           offsetof(SqlCpAlgorithmInfo, bitLen) == 28 &&
                           offsetof(SqlCpAlgorithmInfo, ivLen) == 32,
                       "SqlCpAlgorithmInfo");
GEOEKM_SQLCRYPT_ASSERT(sizeof(SqlCpEncryptionParam) == 16 && offsetof(SqlCpEncryptionParam, cb) == 4 &&
                           offsetof(SqlCpEncryptionParam, pb) == 8,
                       "SqlCpEncryptionParam");
#undef GEOEKM_SQLCRYPT_ASSERT
#endif

#endif /* GEOEKM_PROVIDER_EKM_SQL_CRYPT_API_H */

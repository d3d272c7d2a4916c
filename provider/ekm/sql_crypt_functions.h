/* sql_crypt_functions.h: the engine's side of loading a SQL Crypto API
 * provider — the 17 functions of sql_crypt_api.h as a table of function
 * pointers, each with the position the engine names when it is missing
 * (Msg 33085, "One or more methods cannot be found in cryptographic
 * provider library", state 1..17; docs/ARCHITECTURE.md §EKM ABI), and the
 * one resolver that fills the table by name. Plain C: the engine harness
 * (tests/provider/ekm/engine_harness.c) and the DR drill's library path
 * (provider/drill/library_key_path.h) resolve the library with it, so both
 * play the engine with the same list.
 *
 * The resolver takes the symbol lookup as a function (dlsym on Linux,
 * GetProcAddress wrapped on Windows), so this header needs no POSIX.
 *
 * Thread safety: SqlCryptResolveFunctions writes only `*table` and
 * `*missing`; a filled table is read-only and may be shared by any threads.
 */
#ifndef GEOEKM_PROVIDER_EKM_SQL_CRYPT_FUNCTIONS_H
#define GEOEKM_PROVIDER_EKM_SQL_CRYPT_FUNCTIONS_H

#include <string.h>

#include "provider/ekm/sql_crypt_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One pointer type per function, matching its declaration in sql_crypt_api.h. */
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptInitializeProviderFn)(void);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptFreeProviderFn)(void);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptOpenSessionFn)(const SqlCpCredential*, SqlCpSession*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptCloseSessionFn)(SqlCpSession*, SqlCpBoolean);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetProviderInfoFn)(SqlCpProviderInfo*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetNextAlgorithmIdFn)(SqlCpAlgId*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetAlgorithmInfoFn)(SqlCpAlgId, SqlCpAlgorithmInfo*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptCreateKeyFn)(const SqlCpSession*, const SqlCpStr*, SqlCpAlgId,
                                                              SqlCpKeyFlags, SqlCpKeyThumbprint*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptDropKeyFn)(const SqlCpSession*, const SqlCpKeyThumbprint*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetNextKeyIdFn)(const SqlCpSession*, SqlCpKeyId*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetKeyInfoByKeyIdFn)(const SqlCpSession*, SqlCpKeyId, SqlCpKeyInfo*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetKeyInfoByThumbFn)(const SqlCpSession*, const SqlCpKeyThumbprint*,
                                                                      SqlCpKeyInfo*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptGetKeyInfoByNameFn)(const SqlCpSession*, const SqlCpStr*,
                                                                     SqlCpKeyInfo*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptExportKeyFn)(const SqlCpSession*, const SqlCpKeyThumbprint*,
                                                              const SqlCpKeyThumbprint*, SqlCpKeyBlobType,
                                                              SqlCpKeyBlob*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptImportKeyFn)(const SqlCpSession*, const SqlCpStr*,
                                                              const SqlCpKeyThumbprint*, SqlCpKeyBlobType,
                                                              SqlCpKeyFlags, const SqlCpKeyBlob*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptEncryptFn)(const SqlCpSession*, const SqlCpKeyThumbprint*,
                                                            SqlCpBoolean, const SqlCpEncryptionParam*, SqlCpUlong,
                                                            const SqlCpData*, SqlCpData*);
typedef SqlCpError(GEOEKM_SQLCRYPT_CALL* SqlCryptDecryptFn)(const SqlCpSession*, const SqlCpKeyThumbprint*,
                                                            SqlCpBoolean, const SqlCpEncryptionParam*, SqlCpUlong,
                                                            const SqlCpData*, SqlCpData*);

/* X(Name, state) for each function, in the engine's order: the symbol is
 * SqlCrypt##Name, its pointer type SqlCrypt##Name##Fn. */
#define GEOEKM_SQLCRYPT_FUNCTIONS(X) \
  X(InitializeProvider, 1)           \
  X(FreeProvider, 2)                 \
  X(OpenSession, 3)                  \
  X(CloseSession, 4)                 \
  X(GetProviderInfo, 5)              \
  X(GetNextAlgorithmId, 6)           \
  X(GetAlgorithmInfo, 7)             \
  X(CreateKey, 8)                    \
  X(DropKey, 9)                      \
  X(GetNextKeyId, 10)                \
  X(GetKeyInfoByKeyId, 11)           \
  X(GetKeyInfoByThumb, 12)           \
  X(GetKeyInfoByName, 13)            \
  X(ExportKey, 14)                   \
  X(ImportKey, 15)                   \
  X(Encrypt, 16)                     \
  X(Decrypt, 17)

#define GEOEKM_SQLCRYPT_FIELD(name, state) SqlCrypt##name##Fn name;
typedef struct SqlCryptFunctions {
  GEOEKM_SQLCRYPT_FUNCTIONS(GEOEKM_SQLCRYPT_FIELD)
} SqlCryptFunctions;
#undef GEOEKM_SQLCRYPT_FIELD

/* dlsym's shape: the address of `name` in `library`, or NULL. */
typedef void* (*SqlCryptSymbolLookup)(void* library, const char* name);

/* Fills `*table` in the engine's order. Returns 0 when all 17 were found;
 * else the state (1..17) of the first missing function, with its symbol
 * name in `*missing` (when `missing` is not NULL), and the table partly
 * filled. */
static inline int SqlCryptResolveFunctions(SqlCryptSymbolLookup lookup, void* library, SqlCryptFunctions* table,
                                           const char** missing) {
  void* sym;
#define GEOEKM_SQLCRYPT_RESOLVE(name, state)                                 \
  sym = lookup(library, "SqlCrypt" #name);                                   \
  if (sym == NULL) {                                                         \
    if (missing != NULL) *missing = "SqlCrypt" #name;                        \
    return state;                                                            \
  }                                                                          \
  /* An object pointer becomes a function pointer only by copying (ISO C). */ \
  memcpy(&table->name, &sym, sizeof table->name);
  GEOEKM_SQLCRYPT_FUNCTIONS(GEOEKM_SQLCRYPT_RESOLVE)
#undef GEOEKM_SQLCRYPT_RESOLVE
  return 0;
}

/* "scp_err_NotFound" for 4, "scp_err_?" for a code outside the API. */
static inline const char* SqlCpErrorName(SqlCpError code) {
  switch (code) {
    case scp_err_Success: return "scp_err_Success";
    case scp_err_Failure: return "scp_err_Failure";
    case scp_err_InsufficientBuffer: return "scp_err_InsufficientBuffer";
    case scp_err_NotSupported: return "scp_err_NotSupported";
    case scp_err_NotFound: return "scp_err_NotFound";
    case scp_err_AuthFailure: return "scp_err_AuthFailure";
    case scp_err_InvalidArgument: return "scp_err_InvalidArgument";
    case scp_err_ProviderError: return "scp_err_ProviderError";
  }
  return "scp_err_?";
}

#ifdef __cplusplus
}

/* Each pointer type is exactly its function's type: a declaration that
 * changes without its table entry does not compile. */
#include <type_traits>
#define GEOEKM_SQLCRYPT_SAME_TYPE(name, state)                                          \
  static_assert(std::is_same_v<decltype(&SqlCrypt##name), SqlCrypt##name##Fn>, \
                "SqlCrypt" #name "Fn differs from the declaration in sql_crypt_api.h");
GEOEKM_SQLCRYPT_FUNCTIONS(GEOEKM_SQLCRYPT_SAME_TYPE)
#undef GEOEKM_SQLCRYPT_SAME_TYPE
#endif

#endif /* GEOEKM_PROVIDER_EKM_SQL_CRYPT_FUNCTIONS_H */

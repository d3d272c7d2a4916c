/* partial_provider: a provider library that lacks SqlCryptGetKeyInfoByThumb
 * (the 12th function) and everything after it, so the engine harness must
 * report Msg 33085 with state 12 as SQL Server does (docs/ARCHITECTURE.md
 * §EKM ABI). Every function it has fails with ProviderError. */
#include "provider/ekm/sql_crypt_api.h"

SqlCpError SqlCryptInitializeProvider(void) { return scp_err_ProviderError; }
SqlCpError SqlCryptFreeProvider(void) { return scp_err_ProviderError; }
SqlCpError SqlCryptOpenSession(const SqlCpCredential* a, SqlCpSession* s) { (void)a; (void)s; return scp_err_ProviderError; }
SqlCpError SqlCryptCloseSession(SqlCpSession* s, SqlCpBoolean f) { (void)s; (void)f; return scp_err_ProviderError; }
SqlCpError SqlCryptGetProviderInfo(SqlCpProviderInfo* i) { (void)i; return scp_err_ProviderError; }
SqlCpError SqlCryptGetNextAlgorithmId(SqlCpAlgId* a) { (void)a; return scp_err_ProviderError; }
SqlCpError SqlCryptGetAlgorithmInfo(SqlCpAlgId a, SqlCpAlgorithmInfo* i) { (void)a; (void)i; return scp_err_ProviderError; }
SqlCpError SqlCryptCreateKey(const SqlCpSession* s, const SqlCpStr* n, SqlCpAlgId a, SqlCpKeyFlags f,
                             SqlCpKeyThumbprint* t) {
  (void)s; (void)n; (void)a; (void)f; (void)t;
  return scp_err_ProviderError;
}
SqlCpError SqlCryptDropKey(const SqlCpSession* s, const SqlCpKeyThumbprint* t) { (void)s; (void)t; return scp_err_ProviderError; }
SqlCpError SqlCryptGetNextKeyId(const SqlCpSession* s, SqlCpKeyId* k) { (void)s; (void)k; return scp_err_ProviderError; }
SqlCpError SqlCryptGetKeyInfoByKeyId(const SqlCpSession* s, SqlCpKeyId k, SqlCpKeyInfo* i) {
  (void)s; (void)k; (void)i;
  return scp_err_ProviderError;
}

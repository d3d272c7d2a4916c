// The 17 exported functions of the SQL Crypto API (docs/ARCHITECTURE.md
// §EKM ABI): each checks the provider and its arguments, calls EkmProvider,
// writes the engine's buffers, and returns an scp_err_* code. Nothing
// thrown gets past Guarded(); each failure is one log line with the
// connector's code (InsufficientBuffer is protocol, not a failure), and
// SIGPIPE is held off for the call's duration (sigpipe_guard.h).
#include <exception>
#include <functional>
#include <optional>
#include <memory>
#include <new>

#include "core/error_codes.h"
#include "provider/ekm/abi_buffers.h"
#include "provider/ekm/ekm_process.h"
#include "provider/ekm/sigpipe_guard.h"
#include "provider/ekm/sql_crypt_api.h"

namespace geoekm::ekm {
namespace {

constexpr std::size_t kMaxNameChars = 127 + 1 + 64;  // key name, '/', version id
constexpr std::size_t kMaxSetNameChars = 128;
constexpr std::size_t kMaxSecretChars = 1024;
constexpr std::size_t kMaxRsaBytes = 512;  // RSA-4096
constexpr SqlCpUlong kMaxParams = 16;
constexpr int kOutOfMemory = 2051;  // the connector's scp_err_OutOfMemory (§Error codes)

constexpr SqlCpGuid kProviderGuid = {0x9e0c5a61, 0x4b1d, 0x4f3e, {0x8a, 0x57, 0x2c, 0x6e, 0x1f, 0x90, 0xd3, 0x4b}};
constexpr const char* kProviderName = "geoekm";

struct AlgorithmRow {
  SqlCpAlgId id;
  const char* tag;
  SqlCpUlong bits;
};
constexpr AlgorithmRow kAlgorithms[] = {{GEOEKM_ALG_RSA_2048, "RSA_2048", 2048},
                                        {GEOEKM_ALG_RSA_3072, "RSA_3072", 3072},
                                        {GEOEKM_ALG_RSA_4096, "RSA_4096", 4096}};

// The engine's code for a Status (§EKM ABI "Errors").
SqlCpError ScpCodeFor(const Status& s) {
  if (s.ok()) return scp_err_Success;
  if (s.code() >= 1 && s.code() <= 7) return static_cast<SqlCpError>(s.code());
  if (s.code() == codes::kPasswordTooShort) return scp_err_AuthFailure;
  if (s.code() == codes::kConfigInvalid) return scp_err_ProviderError;
  // The version exists but may not be used (not in every vault, other
  // material): the operation failed, the key was found.
  if (s.code() == codes::kVersionNotEverywhere || s.code() == codes::kKeyMaterialMismatch) return scp_err_Failure;
  switch (s.error_class()) {
    case ErrorClass::kInvalidInput: return scp_err_InvalidArgument;
    case ErrorClass::kNotFound: return scp_err_NotFound;
    case ErrorClass::kAuth: return scp_err_AuthFailure;
    case ErrorClass::kInternal: return scp_err_ProviderError;
    default: return scp_err_Failure;
  }
}

template <typename Body>
SqlCpError Guarded(const char* function, Body&& body) noexcept {
  Status outcome;
  try {
    const SigpipeGuard no_sigpipe;
    outcome = body();
  } catch (const std::bad_alloc&) {
    outcome = Status(kOutOfMemory, ErrorClass::kInternal, "out of memory");
  } catch (const std::exception& e) {
    outcome = Status(codes::kProviderError, ErrorClass::kInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    outcome = Status(codes::kProviderError, ErrorClass::kInternal, "internal error");
  }
  const SqlCpError code = ScpCodeFor(outcome);
  if (code != scp_err_Success && code != scp_err_InsufficientBuffer) {
    try {
      EkmProcess::Instance().LogFailure(function, code, outcome);
    } catch (...) {  // a log that cannot be written must not take the engine down
    }
  }
  return code;
}

Result<std::shared_ptr<EkmSession>> SessionOf(const SqlCpSession* pSess) {
  if (pSess == nullptr) {
    if (auto provider = EkmProcess::Instance().Provider(); !provider.ok()) return provider.status();
    return InvalidArgument("session: NULL");
  }
  return EkmProcess::Instance().Session(*pSess);
}

// What Encrypt and Decrypt check first: the session, the thumbprint, the
// (unused) parameters and that the output buffer exists.
struct CryptCall {
  std::shared_ptr<EkmSession> session;
  RawThumbprint thumb;
};
Result<CryptCall> BeginCrypt(const SqlCpSession* pSess, const SqlCpKeyThumbprint* thumb,
                             const SqlCpEncryptionParam* params, SqlCpUlong count, const SqlCpData* out,
                             const char* out_name) {
  auto session = SessionOf(pSess);
  if (!session.ok()) return session.status();
  auto raw = ReadThumbprint(thumb);
  if (!raw.ok()) return raw.status();
  if (count > kMaxParams) return InvalidArgument(std::to_string(count) + " encryption parameters");
  if (count > 0 && params == nullptr) return InvalidArgument("encryption parameters: NULL");
  if (out == nullptr) return InvalidArgument(std::string(out_name) + ": NULL");
  return CryptCall{std::move(session).value(), *raw};  // RSA takes no IV: parameters are unused
}

Status NotSupported(const std::string& what) {
  return Status(codes::kNotSupported, ErrorClass::kInvalidInput,
                what + " is not supported: key versions are made in every vault of the set by the operator, "
                       "and geoekm never deletes a key (docs/ARCHITECTURE.md invariant 4)");
}

Status KeyInfoCall(const SqlCpSession* pSess, SqlCpKeyInfo* pInfo,
                   const std::function<Result<EkmKeyInfo>(EkmProvider&)>& find) {
  auto session = SessionOf(pSess);
  if (!session.ok()) return session.status();
  if (pInfo == nullptr) return InvalidArgument("key info: NULL");
  auto info = find((*session)->provider());
  if (!info.ok()) return info.status();
  return WriteKeyInfo(pInfo, *info);
}

}  // namespace
}  // namespace geoekm::ekm

using namespace geoekm::ekm;  // NOLINT: the C functions below are the whole file

extern "C" {

SqlCpError SqlCryptInitializeProvider(void) {
  return Guarded("SqlCryptInitializeProvider", [] { return EkmProcess::Instance().Initialize(); });
}

SqlCpError SqlCryptFreeProvider(void) {
  return Guarded("SqlCryptFreeProvider", [] {
    EkmProcess::Instance().Free();
    return geoekm::Status::Ok();
  });
}

SqlCpError SqlCryptOpenSession(const SqlCpCredential* pAuth, SqlCpSession* pSess) {
  return Guarded("SqlCryptOpenSession", [&]() -> geoekm::Status {
    auto provider = EkmProcess::Instance().Provider();
    if (!provider.ok()) return provider.status();
    if (pAuth == nullptr) return InvalidArgument("credential: NULL");
    if (pSess == nullptr) return InvalidArgument("session: NULL");
    auto name = ReadAsciiName(&pAuth->name, kMaxSetNameChars, "credential name");
    if (!name.ok()) return name.status();
    auto secret = ReadSecret(&pAuth->password, kMaxSecretChars);
    if (!secret.ok()) return secret.status();
    if (geoekm::Status s = (*provider)->Authenticate(*name, *secret); !s.ok()) return s;
    *pSess = EkmProcess::Instance().AddSession(std::make_shared<EkmSession>(*provider));
    return geoekm::Status::Ok();
  });
}

SqlCpError SqlCryptCloseSession(SqlCpSession* pSess, SqlCpBoolean /*fAbort: nothing is pending*/) {
  return Guarded("SqlCryptCloseSession", [&]() -> geoekm::Status {
    auto provider = EkmProcess::Instance().Provider();
    if (!provider.ok()) return provider.status();
    if (pSess == nullptr) return InvalidArgument("session: NULL");
    if (!EkmProcess::Instance().RemoveSession(*pSess)) return InvalidArgument("unknown or closed session handle");
    *pSess = nullptr;
    return geoekm::Status::Ok();
  });
}

SqlCpError SqlCryptGetProviderInfo(SqlCpProviderInfo* pInfo) {
  return Guarded("SqlCryptGetProviderInfo", [&]() -> geoekm::Status {
    auto provider = EkmProcess::Instance().Provider();
    if (!provider.ok()) return provider.status();
    if (pInfo == nullptr) return InvalidArgument("provider info: NULL");
    if (geoekm::Status s = WriteAscii(&pInfo->name, kProviderName); !s.ok()) return s;
    pInfo->guid = kProviderGuid;
    pInfo->version = SqlCpVersion{GEOEKM_VERSION_MAJOR, GEOEKM_VERSION_MINOR, GEOEKM_VERSION_PATCH, 0};
    pInfo->scpVersion = SqlCpVersion{1, 1, 0, 0};
    pInfo->authType = scp_auth_Basic;
    pInfo->symmKeySupport = 0;
    pInfo->asymmKeySupport = scp_kf_Supported;
    pInfo->cbKeyThumbLen = GEOEKM_KEY_THUMB_LEN;
    pInfo->fAcceptsKeyName = 1;
    return geoekm::Status::Ok();
  });
}

SqlCpError SqlCryptGetNextAlgorithmId(SqlCpAlgId* pAlgId) {
  return Guarded("SqlCryptGetNextAlgorithmId", [&]() -> geoekm::Status {
    auto provider = EkmProcess::Instance().Provider();
    if (!provider.ok()) return provider.status();
    if (pAlgId == nullptr) return InvalidArgument("algorithm id: NULL");
    for (const AlgorithmRow& row : kAlgorithms) {
      if (row.id > *pAlgId) {
        *pAlgId = row.id;
        return geoekm::Status::Ok();
      }
    }
    return geoekm::Status(geoekm::codes::kNotFound, geoekm::ErrorClass::kNotFound, "end of algorithms");
  });
}

SqlCpError SqlCryptGetAlgorithmInfo(SqlCpAlgId algId, SqlCpAlgorithmInfo* pInfo) {
  return Guarded("SqlCryptGetAlgorithmInfo", [&]() -> geoekm::Status {
    auto provider = EkmProcess::Instance().Provider();
    if (!provider.ok()) return provider.status();
    if (pInfo == nullptr) return InvalidArgument("algorithm info: NULL");
    for (const AlgorithmRow& row : kAlgorithms) {
      if (row.id != algId) continue;
      if (geoekm::Status s = WriteAscii(&pInfo->algTag, row.tag); !s.ok()) return s;
      pInfo->algId = row.id;
      pInfo->type = GEOEKM_ALG_TYPE_ASYMMETRIC;
      pInfo->bitLen = row.bits;
      pInfo->ivLen = 0;
      return geoekm::Status::Ok();
    }
    return geoekm::Status(geoekm::codes::kNotFound, geoekm::ErrorClass::kNotFound,
                          "algorithm id " + std::to_string(algId) + " is not one of RSA 2048, 3072, 4096 (1-3)");
  });
}

SqlCpError SqlCryptCreateKey(const SqlCpSession* pSess, const SqlCpStr*, SqlCpAlgId, SqlCpKeyFlags,
                             SqlCpKeyThumbprint*) {
  return Guarded("SqlCryptCreateKey", [&]() -> geoekm::Status {
    if (auto session = SessionOf(pSess); !session.ok()) return session.status();
    return NotSupported("CreateKey");
  });
}

SqlCpError SqlCryptDropKey(const SqlCpSession* pSess, const SqlCpKeyThumbprint*) {
  return Guarded("SqlCryptDropKey", [&]() -> geoekm::Status {
    if (auto session = SessionOf(pSess); !session.ok()) return session.status();
    return NotSupported("DropKey");
  });
}

SqlCpError SqlCryptGetNextKeyId(const SqlCpSession* pSess, SqlCpKeyId* pKeyId) {
  return Guarded("SqlCryptGetNextKeyId", [&]() -> geoekm::Status {
    auto session = SessionOf(pSess);
    if (!session.ok()) return session.status();
    if (pKeyId == nullptr) return InvalidArgument("key id: NULL");
    auto next = (*session)->provider().NextKeyId(*pKeyId);
    if (!next.ok()) return next.status();
    *pKeyId = *next;
    return geoekm::Status::Ok();
  });
}

SqlCpError SqlCryptGetKeyInfoByKeyId(const SqlCpSession* pSess, SqlCpKeyId keyId, SqlCpKeyInfo* pInfo) {
  return Guarded("SqlCryptGetKeyInfoByKeyId", [&]() -> geoekm::Status {
    return KeyInfoCall(pSess, pInfo, [&](EkmProvider& p) -> geoekm::Result<EkmKeyInfo> {
      if (keyId == 0) return InvalidArgument("key id 0 (ids start at 1)");
      return p.KeyById(keyId);
    });
  });
}

SqlCpError SqlCryptGetKeyInfoByThumb(const SqlCpSession* pSess, const SqlCpKeyThumbprint* thumb,
                                     SqlCpKeyInfo* pInfo) {
  return Guarded("SqlCryptGetKeyInfoByThumb", [&]() -> geoekm::Status {
    return KeyInfoCall(pSess, pInfo, [&](EkmProvider& p) -> geoekm::Result<EkmKeyInfo> {
      auto raw = ReadThumbprint(thumb);
      if (!raw.ok()) return raw.status();
      return p.KeyByThumbprint(*raw);
    });
  });
}

SqlCpError SqlCryptGetKeyInfoByName(const SqlCpSession* pSess, const SqlCpStr* keyName, SqlCpKeyInfo* pInfo) {
  return Guarded("SqlCryptGetKeyInfoByName", [&]() -> geoekm::Status {
    return KeyInfoCall(pSess, pInfo, [&](EkmProvider& p) -> geoekm::Result<EkmKeyInfo> {
      auto name = ReadAsciiName(keyName, kMaxNameChars, "key name");
      if (!name.ok()) return name.status();
      return p.KeyByName(*name);
    });
  });
}

SqlCpError SqlCryptExportKey(const SqlCpSession* pSess, const SqlCpKeyThumbprint*, const SqlCpKeyThumbprint*,
                             SqlCpKeyBlobType, SqlCpKeyBlob*) {
  return Guarded("SqlCryptExportKey", [&]() -> geoekm::Status {
    if (auto session = SessionOf(pSess); !session.ok()) return session.status();
    return NotSupported("ExportKey");
  });
}

SqlCpError SqlCryptImportKey(const SqlCpSession* pSess, const SqlCpStr*, const SqlCpKeyThumbprint*,
                             SqlCpKeyBlobType, SqlCpKeyFlags, const SqlCpKeyBlob*) {
  return Guarded("SqlCryptImportKey", [&]() -> geoekm::Status {
    if (auto session = SessionOf(pSess); !session.ok()) return session.status();
    return NotSupported("ImportKey");
  });
}

SqlCpError SqlCryptEncrypt(const SqlCpSession* pSess, const SqlCpKeyThumbprint* thumb, SqlCpBoolean,
                           const SqlCpEncryptionParam* params, SqlCpUlong cParams, const SqlCpData* plain,
                           SqlCpData* cipher) {
  return Guarded("SqlCryptEncrypt", [&]() -> geoekm::Status {
    auto call = BeginCrypt(pSess, thumb, params, cParams, cipher, "ciphertext buffer");
    if (!call.ok()) return call.status();
    auto dek = ReadSecureData(plain, kMaxRsaBytes, "plaintext");
    if (!dek.ok()) return dek.status();
    EkmProvider& provider = call->session->provider();
    auto key = provider.KeyByThumbprint(call->thumb);
    if (!key.ok()) return key.status();
    // The size is the modulus: a short buffer is answered before any vault call.
    const std::size_t needed = static_cast<std::size_t>(key->size_bits) / 8;
    if (cipher->pb == nullptr || cipher->cb < needed) {
      cipher->cb = static_cast<SqlCpUlong>(needed);
      return BufferTooSmall();
    }
    auto wrapped = provider.Encrypt(*key, *dek);
    if (!wrapped.ok()) return wrapped.status();
    return WriteData(cipher, wrapped->data(), wrapped->size());
  });
}

SqlCpError SqlCryptDecrypt(const SqlCpSession* pSess, const SqlCpKeyThumbprint* thumb, SqlCpBoolean,
                           const SqlCpEncryptionParam* params, SqlCpUlong cParams, const SqlCpData* cipher,
                           SqlCpData* plain) {
  return Guarded("SqlCryptDecrypt", [&]() -> geoekm::Status {
    auto call = BeginCrypt(pSess, thumb, params, cParams, plain, "plaintext buffer");
    if (!call.ok()) return call.status();
    auto wrapped = ReadData(cipher, kMaxRsaBytes, "ciphertext");
    if (!wrapped.ok()) return wrapped.status();
    EkmSession& session = *call->session;
    std::optional<geoekm::SecureBytes> dek = session.TakeStashed(call->thumb, *wrapped);
    if (!dek) {
      EkmProvider& provider = session.provider();
      auto key = provider.KeyByThumbprint(call->thumb);
      if (!key.ok()) return key.status();
      auto unwrapped = provider.Decrypt(*key, *wrapped);
      if (!unwrapped.ok()) return unwrapped.status();
      dek = std::move(unwrapped).value();
    }
    geoekm::Status written = WriteData(plain, dek->data(), dek->size());
    // The engine retries with the size it was told: keep the DEK for it.
    if (IsBufferTooSmall(written)) session.Stash(call->thumb, *wrapped, std::move(*dek));
    return written;
  });
}

}  // extern "C"

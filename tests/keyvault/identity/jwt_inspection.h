// Test-side JWT inspection: decode header and claims of a compact JWS and
// verify an RS256 signature with a certificate's public key (OpenSSL), so
// tests check assertions and access tokens independently of the code that
// produced them.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>

#include "core/secure_bytes.h"

namespace geoekm {

struct DecodedJwt {
  Poco::JSON::Object::Ptr header;  // null when undecodable
  Poco::JSON::Object::Ptr claims;
  std::string signing_input;       // "<header>.<claims>"
  Bytes signature;
};

DecodedJwt DecodeJwt(std::string_view jwt);

// RS256 (PKCS#1 v1.5, SHA-256) over `input` with the key of a DER or PEM certificate.
bool VerifyRs256(const Bytes& certificate_der, std::string_view input, const Bytes& signature);
bool VerifyRs256WithPemFile(const std::string& certificate_pem_file, std::string_view input, const Bytes& signature);

}  // namespace geoekm

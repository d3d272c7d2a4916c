#include "keyvault/identity/form_body.h"

#include <Poco/URI.h>

#include "core/secure_bytes.h"

namespace geoekm {

FormBody::~FormBody() { WipeString(body_); }

FormBody& FormBody::Add(std::string_view name, std::string_view value) {
  // Reserve the worst case first so that appending never reallocates and
  // leaves copies of a secret in freed memory.
  std::string grown;
  grown.reserve(body_.size() + 1 + 3 * (name.size() + value.size()) + 1);
  grown = body_;
  if (!grown.empty()) grown.push_back('&');
  static const std::string kReserved = "!#$&'()*+,/:;=?@[]";
  Poco::URI::encode(std::string(name), kReserved, grown);
  grown.push_back('=');
  std::string v(value);
  Poco::URI::encode(v, kReserved, grown);
  WipeString(v);
  WipeString(body_);
  body_.swap(grown);
  return *this;
}

}  // namespace geoekm

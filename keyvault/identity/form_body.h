// FormBody: an application/x-www-form-urlencoded request body that may hold
// secrets (client_secret, client_assertion). Values are percent-encoded with
// Poco::URI::encode; the buffer is wiped when the body is destroyed.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <string_view>

namespace geoekm {

class FormBody {
 public:
  FormBody() = default;
  FormBody(const FormBody&) = delete;
  FormBody& operator=(const FormBody&) = delete;
  ~FormBody();

  FormBody& Add(std::string_view name, std::string_view value);
  const std::string& str() const { return body_; }

 private:
  std::string body_;
};

}  // namespace geoekm

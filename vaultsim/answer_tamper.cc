#include "vaultsim/answer_tamper.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "core/base64url.h"
#include "vaultsim/json_text.h"

namespace geoekm::vaultsim {

void TamperAnswer(const AnswerTamper& tamper, ApiResponse* response) {
  if (response->status != 200 || response->body.empty()) return;
  Poco::JSON::Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(response->body).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return;
  }
  if (tamper.value_bytes && o->has("value") && o->get("value").isString()) {
    Result<SecureBytes> value = Base64UrlDecodeSecure(o->getValue<std::string>("value"));
    if (value.ok()) {
      value->resize(static_cast<std::size_t>(*tamper.value_bytes), 0x01);
      o->set("value", Base64UrlEncode(*value));
    }
  }
  if (tamper.kid) {
    if (o->has("kid")) o->set("kid", *tamper.kid);
    if (Poco::JSON::Object::Ptr key = o->getObject("key")) key->set("kid", *tamper.kid);
  }
  response->body = ToJsonText(o);
}

}  // namespace geoekm::vaultsim

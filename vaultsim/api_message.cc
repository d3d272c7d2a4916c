#include "vaultsim/api_message.h"

#include <Poco/JSON/Object.h>

#include "vaultsim/json_text.h"

namespace geoekm::vaultsim {

ApiResponse ErrorResponse(int status, const std::string& code, const std::string& message,
                          const std::string& inner_code) {
  Poco::JSON::Object::Ptr error = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  error->set("code", code);
  error->set("message", message);
  if (!inner_code.empty()) {
    Poco::JSON::Object::Ptr inner = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    inner->set("code", inner_code);
    error->set("innererror", inner);
  }
  Poco::JSON::Object root;
  root.set("error", error);
  ApiResponse r;
  r.status = status;
  r.body = ToJsonText(root);
  return r;
}

}  // namespace geoekm::vaultsim

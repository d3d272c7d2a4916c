// SerializeRequest: the exact bytes of the requests the transport writes,
// and the requests it refuses to write (a field value from outside, such
// as a bearer token, must not be able to add lines to the head).
#include "keyvault/http/request_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error_codes.h"

namespace geoekm {
namespace {

std::string Text(const SecureString& s) { return std::string(s.begin(), s.end()); }

HttpRequest Unwrap() {
  HttpRequest r;
  r.method = "POST";
  r.target = "/keys/tde/0123/unwrapkey?api-version=7.4";
  r.headers = {{"Authorization", "Bearer eyJ0.eyJ1.sig"}, {"Content-Type", "application/json"}};
  r.body = R"({"alg":"RSA-OAEP-256","value":"abc"})";
  return r;
}

TEST(RequestWire, AKeyVaultRequestIsWrittenLineByLineInABufferOfItsExactSize) {
  Result<SecureString> wire = SerializeRequest(Unwrap(), "geoekm-eastus.vault.test", 443, /*keep_alive=*/true);
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  const std::string expected = "POST /keys/tde/0123/unwrapkey?api-version=7.4 HTTP/1.1\r\n"
                               "Host: geoekm-eastus.vault.test\r\n"
                               "Authorization: Bearer eyJ0.eyJ1.sig\r\n"
                               "Content-Type: application/json\r\n"
                               "User-Agent: " + std::string(UserAgent()) + "\r\n"
                               "Connection: Keep-Alive\r\n"
                               "Content-Length: 36\r\n"
                               "\r\n"
                               R"({"alg":"RSA-OAEP-256","value":"abc"})";
  EXPECT_EQ(Text(*wire), expected);
  // Reserved at its size up front: no growth left an unwiped copy of the token behind.
  EXPECT_EQ(wire->capacity(), wire->size());
}

TEST(RequestWire, PortsHostsLengthsAndTheCallersUserAgentAreWrittenAsHttpAsks) {
  HttpRequest get;
  get.target = "/keys/tde?api-version=7.4";
  get.headers = {{"user-agent", "azsdk-cpp/1.0"}};
  Result<SecureString> wire = SerializeRequest(get, "::1", 8443, /*keep_alive=*/false);
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  EXPECT_EQ(Text(*wire), "GET /keys/tde?api-version=7.4 HTTP/1.1\r\nHost: [::1]:8443\r\nuser-agent: azsdk-cpp/1.0\r\n"
                         "Connection: close\r\n\r\n");  // no Content-Length for a GET without a body
  EXPECT_EQ(wire->capacity(), wire->size());

  HttpRequest rotate;
  rotate.method = "POST";
  rotate.target = "/keys/tde/rotate?api-version=7.4";
  Result<SecureString> empty_post = SerializeRequest(rotate, "v.vault.azure.net", 443, true);
  ASSERT_TRUE(empty_post.ok());
  EXPECT_NE(Text(*empty_post).find("\r\nContent-Length: 0\r\n\r\n"), std::string::npos) << Text(*empty_post);
  EXPECT_EQ(empty_post->capacity(), empty_post->size());
}

TEST(RequestWire, ARequestThatCouldForgeHeadLinesIsRefusedWithoutShowingTheValue) {
  struct Case {
    std::string what;
    HttpRequest request;
  };
  std::vector<Case> cases;
  auto with_header = [](std::string name, std::string value) {
    HttpRequest r = Unwrap();
    r.headers.emplace_back(std::move(name), std::move(value));
    return r;
  };
  cases.push_back({"CRLF in a token", with_header("Authorization", "Bearer secret-token\r\nX-Forged: 1")});
  cases.push_back({"bare LF", with_header("X-Id", "secret-token\nX-Forged: 1")});
  cases.push_back({"NUL", with_header("X-Id", std::string("secret-token\0", 13))});
  cases.push_back({"DEL", with_header("X-Id", "secret-token\x7f")});
  cases.push_back({"space in a name", with_header("X Forged", "secret-token")});
  cases.push_back({"empty name", with_header("", "secret-token")});
  cases.push_back({"Host set by the caller", with_header("host", "secret-token")});
  cases.push_back({"Content-Length set by the caller", with_header("CONTENT-LENGTH", "secret-token")});
  cases.push_back({"Connection set by the caller", with_header("Connection", "secret-token")});
  HttpRequest method = Unwrap();
  method.method = "PO ST";
  cases.push_back({"space in the method", method});
  HttpRequest target = Unwrap();
  target.target = "/keys/tde HTTP/1.1\r\nX-Forged: secret-token";
  cases.push_back({"space and CRLF in the target", target});
  HttpRequest no_target = Unwrap();
  no_target.target = "";
  cases.push_back({"empty target", no_target});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Result<SecureString> wire = SerializeRequest(c.request, "v.vault.azure.net", 443, true);
    ASSERT_FALSE(wire.ok());
    EXPECT_EQ(wire.status().code(), codes::kHttpSendRequest);
    EXPECT_EQ(wire.status().error_class(), ErrorClass::kInvalidInput);
    EXPECT_EQ(wire.status().message().find("secret-token"), std::string::npos) << wire.status().message();
  }
  // Tabs, spaces and bytes above 0x7f are field-value bytes.
  EXPECT_TRUE(SerializeRequest(with_header("X-Note", "a\tb caf\xc3\xa9"), "v.vault.azure.net", 443, true).ok());
}

}  // namespace
}  // namespace geoekm

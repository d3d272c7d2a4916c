// TestHttpsClient: a small HTTPS client for tests that talks to a vaultsim
// host name (e.g. geoekm-eastus.vault.test) over the loopback address:
// TCP goes to 127.0.0.1:<port>, while SNI, the Host header and the
// certificate check (chain to the test CA + host name) use the host name —
// curl's --connect-to. Keeps one keep-alive connection and reconnects when
// the server closed it.
//
// The Poco 1.11 trick (the real client needs the same):
// HTTPClientSession::reconnect() resolves the session's host with DNS, which
// fails for *.vault.test. So the session is built around our own
// SecureStreamSocket: create the unconnected socket with the TLS context,
// setPeerHostName(host) (SNI + verification name), hand it to
// HTTPSClientSession(socket), setHost/setPort on the still-unconnected
// session (Host header), and only then connect the socket (shared impl) to
// 127.0.0.1:port. A connected session never calls reconnect(); the
// keep-alive timeout is set very long so Poco never decides to reconnect by
// itself, and a closed connection is replaced by a new session. Because
// HTTPSession applies its timeouts only in its own connect(), set the
// receive/send timeouts on the socket directly.
//
// Thread safety: not thread-safe; use one client per thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace geoekm::testing {

struct TestResponse {
  int status = 0;                              // 0 = transport failure
  std::string transport_error;                 // set when status == 0
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const;  // case-insensitive, "" if absent
  // Parsed body; an empty object when the body is not a JSON object.
  Poco::JSON::Object::Ptr Json() const;
  // error.code / error.message / error.innererror.code of an error body.
  std::string ErrorCode() const;
  std::string ErrorMessage() const;
  std::string InnerErrorCode() const;
};

class TestHttpsClient {
 public:
  // host: name for SNI/Host/verification; connects to connect_address:port.
  TestHttpsClient(std::string host, int port, std::string ca_file, std::string connect_address = "127.0.0.1");
  ~TestHttpsClient();
  TestHttpsClient(TestHttpsClient&&) noexcept;
  TestHttpsClient& operator=(TestHttpsClient&&) noexcept;

  // Headers sent with every request (e.g. Authorization).
  void SetDefaultHeader(const std::string& name, const std::string& value) { default_headers_[name] = value; }
  void RemoveDefaultHeader(const std::string& name) { default_headers_.erase(name); }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  // target: path + query, e.g. "/keys/k/create?api-version=7.5".
  TestResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

  // Drops the current connection; the next Send opens a new one.
  void Disconnect();
  // TCP connections opened by this client so far.
  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  void Connect();

  std::string host_;
  int port_;
  std::string connect_address_;
  Poco::Net::Context::Ptr context_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
  std::map<std::string, std::string> default_headers_;
  std::chrono::milliseconds timeout_{30000};
  std::uint64_t connections_opened_ = 0;
};

}  // namespace geoekm::testing

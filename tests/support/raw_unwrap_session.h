// RawUnwrapSession: the cheapest possible unwrap — one kept-alive Poco HTTPS
// session to one vault, a bearer token fetched once, the request written and
// the answer read with no client logic (no retries, request ids, challenge
// handling, JSON parsing or error mapping). Benchmarks measure geoekm's
// clients and router against it in the same run.
//
// Unwrap sends through Poco's sendRequest()/receiveResponse(), the plain
// use of Poco (issue 10's baseline); UnwrapInOneWrite sends as geoekm's
// transport does: written by SerializeRequest (keyvault/http/request_wire.h)
// in one write, which spares sendRequest()'s character-at-a-time counting
// pass over the head, and read by ReceiveHead / ReceiveBody (geoekm's head
// reader, the body straight from the session's buffer).
//
// Thread safety: none; one session per thread.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <string>

#include "core/secure_bytes.h"
#include "keyvault/http/attached_https_session.h"

namespace geoekm::testing {

struct RawUnwrapTarget {
  std::string host;             // the vault's name, verified against its certificate
  int port = 0;                 // the vault's port
  std::string connect_to_host;  // where the name is reached (loopback on the testbed)
  int connect_to_port = 0;
  std::string ca_bundle;
  std::string token;            // bearer token for the vault's audience
  std::string key_name;
  std::string version;
  std::string algorithm;        // e.g. RSA-OAEP-256
};

class RawUnwrapSession {
 public:
  explicit RawUnwrapSession(const RawUnwrapTarget& target);
  // One unwrap of `wrapped`; true when the vault answered 200.
  bool Unwrap(const Bytes& wrapped);
  bool UnwrapInOneWrite(const Bytes& wrapped);

 private:
  Poco::Net::HTTPRequest Request(std::size_t body_size) const;
  std::string Body(const Bytes& wrapped) const;

  RawUnwrapTarget target_;
  Poco::Net::Context::Ptr context_;
  Poco::Net::SecureStreamSocket socket_;
  AttachedHttpsSession session_;
};

}  // namespace geoekm::testing

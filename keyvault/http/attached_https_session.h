// AttachedHttpsSession: a Poco HTTPS client session over a socket that was
// connected elsewhere (the transport's connect_to address or proxy tunnel,
// a benchmark's socket), whose answers ReceiveHead and ReceiveBody
// (poco_message.h) read.
//
// Poco would reconnect a closed session to the origin host by itself,
// skipping connect_to and the proxy: that is refused instead. And Poco keeps
// the session's buffered bytes behind protected members; NextByte and
// ReadSome lend them out, so an answer's head and a body of known length
// are read straight from the session's buffer rather than through Poco's
// line-at-a-time header stream and a stream built per answer.
//
// Thread safety: as Poco's session, one thread at a time.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <string>

namespace geoekm {

class AttachedHttpsSession final : public Poco::Net::HTTPSClientSession {
 public:
  AttachedHttpsSession(const std::string& host, int port, Poco::Net::Context::Ptr context,
                       const Poco::Net::SecureStreamSocket& socket)
      : HTTPSClientSession(host, static_cast<Poco::UInt16>(port), std::move(context)) {
    attachSocket(socket);
  }

  // The next byte the peer sent (0-255), receiving more when the buffer is
  // empty; -1 at the connection's end. Poco's get() returns a byte as a
  // signed char, which makes 0xFF look like the end: this does not. A
  // socket failure is thrown (and kept as the session's network exception).
  int NextByte() {
    if (buffered() <= 0) refill();
    if (buffered() <= 0) return -1;
    return static_cast<unsigned char>(get());
  }

  // Up to `n` bytes: first what the session has buffered, else one receive.
  // 0 at the connection's end; a socket failure is thrown.
  int ReadSome(char* buffer, int n) { return read(buffer, n); }

 protected:
  void connect(const Poco::Net::SocketAddress&) override {
    throw Poco::Net::ConnectionResetException("the pooled connection was closed");
  }
};

}  // namespace geoekm

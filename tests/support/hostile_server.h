// HostileServer: a scripted HTTP(S) server on loopback for the cases a real
// vault does not produce: answers dripped a byte at a time, endless bodies,
// redirects, control bytes, challenges naming another tenant. It records
// every request it read (method, target, headers, body) and, per answer,
// how many body bytes it managed to write before the client went away.
//
// TLS uses the shared test PKI's certificate for `host` (clients verify it
// with TestPkiFiles::Shared().ca() and connect_to 127.0.0.1:port()).
// A handler writes the whole answer itself through the Responder (raw bytes,
// so any framing can be produced); the connection stays open for the next
// request unless the handler closes it.
//
// Thread safety: requests()/answers() may be called from any thread;
// destruction stops the listener and every connection (dripping writers
// notice within ~50 ms).
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace geoekm::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive; "" if absent
};

class HostileServer;

// Writes one answer on the connection of one request.
class Responder {
 public:
  // false once the client is gone (or the server stops).
  bool Write(std::string_view bytes);
  // One byte every `interval`; false once the client is gone.
  bool Drip(std::string_view bytes, std::chrono::milliseconds interval);
  // A body of `size` bytes of 'A' after `head` (status line + headers + blank
  // line), written until done or the client goes away; returns the body bytes
  // written. `chunked` frames it with 64 KiB chunks (and no final chunk when
  // cut short).
  std::uint64_t Flood(std::string_view head, std::uint64_t size, bool chunked);
  void Close() { close_ = true; }

 private:
  friend class HostileServer;
  Responder(HostileServer& server, Poco::Net::StreamSocket& socket) : server_(server), socket_(socket) {}
  HostileServer& server_;
  Poco::Net::StreamSocket& socket_;
  bool close_ = false;
};

class HostileServer {
 public:
  using Handler = std::function<void(const ReceivedRequest&, Responder&)>;
  // `tls_host` empty = plain HTTP.
  HostileServer(std::string tls_host, Handler handler);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  int port() const { return port_; }
  std::vector<ReceivedRequest> requests() const;
  // Body bytes written by each Flood(), in order.
  std::vector<std::uint64_t> flooded() const;

  // "HTTP/1.1 <status> <reason>\r\n" + headers + "Content-Length" + body.
  static std::string Answer(int status, const std::string& reason, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  friend class Responder;
  void Accept();
  void Serve(Poco::Net::StreamSocket socket);
  bool stopping() const { return stopping_.load(); }

  const std::string tls_host_;
  const Handler handler_;
  Poco::Net::Context::Ptr context_;  // null for plain HTTP
  Poco::Net::ServerSocket listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::uint64_t> flooded_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace geoekm::testing

// ConnectProxy: a minimal HTTP CONNECT proxy for transport tests. Every
// tunnel it opens goes to one loopback port whatever host the CONNECT names
// (it plays the proxy's own name resolution, so vault names that resolve
// nowhere still reach the vault); targets whose host is not `allowed_host`
// get 403. It records the CONNECT targets it was asked for.
//
// Thread safety: the accessors may be called from any thread while tunnels
// run; destruction stops the listener and every tunnel.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

namespace geoekm::testing {

class ConnectProxy {
 public:
  ConnectProxy(int upstream_port, std::string allowed_host);
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> targets() const;  // "host:port" of each CONNECT, in order

 private:
  void Accept();
  void Serve(Poco::Net::StreamSocket client);

  const int upstream_port_;
  const std::string allowed_host_;
  Poco::Net::ServerSocket listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  std::vector<std::thread> tunnels_;
  std::thread acceptor_;
};

}  // namespace geoekm::testing

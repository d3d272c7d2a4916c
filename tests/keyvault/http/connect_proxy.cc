#include "tests/keyvault/http/connect_proxy.h"

#include <poll.h>

#include <Poco/Net/SocketAddress.h>

namespace geoekm::testing {
namespace {

constexpr int kPollMs = 50;  // how quickly threads notice stopping_

bool SendAll(Poco::Net::StreamSocket& s, const char* data, int n) {
  while (n > 0) {
    int sent = s.sendBytes(data, n);
    if (sent <= 0) return false;
    data += sent;
    n -= sent;
  }
  return true;
}

}  // namespace

ConnectProxy::ConnectProxy(int upstream_port, std::string allowed_host)
    : upstream_port_(upstream_port), allowed_host_(std::move(allowed_host)) {
  listener_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
  listener_.listen(64);
  port_ = listener_.address().port();
  acceptor_ = std::thread([this] { Accept(); });
}

ConnectProxy::~ConnectProxy() {
  stopping_ = true;
  acceptor_.join();
  std::vector<std::thread> tunnels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tunnels.swap(tunnels_);
  }
  for (auto& t : tunnels) t.join();
  listener_.close();
}

std::vector<std::string> ConnectProxy::targets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return targets_;
}

void ConnectProxy::Accept() {
  while (!stopping_) {
    if (!listener_.poll(Poco::Timespan(0, kPollMs * 1000), Poco::Net::Socket::SELECT_READ)) continue;
    Poco::Net::StreamSocket client = listener_.acceptConnection();
    std::lock_guard<std::mutex> lock(mu_);
    tunnels_.emplace_back([this, client] { Serve(client); });
  }
}

void ConnectProxy::Serve(Poco::Net::StreamSocket client) {
  try {
    client.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (client.receiveBytes(&c, 1) != 1) return;
      head.push_back(c);
    }
    // "CONNECT host:port HTTP/1.1"
    const std::size_t sp1 = head.find(' ');
    const std::size_t sp2 = head.find(' ', sp1 + 1);
    const std::string method = head.substr(0, sp1);
    const std::string target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      targets_.push_back(target);
    }
    const std::string host = target.substr(0, target.rfind(':'));
    if (method != "CONNECT" || host != allowed_host_) {
      const std::string refusal = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      SendAll(client, refusal.data(), static_cast<int>(refusal.size()));
      return;
    }
    Poco::Net::StreamSocket upstream(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(upstream_port_)));
    const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    if (!SendAll(client, ok.data(), static_cast<int>(ok.size()))) return;
    // Pump bytes both ways until either side closes.
    pollfd fds[2] = {{client.impl()->sockfd(), POLLIN, 0}, {upstream.impl()->sockfd(), POLLIN, 0}};
    Poco::Net::StreamSocket* sockets[2] = {&client, &upstream};
    char buffer[16384];
    while (!stopping_) {
      if (::poll(fds, 2, kPollMs) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int n = sockets[i]->receiveBytes(buffer, sizeof buffer);
        if (n <= 0 || !SendAll(*sockets[1 - i], buffer, n)) return;
      }
    }
  } catch (const Poco::Exception&) {
    // A peer went away: the tunnel ends, as a real proxy's would.
  }
}

}  // namespace geoekm::testing

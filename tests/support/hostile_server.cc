#include "tests/support/hostile_server.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <csignal>
#include <sstream>
#include <thread>

#include "tests/support/test_pki_files.h"

namespace geoekm::testing {
namespace {

const Poco::Timespan kPoll(0, 50 * 1000);  // how quickly threads notice stopping

// Waits for readable bytes (TLS may hold some already); false on stop.
bool WaitReadable(Poco::Net::StreamSocket& s, const std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    if (s.available() > 0 || s.poll(kPoll, Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
      return true;
    }
  }
  return false;
}

// Reads one request into `out`; `buffer` keeps bytes of the next one.
bool ReadRequest(Poco::Net::StreamSocket& s, std::string& buffer, ReceivedRequest& out,
                 const std::atomic<bool>& stopping) {
  char chunk[16384];
  std::size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!WaitReadable(s, stopping)) return false;
    int n = s.receiveBytes(chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  std::istringstream head(buffer.substr(0, end));
  buffer.erase(0, end + 4);
  std::string line;
  std::getline(head, line);
  std::istringstream request_line(line);
  request_line >> out.method >> out.target;
  std::size_t length = 0;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::string value = Poco::trim(line.substr(colon + 1));
    if (Poco::icompare(name, "Content-Length") == 0) length = static_cast<std::size_t>(Poco::NumberParser::parseUnsigned64(value));
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  while (buffer.size() < length) {
    if (!WaitReadable(s, stopping)) return false;
    int n = s.receiveBytes(chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  out.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return true;
}

}  // namespace

std::string ReceivedRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (Poco::icompare(k, name) == 0) return v;
  }
  return "";
}

bool Responder::Write(std::string_view bytes) {
  try {
    while (!bytes.empty()) {
      if (server_.stopping()) return false;
      int n = socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

bool Responder::Drip(std::string_view bytes, std::chrono::milliseconds interval) {
  for (char c : bytes) {
    if (!Write(std::string_view(&c, 1))) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

std::uint64_t Responder::Flood(std::string_view head, std::uint64_t size, bool chunked) {
  std::uint64_t written = 0;
  if (Write(head)) {
    const std::string block(64 * 1024, 'A');
    while (written < size) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - written));
      std::string piece;
      if (chunked) {
        std::ostringstream frame;
        frame << std::hex << n << "\r\n";
        piece = frame.str() + block.substr(0, n) + "\r\n";
      } else {
        piece = block.substr(0, n);
      }
      if (!Write(piece)) break;
      written += n;
    }
    if (written == size && chunked) Write("0\r\n\r\n");
  }
  std::lock_guard<std::mutex> lock(server_.mu_);
  server_.flooded_.push_back(written);
  return written;
}

HostileServer::HostileServer(std::string tls_host, Handler handler)
    : tls_host_(std::move(tls_host)), handler_(std::move(handler)) {
  std::signal(SIGPIPE, SIG_IGN);  // writes to a client that gave up must fail, not kill the test
  if (!tls_host_.empty()) {
    const TestPkiFiles& pki = TestPkiFiles::Shared();
    context_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, pki.server_key(tls_host_),
                                      pki.server_cert(tls_host_), "", Poco::Net::Context::VERIFY_NONE);
  }
  listener_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
  listener_.listen(64);
  port_ = listener_.address().port();
  acceptor_ = std::thread([this] { Accept(); });
}

HostileServer::~HostileServer() {
  stopping_ = true;
  acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_);
  }
  for (auto& t : connections) t.join();
}

std::vector<ReceivedRequest> HostileServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<std::uint64_t> HostileServer::flooded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return flooded_;
}

std::string HostileServer::Answer(int status, const std::string& reason, const std::string& body,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

void HostileServer::Accept() {
  while (!stopping()) {
    try {
      if (!listener_.poll(kPoll, Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket client = listener_.acceptConnection();
      std::lock_guard<std::mutex> lock(mu_);
      connections_.emplace_back([this, client] { Serve(client); });
    } catch (const Poco::Exception&) {
      // a client that went away while being accepted
    }
  }
}

void HostileServer::Serve(Poco::Net::StreamSocket raw) {
  try {
    Poco::Net::StreamSocket socket = raw;
    if (context_) {
      raw.setReceiveTimeout(Poco::Timespan(5, 0));
      socket = Poco::Net::SecureStreamSocket::attach(raw, context_);
    }
    std::string buffer;
    while (!stopping()) {
      ReceivedRequest request;
      if (!ReadRequest(socket, buffer, request, stopping_)) break;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      Responder responder(*this, socket);
      handler_(request, responder);
      if (responder.close_) break;
    }
    socket.close();
  } catch (const Poco::Exception&) {
    // the client went away or failed the handshake: nothing to serve
  }
}

}  // namespace geoekm::testing

// exit_probe PORT CA_FILE: a process that exits while one of its threads
// waits on a dripping HTTPS server (try timeout and deadline 60 s), with a
// static object that joins that thread on destruction, as a router's worker
// pool does. hostile_peer_test times how long its exit takes.
#include <chrono>
#include <string>
#include <thread>

#include "keyvault/http/https_transport.h"

namespace {

struct JoinAtExit {
  std::thread worker;
  ~JoinAtExit() {
    if (worker.joinable()) worker.join();
  }
};
JoinAtExit joined;  // constructed before main, destroyed after the transport's exit handler

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  geoekm::HttpsOrigin origin;
  origin.host = "geoekm-eastus.vault.test";
  origin.connect_to_host = "127.0.0.1";
  origin.connect_to_port = std::stoi(argv[1]);
  origin.ca_bundle = argv[2];
  origin.proxy = "none";
  origin.try_timeout = std::chrono::seconds(60);
  auto transport = geoekm::HttpsTransport::Create(origin);
  if (!transport.ok()) return 3;
  std::shared_ptr<geoekm::HttpsTransport> t = *transport;
  joined.worker = std::thread([t] {
    geoekm::HttpRequest request;
    request.target = "/keys/tde?api-version=7.4";
    (void)t->Send(request, geoekm::Deadline::After(std::chrono::seconds(60)));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the answer is dripping by now
  return 0;
}

#include "vaultsim/vault_process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "vaultsim/access_policies.h"
#include "vaultsim/admin_api.h"
#include "vaultsim/config_argument.h"
#include "vaultsim/fault_injector.h"
#include "vaultsim/https_adapter.h"
#include "vaultsim/key_store.h"
#include "vaultsim/keys_api.h"
#include "vaultsim/throttler.h"
#include "vaultsim/token_check.h"
#include "vaultsim/vault_config.h"
#include "vaultsim/vault_pipeline.h"
#include "vaultsim/vault_stats.h"

namespace geoekm::vaultsim {
namespace {

constexpr int kMaxThreads = 128;  // one per open connection (Poco's model)

bool WritePortFile(const std::string& path, int port) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const std::string text = std::to_string(port) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  return ok && ::rename(tmp.c_str(), path.c_str()) == 0;
}

Poco::Net::Context::Ptr ServerContext(const VaultConfig& config) {
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, config.tls_key,
                                                       config.tls_cert, "", Poco::Net::Context::VERIFY_NONE);
  ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                        Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
  return ctx;
}

Poco::Net::HTTPServerParams::Ptr ServerParams() {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(kMaxThreads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(30, 0));
  params->setTimeout(Poco::Timespan(30, 0));
  return params;
}

}  // namespace

int RunVaultProcess(int argc, char** argv) {
  const std::optional<std::string> config_path = ConfigArgument("vault", argc, argv);
  if (!config_path) return 2;
  Result<VaultConfig> loaded = LoadVaultConfig(*config_path);
  if (!loaded.ok()) {
    std::cerr << "vaultsim vault: " << loaded.status().message() << "\n";
    return 2;
  }
  const VaultConfig config = std::move(loaded).value();

  // Worker threads inherit this mask; the main thread waits for the signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<KeyStore>> store = KeyStore::Open(config.data_dir);
  if (!store.ok()) {
    std::cerr << "vaultsim vault: " << store.status().message() << "\n";
    return 1;
  }
  Result<std::unique_ptr<TokenCheck>> tokens = TokenCheck::Create(config);
  if (!tokens.ok()) {
    std::cerr << "vaultsim vault: token signing cert: " << tokens.status().message() << "\n";
    return 1;
  }

  Poco::Net::initializeSSL();
  int exit_code = 0;
  try {
    Poco::Net::Context::Ptr tls = ServerContext(config);
    Poco::Net::SecureServerSocket vault_socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(config.port)),
                                               64, tls);
    Poco::Net::SecureServerSocket admin_socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(config.admin_port)), 16, tls);
    const int port = vault_socket.address().port();
    const int admin_port = admin_socket.address().port();

    KeysApi keys(config, store->get(), "https://" + config.host + ":" + std::to_string(port));
    AccessPolicies policies(config.access_policies);
    Throttler throttler(config.throttling);
    FaultInjector faults(config.firewall_deny);
    VaultStats stats;
    VaultParts parts{&config, &keys, tokens->get(), &policies, &throttler, &faults, &stats};
    VaultPipeline pipeline(parts);
    std::atomic<bool> stopping{false};

    Poco::ThreadPool vault_pool(2, kMaxThreads);
    Poco::ThreadPool admin_pool(1, 8);
    Poco::Net::HTTPServer vault_server(
        MakeHandlerFactory([&](const ApiRequest& r) { return pipeline.Handle(r); },
                           [&] { return faults.blackhole_active() && !stopping.load(); }),
        vault_pool, vault_socket, ServerParams());
    AdminApi admin(parts, [&] { return static_cast<std::int64_t>(vault_server.totalConnections()); });
    Poco::Net::HTTPServer admin_server(
        MakeHandlerFactory(
            [&](const ApiRequest& r) {
              PipelineResult result;
              result.response = admin.Handle(r);
              return result;
            },
            [] { return false; }),
        admin_pool, admin_socket, ServerParams());
    vault_server.start();
    admin_server.start();
    // Port files last: once they exist the vault answers.
    if (!WritePortFile(config.admin_port_file, admin_port) || !WritePortFile(config.port_file, port)) {
      std::cerr << "vaultsim vault: cannot write port files\n";
      exit_code = 1;
    } else {
      std::cerr << "vaultsim vault " << config.name << " (" << config.region << ") listening on 127.0.0.1:" << port
                << ", admin on 127.0.0.1:" << admin_port << "\n";
      int sig = 0;
      sigwait(&stop_signals, &sig);
      // Ends here, at once. Poco's stopAll(true) shuts every TLS connection
      // down from this thread while its connection thread may still be
      // writing to it (a data race ThreadSanitizer reports), and a graceful
      // stop would wait for slow (latency-fault) requests. Nothing is lost:
      // every key change was already written and fsynced by the KeyStore.
      std::cerr.flush();
      std::_Exit(0);
    }
    stopping = true;
    admin_server.stopAll(true);
    vault_server.stopAll(true);
  } catch (const Poco::Exception& e) {
    std::cerr << "vaultsim vault: " << e.displayText() << "\n";
    exit_code = 1;
  }
  Poco::Net::uninitializeSSL();
  return exit_code;
}

}  // namespace geoekm::vaultsim

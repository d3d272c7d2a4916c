#include "tests/support/vaultsim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "vaultsim/file_text.h"
#include "vaultsim/random_hex.h"

namespace geoekm::testing {
namespace {

std::string& LastError() {
  static thread_local std::string error;
  return error;
}

int ReadPortFile(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  if (in >> port) return port;
  return 0;
}

// Waits for the child to exit (up to `timeout`); true when it did.
bool WaitExit(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

std::string VaultSimBinary() {
  if (const char* env = std::getenv("VAULTSIM_BINARY"); env && *env) return env;
#ifdef GEOEKM_VAULTSIM_BINARY
  return GEOEKM_VAULTSIM_BINARY;
#else
  return "vaultsim";
#endif
}

const std::string& VaultSimProcess::last_error() { return LastError(); }

VaultSimProcess::VaultSimProcess(VaultSimOptions options)
    : options_(std::move(options)), pki_(options_.pki ? options_.pki : &TestPkiFiles::Shared()) {
  data_dir_ = options_.data_dir.empty() ? dir_.File("data") : options_.data_dir;
  config_path_ = dir_.File("vault.json");
  admin_token_ = vaultsim::RandomHex(16);
}

std::unique_ptr<VaultSimProcess> VaultSimProcess::Start(VaultSimOptions options) {
  LastError().clear();
  std::unique_ptr<VaultSimProcess> p(new VaultSimProcess(std::move(options)));
  if (!p->Launch()) return nullptr;
  return p;
}

VaultSimProcess::~VaultSimProcess() { Kill(); }

bool VaultSimProcess::WriteConfig() {
  Poco::JSON::Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  c.set("name", options_.name);
  c.set("region", options_.region);
  c.set("geography", options_.geography);
  c.set("host", options_.host);
  c.set("port", port_);  // 0 first time; the chosen port on restarts
  c.set("port_file", dir_.File("port"));
  c.set("resource", options_.resource);
  c.set("tenant", options_.tenant);
  c.set("authority", options_.authority);
  c.set("token_signing_cert", pki_->signing_cert());
  c.set("tls_cert", pki_->server_cert(options_.host));
  c.set("tls_key", pki_->server_key(options_.host));
  c.set("data_dir", data_dir_);
  Poco::JSON::Object::Ptr admin = new Poco::JSON::Object;
  admin->set("port", admin_port_);
  admin->set("port_file", dir_.File("admin-port"));
  admin->set("token", admin_token_);
  c.set("admin", admin);
  Poco::JSON::Object::Ptr secrets = new Poco::JSON::Object;
  for (const auto& [geo, secret] : options_.backup_secrets) secrets->set(geo, secret);
  c.set("backup_secrets", secrets);
  Poco::JSON::Object::Ptr policies = new Poco::JSON::Object;
  for (const auto& [client, perms] : options_.access_policies) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const std::string& p : perms) list->add(p);
    policies->set(client, list);
  }
  c.set("access_policies", policies);
  Poco::JSON::Object::Ptr t = new Poco::JSON::Object;
  t->set("enabled", options_.throttling);
  t->set("retry_after", options_.retry_after);
  t->set("window_seconds", options_.window_seconds);
  t->set("limit_scale", options_.limit_scale);
  c.set("throttling", t);
  c.set("firewall_deny", options_.firewall_deny);
  std::ofstream out(config_path_);
  c.stringify(out, 2);
  return static_cast<bool>(out);
}

bool VaultSimProcess::Launch() {
  ::unlink(dir_.File("port").c_str());
  ::unlink(dir_.File("admin-port").c_str());
  if (!WriteConfig()) {
    LastError() = "cannot write " + config_path_;
    return false;
  }
  const std::string binary = VaultSimBinary();
  const std::string log_path = dir_.File("vaultsim.log");
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    LastError() = "fork failed";
    return false;
  }
  if (pid == 0) {
    // Child: die with the test process, log to a file, exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execl(binary.c_str(), binary.c_str(), "vault", "--config", config_path_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      LastError() = "vaultsim exited during start-up (binary " + binary + "): " + log();
      return false;
    }
    int port = ReadPortFile(dir_.File("port"));
    int admin_port = ReadPortFile(dir_.File("admin-port"));
    if (port > 0 && admin_port > 0) {
      port_ = port;
      admin_port_ = admin_port;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  LastError() = "vaultsim did not start listening within 20 s: " + log();
  Kill();
  return false;
}

bool VaultSimProcess::Stop() {
  if (pid_ <= 0) return true;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = WaitExit(pid_, std::chrono::seconds(10), &status);
  if (!exited) {
    Kill();
    return false;
  }
  pid_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void VaultSimProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool VaultSimProcess::Restart() {
  if (pid_ > 0) Kill();
  LastError().clear();
  // The old listening sockets may linger briefly; retry the same ports.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (Launch()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string VaultSimProcess::log() const { return vaultsim::ReadFileText(dir_.File("vaultsim.log")).value_or(""); }

TestHttpsClient VaultSimProcess::Client() const { return Client(TokenSpec{}); }

TestHttpsClient VaultSimProcess::Client(const TokenSpec& token) const {
  TestHttpsClient c = UnauthenticatedClient();
  c.SetDefaultHeader("Authorization", BearerHeader(MintAccessToken(*pki_, token)));
  return c;
}

TestHttpsClient VaultSimProcess::UnauthenticatedClient() const {
  return TestHttpsClient(options_.host, port_, pki_->ca());
}

VaultSimAdminClient VaultSimProcess::Admin() const {
  return VaultSimAdminClient(options_.host, admin_port_, pki_->ca(), admin_token_);
}

}  // namespace geoekm::testing

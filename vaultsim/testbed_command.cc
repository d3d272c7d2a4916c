#include "vaultsim/testbed_command.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/base64url.h"
#include "vaultsim/file_text.h"
#include "vaultsim/status_try.h"
#include "vaultsim/test_pki.h"
#include "vaultsim/testbed_config_files.h"
#include "vaultsim/testbed_https.h"
#include "vaultsim/testbed_plan.h"
#include "vaultsim/testbed_process.h"
#include "vaultsim/testbed_tde_key.h"
#include "vaultsim/testbed_failure.h"

namespace geoekm::vaultsim {
namespace {

constexpr std::chrono::milliseconds kStartTimeout{20000};
constexpr std::chrono::milliseconds kStopGrace{5000};


std::string RandomToken(std::size_t bytes) {
  SecureBytes raw(bytes);
  // Secrets of the testbed; no error channel (plain strings), and a
  // predictable secret would be worse than stopping.
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    std::fputs("vaultsim testbed: OpenSSL RAND_bytes failed; stopping\n", stderr);
    std::abort();
  }
  return Base64UrlEncode(raw);
}

Status MakeDir(const std::string& path) {
  try {
    Poco::File(path).createDirectories();
    chmod(path.c_str(), 0700);
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return TestbedFailure("cannot create " + path + ": " + e.displayText());
  }
}

// Every pid file of a testbed, services last-started first.
std::vector<std::string> PidFiles(const TestbedPlan& p) {
  std::vector<std::string> files;
  for (auto it = p.vaults.rbegin(); it != p.vaults.rend(); ++it) files.push_back(it->pid_file);
  files.push_back(p.login_pid_file);
  return files;
}

int StopAll(const TestbedPlan& p, bool verbose) {
  int stopped = 0;
  for (const auto& f : PidFiles(p)) {
    // Each child's command line names its config file inside DIR.
    if (StopDaemon(f, p.dir + "/", kStopGrace)) {
      ++stopped;
      if (verbose) std::cout << "stopped " << f << "\n";
    }
  }
  return stopped;
}

Result<std::string> FetchToken(const TestbedHttps& https, const TestbedPlan& p, const std::string& secret) {
  std::string encoded_secret, encoded_scope;
  Poco::URI::encode(secret, "!#$&'()*+,/:;=?@[]~", encoded_secret);
  Poco::URI::encode(std::string(kTestbedResource) + "/.default", "!#$&'()*+,/:;=?@[]~", encoded_scope);
  std::string body = std::string("grant_type=client_credentials&client_id=") + kTestbedClientId +
                     "&client_secret=" + encoded_secret + "&scope=" + encoded_scope;
  auto r = https.Send(kTestbedLoginHost, p.login_port, "POST", std::string("/") + kTestbedTenant + "/oauth2/v2.0/token",
                      {}, "application/x-www-form-urlencoded", body);
  OPENSSL_cleanse(body.data(), body.size());
  OPENSSL_cleanse(encoded_secret.data(), encoded_secret.size());
  if (!r.ok()) return r.status();
  if (r->status != 200) return TestbedFailure("login service answered " + std::to_string(r->status) + " to the token request");
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(r->body).extract<Poco::JSON::Object::Ptr>();
    return o->getValue<std::string>("access_token");
  } catch (const Poco::Exception&) {
    return TestbedFailure("login service token answer has no access_token");
  }
}

Status StartServices(TestbedPlan& p, const std::string& exe) {
  if (Status s = WriteLoginServiceConfig(p); !s.ok()) return s;
  VAULTSIM_TRY(TakeValue(StartDaemon(exe, {"login", "--config", p.login_config_file}, p.login_log_file, p.login_pid_file),
                         &p.login_pid));
  VAULTSIM_TRY(TakeValue(WaitForPortFile(p.login_pid, p.login_port_file, p.login_log_file, kStartTimeout),
                         &p.login_port));
  VAULTSIM_TRY(TakeValue(WaitForPortFile(p.login_pid, p.managed_identity_port_file, p.login_log_file, kStartTimeout),
                         &p.managed_identity_port));

  for (auto& v : p.vaults) {
    if (Status s = MakeDir(v.dir); !s.ok()) return s;
    if (Status s = WriteVaultServiceConfig(p, v); !s.ok()) return s;
    VAULTSIM_TRY(TakeValue(StartDaemon(exe, {"vault", "--config", v.config_file}, v.log_file, v.pid_file), &v.pid));
  }
  // Vaults start in parallel; collect their ports afterwards.
  for (auto& v : p.vaults) {
    VAULTSIM_TRY(TakeValue(WaitForPortFile(v.pid, v.port_file, v.log_file, kStartTimeout), &v.port));
    VAULTSIM_TRY(TakeValue(WaitForPortFile(v.pid, v.admin_port_file, v.log_file, kStartTimeout), &v.admin_port));
  }
  return Status::Ok();
}

void PrintSummary(const TestbedPlan& p) {
  std::cout << "vaultsim testbed is up in " << p.dir << "\n"
            << "  tenant     " << kTestbedTenant << "\n"
            << "  client id  " << kTestbedClientId << " (secret in " << p.client_secret_file << ", certificate "
            << p.client_certificate_file << ")\n"
            << "  CA         " << p.ca_file << "\n"
            << "  login      " << p.LoginUrl() << " -> 127.0.0.1:" << p.login_port << " (pid " << p.login_pid
            << "); managed identity http://127.0.0.1:" << p.managed_identity_port << "\n";
  for (const auto& v : p.vaults) {
    std::cout << "  vault      " << v.name << " [" << v.geography << "] " << TestbedPlan::VaultUrl(v)
              << " -> 127.0.0.1:" << v.port << ", admin 127.0.0.1:" << v.admin_port << " (pid " << v.pid << ")\n";
  }
  std::cout << "  key        " << kTestbedKeyName << ", JWK thumbprint " << p.key.thumbprint << "\n";
  for (const auto& k : p.key.copies) std::cout << "             " << k.vault << ": " << k.kid << "\n";
  std::cout << "  escrow     " << p.escrow_file << " (private JWK, 0600)\n"
            << "  configs    " << p.dir << "/geoekm.ini, " << p.dir << "/geoekm.json, " << p.dir
            << "/geoekm-certificate.ini, " << p.dir << "/geoekm-managed-identity.ini\n"
            << "  details    " << p.dir << "/testbed.json\n"
            << "  stop with  vaultsim testbed down --dir " << p.dir << "\n";
}

int Up(TestbedPlan& p) {
  for (const auto& f : PidFiles(p)) {
    if (DaemonRunning(f, p.dir + "/")) {
      std::cerr << "vaultsim testbed: already running in " << p.dir << " (" << f
                << "); run `vaultsim testbed down --dir " << p.dir << "` first\n";
      return 1;
    }
  }
  // Leftovers of a previous testbed in DIR (keys, ports) would be reused by
  // the vaults; start from scratch.
  for (const auto& v : p.vaults) {
    try {
      Poco::File(v.dir).remove(true);
    } catch (const Poco::Exception&) {
    }
  }
  auto fail = [&](const Status& s) {
    std::cerr << "vaultsim testbed: " << s.ToString() << "\n";
    StopAll(p, false);
    return 1;
  };
  for (const std::string& d : {p.dir, p.pki_dir, p.dir + "/login", p.dir + "/vaults"}) {
    if (Status s = MakeDir(d); !s.ok()) return fail(s);
  }
  const std::string secret = RandomToken(30);
  p.identity_header = RandomToken(24);
  p.backup_secret_us = RandomToken(32);
  p.backup_secret_jp = RandomToken(32);
  for (auto& v : p.vaults) v.admin_token = RandomToken(24);
  if (Status s = WriteFileAtomically(p.client_secret_file, secret, 0600); !s.ok()) return fail(s);

  PkiOptions pki;
  pki.out_dir = p.pki_dir;
  pki.hosts.push_back(kTestbedLoginHost);
  for (const auto& v : p.vaults) pki.hosts.push_back(v.host);
  pki.client_certs = 1;
  if (Status s = GeneratePki(pki); !s.ok()) return fail(s);

  if (Status s = StartServices(p, SelfExecutable()); !s.ok()) return fail(s);

  TestbedHttps https(p.ca_file);
  auto token = FetchToken(https, p, secret);
  if (!token.ok()) return fail(token.status());
  std::vector<TestbedVaultEndpoint> endpoints;
  for (const auto& v : p.vaults) endpoints.push_back({v.name, v.host, v.port, v.geography});
  auto key = ProvisionTdeKey(https, *token, endpoints, kTestbedKeyName, p.escrow_file);
  if (!key.ok()) return fail(key.status());
  p.key = std::move(key).value();

  if (Status s = WriteGeoekmConfigs(p); !s.ok()) return fail(s);
  if (Status s = WriteTestbedJson(p); !s.ok()) return fail(s);
  PrintSummary(p);
  return 0;
}

int Status_(const TestbedPlan& p) {
  int running = 0;
  for (const auto& f : PidFiles(p)) {
    const bool up = DaemonRunning(f, p.dir + "/");
    running += up ? 1 : 0;
    std::cout << (up ? "running  " : "stopped  ") << f << "\n";
  }
  std::cout << running << " of " << PidFiles(p).size() << " testbed processes running in " << p.dir << "\n";
  return running == static_cast<int>(PidFiles(p).size()) ? 0 : 3;
}

int Usage() {
  std::cerr << "usage: vaultsim testbed up --dir DIR [--base-port P]\n"
               "       vaultsim testbed down --dir DIR\n"
               "       vaultsim testbed status --dir DIR\n"
               "       vaultsim testbed kill --dir DIR --vault NAME\n"
               "       vaultsim testbed start --dir DIR --vault NAME\n";
  return 2;
}

const TestbedVault* FindVault(const TestbedPlan& p, const std::string& name) {
  for (const auto& v : p.vaults) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

int ReadPortFile(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  return (in >> port && port > 0 && port < 65536) ? port : 0;
}

// SIGKILL, no grace: the vault vanishes like a lost region (connections
// reset, nothing flushed beyond what its store already made durable).
int KillVault(const TestbedPlan& p, const TestbedVault& v) {
  if (!DaemonRunning(v.pid_file, p.dir + "/")) {
    std::cerr << "vaultsim testbed: vault " << v.name << " is not running in " << p.dir << "\n";
    return 3;
  }
  KillDaemon(v.pid_file, p.dir + "/");
  std::cout << "vaultsim testbed: vault " << v.name << " killed (SIGKILL)\n";
  return 0;
}

// testbed.json names each vault's pid; keep it current after a restart.
Status UpdatePidInTestbedJson(const TestbedPlan& p, const std::string& vault, int pid) {
  const std::string path = p.dir + "/testbed.json";
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(ReadFileText(path).value_or("")).extract<Poco::JSON::Object::Ptr>();
    auto vaults = root->getArray("vaults");
    for (std::size_t i = 0; vaults && i < vaults->size(); ++i) {
      auto o = vaults->getObject(static_cast<unsigned>(i));
      if (o && o->optValue<std::string>("name", "") == vault) o->set("pid", pid);
    }
    std::ostringstream out;
    root->stringify(out, 2);
    out << "\n";
    return WriteFileAtomically(path, out.str(), 0600);
  } catch (const Poco::Exception& e) {
    return TestbedFailure("cannot update " + path + ": " + e.displayText());
  }
}

// Restarts a stopped vault on the ports it had (clients keep their URLs)
// over the same data dir (keys survive, as vaultsim persists them).
int StartVault(const TestbedPlan& p, const TestbedVault& v) {
  if (DaemonRunning(v.pid_file, p.dir + "/")) {
    std::cerr << "vaultsim testbed: vault " << v.name << " is already running in " << p.dir << "\n";
    return 1;
  }
  const int port = ReadPortFile(v.port_file);
  const int admin_port = ReadPortFile(v.admin_port_file);
  if (port == 0 || admin_port == 0) {
    std::cerr << "vaultsim testbed: no previous ports for vault " << v.name << " in " << v.dir
              << "; bring the testbed up first\n";
    return 1;
  }
  // Pin the ports in the vault's own config (it may have asked for port 0).
  try {
    Poco::JSON::Parser parser;
    auto config = parser.parse(ReadFileText(v.config_file).value_or("")).extract<Poco::JSON::Object::Ptr>();
    auto admin = config->getObject("admin");
    if (!admin) throw Poco::DataFormatException("no admin section");
    config->set("port", port);
    admin->set("port", admin_port);
    std::ostringstream out;
    config->stringify(out, 2);
    out << "\n";
    if (Status s = WriteFileAtomically(v.config_file, out.str(), 0600); !s.ok()) {
      std::cerr << "vaultsim testbed: " << s.ToString() << "\n";
      return 1;
    }
  } catch (const Poco::Exception& e) {
    std::cerr << "vaultsim testbed: cannot read " << v.config_file << ": " << e.displayText() << "\n";
    return 1;
  }
  // The new process announces readiness by writing fresh port files.
  std::remove(v.port_file.c_str());
  std::remove(v.admin_port_file.c_str());
  auto pid = StartDaemon(SelfExecutable(), {"vault", "--config", v.config_file}, v.log_file, v.pid_file);
  Status status = pid.ok() ? Status::Ok() : pid.status();
  if (status.ok()) {
    auto p1 = WaitForPortFile(*pid, v.port_file, v.log_file, kStartTimeout);
    auto p2 = p1.ok() ? WaitForPortFile(*pid, v.admin_port_file, v.log_file, kStartTimeout) : p1;
    if (!p2.ok()) status = p2.status();
  }
  if (status.ok()) status = UpdatePidInTestbedJson(p, v.name, *pid);
  if (!status.ok()) {
    std::cerr << "vaultsim testbed: vault " << v.name << " did not start: " << status.ToString() << "\n";
    StopDaemon(v.pid_file, p.dir + "/", kStopGrace);
    return 1;
  }
  std::cout << "vaultsim testbed: vault " << v.name << " started on 127.0.0.1:" << port << " (pid " << *pid << ")\n";
  return 0;
}

}  // namespace

int RunTestbedCommand(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string action = argv[1];
  std::string dir;
  std::string vault;
  int base_port = 0;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--vault") == 0 && i + 1 < argc) {
      vault = argv[++i];
    } else if (std::strcmp(argv[i], "--base-port") == 0 && i + 1 < argc) {
      base_port = std::atoi(argv[++i]);
      if (base_port < 1024 || base_port > 65535 - 8) {
        std::cerr << "vaultsim testbed: --base-port must be in 1024..65527\n";
        return 2;
      }
    } else {
      return Usage();
    }
  }
  if (dir.empty()) return Usage();
  std::string absolute = Poco::Path(dir).makeAbsolute().toString();
  while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
  TestbedPlan plan = MakeTestbedPlan(absolute, base_port);
  if (action == "up") return Up(plan);
  if (action == "down") {
    const int stopped = StopAll(plan, true);
    std::cout << "vaultsim testbed: " << stopped << " process(es) stopped in " << plan.dir << "\n";
    return 0;
  }
  if (action == "status") return Status_(plan);
  if (action == "kill" || action == "start") {
    if (vault.empty()) return Usage();
    const TestbedVault* v = FindVault(plan, vault);
    if (v == nullptr) {
      std::cerr << "vaultsim testbed: no vault named " << vault << " (eastus, westus, japaneast)\n";
      return 2;
    }
    return action == "kill" ? KillVault(plan, *v) : StartVault(plan, *v);
  }
  return Usage();
}

}  // namespace geoekm::vaultsim

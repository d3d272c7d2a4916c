#include "vaultsim/testbed_plan.h"

namespace geoekm::vaultsim {

TestbedPlan MakeTestbedPlan(const std::string& d, int base_port) {
  TestbedPlan p;
  p.dir = d;
  p.pki_dir = d + "/pki";
  p.ca_file = p.pki_dir + "/ca.pem";
  p.client_secret_file = d + "/client-secret";
  p.client_certificate_file = p.pki_dir + "/client-1.pem";
  p.client_pfx_file = p.pki_dir + "/client-1.pfx";
  p.client_pfx_password_file = p.pki_dir + "/client-1.pfx.password";
  p.escrow_file = d + "/tde-protector.escrow.jwk.json";
  p.state_file = d + "/geoekm-state.db";
  p.login_config_file = d + "/login/login.json";
  p.login_log_file = d + "/login/login.log";
  p.login_pid_file = d + "/login/login.pid";
  p.login_port_file = d + "/login/login.port";
  p.managed_identity_port_file = d + "/login/managed-identity.port";
  if (base_port > 0) {
    p.login_port = base_port;
    p.managed_identity_port = base_port + 1;
  }
  struct Spec {
    const char* name;
    const char* geography;
  };
  int next = base_port > 0 ? base_port + 2 : 0;
  for (Spec s : {Spec{"eastus", "US"}, Spec{"westus", "US"}, Spec{"japaneast", "JP"}}) {
    TestbedVault v;
    v.name = s.name;
    v.region = s.name;
    v.geography = s.geography;
    v.host = "geoekm-" + v.name + ".vault.test";
    if (next > 0) {
      v.port = next++;
      v.admin_port = next++;
    }
    v.dir = d + "/vaults/" + v.name;
    v.config_file = v.dir + "/vault.json";
    v.log_file = v.dir + "/vault.log";
    v.pid_file = v.dir + "/vault.pid";
    v.port_file = v.dir + "/vault.port";
    v.admin_port_file = v.dir + "/admin.port";
    v.data_dir = v.dir + "/data";
    p.vaults.push_back(std::move(v));
  }
  return p;
}

}  // namespace geoekm::vaultsim

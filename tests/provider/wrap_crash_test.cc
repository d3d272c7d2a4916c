// Invariant 3 (docs/ARCHITECTURE.md) under crashes: a process wrapping DEKs in a loop through the
// real runtime (vault clients, router, SQLite store) is SIGKILLed at random
// moments 50 times. Afterwards the store passes integrity_check, holds the
// key version of every wrap that was returned, and every returned wrapped
// DEK unwraps to its plaintext through the vault set.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/support/testbed.h"

namespace geoekm {
namespace {

struct ReturnedWrap {
  std::string dek, wrapped, thumbprint;
};

std::vector<ReturnedWrap> ReadComplete(const std::string& path) {
  std::vector<ReturnedWrap> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // the last line had no newline: the kill cut it
    // Exactly dek (32 bytes), wrapped (RSA-2048: 256 bytes) and an RFC 7638
    // thumbprint; anything else is a record the kill tore.
    std::istringstream fields(line);
    ReturnedWrap w;
    std::string extra;
    if (!(fields >> w.dek >> w.wrapped >> w.thumbprint) || (fields >> extra)) continue;
    if (w.dek.size() != 43 || w.wrapped.size() != 342 || w.thumbprint.size() != 43) continue;
    out.push_back(w);
  }
  return out;
}

TEST(WrapCrash, KillNineDuringWrapLoopLosesNoKeyVersionAndNoDek) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  const std::string config_path = (*tb)->info().geoekm_ini;
  const std::string out_path = (*tb)->dir() + "/returned-wraps.txt";

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> wait_ms(150, 700);
  for (int round = 0; round < 50; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl(GEOEKM_WRAP_LOOP_BINARY, GEOEKM_WRAP_LOOP_BINARY, config_path.c_str(), out_path.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "wrap_loop exited by itself (status " << status << ")";
  }

  const auto returned = ReadComplete(out_path);
  ASSERT_GE(returned.size(), 20u) << "too few wraps completed for the test to mean anything";

  auto config = LoadVaultSetConfig(config_path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto runtime = VaultSetRuntime::Open(*config);  // opening runs integrity_check
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  ASSERT_TRUE((*runtime)->store().CheckIntegrity().ok());

  // Every returned wrap is checked (thousands of them): its key version is
  // in the store, and it unwraps to its DEK. The unwraps are spread over
  // threads sharing the router, as a server's would be.
  for (const ReturnedWrap& w : returned) {
    auto recorded = (*runtime)->store().FindKeyVersion(w.thumbprint);
    ASSERT_TRUE(recorded.ok() && recorded->has_value()) << "key version " << w.thumbprint << " not in the store";
    EXPECT_TRUE((*recorded)->first_wrap_ms.has_value());
  }
  constexpr std::size_t kThreads = 8;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < returned.size() && failures[t].empty(); i += kThreads) {
        const ReturnedWrap& w = returned[i];
        UnwrapRequest req;
        req.key_name = config->provider.key_names.front();
        req.thumbprint = w.thumbprint;
        req.algorithm = WrapAlgorithm::kRsaOaep256;
        auto wrapped = Base64UrlDecode(w.wrapped);
        if (!wrapped.ok()) {
          failures[t] = "wrapped DEK " + std::to_string(i) + " is not base64url";
          break;
        }
        req.wrapped = *wrapped;
        auto plain = (*runtime)->router().Unwrap(req, Deadline::After(std::chrono::seconds(20)));
        if (!plain.ok()) failures[t] = "wrap " + std::to_string(i) + ": " + plain.status().ToString();
        else if (Base64UrlEncode(*plain) != w.dek) failures[t] = "wrap " + std::to_string(i) + " unwraps to another DEK";
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
}

}  // namespace
}  // namespace geoekm

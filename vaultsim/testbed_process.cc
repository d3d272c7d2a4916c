#include "vaultsim/testbed_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "vaultsim/file_text.h"
#include "vaultsim/testbed_failure.h"

namespace geoekm::vaultsim {
namespace {


std::string ReadAll(const std::string& path) { return ReadFileText(path).value_or(""); }

// Last lines of a log, to explain why a child died.
std::string Tail(const std::string& log_file) {
  std::string text = ReadAll(log_file);
  if (text.size() > 800) text = "..." + text.substr(text.size() - 800);
  return text;
}

int ReadPid(const std::string& pid_file) {
  std::ifstream in(pid_file);
  int pid = 0;
  if (!(in >> pid) || pid <= 1) return 0;
  return pid;
}

bool Alive(int pid) {
  // A zombie child of ours still answers kill(0); reap it first.
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) return false;
  if (kill(pid, 0) != 0) return errno == EPERM;
  // Zombies of another parent: state 'Z' in /proc/<pid>/stat.
  const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return !(close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

bool CommandLineMentions(int pid, const std::string& marker) {
  std::string cmdline = ReadAll("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline) {
    if (c == '\0') c = ' ';
  }
  return marker.empty() || cmdline.find(marker) != std::string::npos;
}

std::vector<char*> Argv(const std::string& exe, const std::vector<std::string>& args, std::vector<std::string>* store) {
  store->clear();
  store->push_back(exe);
  store->insert(store->end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : *store) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

// In the child: stdin from /dev/null, stdout+stderr appended to log_file.
void RedirectOrDie(const std::string& log_file) {
  const int in = open("/dev/null", O_RDONLY);
  const int out = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in < 0 || out < 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  close(in);
  close(out);
}

}  // namespace

std::string SelfExecutable() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "vaultsim";
  return std::string(buf, static_cast<std::size_t>(n));
}

Result<int> StartDaemon(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file,
                        const std::string& pid_file) {
  std::vector<std::string> store;
  std::vector<char*> argv = Argv(exe, args, &store);
  const pid_t pid = fork();
  if (pid < 0) return TestbedFailure("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    setsid();
    // Signals blocked by the parent (servers block SIGTERM) must not stay
    // blocked in the daemon.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    RedirectOrDie(log_file);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  const std::string tmp = pid_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << "\n";
  }
  if (std::rename(tmp.c_str(), pid_file.c_str()) != 0) {
    kill(pid, SIGKILL);
    return TestbedFailure("cannot write " + pid_file);
  }
  return static_cast<int>(pid);
}

Result<int> WaitForPortFile(int pid, const std::string& port_file, const std::string& log_file,
                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0 && port < 65536) return port;
    if (!Alive(pid)) return TestbedFailure("process " + std::to_string(pid) + " exited during start-up; log " + log_file + ":\n" + Tail(log_file));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return TestbedFailure("process " + std::to_string(pid) + " wrote no port to " + port_file + " within " +
                std::to_string(timeout.count()) + " ms; log " + log_file + ":\n" + Tail(log_file));
}

bool DaemonRunning(const std::string& pid_file, const std::string& marker) {
  const int pid = ReadPid(pid_file);
  return pid > 0 && Alive(pid) && CommandLineMentions(pid, marker);
}

bool StopDaemon(const std::string& pid_file, const std::string& marker, std::chrono::milliseconds grace) {
  const int pid = ReadPid(pid_file);
  bool stopped = false;
  if (pid > 0 && Alive(pid) && CommandLineMentions(pid, marker)) {
    kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (Alive(pid) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (Alive(pid)) {
      std::fprintf(stderr, "vaultsim testbed: pid %d did not exit within %lld ms of SIGTERM; sending SIGKILL\n", pid,
                   static_cast<long long>(grace.count()));
      kill(pid, SIGKILL);
      for (int i = 0; i < 100 && Alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stopped = true;
  }
  std::remove(pid_file.c_str());
  return stopped;
}

bool KillDaemon(const std::string& pid_file, const std::string& marker) {
  const int pid = ReadPid(pid_file);
  bool killed = false;
  if (pid > 0 && Alive(pid) && CommandLineMentions(pid, marker)) {
    kill(pid, SIGKILL);
    for (int i = 0; i < 500 && Alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    killed = true;
  }
  std::remove(pid_file.c_str());
  return killed;
}

Result<int> RunToCompletion(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file) {
  std::vector<std::string> store;
  std::vector<char*> argv = Argv(exe, args, &store);
  const pid_t pid = fork();
  if (pid < 0) return TestbedFailure("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    RedirectOrDie(log_file);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return TestbedFailure(exe + " " + (args.empty() ? "" : args[0]) + " died; log " + log_file);
  return WEXITSTATUS(status);
}

}  // namespace geoekm::vaultsim

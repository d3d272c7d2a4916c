// RunUnprivileged: runs a piece of a test as a user that file modes apply
// to. Tests run as root, and root bypasses read/write permission bits, so a
// refused open can only be observed as another user: as root the body runs
// in a forked child that has switched to `nobody` (setgid, setgroups,
// setuid); as any other user it runs in this process.
//
// Thread safety: call from the test's main thread (fork copies only it).
#pragma once

#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <string>

namespace geoekm::state_test {

// The uid/gid the body will run as.
struct UnprivilegedUser {
  uid_t uid;
  gid_t gid;
  std::string name;
};

inline std::optional<UnprivilegedUser> TargetUser() {
  if (geteuid() != 0) {
    const passwd* me = getpwuid(geteuid());
    return UnprivilegedUser{geteuid(), getegid(), me != nullptr ? me->pw_name : std::to_string(geteuid())};
  }
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) return std::nullopt;
  return UnprivilegedUser{nobody->pw_uid, nobody->pw_gid, nobody->pw_name};
}

// The body's result text; "child failed: ..." when the child could not
// switch users or did not finish.
inline std::string RunUnprivileged(const std::function<std::string()>& body) {
  if (geteuid() != 0) return body();
  const std::optional<UnprivilegedUser> user = TargetUser();
  if (!user) return "child failed: no user 'nobody'";
  int fds[2];
  if (pipe(fds) != 0) return "child failed: pipe";
  const pid_t pid = fork();
  if (pid < 0) return "child failed: fork";
  if (pid == 0) {
    close(fds[0]);
    std::string result;
    if (setgroups(0, nullptr) != 0 || setgid(user->gid) != 0 || setuid(user->uid) != 0) {
      result = "child failed: cannot switch to " + user->name;
    } else {
      result = body();
    }
    for (std::size_t done = 0; done < result.size();) {
      const ssize_t n = write(fds[1], result.data() + done, result.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string result;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) result.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) return "child failed: did not exit cleanly: " + result;
  return result;
}

}  // namespace geoekm::state_test

#include "core/random_uuid.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <regex>
#include <set>

namespace geoekm {
namespace {

TEST(RandomUuid, IsAVersion4UuidAndDoesNotRepeat) {
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomUuid();
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// Ids come from a per-thread store of random bytes: a forked child must not
// hand out the ids its parent is about to.
TEST(RandomUuid, AForkedChildDoesNotRepeatItsParentsNextIds) {
  (void)RandomUuid();  // the parent's store now holds unused bytes
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string id = RandomUuid();
    const bool written = write(fds[1], id.data(), id.size()) == static_cast<ssize_t>(id.size());
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  const std::string parents_next = RandomUuid();
  char buf[64] = {};
  const ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(n, 36);
  EXPECT_NE(std::string(buf, static_cast<std::size_t>(n)), parents_next);
}

}  // namespace
}  // namespace geoekm

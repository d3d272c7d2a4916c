// TempDir: a unique directory under $TMPDIR (or /tmp) for one test or one
// test process, removed recursively when the object is destroyed.
//
// Thread safety: distinct objects are independent; one object is not
// meant to be shared while being destroyed.
#pragma once

#include <string>

namespace geoekm::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "geoekm-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace geoekm::testing

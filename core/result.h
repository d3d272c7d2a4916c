// Result<T>: a T or the Status that explains why there is none.
//
// C++20 has no std::expected; this is the small subset geoekm needs.
// Accessing value() of a failed Result is a programming error (asserts).
//
// Thread safety: a plain value, like Status.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "core/status.h"

namespace geoekm {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "a failed Result needs a non-OK Status");
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace geoekm

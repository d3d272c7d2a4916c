#include "vault_router/failure_scope.h"

namespace geoekm {

FailureScope ScopeOf(const Status& status) {
  switch (status.error_class()) {
    case ErrorClass::kNone: return FailureScope::kNone;
    case ErrorClass::kBadRequest:
    case ErrorClass::kInvalidInput: return FailureScope::kRequest;
    case ErrorClass::kTransient:
    case ErrorClass::kThrottled:
    case ErrorClass::kAuth:
    case ErrorClass::kForbidden:
    case ErrorClass::kNotFound:
    case ErrorClass::kIntegrity:
    case ErrorClass::kInternal: return FailureScope::kVault;
  }
  return FailureScope::kVault;
}

HealthSignal HealthSignalOf(const Status& status) {
  switch (status.error_class()) {
    case ErrorClass::kNone: return HealthSignal::kSuccess;
    case ErrorClass::kInvalidInput: return HealthSignal::kNone;
    case ErrorClass::kNotFound:
    case ErrorClass::kBadRequest: return HealthSignal::kAnswered;
    case ErrorClass::kThrottled: return HealthSignal::kThrottled;
    case ErrorClass::kTransient:
    case ErrorClass::kAuth:
    case ErrorClass::kForbidden:
    case ErrorClass::kIntegrity:
    case ErrorClass::kInternal: return HealthSignal::kFailure;
  }
  return HealthSignal::kFailure;
}

}  // namespace geoekm

#include "provider/runtime/state_recorder.h"

#include <Poco/String.h>

#include <algorithm>

#include "core/error_codes.h"

namespace geoekm {
namespace {

OperationKind ToOperationKind(VaultCall call) {
  switch (call) {
    case VaultCall::kWrap: return OperationKind::kWrap;
    case VaultCall::kUnwrap: return OperationKind::kUnwrap;
    case VaultCall::kGetKey: return OperationKind::kGetKey;
    case VaultCall::kListVersions: return OperationKind::kListVersions;
    case VaultCall::kProbe: return OperationKind::kProbe;
  }
  return OperationKind::kGetKey;
}

}  // namespace

RecordedHealth ToStoreHealth(VaultHealthState state) {
  switch (state) {
    case VaultHealthState::kHealthy: return RecordedHealth::kHealthy;
    case VaultHealthState::kSuspect: return RecordedHealth::kDegraded;
    case VaultHealthState::kEjected: return RecordedHealth::kEjected;
    case VaultHealthState::kProbing: return RecordedHealth::kProbing;
    case VaultHealthState::kQuarantined: return RecordedHealth::kQuarantined;
  }
  return RecordedHealth::kUnknown;
}

bool StateRecorder::Serves(const std::string& key_name) const {
  return std::any_of(key_names_.begin(), key_names_.end(),
                     [&](const std::string& k) { return Poco::icompare(k, key_name) == 0; });
}

Status StateRecorder::RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) {
  if (!Serves(version.name)) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput,
                  "key '" + version.name + "' is not one of this vault set's key_names; its version is not recorded");
  }
  return store_->RecordWrapKeyVersion(vault, version);
}

Result<std::vector<std::string>> StateRecorder::KnownThumbprints(const std::string& key_name) {
  auto history = store_->KeyHistory(key_name);
  if (!history.ok()) return history.status();
  // Only versions that wrapped DEKs are trusted history: a version merely
  // read from some vault (possibly a rogue one) proves nothing about which
  // material protects data.
  std::vector<std::string> out;
  for (const KeyVersionRecord& v : *history) {
    if (v.first_wrap_ms) out.push_back(v.thumbprint);
  }
  return out;
}

void StateRecorder::OnHealthChange(const VaultHealthEvent& event) {
  HealthTransition t;
  t.vault = event.vault;
  t.from = ToStoreHealth(event.from);
  t.to = ToStoreHealth(event.to);
  t.reason = event.reason;
  t.error_code = event.error_code;
  t.http_status = event.http_status;
  Count(store_->RecordHealthTransition(t));
}

void StateRecorder::OnVaultCall(const VaultCallEvent& event) {
  OperationRecord op;
  op.op = ToOperationKind(event.call);
  op.vault = event.vault;
  op.thumbprint = event.thumbprint;
  op.outcome_code = event.outcome_code;
  op.http_status = event.http_status;
  op.latency = event.latency;
  op.request_id = event.request_id;
  Status s = store_->RecordOperation(op);
  if (!s.ok() && !op.thumbprint.empty()) {
    // The audit accepts only thumbprints of recorded key versions (so no
    // payload can pose as one); an unwrap of a version this store has not
    // seen yet (e.g. after a rebuild) is still audited, without it.
    op.thumbprint.clear();
    s = store_->RecordOperation(op);
  }
  Count(s);
}

void StateRecorder::OnKeyCopy(const KeyCopyEvent& event) {
  if (!Serves(event.key_name) || (event.bundle && !Serves(event.bundle->name))) {
    dropped_events_.fetch_add(1);  // no history rows for keys this set does not serve
    return;
  }
  switch (event.finding) {
    case KeyCopyFinding::kVerified:
      if (event.bundle) {
        const Status verified = store_->RecordCopyVerified(event.vault, *event.bundle);
        Count(verified);
        if (verified.ok()) RecordParkedMissing(event.thumbprint);
      }
      return;
    case KeyCopyFinding::kMissing:
      RecordMissing(event);
      return;
    case KeyCopyFinding::kMismatch:
      Count(store_->RecordCopyStatus(event.vault, event.thumbprint, CopyStatus::kQuarantined, event.detail,
                                     event.observed_thumbprint));
      return;
  }
}

void StateRecorder::RecordMissing(const KeyCopyEvent& event) {
  // The store keeps copies only of versions whose material it has. A vault
  // found lacking a version before any vault showed that version (the
  // router asks vaults in order) is parked until one does.
  std::lock_guard lock(parked_mu_);
  auto known = store_->FindKeyVersion(event.thumbprint);
  if (known.ok() && !known->has_value()) {
    auto it = parked_missing_.find(event.thumbprint);
    if (it == parked_missing_.end() && parked_missing_.size() >= kMaxParkedVersions) {
      dropped_events_.fetch_add(1);
      return;
    }
    parked_missing_[event.thumbprint].push_back({event.vault, event.detail});
    return;
  }
  Count(store_->RecordCopyStatus(event.vault, event.thumbprint, CopyStatus::kMissing, event.detail));
}

void StateRecorder::RecordParkedMissing(const std::string& thumbprint) {
  std::lock_guard lock(parked_mu_);
  auto it = parked_missing_.find(thumbprint);
  if (it == parked_missing_.end()) return;
  for (const ParkedMissing& m : it->second) {
    Count(store_->RecordCopyStatus(m.vault, thumbprint, CopyStatus::kMissing, m.detail));
  }
  parked_missing_.erase(it);
}

void StateRecorder::Count(const Status& status) {
  if (!status.ok()) dropped_events_.fetch_add(1);
}

}  // namespace geoekm

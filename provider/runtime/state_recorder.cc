#include "provider/runtime/state_recorder.h"

#include <Poco/String.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"

namespace geoekm {
StateRecorder::StateRecorder(std::shared_ptr<StateStore> store, std::vector<std::string> key_names,
                             StateWriterOptions writer)
    : store_(std::move(store)), key_names_(std::move(key_names)), writer_(store_, writer) {}

StateRecorder::~StateRecorder() { writer_.Shutdown(); }

bool StateRecorder::Serves(const std::string& key_name) const {
  return std::any_of(key_names_.begin(), key_names_.end(),
                     [&](const std::string& k) { return Poco::icompare(k, key_name) == 0; });
}

std::uint64_t StateRecorder::dropped_events() const { return unserved_events_.load() + writer_.stats().failed; }

Status StateRecorder::RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) {
  if (!Serves(version.name)) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput,
                  "key '" + version.name + "' is not one of this vault set's key_names; its version is not recorded");
  }
  const std::int64_t now = store_->options().clock();
  {
    std::unique_lock lock(wrapped_mu_);
    if (auto in_vault = wrapped_.find(vault); in_vault != wrapped_.end()) {
      auto it = in_vault->second.find(version.thumbprint);
      // The same material as when this thumbprint was computed: already
      // durable (rows are never deleted), so only last_wrap_ms is due now
      // and then, and nothing waits for it.
      if (it != in_vault->second.end() && it->second.n == version.n && it->second.e == version.e &&
          it->second.kty == version.kty) {
        const std::int64_t granularity_ms =
            std::chrono::milliseconds(store_->options().last_wrap_granularity).count();
        if (now - it->second.refreshed_ms >= granularity_ms) {
          it->second.refreshed_ms = now;
          lock.unlock();
          writer_.RefreshWrapKeyVersion(vault, version);
        }
        return Status::Ok();
      }
    }
  }
  Status recorded = writer_.RecordWrapKeyVersion(vault, version);
  if (!recorded.ok()) return recorded;
  // The thumbprint is recomputed from the material, as the store does, so a
  // bundle whose thumbprint field lies never stands for another version.
  auto thumbprint = RsaJwkThumbprint(version.kty, version.n, version.e);
  if (!thumbprint.ok() || *thumbprint != version.thumbprint) return recorded;
  {
    std::lock_guard lock(wrapped_mu_);
    wrapped_[vault].insert_or_assign(*thumbprint, WrappedVersion{version.kty, version.n, version.e, now});
  }
  std::lock_guard lock(known_mu_);
  auto it = known_.find(Poco::toLower(version.name));
  if (it != known_.end()) it->second.thumbprints.insert(*thumbprint);
  return recorded;
}

void StateRecorder::ForgetWrapped(const std::string& vault, const std::string& thumbprint) {
  std::lock_guard lock(wrapped_mu_);
  if (auto in_vault = wrapped_.find(vault); in_vault != wrapped_.end()) in_vault->second.erase(thumbprint);
}

namespace {

// Only versions that wrapped DEKs are trusted history: a version merely read
// from some vault (possibly a rogue one) proves nothing about which material
// protects data.
Result<std::set<std::string>> ReadWrapHistory(StateStore& store, const std::string& key_name) {
  auto history = store.KeyHistory(key_name);
  if (!history.ok()) return history.status();
  std::set<std::string> out;
  for (const KeyVersionRecord& v : *history) {
    if (v.first_wrap_ms) out.insert(v.thumbprint);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> StateRecorder::VaultsWithVerifiedCopy(const std::string& thumbprint) {
  auto copies = store_->CopiesOfVersion(thumbprint);
  if (!copies.ok()) return copies.status();
  std::vector<std::string> vaults;
  for (const VaultKeyCopyRecord& c : *copies)
    if (c.status == CopyStatus::kVerified) vaults.push_back(c.vault);
  return vaults;
}

const StateRecorder::KnownHistory* StateRecorder::KnownHistoryLocked(const std::string& key,
                                                                     const std::string& key_name) {
  auto it = known_.find(key);
  if (it == known_.end()) return nullptr;
  KnownHistory& h = it->second;
  if (store_->options().clock() - h.read_ms >= kHistoryRereadMs && !h.rereading) {
    h.rereading = true;
    writer_.Submit([this, key, key_name](StateStore& store) {
      auto reread = ReadWrapHistory(store, key_name);
      std::lock_guard relock(known_mu_);
      KnownHistory& again = known_[key];
      again.rereading = false;
      if (!reread.ok()) return;  // keep what we know; retried at the next ask
      again.thumbprints.insert(reread->begin(), reread->end());
      again.read_ms = store_->options().clock();
    });
  }
  return &h;
}

Result<std::vector<std::string>> StateRecorder::KnownThumbprints(const std::string& key_name) {
  const std::string key = Poco::toLower(key_name);  // Key Vault names are case-insensitive
  const std::int64_t now = store_->options().clock();
  {
    std::lock_guard lock(known_mu_);
    if (const KnownHistory* h = KnownHistoryLocked(key, key_name))
      return std::vector<std::string>(h->thumbprints.begin(), h->thumbprints.end());
  }
  auto read = ReadWrapHistory(*store_, key_name);  // the first ask for this name
  if (!read.ok()) return read.status();
  std::lock_guard lock(known_mu_);
  KnownHistory& h = known_[key];
  h.thumbprints.insert(read->begin(), read->end());
  h.read_ms = now;
  return std::vector<std::string>(h.thumbprints.begin(), h.thumbprints.end());
}

bool StateRecorder::HasWrapHistory(const std::string& key_name) {
  {
    std::lock_guard lock(known_mu_);
    if (const KnownHistory* h = KnownHistoryLocked(Poco::toLower(key_name), key_name))
      return !h->thumbprints.empty();
  }
  return KeyVersionRecorder::HasWrapHistory(key_name);  // the first ask reads the store
}

void StateRecorder::OnHealthChange(const VaultHealthEvent& event) { writer_.RecordHealthTransition(event); }

void StateRecorder::OnVaultCall(const VaultCallEvent& event) {
  OperationRecord op;
  op.op = event.call;
  op.vault = event.vault;
  op.thumbprint = event.thumbprint;
  op.outcome_code = event.outcome_code;
  op.http_status = event.http_status;
  op.latency = event.latency;
  op.request_id = event.request_id;
  op.started_ms = std::max<std::int64_t>(1, store_->options().clock() - event.latency.count());
  writer_.RecordOperation(std::move(op));
}

void StateRecorder::OnKeyCopy(const KeyCopyEvent& event) {
  if (!Serves(event.key_name) || (event.bundle && !Serves(event.bundle->name))) {
    unserved_events_.fetch_add(1);  // no history rows for keys this set does not serve
    return;
  }
  switch (event.finding) {
    case KeyCopyFinding::kVerified:
      if (event.bundle) writer_.RecordCopyVerified(event.vault, *event.bundle);
      return;
    case KeyCopyFinding::kMissing:
      ForgetWrapped(event.vault, event.thumbprint);
      writer_.RecordCopyStatus(event.vault, event.thumbprint, CopyStatus::kMissing, event.detail);
      return;
    case KeyCopyFinding::kMismatch:
      ForgetWrapped(event.vault, event.thumbprint);
      writer_.RecordCopyStatus(event.vault, event.thumbprint, CopyStatus::kQuarantined, event.detail,
                               event.observed_thumbprint);
      return;
  }
}

}  // namespace geoekm

#include "vault_router/vault_router.h"

#include <Poco/String.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"
#include "vault_router/failure_scope.h"
#include "vault_router/key_id_check.h"
#include "vault_router/rsa_lengths.h"

namespace geoekm {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

Status DeadlineFailure(const std::string& what) {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "deadline passed before " + what);
}

std::string ShortThumbprint(const std::string& t) { return t.size() > 12 ? t.substr(0, 12) + "…" : t; }

std::string Brief(const Status& s) {
  std::string out = std::to_string(s.code()) + " " + std::string(ErrorClassName(s.error_class()));
  if (s.http_status()) out += " HTTP " + std::to_string(s.http_status());
  if (!s.message().empty()) out += " (" + s.message() + ")";
  return out;
}

// A wrapped key that is not exactly k bytes cannot be an RSA ciphertext of
// that key version: the caller's error, refused (through the router's
// InvalidArgument, so it is reported) before any vault is asked. Returns why,
// or nothing when the length is right.
std::optional<std::string> WrongWrappedLength(const KeyBundle& key, const Bytes& wrapped) {
  const std::size_t k = RsaModulusBytes(key);
  if (wrapped.size() == k) return std::nullopt;
  return "unwrap: the wrapped key is " + std::to_string(wrapped.size()) + " bytes, but key '" + key.name +
         "' (RSA, " + std::to_string(k * 8) + "-bit modulus) wraps to exactly " + std::to_string(k) + " bytes";
}

// An answer of the wrong length is garbage from that vault (like an
// unparsable body): a vault-level failure, so the next vault is asked and
// the vault's health records it. The bytes themselves are never shown.
Status BadAnswerLength(int parser_code, const char* operation, std::size_t got, const std::string& allowed) {
  return Status(parser_code, ErrorClass::kTransient,
                std::string(operation) + " failed: the vault's answer could not be used (" + std::to_string(got) +
                    " bytes; " + allowed + ")");
}

// Sends the key name and the parts of a request that identify it exactly.
std::string CoalescingKey(const UnwrapRequest& r) {
  std::string key;
  key.reserve(r.key_name.size() + r.thumbprint.size() + r.version.size() + r.wrapped.size() + 8);
  key.append(r.key_name).push_back('\0');
  key.append(r.thumbprint).push_back('\0');
  key.append(r.version).push_back('\0');
  key.append(WrapAlgorithmName(r.algorithm)).push_back('\0');
  key.append(reinterpret_cast<const char*>(r.wrapped.data()), r.wrapped.size());
  return key;
}

}  // namespace

// What the attempts of one race need, owned jointly by them (an abandoned
// attempt may outlive the call that started it).
struct VaultRouter::RaceTarget {
  std::string key_name;
  std::string thumbprint;
  WrapAlgorithm algorithm = WrapAlgorithm::kRsaOaep256;
  std::vector<std::size_t> candidates;  // vault indices, ranked
};

void VaultRouter::AppendFailures(const RaceTarget& target, const std::vector<std::pair<std::size_t, Status>>& failures,
                                 std::string* out) const {
  for (const auto& [i, st] : failures)
    *out += (out->empty() ? "" : "; ") + members_[target.candidates[i]].name + ": " + Brief(st);
}

struct VaultRouter::Counters {
  std::atomic<std::uint64_t> unwraps{0}, unwrap_failures{0}, unwraps_coalesced{0}, wraps{0}, wrap_failures{0},
      vault_calls{0}, vault_call_failures{0}, throttled_responses{0}, failovers{0}, hedges{0}, hedge_wins{0},
      hedges_refused{0}, abandoned_results{0}, ejections{0}, failbacks{0}, quarantines{0}, probes{0},
      probe_failures{0}, verifications{0}, version_not_everywhere{0}, wraps_with_previous_version{0}, recorder_failures{0}, attempts_skipped{0};
};

RouterOptions RouterOptionsFromConfig(const VaultSetConfig& config) {
  RouterOptions o;
  o.tuning = config.router;
  o.probe_key_names = config.provider.key_names;
  o.canary_algorithm = config.provider.wrap_algorithm;
  o.pinned_thumbprints = config.provider.pinned_thumbprints;
  return o;
}

VaultRouter::VaultRouter(std::vector<RoutedVault> vaults, RouterOptions options)
    : options_(std::move(options)),
      max_attempts_per_vault_(options_.max_attempts_per_vault
                                  ? options_.max_attempts_per_vault
                                  : std::max<std::size_t>(1, options_.worker_threads / 2)),
      counters_(std::make_unique<Counters>()),
      hedge_budget_(options_.tuning.retry_budget_ratio, options_.tuning.retry_budget_min_per_second),
      executor_(options_.worker_threads, options_.max_queued_tasks) {
  OutlierPolicy policy;
  policy.tuning = options_.tuning;
  policy.min_request_volume = options_.min_request_volume;
  members_.reserve(vaults.size());
  for (RoutedVault& rv : vaults) {
    Member m;
    m.name = rv.name;
    m.priority = rv.priority;
    m.ops = std::move(rv.ops);
    m.host = std::move(rv.host);
    m.port = rv.port;
    m.health = std::make_unique<VaultHealth>(rv.name, policy);
    m.attempts_in_flight = std::make_unique<std::atomic<std::size_t>>(0);
    members_.push_back(std::move(m));
  }
  if (options_.background_probing) prober_ = std::thread([this] { ProberLoop(); });
}

VaultRouter::~VaultRouter() {
  {
    std::lock_guard lock(prober_mu_);
    stopping_ = true;
  }
  prober_cv_.notify_all();
  if (prober_.joinable()) prober_.join();
  executor_.Shutdown();
}

Deadline VaultRouter::AttemptDeadline(Deadline caller) const {
  return caller.Earlier(Deadline::After(options_.tuning.try_timeout));
}

Clock::time_point VaultRouter::Now() const { return options_.clock ? options_.clock() : Clock::now(); }

bool VaultRouter::Quarantined(std::size_t v) const {
  return members_[v].health->state() == VaultHealthState::kQuarantined;
}

std::vector<std::size_t> VaultRouter::Ranked() const {
  const auto now = Now();
  std::vector<std::tuple<int, int, std::size_t>> order;
  for (std::size_t v = 0; v < members_.size(); ++v) {
    const VaultTier tier = members_[v].health->Tier(now);
    if (tier == VaultTier::kNever) continue;
    order.emplace_back(static_cast<int>(tier), members_[v].priority, v);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::size_t> out;
  out.reserve(order.size());
  for (const auto& entry : order) out.push_back(std::get<2>(entry));
  return out;
}

Status VaultRouter::InvalidArgument(std::string message) const {
  Status refused(codes::kInvalidArgument, ErrorClass::kInvalidInput, std::move(message));
  if (options_.observer) options_.observer->OnRefusedRequest(RefusedRequestEvent{refused.code(), refused.message()});
  return refused;
}

void VaultRouter::Publish(const std::optional<VaultHealthEvent>& event) {
  if (!event) return;
  if (event->to == VaultHealthState::kEjected) counters_->ejections++;
  if (event->to == VaultHealthState::kQuarantined) counters_->quarantines++;
  if (event->from == VaultHealthState::kProbing && event->to == VaultHealthState::kHealthy) counters_->failbacks++;
  if (options_.observer) options_.observer->OnHealthChange(*event);
}

template <typename T, typename Fn>
Result<T> VaultRouter::Call(std::size_t v, VaultCall kind, const std::string& key_name,
                           const std::string& thumbprint, Fn&& fn, const RaceAttempt* attempt) {
  Member& m = members_[v];
  const auto started = Clock::now();
  Result<T> result = fn(*m.ops);
  const auto latency = duration_cast<milliseconds>(Clock::now() - started);
  const Status status = result.ok() ? Status::Ok() : result.status();
  counters_->vault_calls++;
  if (!status.ok()) counters_->vault_call_failures++;
  if (status.error_class() == ErrorClass::kThrottled) counters_->throttled_responses++;
  Publish(m.health->OnOutcome(Now(), status, latency));
  if (options_.observer) {
    VaultCallEvent e;
    e.call = kind;
    e.vault = m.name;
    e.key_name = key_name;
    e.thumbprint = thumbprint;
    e.outcome_code = status.code();
    e.error_class = status.error_class();
    e.http_status = status.http_status();
    e.latency = latency;
    e.request_id = status.request_id();
    e.hedged = attempt && attempt->hedged;
    e.abandoned = attempt && attempt->abandoned();
    options_.observer->OnVaultCall(e);
  }
  return result;
}

Status VaultRouter::QuarantinedStatus(std::size_t v) const {
  return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                "vault '" + members_[v].name + "' is quarantined (other key material)")
      .WithVault(members_[v].name);
}

void VaultRouter::ReportCopy(std::size_t v, const std::string& key_name, const std::string& thumbprint,
                             KeyCopyFinding finding, std::string detail, const KeyBundle* bundle,
                             const std::string& observed_thumbprint) const {
  if (!options_.observer) return;
  KeyCopyEvent e;
  e.vault = members_[v].name;
  e.key_name = key_name;
  e.thumbprint = thumbprint;
  e.finding = finding;
  e.observed_thumbprint = observed_thumbprint;
  e.detail = std::move(detail);
  if (bundle) e.bundle = *bundle;
  options_.observer->OnKeyCopy(e);
}

void VaultRouter::QuarantineVault(std::size_t v, const std::string& key_name, const std::string& expected_thumbprint,
                                  const std::string& observed_thumbprint, const std::string& reason) {
  auto event = members_[v].health->Quarantine(reason);
  if (!event) return;  // already quarantined: reported once
  Publish(event);
  ReportCopy(v, key_name, expected_thumbprint, KeyCopyFinding::kMismatch, reason, nullptr, observed_thumbprint);
}

// --- key resolution -------------------------------------------------------

Status VaultRouter::CheckKid(std::size_t v, const std::string& name, const std::string& version,
                             const KeyBundle& bundle) const {
  const Member& m = members_[v];
  const std::string problem = KeyIdProblem(bundle.kid, m.host, m.port, name, version);
  if (problem.empty()) return Status::Ok();
  // The kid is public (no secret), so it may be shown.
  return Status(codes::kGetKeyJsonParser, ErrorClass::kTransient,
                "get key failed: the vault's answer could not be used (its kid '" + bundle.kid + "' " + problem + ")")
      .WithVault(m.name);
}

Result<KeyBundle> VaultRouter::GetCheckedKey(std::size_t v, const std::string& name, const std::string& version,
                                             Deadline deadline) {
  Result<KeyBundle> r = members_[v].ops->GetKey(name, version, deadline);
  if (!r.ok()) return r;
  if (Status s = CheckKid(v, name, version, *r); !s.ok()) return s;
  r->name = name;  // the configured spelling: one catalog view and one history per key
  return r;
}

Result<KeyBundle> VaultRouter::FetchKey(std::size_t v, const std::string& name, const std::string& version,
                                        Deadline caller) {
  const Deadline deadline = AttemptDeadline(caller);
  Result<KeyBundle> r = Call<KeyBundle>(v, VaultCall::kGetKey, name, "", [&](KeyVaultKeys&) {
    return GetCheckedKey(v, name, version, deadline);
  });
  if (!r.ok()) return r;
  KeyBundle bundle = std::move(r).value();
  Result<std::string> thumbprint = RsaJwkThumbprint(bundle.kty, bundle.n, bundle.e);
  if (!thumbprint.ok()) {
    return Status(codes::kGetKeyJsonParser, ErrorClass::kIntegrity,
                  "vault answered key '" + name + "' with an unusable public key: " + thumbprint.status().message())
        .WithVault(members_[v].name);
  }
  bundle.thumbprint = *thumbprint;  // recomputed: never trust a copied field
  counters_->verifications++;
  if (auto previous = catalog_.RecordBundle(v, bundle, Now())) {
    const std::string reason = "vault '" + members_[v].name + "' changed the key material of '" + name + "' version " +
                               bundle.version + " (thumbprint was " + *previous + ", now " + bundle.thumbprint +
                               "): quarantined, it will not be used";
    QuarantineVault(v, name, *previous, bundle.thumbprint, reason);
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, reason).WithVault(members_[v].name);
  }
  ReportCopy(v, name, bundle.thumbprint, KeyCopyFinding::kVerified, "", &bundle);
  return bundle;
}

Status VaultRouter::LoadListing(std::size_t v, const std::string& name, Deadline caller) {
  const Deadline deadline = AttemptDeadline(caller);  // one vault's listing: at most try_timeout
  const auto asked_at = Now();
  if (!catalog_.BeginListing(v, name, deadline)) {
    return DeadlineFailure("listing the versions of '" + name + "' in vault '" + members_[v].name + "'");
  }
  Status status = [&]() -> Status {
    // Someone else listed while we waited: their result is as fresh as ours would be.
    if (auto listed = catalog_.ListedAt(v, name); listed && *listed >= asked_at) return Status::Ok();
    Result<std::vector<KeyVersionItem>> items =
        Call<std::vector<KeyVersionItem>>(v, VaultCall::kListVersions, name, "", [&](KeyVaultKeys& ops) {
          return ops.ListKeyVersions(name, deadline);
        });
    if (!items.ok()) return items.status();
    std::vector<KeyVersionItem> versions = std::move(items).value();
    // Newest first: the versions callers look for are usually recent.
    std::sort(versions.begin(), versions.end(), [](const KeyVersionItem& a, const KeyVersionItem& b) {
      return a.attributes.created.value_or(0) > b.attributes.created.value_or(0);
    });
    for (const KeyVersionItem& item : versions) {
      if (catalog_.ByVersion(v, name, item.version)) continue;
      Result<KeyBundle> bundle = FetchKey(v, name, item.version, deadline);
      if (bundle.ok() || bundle.status().error_class() == ErrorClass::kNotFound) continue;
      return bundle.status();
    }
    catalog_.MarkListed(v, name, Now());
    return Status::Ok();
  }();
  catalog_.EndListing(v, name);
  if (status.ok()) CheckMaterial(v, name);
  return status;
}

std::optional<std::string> VaultRouter::PinFor(const std::string& name) const {
  for (const auto& [key, thumbprint] : options_.pinned_thumbprints)
    if (Poco::icompare(key, name) == 0) return thumbprint;  // Key Vault names are case-insensitive
  return std::nullopt;
}

VaultRouter::Trust VaultRouter::TrustFor(const std::string& name) const {
  Trust t;
  if (auto pin = PinFor(name)) {
    t.pin = *pin;
    t.thumbprints.insert(*pin);
  }
  if (options_.recorder) {
    Result<std::vector<std::string>> known = options_.recorder->KnownThumbprints(name);
    if (known.ok() && !known->empty()) {
      t.history = true;
      t.thumbprints.insert(known->begin(), known->end());
    }
  }
  t.source = t.history && !t.pin.empty() ? "the recorded key history or the pinned thumbprint"
             : t.history                 ? "the recorded key history"
                                         : "the pinned thumbprint";
  return t;
}

void VaultRouter::CheckMaterial(std::size_t v, const std::string& name) {
  if (Quarantined(v)) return;
  const Trust trust = TrustFor(name);
  // Nothing trusted (no history, no pin): no vault is judged by what
  // another vault holds, or one rogue vault could quarantine the honest
  // ones; wraps are refused instead while the vaults disagree (Wrap).
  if (trust.thumbprints.empty()) return;
  if (trust.history) {
    JudgeMaterial(v, name, trust);
    return;
  }
  // Only a pin. A pin that no vault holds is taken for a wrong pin (wraps
  // are refused), not as proof that every vault is rogue; once a vault
  // shows the pinned material, every vault listed so far is judged.
  bool held = false;
  for (std::size_t u = 0; u < members_.size() && !held; ++u)
    held = !Quarantined(u) && catalog_.ByThumbprint(u, name, trust.pin).has_value();
  if (!held) return;
  for (std::size_t u = 0; u < members_.size(); ++u)
    if (catalog_.ListedAt(u, name)) JudgeMaterial(u, name, trust);
}

void VaultRouter::JudgeMaterial(std::size_t v, const std::string& name, const Trust& trust) {
  if (Quarantined(v)) return;
  const std::vector<std::string> mine = catalog_.Thumbprints(v, name);
  if (mine.empty()) return;  // no versions: missing, not rogue
  for (const std::string& t : mine)
    if (trust.thumbprints.count(t)) return;
  const std::string reason = "vault '" + members_[v].name + "' holds other key material under '" + name +
                             "': none of its " + std::to_string(mine.size()) + " version(s) (e.g. thumbprint " +
                             ShortThumbprint(mine.front()) + ") matches " + trust.source +
                             "; quarantined, it will not be used";
  QuarantineVault(v, name, trust.pin.empty() ? *trust.thumbprints.begin() : trust.pin, mine.front(), reason);
}

std::string VaultRouter::CurrentThumbprintIn(std::size_t v, const std::string& name) const {
  std::optional<KeyBundle> newest = catalog_.Newest(v, name);
  return newest ? ShortThumbprint(newest->thumbprint) : "unknown";
}

Result<KeyBundle> VaultRouter::LocateIn(std::size_t v, const std::string& name, const std::string& thumbprint,
                                        Deadline deadline, std::optional<Clock::time_point> stale_before) {
  auto not_found = [&] {
    return Status(codes::kHttpNotFound, ErrorClass::kNotFound,
                  "vault '" + members_[v].name + "' holds no version of key '" + name + "' with thumbprint " +
                      thumbprint)
        .WithVault(members_[v].name);
  };
  if (Quarantined(v)) {
    return QuarantinedStatus(v);
  }
  // When the listing was read before the lookup, a listing another caller
  // completes in between is seen by the lookup (its bundles are recorded
  // before it is marked listed). The other order reported a version it had
  // just listed as missing (seen under TSan: 1 of 500 cold unwraps failed).
  const std::optional<Clock::time_point> listed = catalog_.ListedAt(v, name);
  if (auto b = catalog_.ByThumbprint(v, name, thumbprint)) return *b;
  if (listed && Now() - *listed < options_.relist_interval && !(stale_before && *listed < *stale_before)) {
    return not_found();
  }
  Status loaded = LoadListing(v, name, deadline);
  if (!loaded.ok()) return loaded;
  if (Quarantined(v)) {
    return QuarantinedStatus(v);
  }
  if (auto b = catalog_.ByThumbprint(v, name, thumbprint)) return *b;
  ReportCopy(v, name, thumbprint, KeyCopyFinding::kMissing,
             "no version of '" + name + "' in this vault has this thumbprint");
  return not_found();
}

struct VaultRouter::GetKeyInput : RaceTarget {
  std::string version;  // "" = the current version
};

Result<std::pair<std::size_t, KeyBundle>> VaultRouter::RaceGetKey(const std::string& name,
                                                                 const std::string& version,
                                                                 std::vector<std::size_t> candidates,
                                                                 Deadline deadline, std::string* tried) {
  auto input = std::make_shared<GetKeyInput>();
  input->key_name = name;
  input->version = version;
  input->candidates = std::move(candidates);
  RaceOutcome<KeyBundle> outcome = Race<KeyBundle>(
      input,
      [this, input](const RaceAttempt& a, Deadline caller) {
        return FetchKey(input->candidates[a.candidate], input->key_name, input->version, caller);
      },
      deadline);
  AppendFailures(*input, outcome.failures, tried);
  if (outcome.result && !outcome.result->ok()) return outcome.result->status();  // request-level
  if (!outcome.result || !outcome.winner) {
    if (outcome.deadline_passed || deadline.expired()) {
      return DeadlineFailure("reading key '" + name + "'" + (tried->empty() ? "" : " (" + *tried + ")"));
    }
    return Status(codes::kNoUsableVault, ErrorClass::kTransient, "no vault answered");
  }
  return std::make_pair(input->candidates[*outcome.winner], std::move(*outcome.result).value());
}

Result<std::string> VaultRouter::ThumbprintOfVersion(const std::string& name, const std::string& version,
                                                     Deadline deadline) {
  for (std::size_t v = 0; v < members_.size(); ++v)
    if (auto b = catalog_.ByVersion(v, name, version); b && !Quarantined(v)) return b->thumbprint;
  // Asked of every vault like an unwrap (hedged): a silent first vault must
  // not hold an unwrap that names a version id for try_timeout.
  std::string tried;
  Result<std::pair<std::size_t, KeyBundle>> got = RaceGetKey(name, version, Ranked(), deadline, &tried);
  if (got.ok()) return got->second.thumbprint;
  if (ScopeOf(got.status()) == FailureScope::kRequest || got.status().code() == codes::kDeadlineExceeded) {
    return got.status();
  }
  return Status(codes::kHttpNotFound, ErrorClass::kNotFound,
                "version " + version + " of key '" + name + "' was not found in any vault (" + tried + ")");
}

Result<KeyBundle> VaultRouter::CurrentVersion(const std::string& key_name, Deadline deadline) {
  if (key_name.empty()) return InvalidArgument("key name is empty");
  if (std::optional<std::string> pin = PinFor(key_name)) return PinnedVersion(key_name, *pin, deadline);
  {
    std::lock_guard lock(current_mu_);
    auto it = current_.find(key_name);
    if (it != current_.end() && Now() - it->second.fetched_at < options_.current_version_ttl &&
        !Quarantined(it->second.vault)) {
      return it->second.bundle;
    }
  }
  // Raced over the vaults (hedged); the answering vault must not be one
  // with other material, else the race is run again without it.
  std::vector<std::size_t> candidates = Ranked();
  std::string tried;
  while (!candidates.empty()) {
    Result<std::pair<std::size_t, KeyBundle>> got = RaceGetKey(key_name, "", candidates, deadline, &tried);
    if (!got.ok()) {
      if (ScopeOf(got.status()) == FailureScope::kRequest || got.status().code() == codes::kDeadlineExceeded) {
        return got.status();
      }
      break;
    }
    const std::size_t v = got->first;
    auto listed = catalog_.ListedAt(v, key_name);
    if (!listed || Now() - *listed >= options_.tuning.verification_ttl) (void)LoadListing(v, key_name, deadline);
    if (Quarantined(v)) {
      tried += (tried.empty() ? "" : "; ") + members_[v].name + ": quarantined";
      candidates.erase(std::find(candidates.begin(), candidates.end(), v));
      continue;
    }
    std::lock_guard lock(current_mu_);
    const Clock::time_point now = Now();
    auto previous = current_.find(key_name);
    const bool same = previous != current_.end() && previous->second.bundle.thumbprint == got->second.thumbprint;
    current_[key_name] = CurrentEntry{got->second, now, v, same ? previous->second.current_since : now};
    return got->second;
  }
  return Status(codes::kNoUsableVault, ErrorClass::kTransient,
                "could not read the current version of key '" + key_name + "' from any vault (" + tried + ")");
}

std::optional<Clock::time_point> VaultRouter::CurrentSince(const std::string& name,
                                                         const std::string& thumbprint) const {
  std::lock_guard lock(current_mu_);
  auto it = current_.find(name);
  if (it == current_.end() || it->second.bundle.thumbprint != thumbprint) return std::nullopt;
  return it->second.current_since;
}

Result<KeyBundle> VaultRouter::PinnedVersion(const std::string& key_name, const std::string& pin, Deadline deadline) {
  std::string seen;
  for (std::size_t v : Ranked()) {
    Result<KeyBundle> copy = LocateIn(v, key_name, pin, deadline);
    if (copy.ok()) return copy;
    if (Quarantined(v)) continue;
    seen += (seen.empty() ? "" : "; ") + members_[v].name +
            (copy.status().error_class() == ErrorClass::kNotFound
                 ? ": does not hold it, current " + CurrentThumbprintIn(v, key_name)
                 : ": could not be checked: " + Brief(copy.status()));
  }
  return Status(codes::kVersionNotEverywhere, ErrorClass::kNotFound,
                "wrap refused: no vault holds the pinned thumbprint " + pin + " of key '" + key_name + "' (" +
                    (seen.empty() ? std::string("no usable vault") : seen) +
                    "); compare the vaults' copies (geoekm check) and correct pinned_thumbprints in [provider]");
}

Result<LocatedKeyVersion> VaultRouter::Locate(const std::string& key_name, const std::string& thumbprint,
                                              Deadline deadline) {
  if (key_name.empty() || thumbprint.empty()) return InvalidArgument("key name and thumbprint are required");
  LocatedKeyVersion out;
  out.key_name = key_name;
  out.thumbprint = thumbprint;
  for (std::size_t v = 0; v < members_.size(); ++v) {
    if (Quarantined(v)) {
      out.quarantined.push_back(members_[v].name);
      continue;
    }
    Result<KeyBundle> b = LocateIn(v, key_name, thumbprint, deadline);
    if (b.ok()) {
      out.held_by.push_back(KeyVersionLocation{members_[v].name, b->kid, b->version});
    } else if (Quarantined(v)) {
      out.quarantined.push_back(members_[v].name);
    } else if (b.status().error_class() == ErrorClass::kNotFound) {
      out.missing_in.push_back(members_[v].name);
    } else {
      out.unknown_in.push_back(members_[v].name);
    }
  }
  return out;
}

// --- unwrap ----------------------------------------------------------------

Result<SecureBytes> VaultRouter::Unwrap(const UnwrapRequest& request, Deadline deadline) {
  if (request.key_name.empty()) return InvalidArgument("unwrap: key name is empty");
  if (request.thumbprint.empty() && request.version.empty())
    return InvalidArgument("unwrap: neither a thumbprint nor a key version was given");
  if (request.wrapped.empty()) return InvalidArgument("unwrap: wrapped key is empty");
  counters_->unwraps++;
  bool coalesced = false;
  Result<SecureBytes> result = coalescer_.Run(
      CoalescingKey(request), deadline, [&](Deadline d) { return UnwrapRouted(request, d); }, &coalesced);
  if (coalesced) counters_->unwraps_coalesced++;
  if (!result.ok()) counters_->unwrap_failures++;
  return result;
}

namespace {

// A skipped attempt (no vault call was made) carries this code; no vault
// client returns it.
bool IsSkip(const Status& s) { return s.code() == codes::kNoUsableVault; }

}  // namespace

struct VaultRouter::UnwrapInput : RaceTarget {
  Bytes wrapped;
  // May an attempt be skipped (ejected meanwhile / at max_attempts_per_vault)?
  bool allow_skip = true;
};

// The plaintext (a DEK) is wiped with the last owner.
struct VaultRouter::WrapInput : RaceTarget {
  SecureBytes plaintext;
};

Result<SecureBytes> VaultRouter::UnwrapAt(const UnwrapInput& input, const RaceAttempt& a, Deadline caller) {
  const std::size_t v = input.candidates[a.candidate];
  Member& m = members_[v];
  // Skipped without a vault call (and without a health verdict) when
  // another vault is left to ask: the vault was ejected while this attempt
  // waited for a worker, or it already has its share of attempts in flight
  // (a silent vault must not pin every worker). Skipped vaults get a second
  // race if nobody else answers.
  const bool may_skip = input.allow_skip && a.candidate + 1 < input.candidates.size();
  if (may_skip && m.health->Tier(Now()) >= VaultTier::kProbing) {
    counters_->attempts_skipped++;
    return Status(codes::kNoUsableVault, ErrorClass::kTransient,
                  "vault '" + m.name + "' was ejected meanwhile; another vault is asked")
        .WithVault(m.name);
  }
  if (m.attempts_in_flight->fetch_add(1) >= max_attempts_per_vault_ && may_skip) {
    m.attempts_in_flight->fetch_sub(1);
    counters_->attempts_skipped++;
    return Status(codes::kNoUsableVault, ErrorClass::kThrottled,
                  "vault '" + m.name + "' already has " + std::to_string(max_attempts_per_vault_) +
                      " unwraps in flight; another vault is asked")
        .WithVault(m.name);
  }
  struct InFlight {
    std::atomic<std::size_t>& n;
    ~InFlight() { n.fetch_sub(1); }
  } in_flight{*m.attempts_in_flight};
  // One vault gets at most try_timeout, so a silent vault fails over even without hedging.
  const Deadline d = AttemptDeadline(caller);
  Result<KeyBundle> copy = LocateIn(v, input.key_name, input.thumbprint, d);
  if (!copy.ok()) return copy.status();
  // The version was not known before this vault's listing.
  if (auto wrong = WrongWrappedLength(*copy, input.wrapped)) return InvalidArgument(*wrong);
  const std::size_t max_plain = MaxUnwrappedBytes(input.algorithm, RsaModulusBytes(*copy));
  Result<SecureBytes> r = Call<SecureBytes>(
      v, VaultCall::kUnwrap, input.key_name, input.thumbprint,
      [&](KeyVaultKeys& ops) -> Result<SecureBytes> {
        Result<SecureBytes> plain = ops.UnwrapKey(input.key_name, copy->version, input.algorithm, input.wrapped, d);
        if (plain.ok() && (plain->empty() || plain->size() > max_plain)) {
          return BadAnswerLength(codes::kUnwrapJsonParser, "unwrapkey", plain->size(),
                                 std::string(WrapAlgorithmName(input.algorithm)) + " unwraps 1 to " +
                                     std::to_string(max_plain) + " bytes with this key")
              .WithVault(m.name);
        }
        return plain;
      },
      &a);
  if (a.abandoned()) counters_->abandoned_results++;
  return r;
}

template <typename T>
RaceOutcome<T> VaultRouter::Race(std::shared_ptr<const RaceTarget> target, typename HedgedRace<T>::Attempt attempt,
                                 Deadline deadline) {
  RaceOptions race;
  race.hedging = options_.tuning.hedging_enabled;
  race.hedge_delay = [this, target](std::size_t i) { return members_[target->candidates[i]].health->HedgeDelay(); };
  // An attempt at a vault ejected meanwhile (by other requests) is left
  // behind without asking the hedge budget.
  race.abandon_candidate = [this, target](std::size_t i) {
    return members_[target->candidates[i]].health->Tier(Now()) >= VaultTier::kProbing;
  };
  race.may_hedge = [this] {
    if (hedge_budget_.TryWithdraw()) return true;
    counters_->hedges_refused++;
    return false;
  };
  // Even if a vault call overruns its own deadline, the race moves on.
  race.attempt_timeout = options_.tuning.try_timeout;
  RaceOutcome<T> outcome =
      HedgedRace<T>::Run(executor_, target->candidates.size(), std::move(attempt), race, deadline);
  counters_->failovers += outcome.failovers;
  counters_->hedges += outcome.hedges;
  if (outcome.winner && outcome.winner_hedged) counters_->hedge_wins++;
  if (outcome.rejected_by_executor) counters_->hedges_refused += outcome.rejected_by_executor;
  // A vault another vault outran (slower than its hedge delay plus the
  // winner's whole call) counts as failed now, not when its call finally
  // returns: a blackholed vault is ejected after a few requests instead of
  // pinning a worker per request for try_timeout (and, once the hedge
  // budget is spent, holding callers that long). A vault that answered any
  // call meanwhile is slow or busy (e.g. listing many versions), not
  // silent: hedging covers it, and it is not held against it.
  const auto now = Clock::now();
  for (const auto& [c, ran] : outcome.outrun) {
    VaultHealth& health = *members_[target->candidates[c]].health;
    if (health.AnsweredSince(now - ran)) continue;
    Publish(health.OnOutcome(
        Now(), Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "outrun by another vault's answer"), ran));
  }
  return outcome;
}

RaceOutcome<SecureBytes> VaultRouter::RaceUnwrap(std::shared_ptr<const UnwrapInput> input, Deadline deadline) {
  return Race<SecureBytes>(input,
              [this, input](const RaceAttempt& a, Deadline caller) { return UnwrapAt(*input, a, caller); }, deadline);
}

Result<SecureBytes> VaultRouter::UnwrapRouted(const UnwrapRequest& request, Deadline deadline) {
  hedge_budget_.OnRequest();
  std::string thumbprint = request.thumbprint;
  if (thumbprint.empty()) {
    Result<std::string> t = ThumbprintOfVersion(request.key_name, request.version, deadline);
    if (!t.ok()) return t.status();
    thumbprint = *t;
  }
  for (std::size_t v = 0; v < members_.size(); ++v) {
    if (auto known = catalog_.ByThumbprint(v, request.key_name, thumbprint)) {
      if (auto wrong = WrongWrappedLength(*known, request.wrapped)) return InvalidArgument(*wrong);
      break;
    }
  }
  const std::vector<std::size_t> candidates = Ranked();
  if (candidates.empty()) {
    return Status(codes::kNoUsableVault, ErrorClass::kIntegrity, "unwrap: every vault is quarantined");
  }
  auto input = std::make_shared<UnwrapInput>();
  input->key_name = request.key_name;
  input->thumbprint = thumbprint;
  input->algorithm = request.algorithm;
  input->wrapped = request.wrapped;
  input->candidates = candidates;
  RaceOutcome<SecureBytes> outcome = RaceUnwrap(input, deadline);
  if (outcome.result) return std::move(*outcome.result);

  // Nobody answered; vaults that were only skipped (busy, ejected meanwhile) get their turn now.
  std::vector<std::pair<std::size_t, Status>> failures;  // (vault index, failure)
  std::vector<std::size_t> skipped;
  for (const auto& [i, st] : outcome.failures) {
    if (IsSkip(st)) skipped.push_back(candidates[i]);
    else failures.emplace_back(candidates[i], st);
  }
  bool deadline_passed = outcome.deadline_passed;
  if (!skipped.empty() && !deadline.expired() && !deadline_passed) {
    auto retry = std::make_shared<UnwrapInput>(*input);
    retry->candidates = skipped;
    retry->allow_skip = false;
    RaceOutcome<SecureBytes> second = RaceUnwrap(retry, deadline);
    if (second.result) return std::move(*second.result);
    for (const auto& [i, st] : second.failures) failures.emplace_back(skipped[i], st);
    deadline_passed = deadline_passed || second.deadline_passed;
  }

  // Nobody succeeded: explain per vault.
  std::string detail;
  bool all_not_found = !failures.empty();
  std::set<std::size_t> failed_vaults;
  for (const auto& [v, st] : failures) {
    detail += (detail.empty() ? "" : "; ") + members_[v].name + ": " + Brief(st);
    if (st.error_class() != ErrorClass::kNotFound) all_not_found = false;
    failed_vaults.insert(v);
  }
  if (deadline_passed || deadline.expired()) {
    return Status(codes::kDeadlineExceeded, ErrorClass::kTransient,
                  "deadline passed before any vault unwrapped with key '" + request.key_name + "'" +
                      (detail.empty() ? "" : " (" + detail + ")"));
  }
  if (all_not_found && failed_vaults.size() == candidates.size()) {
    return Status(codes::kHttpNotFound, ErrorClass::kNotFound,
                  "no vault holds the version of key '" + request.key_name + "' with thumbprint " + thumbprint +
                      " (" + detail + ")");
  }
  return Status(codes::kNoUsableVault, ErrorClass::kTransient,
                "unwrap with key '" + request.key_name + "' failed in every vault (" + detail + ")");
}

// --- wrap --------------------------------------------------------------------

Result<WrappedKey> VaultRouter::Wrap(const std::string& key_name, WrapAlgorithm algorithm,
                                     const SecureBytes& plaintext, Deadline deadline) {
  return WrapVersion(key_name, std::string(), algorithm, plaintext, deadline);
}

Result<WrappedKey> VaultRouter::WrapVersion(const std::string& key_name, const std::string& requested_thumbprint,
                                            WrapAlgorithm algorithm, const SecureBytes& plaintext,
                                            Deadline deadline) {
  if (key_name.empty()) return InvalidArgument("wrap: key name is empty");
  if (plaintext.empty()) return InvalidArgument("wrap: nothing to wrap");
  counters_->wraps++;
  auto fail = [&](Status s) -> Result<WrappedKey> {
    counters_->wrap_failures++;
    return s;
  };
  if (!options_.recorder) {
    return fail(Status(codes::kStateStoreError, ErrorClass::kInternal,
                       "wrap refused: no key-version recorder, so the key version could not be recorded"));
  }
  std::string thumbprint = requested_thumbprint;
  if (thumbprint.empty()) {
    Result<KeyBundle> current = CurrentVersion(key_name, deadline);
    if (!current.ok()) return fail(current.status());
    thumbprint = current->thumbprint;
  }

  if (Status trusted = CheckWrapVersion(key_name, thumbprint, requested_thumbprint.empty(), deadline);
      !trusted.ok()) {
    std::optional<std::string> previous;
    if (requested_thumbprint.empty() && trusted.code() == codes::kVersionNotEverywhere) {
      previous = NewestWrappableHistory(key_name, thumbprint, deadline);
    }
    if (!previous) {
      counters_->version_not_everywhere++;
      return fail(trusted);
    }
    counters_->wraps_with_previous_version++;
    thumbprint = *previous;
  }

  // The wrap itself is raced like an unwrap (a silent first vault is
  // escaped after its hedge delay), over the vaults that hold the version.
  hedge_budget_.OnRequest();
  auto input = std::make_shared<WrapInput>();
  input->key_name = key_name;
  input->thumbprint = thumbprint;
  input->algorithm = algorithm;
  input->plaintext = plaintext;  // owned by the race: abandoned attempts may outlive this call
  for (std::size_t v : Ranked())
    if (catalog_.ByThumbprint(v, key_name, thumbprint)) input->candidates.push_back(v);
  if (input->candidates.empty()) {
    return fail(Status(codes::kNoUsableVault, ErrorClass::kTransient,
                       "wrap with key '" + key_name + "': no usable vault holds the current version"));
  }
  RaceOutcome<Bytes> outcome = Race<Bytes>(
      input, [this, input](const RaceAttempt& a, Deadline caller) { return WrapAt(*input, a, caller); },
      deadline);
  if (outcome.result && !outcome.result->ok()) return fail(outcome.result->status());  // request-level
  if (!outcome.result || !outcome.winner) {
    std::string tried;
    AppendFailures(*input, outcome.failures, &tried);
    if (outcome.deadline_passed || deadline.expired()) {
      return fail(DeadlineFailure("any vault wrapped with key '" + key_name + "'" +
                                  (tried.empty() ? "" : " (" + tried + ")")));
    }
    return fail(Status(codes::kNoUsableVault, ErrorClass::kTransient,
                       "wrap with key '" + key_name + "' failed in every vault (" + tried + ")"));
  }
  const std::size_t v = input->candidates[*outcome.winner];
  std::optional<KeyBundle> copy = catalog_.ByThumbprint(v, key_name, thumbprint);
  if (!copy) {  // quarantined between its answer and now
    return fail(Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                       "wrap with key '" + key_name + "': vault '" + members_[v].name +
                           "' was quarantined while it wrapped; the result is not used"));
  }
  // Invariant 3: durably recorded before the wrapped bytes leave.
  Status recorded = options_.recorder->RecordWrapKeyVersion(members_[v].name, *copy);
  if (!recorded.ok()) {
    counters_->recorder_failures++;
    const int code = recorded.code() ? recorded.code() : codes::kStateStoreError;
    return fail(Status(code, recorded.error_class() == ErrorClass::kNone ? ErrorClass::kInternal
                                                                        : recorded.error_class(),
                       "wrap failed: the key version could not be recorded durably, so the wrapped key is not "
                       "returned: " +
                           recorded.message()));
  }
  WrappedKey out;
  out.wrapped = std::move(*outcome.result).value();
  out.algorithm = algorithm;
  out.key_name = key_name;
  out.thumbprint = thumbprint;
  out.vault = members_[v].name;
  out.kid = copy->kid;
  out.version = copy->version;
  return out;
}

std::optional<std::string> VaultRouter::NewestWrappableHistory(const std::string& key_name,
                                                               const std::string& refused, Deadline deadline) {
  // Only a version that wrapped before (the recorded history) stands in;
  // with a pin, the pin alone decides.
  const Trust trust = TrustFor(key_name);
  if (!trust.history || !trust.pin.empty()) return std::nullopt;
  std::vector<std::pair<std::int64_t, std::string>> by_age;  // (created, thumbprint)
  for (const std::string& t : trust.thumbprints) {
    if (t == refused) continue;
    std::int64_t created = 0;
    for (std::size_t v = 0; v < members_.size(); ++v) {
      if (auto copy = catalog_.ByThumbprint(v, key_name, t); copy && copy->attributes.created) {
        created = *copy->attributes.created;
        break;
      }
    }
    by_age.emplace_back(created, t);
  }
  std::sort(by_age.rbegin(), by_age.rend());
  // The newest few: an older one would be a rotation long left unfinished,
  // which is for the operator (geoekm sync), not for a silent fallback.
  constexpr std::size_t kNewestTried = 3;
  for (std::size_t i = 0; i < by_age.size() && i < kNewestTried && !deadline.expired(); ++i) {
    if (CheckWrapVersion(key_name, by_age[i].second, false, deadline).ok()) return by_age[i].second;
  }
  return std::nullopt;
}

Status VaultRouter::CheckWrapVersion(const std::string& key_name, const std::string& thumbprint, bool current,
                                     Deadline deadline) {
  const std::string which = current ? "the current version" : "the requested version";
  // Invariant: only a version every (non-quarantined) vault holds. A vault
  // lacking it is judged against the trusted material (history, pin) once
  // every vault was asked: a pin's holder may be listed after it.
  // A version that just became current (a rotation other processes made:
  // an availability group's other node, `geoekm rotate`) is looked for
  // again in vaults listed before that, not refused for relist_interval.
  const std::optional<Clock::time_point> stale_before = CurrentSince(key_name, thumbprint);
  std::map<std::size_t, Status> lacking;
  for (std::size_t v = 0; v < members_.size(); ++v) {
    if (Quarantined(v)) continue;
    Result<KeyBundle> copy = LocateIn(v, key_name, thumbprint, deadline, stale_before);
    if (!copy.ok()) lacking.emplace(v, copy.status());
  }
  for (const auto& [v, st] : lacking)
    if (st.error_class() == ErrorClass::kNotFound) CheckMaterial(v, key_name);
  const bool anchored = !TrustFor(key_name).thumbprints.empty();
  // A vault that cannot be reached now (not one that answered "not here")
  // whose copy of this version the store recorded as verified still holds
  // it as far as anyone can know: a restarted provider keeps wrapping
  // through a vault's outage, as a running one does from its catalog. Only
  // with trusted history or a pin: otherwise nothing vouches for the record.
  std::set<std::size_t> recorded;
  if (anchored && options_.recorder && std::any_of(lacking.begin(), lacking.end(), [](const auto& l) {
        return l.second.error_class() != ErrorClass::kNotFound;
      })) {
    if (auto verified = options_.recorder->VaultsWithVerifiedCopy(thumbprint); verified.ok()) {
      for (auto it = lacking.begin(); it != lacking.end();) {
        const bool vouched = it->second.error_class() != ErrorClass::kNotFound &&
                             std::find(verified->begin(), verified->end(), members_[it->first].name) != verified->end();
        if (vouched) recorded.insert(it->first);
        it = vouched ? lacking.erase(it) : std::next(it);
      }
    }
  }
  std::string missing, vaults;
  bool unknown = false;
  std::size_t holders = 0;
  for (std::size_t v = 0; v < members_.size(); ++v) {
    std::string state;
    if (Quarantined(v)) {
      state = "quarantined";
    } else if (recorded.count(v)) {
      ++holders;
      state = "unreachable, its copy recorded as verified";
    } else if (auto it = lacking.find(v); it == lacking.end()) {
      ++holders;
      state = "holds it, current " + CurrentThumbprintIn(v, key_name);
    } else {
      const bool absent = it->second.error_class() == ErrorClass::kNotFound;
      unknown = unknown || !absent;
      const std::string why = absent ? "does not hold it" : "could not be checked: " + Brief(it->second);
      missing += (missing.empty() ? "" : "; ") + members_[v].name + ": " + why;
      state = why + (absent ? ", current " + CurrentThumbprintIn(v, key_name) : "");
    }
    vaults += (vaults.empty() ? "" : "; ") + members_[v].name + ": " + state;
  }
  // With recorded history or a pin, the trusted material decides: a version
  // some vaults lack is a copy still to be made.
  if (anchored && missing.empty()) return Status::Ok();
  if (anchored) {
    return Status(codes::kVersionNotEverywhere, unknown ? ErrorClass::kTransient : ErrorClass::kNotFound,
                  "wrap refused: " + which + " of key '" + key_name + "' (thumbprint " + thumbprint +
                      ") is not confirmed in every vault, so not every vault could unwrap it (" + missing + "); " +
                      (unknown ? "a vault that could not be checked is asked again at the next wrap; "
                               : "") +
                      "copy the version to vaults that lack it (geoekm sync)");
  }
  // Nothing trusted yet: one vault must not decide what the key is, so
  // every vault that is not quarantined must hold the version, and (in a
  // set of two or more) at least two must. A single-vault set trusts its vault.
  if (missing.empty() && (holders >= 2 || members_.size() == 1)) return Status::Ok();
  return Status(codes::kVersionNotEverywhere,
                unknown ? ErrorClass::kTransient : ErrorClass::kIntegrity,
                "wrap refused: key '" + key_name + "' has no recorded history and no pinned thumbprint, and " +
                    (missing.empty() ? "fewer than two vaults hold" : "not every vault holds") +
                    " " + (current ? "its current version " : "the requested version ") + thumbprint + ", so no vault can be trusted to decide what the key is (" +
                    vaults +
                    "). No vault was quarantined for this. Compare the vaults' copies (geoekm check); then copy a "
                    "rotated version everywhere, or pin the right material with pinned_thumbprints = " +
                    key_name + ":<thumbprint> in [provider]");
}

Result<Bytes> VaultRouter::WrapAt(const WrapInput& input, const RaceAttempt& a, Deadline caller) {
  const std::size_t v = input.candidates[a.candidate];
  const Deadline d = AttemptDeadline(caller);
  std::optional<KeyBundle> copy = catalog_.ByThumbprint(v, input.key_name, input.thumbprint);
  if (!copy) {
    return QuarantinedStatus(v);
  }
  // Invariant 2: a recently verified copy only.
  auto verified = catalog_.VerifiedAt(v, input.key_name, input.thumbprint);
  if (!verified || Now() - *verified >= options_.tuning.verification_ttl) {
    Result<KeyBundle> fresh = FetchKey(v, input.key_name, copy->version, d);
    if (!fresh.ok()) {
      if (ScopeOf(fresh.status()) == FailureScope::kRequest) return fresh.status();
      return Status(fresh.status()).Prefix("verification failed: ");
    }
    if (fresh->thumbprint != input.thumbprint) {  // FetchKey quarantined it
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                    "vault '" + members_[v].name + "' holds other material for version " + copy->version)
          .WithVault(members_[v].name);
    }
    copy = *fresh;
  }
  // Wrapping stays with the vaults rather than being done locally with the
  // public key: the vault enforces the key's state (enabled, nbf/exp,
  // key_ops) and audits its use. Its answer is checked instead: exactly k
  // bytes, or the DEK it stands for would be lost.
  const std::size_t k = RsaModulusBytes(*copy);
  Result<Bytes> wrapped = Call<Bytes>(
      v, VaultCall::kWrap, input.key_name, input.thumbprint,
      [&](KeyVaultKeys& ops) -> Result<Bytes> {
        Result<Bytes> w = ops.WrapKey(input.key_name, copy->version, input.algorithm, input.plaintext, d);
        if (w.ok() && w->size() != k) {
          return BadAnswerLength(codes::kWrapJsonParser, "wrapkey", w->size(),
                                 "a wrap with this key is exactly " + std::to_string(k) + " bytes")
              .WithVault(members_[v].name);
        }
        return w;
      },
      &a);
  return wrapped;
}

// --- probing -----------------------------------------------------------------

Status VaultRouter::Probe(std::size_t v) {
  Member& m = members_[v];
  const Deadline deadline = Deadline::After(options_.tuning.try_timeout);
  const auto started = Clock::now();
  Status status = [&]() -> Status {
    if (options_.probe_key_names.empty()) {
      return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "no key name to probe with");
    }
    const std::string& name = options_.probe_key_names.front();
    Result<KeyBundle> key = GetCheckedKey(v, name, "", deadline);
    if (!key.ok()) return key.status();
    Result<std::string> thumbprint = RsaJwkThumbprint(key->kty, key->n, key->e);
    if (!thumbprint.ok()) return thumbprint.status();
    KeyBundle bundle = *key;
    bundle.thumbprint = *thumbprint;
    if (auto previous = catalog_.RecordBundle(v, bundle, Now())) {
      const std::string reason = "vault '" + m.name + "' changed the key material of '" + name + "' version " +
                                 bundle.version + ": quarantined, it will not be used";
      QuarantineVault(v, name, *previous, bundle.thumbprint, reason);
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, reason);
    }
    SecureBytes canary(32);
    if (RAND_bytes(canary.data(), static_cast<int>(canary.size())) != 1) {
      return Status(codes::kProviderError, ErrorClass::kInternal, "no random bytes for the probe canary");
    }
    Result<Bytes> wrapped = m.ops->WrapKey(name, bundle.version, options_.canary_algorithm, canary, deadline);
    if (!wrapped.ok()) return wrapped.status();
    Result<SecureBytes> unwrapped =
        m.ops->UnwrapKey(name, bundle.version, options_.canary_algorithm, *wrapped, deadline);
    if (!unwrapped.ok()) return unwrapped.status();
    if (unwrapped->size() != canary.size() || CRYPTO_memcmp(unwrapped->data(), canary.data(), canary.size()) != 0) {
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, "probe canary did not unwrap to itself");
    }
    return Status::Ok();
  }();
  const auto latency = duration_cast<milliseconds>(Clock::now() - started);
  counters_->probes++;
  if (!status.ok()) counters_->probe_failures++;
  Publish(m.health->OnProbeResult(Now(), status, latency));
  if (options_.observer) {
    VaultCallEvent e;
    e.call = VaultCall::kProbe;
    e.vault = m.name;
    e.key_name = options_.probe_key_names.empty() ? "" : options_.probe_key_names.front();
    e.outcome_code = status.code();
    e.error_class = status.error_class();
    e.http_status = status.http_status();
    e.latency = latency;
    e.request_id = status.request_id();
    options_.observer->OnVaultCall(e);
  }
  return status;
}

void VaultRouter::RunDueProbes() {
  std::vector<std::size_t> due;
  for (std::size_t v = 0; v < members_.size(); ++v) {
    std::optional<VaultHealthEvent> event;
    if (members_[v].health->BeginProbeIfDue(Now(), &event)) due.push_back(v);
    Publish(event);
  }
  for (std::size_t v : due) (void)Probe(v);
}

void VaultRouter::ProberLoop() {
  const auto period = std::clamp(options_.tuning.probe_interval / 4, milliseconds(10), milliseconds(250));
  std::unique_lock lock(prober_mu_);
  while (!stopping_) {
    lock.unlock();
    for (std::size_t v = 0; v < members_.size(); ++v) {
      std::optional<VaultHealthEvent> event;
      if (!members_[v].health->BeginProbeIfDue(Now(), &event)) continue;
      Publish(event);
      if (!executor_.Submit([this, v] { (void)Probe(v); })) (void)Probe(v);
    }
    lock.lock();
    prober_cv_.wait_for(lock, period, [this] { return stopping_; });
  }
}

// --- introspection -----------------------------------------------------------

std::vector<VaultHealthSnapshot> VaultRouter::Health() const {
  std::vector<VaultHealthSnapshot> out;
  const auto now = Now();
  for (const Member& m : members_) out.push_back(m.health->Snapshot(now));
  return out;
}

VaultHealthState VaultRouter::HealthOf(const std::string& vault) const {
  for (const Member& m : members_)
    if (m.name == vault) return m.health->state();
  return VaultHealthState::kEjected;
}

RouterStats VaultRouter::stats() const {
  const Counters& c = *counters_;
  RouterStats s;
  s.unwraps = c.unwraps;
  s.unwrap_failures = c.unwrap_failures;
  s.unwraps_coalesced = c.unwraps_coalesced;
  s.unwraps_waiting = coalescer_.waiting();
  s.wraps = c.wraps;
  s.wrap_failures = c.wrap_failures;
  s.vault_calls = c.vault_calls;
  s.vault_call_failures = c.vault_call_failures;
  s.throttled_responses = c.throttled_responses;
  s.failovers = c.failovers;
  s.hedges = c.hedges;
  s.hedge_wins = c.hedge_wins;
  s.hedges_refused = c.hedges_refused;
  s.abandoned_results = c.abandoned_results;
  s.ejections = c.ejections;
  s.failbacks = c.failbacks;
  s.quarantines = c.quarantines;
  s.probes = c.probes;
  s.probe_failures = c.probe_failures;
  s.verifications = c.verifications;
  s.version_not_everywhere = c.version_not_everywhere;
  s.wraps_with_previous_version = c.wraps_with_previous_version;
  s.recorder_failures = c.recorder_failures;
  s.attempts_skipped = c.attempts_skipped;
  return s;
}

}  // namespace geoekm

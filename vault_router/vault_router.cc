#include "vault_router/vault_router.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/error_codes.h"
#include "vault_router/failure_scope.h"
#include "vault_router/failure_text.h"
#include "vault_router/rsa_lengths.h"

namespace geoekm {

namespace {

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

// The parts of a request that identify it exactly, as views of it.
UnwrapCoalescer::Key CoalescingKey(const UnwrapRequest& r) {
  return {r.key_name, r.thumbprint, r.version, WrapAlgorithmName(r.algorithm),
          std::string_view(reinterpret_cast<const char*>(r.wrapped.data()), r.wrapped.size())};
}

}  // namespace

VaultRouter::VaultRouter(std::vector<RoutedVault> vaults, RouterOptions options)
    : vaults_(std::move(vaults), std::move(options)),
      max_attempts_per_vault_(vaults_.options().max_attempts_per_vault
                                  ? vaults_.options().max_attempts_per_vault
                                  : std::max<std::size_t>(1, vaults_.options().worker_threads / 2)),
      resolver_(vaults_,
                [this](const std::string& name, const std::string& version, std::vector<std::size_t> candidates,
                       Deadline deadline, std::string* tried) {
                  return RaceGetKey(name, version, std::move(candidates), deadline, tried);
                }),
      hedge_budget_(vaults_.options().tuning.retry_budget_ratio, vaults_.options().tuning.retry_budget_min_per_second),
      executor_(vaults_.options().worker_threads, vaults_.options().max_queued_tasks),
      prober_(vaults_, resolver_, executor_) {}

VaultRouter::~VaultRouter() {
  // The prober thread first (it submits probes), then the workers (abandoned
  // attempts and probes use the prober, the resolver and the vault set).
  prober_.Stop();
  executor_.Shutdown();
}

Result<KeyBundle> VaultRouter::CurrentVersion(const std::string& key_name, Deadline deadline) {
  return resolver_.CurrentVersion(key_name, deadline);
}

Result<LocatedKeyVersion> VaultRouter::Locate(const std::string& key_name, const std::string& thumbprint,
                                              Deadline deadline) {
  return resolver_.Locate(key_name, thumbprint, deadline);
}

// --- races -------------------------------------------------------------------

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
    *out += (out->empty() ? "" : "; ") + vaults_[target.candidates[i]].name + ": " + BriefFailure(st);
}

template <typename T>
RaceOutcome<T> VaultRouter::Race(std::shared_ptr<const RaceTarget> target, typename HedgedRace<T>::Attempt attempt,
                                 Deadline deadline) {
  RaceOptions race;
  race.hedging = vaults_.options().tuning.hedging_enabled;
  // The options' functions run only while Run() does (hedged_race.h), when
  // `target` is held here: a plain pointer keeps each function small enough
  // for std::function to hold without an allocation.
  const RaceTarget* t = target.get();
  race.hedge_delay = [this, t](std::size_t i) { return vaults_[t->candidates[i]].health->HedgeDelay(); };
  // An attempt at a vault ejected meanwhile (by other requests) is left
  // behind without asking the hedge budget.
  race.abandon_candidate = [this, t](std::size_t i) {
    return vaults_[t->candidates[i]].health->Tier(vaults_.Now()) >= VaultTier::kProbing;
  };
  race.may_hedge = [this] {
    if (hedge_budget_.TryWithdraw()) return true;
    vaults_.counters().hedges_refused++;
    return false;
  };
  // Even if a vault call overruns its own deadline, the race moves on.
  race.attempt_timeout = vaults_.options().tuning.try_timeout;
  race.inline_first = &hedge_clock_;
  RaceOutcome<T> outcome =
      HedgedRace<T>::Run(executor_, target->candidates.size(), std::move(attempt), race, deadline);
  vaults_.counters().failovers += outcome.failovers;
  vaults_.counters().hedges += outcome.hedges;
  if (outcome.winner && outcome.winner_hedged) vaults_.counters().hedge_wins++;
  if (outcome.rejected_by_executor) vaults_.counters().hedges_refused += outcome.rejected_by_executor;
  // A vault another vault outran (slower than its hedge delay plus the
  // winner's whole call) counts as failed now, not when its call finally
  // returns: a blackholed vault is ejected after a few requests instead of
  // pinning a worker per request for try_timeout (and, once the hedge
  // budget is spent, holding callers that long). A vault that answered any
  // call meanwhile is slow or busy (e.g. listing many versions), not
  // silent: hedging covers it, and it is not held against it.
  const auto now = Clock::now();
  for (const auto& [c, ran] : outcome.outrun) {
    VaultHealth& health = *vaults_[target->candidates[c]].health;
    if (health.AnsweredSince(now - ran)) continue;
    const Status outrun(codes::kDeadlineExceeded, ErrorClass::kTransient, "outrun by another vault's answer");
    vaults_.Publish(health.OnOutcome(vaults_.Now(), outrun, ran));
  }
  return outcome;
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
        return resolver_.FetchKey(input->candidates[a.candidate], input->key_name, input->version, caller);
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

// --- unwrap ----------------------------------------------------------------

Result<SecureBytes> VaultRouter::Unwrap(const UnwrapRequest& request, Deadline deadline) {
  if (request.key_name.empty()) return vaults_.InvalidArgument("unwrap: key name is empty");
  if (request.thumbprint.empty() && request.version.empty())
    return vaults_.InvalidArgument("unwrap: neither a thumbprint nor a key version was given");
  if (request.wrapped.empty()) return vaults_.InvalidArgument("unwrap: wrapped key is empty");
  vaults_.counters().unwraps++;
  bool coalesced = false;
  const UnwrapCoalescer::Key key = CoalescingKey(request);
  Result<SecureBytes> result =
      coalescer_.Run(key, deadline, [&](Deadline d) { return UnwrapRouted(request, d); }, &coalesced);
  if (coalesced) vaults_.counters().unwraps_coalesced++;
  if (!result.ok()) vaults_.counters().unwrap_failures++;
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
  VaultSet::Member& m = vaults_[v];
  // Skipped without a vault call (and without a health verdict) when
  // another vault is left to ask: the vault was ejected while this attempt
  // waited, or (on a worker) it already has its share of worker attempts in
  // flight: a silent vault must not pin every worker. The caller's own
  // thread pins nothing but itself, so its attempt is not capped: callers
  // stay on their preferred vault however many they are, as they would
  // with its client alone. Skipped vaults get a second race if nobody else
  // answers.
  const bool may_skip = input.allow_skip && a.candidate + 1 < input.candidates.size();
  if (may_skip && m.health->Tier(vaults_.Now()) >= VaultTier::kProbing) {
    vaults_.counters().attempts_skipped++;
    return Status(codes::kNoUsableVault, ErrorClass::kTransient,
                  "vault '" + m.name + "' was ejected meanwhile; another vault is asked")
        .WithVault(m.name);
  }
  struct WorkerAttempt {
    std::atomic<std::size_t>* n = nullptr;
    ~WorkerAttempt() {
      if (n) n->fetch_sub(1);
    }
  } in_flight;
  if (!a.on_callers_thread) {
    if (m.attempts_in_flight->fetch_add(1) >= max_attempts_per_vault_ && may_skip) {
      m.attempts_in_flight->fetch_sub(1);
      vaults_.counters().attempts_skipped++;
      return Status(codes::kNoUsableVault, ErrorClass::kThrottled,
                    "vault '" + m.name + "' already has " + std::to_string(max_attempts_per_vault_) +
                        " unwraps in flight on workers; another vault is asked")
          .WithVault(m.name);
    }
    in_flight.n = m.attempts_in_flight.get();
  }
  // One vault gets at most try_timeout, so a silent vault fails over even without hedging.
  const Deadline d = vaults_.AttemptDeadline(caller);
  Result<SharedKeyBundle> located = resolver_.LocateIn(v, input.key_name, input.thumbprint, d);
  if (!located.ok()) return located.status();
  const KeyBundle& copy = **located;
  // The version was not known before this vault's listing.
  if (auto wrong = WrongWrappedLength(copy, input.wrapped)) return vaults_.InvalidArgument(*wrong);
  const std::size_t max_plain = MaxUnwrappedBytes(input.algorithm, RsaModulusBytes(copy));
  Result<SecureBytes> r = vaults_.Call<SecureBytes>(
      v, VaultCall::kUnwrap, input.key_name, input.thumbprint, d,
      [&](KeyVaultKeys& ops) -> Result<SecureBytes> {
        Result<SecureBytes> plain = ops.UnwrapKey(input.key_name, copy.version, input.algorithm, input.wrapped, d);
        if (plain.ok() && (plain->empty() || plain->size() > max_plain)) {
          return BadAnswerLength(codes::kUnwrapJsonParser, "unwrapkey", plain->size(),
                                 std::string(WrapAlgorithmName(input.algorithm)) + " unwraps 1 to " +
                                     std::to_string(max_plain) + " bytes with this key")
              .WithVault(m.name);
        }
        return plain;
      },
      &a);
  if (a.abandoned()) vaults_.counters().abandoned_results++;
  return r;
}

RaceOutcome<SecureBytes> VaultRouter::RaceUnwrap(std::shared_ptr<const UnwrapInput> input, Deadline deadline) {
  return Race<SecureBytes>(input,
              [this, input](const RaceAttempt& a, Deadline caller) { return UnwrapAt(*input, a, caller); }, deadline);
}

Result<SecureBytes> VaultRouter::UnwrapRouted(const UnwrapRequest& request, Deadline deadline) {
  hedge_budget_.OnRequest();
  auto input = std::make_shared<UnwrapInput>();
  std::string& thumbprint = input->thumbprint;
  thumbprint = request.thumbprint;
  if (thumbprint.empty()) {
    Result<std::string> t = resolver_.ThumbprintOfVersion(request.key_name, request.version, deadline);
    if (!t.ok()) return t.status();
    thumbprint = std::move(*t);
  }
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    if (auto known = resolver_.catalog().ByThumbprint(v, request.key_name, thumbprint)) {
      if (auto wrong = WrongWrappedLength(*known, request.wrapped)) return vaults_.InvalidArgument(*wrong);
      break;
    }
  }
  input->candidates = vaults_.Ranked();
  if (input->candidates.empty()) {
    return Status(codes::kNoUsableVault, ErrorClass::kIntegrity, "unwrap: every vault is quarantined");
  }
  const std::vector<std::size_t>& candidates = input->candidates;
  input->key_name = request.key_name;
  input->algorithm = request.algorithm;
  input->wrapped = request.wrapped;
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
    detail += (detail.empty() ? "" : "; ") + vaults_.name(v) + ": " + BriefFailure(st);
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
  if (key_name.empty()) return vaults_.InvalidArgument("wrap: key name is empty");
  if (plaintext.empty()) return vaults_.InvalidArgument("wrap: nothing to wrap");
  vaults_.counters().wraps++;
  auto fail = [&](Status s) -> Result<WrappedKey> {
    vaults_.counters().wrap_failures++;
    return s;
  };
  if (!vaults_.options().recorder) {
    return fail(Status(codes::kStateStoreError, ErrorClass::kInternal,
                       "wrap refused: no key-version recorder, so the key version could not be recorded"));
  }
  std::string thumbprint = requested_thumbprint;
  if (thumbprint.empty()) {
    Result<SharedKeyBundle> current = resolver_.SharedCurrentVersion(key_name, deadline);
    if (!current.ok()) return fail(current.status());
    thumbprint = (*current)->thumbprint;
  }

  if (Status trusted = resolver_.CheckWrapVersion(key_name, thumbprint, requested_thumbprint.empty(), deadline);
      !trusted.ok()) {
    std::optional<std::string> previous;
    if (requested_thumbprint.empty() && trusted.code() == codes::kVersionNotEverywhere) {
      previous = resolver_.NewestWrappableHistory(key_name, thumbprint, deadline);
    }
    if (!previous) {
      vaults_.counters().version_not_everywhere++;
      return fail(trusted);
    }
    vaults_.counters().wraps_with_previous_version++;
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
  for (std::size_t v : vaults_.Ranked())
    if (resolver_.catalog().ByThumbprint(v, key_name, thumbprint)) input->candidates.push_back(v);
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
  SharedKeyBundle copy = resolver_.catalog().ByThumbprint(v, key_name, thumbprint);
  if (!copy) {  // quarantined between its answer and now
    return fail(Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                       "wrap with key '" + key_name + "': vault '" + vaults_.name(v) +
                           "' was quarantined while it wrapped; the result is not used"));
  }
  // Invariant 3: durably recorded before the wrapped bytes leave.
  Status recorded = vaults_.options().recorder->RecordWrapKeyVersion(vaults_.name(v), *copy);
  if (!recorded.ok()) {
    vaults_.counters().recorder_failures++;
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
  out.vault = vaults_.name(v);
  out.kid = copy->kid;
  out.version = copy->version;
  return out;
}

Result<Bytes> VaultRouter::WrapAt(const WrapInput& input, const RaceAttempt& a, Deadline caller) {
  const std::size_t v = input.candidates[a.candidate];
  const Deadline d = vaults_.AttemptDeadline(caller);
  SharedKeyBundle copy = resolver_.catalog().ByThumbprint(v, input.key_name, input.thumbprint);
  if (!copy) {
    return vaults_.QuarantinedStatus(v);
  }
  // Invariant 2: a recently verified copy only.
  auto verified = resolver_.catalog().VerifiedAt(v, input.key_name, input.thumbprint);
  if (!verified || vaults_.Now() - *verified >= vaults_.options().tuning.verification_ttl) {
    Result<KeyBundle> fresh = resolver_.FetchKey(v, input.key_name, copy->version, d);
    if (!fresh.ok()) {
      if (ScopeOf(fresh.status()) == FailureScope::kRequest) return fresh.status();
      return Status(fresh.status()).Prefix("verification failed: ");
    }
    if (fresh->thumbprint != input.thumbprint) {  // FetchKey quarantined it
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                    "vault '" + vaults_.name(v) + "' holds other material for version " + copy->version)
          .WithVault(vaults_.name(v));
    }
    copy = std::make_shared<const KeyBundle>(std::move(fresh).value());
  }
  // Wrapping stays with the vaults rather than being done locally with the
  // public key: the vault enforces the key's state (enabled, nbf/exp,
  // key_ops) and audits its use. Its answer is checked instead: exactly k
  // bytes, or the DEK it stands for would be lost.
  const std::size_t k = RsaModulusBytes(*copy);
  Result<Bytes> wrapped = vaults_.Call<Bytes>(
      v, VaultCall::kWrap, input.key_name, input.thumbprint, d,
      [&](KeyVaultKeys& ops) -> Result<Bytes> {
        Result<Bytes> w = ops.WrapKey(input.key_name, copy->version, input.algorithm, input.plaintext, d);
        if (w.ok() && w->size() != k) {
          return BadAnswerLength(codes::kWrapJsonParser, "wrapkey", w->size(),
                                 "a wrap with this key is exactly " + std::to_string(k) + " bytes")
              .WithVault(vaults_.name(v));
        }
        return w;
      },
      &a);
  return wrapped;
}

// --- probing and introspection -------------------------------------------------

void VaultRouter::RunDueProbes() { prober_.RunDueProbes(); }

std::vector<VaultHealthSnapshot> VaultRouter::Health() const {
  std::vector<VaultHealthSnapshot> out;
  const auto now = vaults_.Now();
  for (std::size_t v = 0; v < vaults_.size(); ++v) out.push_back(vaults_[v].health->Snapshot(now));
  return out;
}

VaultHealthState VaultRouter::HealthOf(const std::string& vault) const {
  for (std::size_t v = 0; v < vaults_.size(); ++v)
    if (vaults_.name(v) == vault) return vaults_[v].health->state();
  return VaultHealthState::kEjected;
}

RouterStats VaultRouter::stats() const {
  RouterStats s = vaults_.CountersSnapshot();
  s.unwraps_waiting = coalescer_.waiting();
  return s;
}

}  // namespace geoekm

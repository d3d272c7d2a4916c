#include "vault_router/key_resolver.h"

#include <Poco/String.h>

#include <algorithm>
#include <set>

#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"
#include "vault_router/failure_scope.h"
#include "vault_router/failure_text.h"
#include "vault_router/key_id_check.h"

namespace geoekm {

namespace {

std::string ShortThumbprint(const std::string& t) { return t.size() > 12 ? t.substr(0, 12) + "…" : t; }

}  // namespace

KeyResolver::KeyResolver(VaultSet& vaults, GetKeyRace race) : vaults_(vaults), race_(std::move(race)) {}

Status KeyResolver::CheckKid(std::size_t v, const std::string& name, const std::string& version,
                             const KeyBundle& bundle) const {
  const VaultSet::Member& m = vaults_[v];
  const std::string problem = KeyIdProblem(bundle.kid, m.host, m.port, name, version);
  if (problem.empty()) return Status::Ok();
  // The kid is public (no secret), so it may be shown.
  return Status(codes::kGetKeyJsonParser, ErrorClass::kTransient,
                "get key failed: the vault's answer could not be used (its kid '" + bundle.kid + "' " + problem + ")")
      .WithVault(m.name);
}

Result<KeyBundle> KeyResolver::GetCheckedKey(std::size_t v, const std::string& name, const std::string& version,
                                             Deadline deadline) {
  Result<KeyBundle> r = vaults_[v].ops->GetKey(name, version, deadline);
  if (!r.ok()) return r;
  if (Status s = CheckKid(v, name, version, *r); !s.ok()) return s;
  r->name = name;  // the configured spelling: one catalog view and one history per key
  return r;
}

Result<KeyBundle> KeyResolver::FetchKey(std::size_t v, const std::string& name, const std::string& version,
                                        Deadline caller) {
  const Deadline deadline = vaults_.AttemptDeadline(caller);
  Result<KeyBundle> r = vaults_.Call<KeyBundle>(v, VaultCall::kGetKey, name, "", deadline, [&](KeyVaultKeys&) {
    return GetCheckedKey(v, name, version, deadline);
  });
  if (!r.ok()) return r;
  KeyBundle bundle = std::move(r).value();
  Result<std::string> thumbprint = RsaJwkThumbprint(bundle.kty, bundle.n, bundle.e);
  if (!thumbprint.ok()) {
    return Status(codes::kGetKeyJsonParser, ErrorClass::kIntegrity,
                  "vault answered key '" + name + "' with an unusable public key: " + thumbprint.status().message())
        .WithVault(vaults_.name(v));
  }
  bundle.thumbprint = *thumbprint;  // recomputed: never trust a copied field
  vaults_.counters().verifications++;
  if (auto previous = catalog_.RecordBundle(v, bundle, vaults_.Now())) {
    const std::string reason = "vault '" + vaults_.name(v) + "' changed the key material of '" + name + "' version " +
                               bundle.version + " (thumbprint was " + *previous + ", now " + bundle.thumbprint +
                               "): quarantined, it will not be used";
    vaults_.QuarantineVault(v, name, *previous, bundle.thumbprint, reason);
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, reason).WithVault(vaults_.name(v));
  }
  vaults_.ReportCopy(v, name, bundle.thumbprint, KeyCopyFinding::kVerified, "", &bundle);
  return bundle;
}

Result<KeyBundle> KeyResolver::ProbeKey(std::size_t v, const std::string& name, Deadline deadline) {
  Result<KeyBundle> key = GetCheckedKey(v, name, "", deadline);
  if (!key.ok()) return key.status();
  Result<std::string> thumbprint = RsaJwkThumbprint(key->kty, key->n, key->e);
  if (!thumbprint.ok()) return thumbprint.status();
  KeyBundle bundle = *key;
  bundle.thumbprint = *thumbprint;
  if (auto previous = catalog_.RecordBundle(v, bundle, vaults_.Now())) {
    const std::string reason = "vault '" + vaults_.name(v) + "' changed the key material of '" + name +
                               "' version " + bundle.version + ": quarantined, it will not be used";
    vaults_.QuarantineVault(v, name, *previous, bundle.thumbprint, reason);
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, reason);
  }
  return bundle;
}

Status KeyResolver::LoadListing(std::size_t v, const std::string& name, Deadline caller) {
  const Deadline deadline = vaults_.AttemptDeadline(caller);  // one vault's listing: at most try_timeout
  const auto asked_at = vaults_.Now();
  if (!catalog_.BeginListing(v, name, deadline)) {
    return DeadlineFailure("listing the versions of '" + name + "' in vault '" + vaults_.name(v) + "'");
  }
  Status status = [&]() -> Status {
    // Someone else listed while we waited: their result is as fresh as ours would be.
    if (auto listed = catalog_.ListedAt(v, name); listed && *listed >= asked_at) return Status::Ok();
    Result<std::vector<KeyVersionItem>> items =
        vaults_.Call<std::vector<KeyVersionItem>>(v, VaultCall::kListVersions, name, "", deadline,
                                                  [&](KeyVaultKeys& ops) {
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
    catalog_.MarkListed(v, name, vaults_.Now());
    return Status::Ok();
  }();
  catalog_.EndListing(v, name);
  if (status.ok()) CheckMaterial(v, name);
  return status;
}

std::optional<std::string> KeyResolver::PinFor(const std::string& name) const {
  for (const auto& [key, thumbprint] : vaults_.options().pinned_thumbprints)
    if (Poco::icompare(key, name) == 0) return thumbprint;  // Key Vault names are case-insensitive
  return std::nullopt;
}

KeyResolver::Trust KeyResolver::TrustFor(const std::string& name) const {
  Trust t;
  if (auto pin = PinFor(name)) {
    t.pin = *pin;
    t.thumbprints.insert(*pin);
  }
  if (vaults_.options().recorder) {
    Result<std::vector<std::string>> known = vaults_.options().recorder->KnownThumbprints(name);
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

bool KeyResolver::Anchored(const std::string& name) const {
  if (PinFor(name)) return true;
  KeyVersionRecorder* recorder = vaults_.options().recorder.get();
  return recorder && recorder->HasWrapHistory(name);
}

void KeyResolver::CheckMaterial(std::size_t v, const std::string& name) {
  if (vaults_.Quarantined(v)) return;
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
  for (std::size_t u = 0; u < vaults_.size() && !held; ++u)
    held = !vaults_.Quarantined(u) && catalog_.ByThumbprint(u, name, trust.pin) != nullptr;
  if (!held) return;
  for (std::size_t u = 0; u < vaults_.size(); ++u)
    if (catalog_.ListedAt(u, name)) JudgeMaterial(u, name, trust);
}

void KeyResolver::JudgeMaterial(std::size_t v, const std::string& name, const Trust& trust) {
  if (vaults_.Quarantined(v)) return;
  const std::vector<std::string> mine = catalog_.Thumbprints(v, name);
  if (mine.empty()) return;  // no versions: missing, not rogue
  for (const std::string& t : mine)
    if (trust.thumbprints.count(t)) return;
  const std::string reason = "vault '" + vaults_.name(v) + "' holds other key material under '" + name +
                             "': none of its " + std::to_string(mine.size()) + " version(s) (e.g. thumbprint " +
                             ShortThumbprint(mine.front()) + ") matches " + trust.source +
                             "; quarantined, it will not be used";
  vaults_.QuarantineVault(v, name, trust.pin.empty() ? *trust.thumbprints.begin() : trust.pin, mine.front(), reason);
}

std::string KeyResolver::CurrentThumbprintIn(std::size_t v, const std::string& name) const {
  SharedKeyBundle newest = catalog_.Newest(v, name);
  return newest ? ShortThumbprint(newest->thumbprint) : "unknown";
}

Result<SharedKeyBundle> KeyResolver::LocateIn(std::size_t v, const std::string& name, const std::string& thumbprint,
                                        Deadline deadline, std::optional<Clock::time_point> stale_before) {
  auto not_found = [&] {
    return Status(codes::kHttpNotFound, ErrorClass::kNotFound,
                  "vault '" + vaults_.name(v) + "' holds no version of key '" + name + "' with thumbprint " +
                      thumbprint)
        .WithVault(vaults_.name(v));
  };
  if (vaults_.Quarantined(v)) {
    return vaults_.QuarantinedStatus(v);
  }
  // The listing time and the lookup come from one moment of the catalog: a
  // listing time read before a separate lookup would be safe too (bundles
  // are recorded before a listing is marked done), the other order was not
  // (seen under TSan: 1 of 500 cold unwraps reported a version it had just
  // listed as missing).
  KeyCatalog::Lookup found = catalog_.Find(v, name, thumbprint);
  if (found.bundle) return std::move(found.bundle);
  const std::optional<Clock::time_point>& listed = found.listed_at;
  if (listed && vaults_.Now() - *listed < vaults_.options().relist_interval &&
      !(stale_before && *listed < *stale_before)) {
    return not_found();
  }
  Status loaded = LoadListing(v, name, deadline);
  if (!loaded.ok()) return loaded;
  if (vaults_.Quarantined(v)) {
    return vaults_.QuarantinedStatus(v);
  }
  if (auto b = catalog_.ByThumbprint(v, name, thumbprint)) return b;
  vaults_.ReportCopy(v, name, thumbprint, KeyCopyFinding::kMissing,
             "no version of '" + name + "' in this vault has this thumbprint");
  return not_found();
}

Result<std::string> KeyResolver::ThumbprintOfVersion(const std::string& name, const std::string& version,
                                                     Deadline deadline) {
  for (std::size_t v = 0; v < vaults_.size(); ++v)
    if (auto b = catalog_.ByVersion(v, name, version); b && !vaults_.Quarantined(v)) return b->thumbprint;
  // Asked of every vault like an unwrap (hedged): a silent first vault must
  // not hold an unwrap that names a version id for try_timeout.
  std::string tried;
  Result<std::pair<std::size_t, KeyBundle>> got = race_(name, version, vaults_.Ranked(), deadline, &tried);
  if (got.ok()) return got->second.thumbprint;
  if (ScopeOf(got.status()) == FailureScope::kRequest || got.status().code() == codes::kDeadlineExceeded) {
    return got.status();
  }
  return Status(codes::kHttpNotFound, ErrorClass::kNotFound,
                "version " + version + " of key '" + name + "' was not found in any vault (" + tried + ")");
}

Result<KeyBundle> KeyResolver::CurrentVersion(const std::string& key_name, Deadline deadline) {
  Result<SharedKeyBundle> shared = SharedCurrentVersion(key_name, deadline);
  if (!shared.ok()) return shared.status();
  return **shared;
}

Result<SharedKeyBundle> KeyResolver::SharedCurrentVersion(const std::string& key_name, Deadline deadline) {
  if (key_name.empty()) return vaults_.InvalidArgument("key name is empty");
  if (std::optional<std::string> pin = PinFor(key_name)) return PinnedVersion(key_name, *pin, deadline);
  {
    std::lock_guard lock(current_mu_);
    auto it = current_.find(key_name);
    if (it != current_.end() && vaults_.Now() - it->second.fetched_at < vaults_.options().current_version_ttl &&
        !vaults_.Quarantined(it->second.vault)) {
      return it->second.bundle;
    }
  }
  // Raced over the vaults (hedged); the answering vault must not be one
  // with other material, else the race is run again without it.
  std::vector<std::size_t> candidates = vaults_.Ranked();
  std::string tried;
  while (!candidates.empty()) {
    Result<std::pair<std::size_t, KeyBundle>> got = race_(key_name, "", candidates, deadline, &tried);
    if (!got.ok()) {
      if (ScopeOf(got.status()) == FailureScope::kRequest || got.status().code() == codes::kDeadlineExceeded) {
        return got.status();
      }
      break;
    }
    const std::size_t v = got->first;
    auto listed = catalog_.ListedAt(v, key_name);
    if (!listed || vaults_.Now() - *listed >= vaults_.options().tuning.verification_ttl) {
      (void)LoadListing(v, key_name, deadline);
    }
    if (vaults_.Quarantined(v)) {
      tried += (tried.empty() ? "" : "; ") + vaults_.name(v) + ": quarantined";
      candidates.erase(std::find(candidates.begin(), candidates.end(), v));
      continue;
    }
    std::lock_guard lock(current_mu_);
    const Clock::time_point now = vaults_.Now();
    auto previous = current_.find(key_name);
    const bool same = previous != current_.end() && previous->second.bundle->thumbprint == got->second.thumbprint;
    auto bundle = std::make_shared<const KeyBundle>(std::move(got->second));
    current_[key_name] = CurrentEntry{bundle, now, v, same ? previous->second.current_since : now};
    return bundle;
  }
  return Status(codes::kNoUsableVault, ErrorClass::kTransient,
                "could not read the current version of key '" + key_name + "' from any vault (" + tried + ")");
}

std::optional<Clock::time_point> KeyResolver::CurrentSince(const std::string& name,
                                                         const std::string& thumbprint) const {
  std::lock_guard lock(current_mu_);
  auto it = current_.find(name);
  if (it == current_.end() || it->second.bundle->thumbprint != thumbprint) return std::nullopt;
  return it->second.current_since;
}

Result<SharedKeyBundle> KeyResolver::PinnedVersion(const std::string& key_name, const std::string& pin,
                                                   Deadline deadline) {
  std::string seen;
  for (std::size_t v : vaults_.Ranked()) {
    Result<SharedKeyBundle> copy = LocateIn(v, key_name, pin, deadline);
    if (copy.ok()) return copy;
    if (vaults_.Quarantined(v)) continue;
    seen += (seen.empty() ? "" : "; ") + vaults_.name(v) +
            (copy.status().error_class() == ErrorClass::kNotFound
                 ? ": does not hold it, current " + CurrentThumbprintIn(v, key_name)
                 : ": could not be checked: " + BriefFailure(copy.status()));
  }
  return Status(codes::kVersionNotEverywhere, ErrorClass::kNotFound,
                "wrap refused: no vault holds the pinned thumbprint " + pin + " of key '" + key_name + "' (" +
                    (seen.empty() ? std::string("no usable vault") : seen) +
                    "); compare the vaults' copies (geoekm check) and correct pinned_thumbprints in [provider]");
}

Result<LocatedKeyVersion> KeyResolver::Locate(const std::string& key_name, const std::string& thumbprint,
                                              Deadline deadline) {
  if (key_name.empty() || thumbprint.empty()) return vaults_.InvalidArgument("key name and thumbprint are required");
  LocatedKeyVersion out;
  out.key_name = key_name;
  out.thumbprint = thumbprint;
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    if (vaults_.Quarantined(v)) {
      out.quarantined.push_back(vaults_.name(v));
      continue;
    }
    Result<SharedKeyBundle> b = LocateIn(v, key_name, thumbprint, deadline);
    if (b.ok()) {
      out.held_by.push_back(KeyVersionLocation{vaults_.name(v), (*b)->kid, (*b)->version});
    } else if (vaults_.Quarantined(v)) {
      out.quarantined.push_back(vaults_.name(v));
    } else if (b.status().error_class() == ErrorClass::kNotFound) {
      out.missing_in.push_back(vaults_.name(v));
    } else {
      out.unknown_in.push_back(vaults_.name(v));
    }
  }
  return out;
}

std::optional<std::string> KeyResolver::NewestWrappableHistory(const std::string& key_name,
                                                               const std::string& refused, Deadline deadline) {
  // Only a version that wrapped before (the recorded history) stands in;
  // with a pin, the pin alone decides.
  const Trust trust = TrustFor(key_name);
  if (!trust.history || !trust.pin.empty()) return std::nullopt;
  std::vector<std::pair<std::int64_t, std::string>> by_age;  // (created, thumbprint)
  for (const std::string& t : trust.thumbprints) {
    if (t == refused) continue;
    std::int64_t created = 0;
    for (std::size_t v = 0; v < vaults_.size(); ++v) {
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

bool KeyResolver::PassedBefore(const std::string& key_name, const std::string& thumbprint) const {
  const std::uint64_t quarantines = vaults_.counters().quarantines.load();
  std::lock_guard lock(passed_mu_);
  return std::any_of(passed_.begin(), passed_.end(), [&](const PassedWrapCheck& p) {
    return p.quarantines == quarantines && p.thumbprint == thumbprint && p.key_name == key_name;
  });
}

void KeyResolver::RememberPassed(const std::string& key_name, const std::string& thumbprint,
                                 std::uint64_t quarantines) {
  std::lock_guard lock(passed_mu_);
  for (PassedWrapCheck& p : passed_) {
    if (p.thumbprint == thumbprint && p.key_name == key_name) {
      p.quarantines = quarantines;
      return;
    }
  }
  PassedWrapCheck entry{key_name, thumbprint, quarantines};
  if (passed_.size() < kPassedWrapChecks) {
    passed_.push_back(std::move(entry));
  } else {
    passed_[passed_next_] = std::move(entry);
    passed_next_ = (passed_next_ + 1) % kPassedWrapChecks;
  }
}

Status KeyResolver::CheckWrapVersion(const std::string& key_name, const std::string& thumbprint, bool current,
                                     Deadline deadline) {
  // Invariant: only a version every (non-quarantined) vault holds. A vault
  // lacking it is judged against the trusted material (history, pin) once
  // every vault was asked: a pin's holder may be listed after it.
  // A version that just became current (a rotation other processes made:
  // an availability group's other node, `geoekm rotate`) is looked for
  // again in vaults listed before that, not refused for relist_interval.
  if (PassedBefore(key_name, thumbprint)) return Status::Ok();
  // Read before the check: a quarantine during it makes the next wrap check again.
  const std::uint64_t quarantines = vaults_.counters().quarantines.load();
  const std::optional<Clock::time_point> stale_before = CurrentSince(key_name, thumbprint);
  std::map<std::size_t, Status> lacking;
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    if (vaults_.Quarantined(v)) continue;
    Result<SharedKeyBundle> copy = LocateIn(v, key_name, thumbprint, deadline, stale_before);
    if (!copy.ok()) lacking.emplace(v, copy.status());
  }
  for (const auto& [v, st] : lacking)
    if (st.error_class() == ErrorClass::kNotFound) CheckMaterial(v, key_name);
  const bool anchored = Anchored(key_name);
  // A vault that cannot be reached now (not one that answered "not here")
  // whose copy of this version the store recorded as verified still holds
  // it as far as anyone can know: a restarted provider keeps wrapping
  // through a vault's outage, as a running one does from its catalog. Only
  // with trusted history or a pin: otherwise nothing vouches for the record.
  std::set<std::size_t> recorded;
  KeyVersionRecorder* recorder = vaults_.options().recorder.get();
  if (anchored && recorder && std::any_of(lacking.begin(), lacking.end(), [](const auto& l) {
        return l.second.error_class() != ErrorClass::kNotFound;
      })) {
    if (auto verified = recorder->VaultsWithVerifiedCopy(thumbprint); verified.ok()) {
      for (auto it = lacking.begin(); it != lacking.end();) {
        const bool vouched = it->second.error_class() != ErrorClass::kNotFound &&
                             std::find(verified->begin(), verified->end(), vaults_.name(it->first)) != verified->end();
        if (vouched) recorded.insert(it->first);
        it = vouched ? lacking.erase(it) : std::next(it);
      }
    }
  }
  // What each vault shows of the version; the text that describes it is
  // built only for a refusal (this runs on every wrap).
  enum class Shows { kQuarantined, kRecordedCopy, kHolds, kAbsent, kUnchecked };
  std::vector<Shows> shows(vaults_.size());
  bool unknown = false, some_lack = false;
  std::size_t holders = 0;
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    auto it = lacking.find(v);
    const Shows s = vaults_.Quarantined(v) ? Shows::kQuarantined
                    : recorded.count(v)    ? Shows::kRecordedCopy
                    : it == lacking.end()  ? Shows::kHolds
                    : it->second.error_class() == ErrorClass::kNotFound ? Shows::kAbsent
                                                                        : Shows::kUnchecked;
    shows[v] = s;
    holders += s == Shows::kRecordedCopy || s == Shows::kHolds;
    some_lack = some_lack || s == Shows::kAbsent || s == Shows::kUnchecked;
    unknown = unknown || s == Shows::kUnchecked;
  }
  // With recorded history or a pin, the trusted material decides: a version
  // some vaults lack is a copy still to be made.
  // Nothing trusted yet: one vault must not decide what the key is, so
  // every vault that is not quarantined must hold the version, and (in a
  // set of two or more) at least two must. A single-vault set trusts its vault.
  if (!some_lack && (anchored || holders >= 2 || vaults_.size() == 1)) {
    // A vault vouched for only by the store's record is asked again next time.
    if (recorded.empty()) RememberPassed(key_name, thumbprint, quarantines);
    return Status::Ok();
  }
  std::string missing, vaults;
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    std::string state;
    switch (shows[v]) {
      case Shows::kQuarantined:
        state = "quarantined";
        break;
      case Shows::kRecordedCopy:
        state = "unreachable, its copy recorded as verified";
        break;
      case Shows::kHolds:
        state = "holds it, current " + CurrentThumbprintIn(v, key_name);
        break;
      case Shows::kAbsent:
        missing += (missing.empty() ? "" : "; ") + vaults_.name(v) + ": does not hold it";
        state = "does not hold it, current " + CurrentThumbprintIn(v, key_name);
        break;
      case Shows::kUnchecked: {
        const std::string why = "could not be checked: " + BriefFailure(lacking.at(v));
        missing += (missing.empty() ? "" : "; ") + vaults_.name(v) + ": " + why;
        state = why;
        break;
      }
    }
    vaults += (vaults.empty() ? "" : "; ") + vaults_.name(v) + ": " + state;
  }
  if (anchored) {
    return Status(codes::kVersionNotEverywhere, unknown ? ErrorClass::kTransient : ErrorClass::kNotFound,
                  "wrap refused: " + std::string(current ? "the current version" : "the requested version") +
                      " of key '" + key_name + "' (thumbprint " + thumbprint +
                      ") is not confirmed in every vault, so not every vault could unwrap it (" + missing + "); " +
                      (unknown ? "a vault that could not be checked is asked again at the next wrap; "
                               : "") +
                      "copy the version to vaults that lack it (geoekm sync)");
  }
  return Status(codes::kVersionNotEverywhere,
                unknown ? ErrorClass::kTransient : ErrorClass::kIntegrity,
                "wrap refused: key '" + key_name + "' has no recorded history and no pinned thumbprint, and " +
                    (missing.empty() ? "fewer than two vaults hold" : "not every vault holds") +
                    " " + (current ? "its current version " : "the requested version ") + thumbprint +
                    ", so no vault can be trusted to decide what the key is (" + vaults +
                    "). No vault was quarantined for this. Compare the vaults' copies (geoekm check); then copy a "
                    "rotated version everywhere, or pin the right material with pinned_thumbprints = " +
                    key_name + ":<thumbprint> in [provider]");
}

}  // namespace geoekm

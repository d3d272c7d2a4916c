#include "vault_router/key_catalog.h"

#include "vault_router/deadline_wait.h"

namespace geoekm {

const KeyCatalog::View* KeyCatalog::ViewOf(std::size_t v, const std::string& name) const {
  auto it = views_.find(Key(v, name));
  return it == views_.end() ? nullptr : &it->second;
}

std::optional<std::string> KeyCatalog::RecordBundle(std::size_t v, const KeyBundle& bundle, Clock::time_point now) {
  std::lock_guard lock(mu_);
  View& view = views_[Key(v, bundle.name)];
  auto it = view.by_version.find(bundle.version);
  if (it != view.by_version.end() && it->second->thumbprint != bundle.thumbprint) return it->second->thumbprint;
  view.by_version[bundle.version] = std::make_shared<const KeyBundle>(bundle);
  // The first version id seen for a thumbprint stays its id in this vault
  // (two ids with the same material are equivalent for unwrap).
  view.version_of.emplace(bundle.thumbprint, bundle.version);
  view.verified_at[bundle.thumbprint] = now;
  return std::nullopt;
}

void KeyCatalog::MarkListed(std::size_t v, const std::string& name, Clock::time_point now) {
  std::lock_guard lock(mu_);
  views_[Key(v, name)].listed_at = now;
}

SharedKeyBundle KeyCatalog::ByThumbprint(std::size_t v, const std::string& name, const std::string& thumbprint) const {
  return Find(v, name, thumbprint).bundle;
}

KeyCatalog::Lookup KeyCatalog::Find(std::size_t v, const std::string& name, const std::string& thumbprint) const {
  std::lock_guard lock(mu_);
  const View* view = ViewOf(v, name);
  if (!view) return {};
  Lookup out{nullptr, view->listed_at};
  if (auto it = view->version_of.find(thumbprint); it != view->version_of.end()) out.bundle = view->by_version.at(it->second);
  return out;
}

SharedKeyBundle KeyCatalog::ByVersion(std::size_t v, const std::string& name, const std::string& version) const {
  std::lock_guard lock(mu_);
  const View* view = ViewOf(v, name);
  if (!view) return nullptr;
  auto it = view->by_version.find(version);
  if (it == view->by_version.end()) return nullptr;
  return it->second;
}

std::optional<Clock::time_point> KeyCatalog::VerifiedAt(std::size_t v, const std::string& name,
                                                        const std::string& thumbprint) const {
  std::lock_guard lock(mu_);
  const View* view = ViewOf(v, name);
  if (!view) return std::nullopt;
  auto it = view->verified_at.find(thumbprint);
  if (it == view->verified_at.end()) return std::nullopt;
  return it->second;
}

std::optional<Clock::time_point> KeyCatalog::ListedAt(std::size_t v, const std::string& name) const {
  std::lock_guard lock(mu_);
  const View* view = ViewOf(v, name);
  return view ? view->listed_at : std::nullopt;
}

std::vector<std::string> KeyCatalog::Thumbprints(std::size_t v, const std::string& name) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  if (const View* view = ViewOf(v, name))
    for (const auto& [thumbprint, version] : view->version_of) out.push_back(thumbprint);
  return out;
}

SharedKeyBundle KeyCatalog::Newest(std::size_t v, const std::string& name) const {
  std::lock_guard lock(mu_);
  const View* view = ViewOf(v, name);
  if (!view) return nullptr;
  SharedKeyBundle out;
  for (const auto& [version, bundle] : view->by_version)
    if (!out || bundle->attributes.created.value_or(0) > out->attributes.created.value_or(0)) out = bundle;
  return out;
}

bool KeyCatalog::BeginListing(std::size_t v, const std::string& name, Deadline deadline) {
  std::unique_lock lock(mu_);
  // std::map nodes are stable and views are never erased: the reference stays valid.
  View& view = views_[Key(v, name)];
  if (!WaitUntil(listing_done_, lock, deadline.at(), [&] { return !view.listing; })) return false;
  view.listing = true;
  return true;
}

void KeyCatalog::EndListing(std::size_t v, const std::string& name) {
  {
    std::lock_guard lock(mu_);
    views_[Key(v, name)].listing = false;
  }
  listing_done_.notify_all();
}

}  // namespace geoekm

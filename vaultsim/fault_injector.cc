#include "vaultsim/fault_injector.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

using Poco::JSON::Object;

Status Bad(const std::string& m) { return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "faults: " + m); }

std::set<std::string> ReadOps(const Object& o) {
  std::set<std::string> ops;
  if (Poco::JSON::Array::Ptr a = o.getArray("operations")) {
    for (std::size_t i = 0; i < a->size(); ++i) ops.insert(a->getElement<std::string>(static_cast<unsigned>(i)));
  }
  return ops;
}

Poco::JSON::Array::Ptr OpsJson(const std::set<std::string>& ops) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const std::string& op : ops) a->add(op);
  return a;
}

}  // namespace

bool FaultInjector::Targeted::Matches(std::string_view op) const {
  return operations.empty() || operations.count(std::string(op)) != 0;
}

bool FaultInjector::Fire(Targeted& t, std::string_view op) {
  if (!t.Matches(op) || t.remaining == 0) return false;
  if (t.rate < 1.0 && std::uniform_real_distribution<double>(0, 1)(rng_) >= t.rate) return false;
  if (t.remaining > 0) --t.remaining;
  return true;
}

Status FaultInjector::Merge(const std::string& json) {
  std::optional<Latency> latency;
  std::optional<Error> error;
  std::optional<Targeted> reset;
  std::optional<Tamper> tamper;
  std::optional<bool> blackhole;
  std::optional<Storm> storm;
  std::optional<Answer> answer;
  bool clear_storm = false;
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(json).extract<Object::Ptr>();
    auto targeted = [](const Object& t, Targeted* out) -> Status {
      out->operations = ReadOps(t);
      if (t.has("rate")) out->rate = t.getValue<double>("rate");
      if (!(out->rate >= 0 && out->rate <= 1)) return Bad("rate must be in [0, 1]");
      if (t.has("count")) {
        std::int64_t n = t.getValue<std::int64_t>("count");
        out->remaining = n > 0 ? n : -1;
      }
      return Status::Ok();
    };
    if (Object::Ptr l = o->getObject("latency")) {
      Latency v;
      v.fixed_ms = l->optValue<int>("fixed_ms", 0);
      v.jitter_ms = l->optValue<int>("jitter_ms", 0);
      v.operations = ReadOps(*l);
      if (v.fixed_ms < 0 || v.jitter_ms < 0 || v.fixed_ms > 600000) return Bad("latency out of range");
      latency = v;
    }
    if (Object::Ptr e = o->getObject("error")) {
      Error v;
      Status s = targeted(*e, &v);
      if (!s.ok()) return s;
      v.status = e->optValue<int>("status", 503);
      if (v.status < 400 || v.status > 599) return Bad("error status must be 4xx or 5xx");
      error = v;
    }
    if (Object::Ptr r = o->getObject("reset")) {
      Targeted v;
      Status s = targeted(*r, &v);
      if (!s.ok()) return s;
      reset = v;
    }
    if (Object::Ptr a = o->getObject("answer")) {
      Answer v;
      Status s = targeted(*a, &v);
      if (!s.ok()) return s;
      if (!a->has("body") || !a->get("body").isString()) return Bad("answer needs a 'body' string");
      v.body = a->get("body").extract<std::string>();
      answer = v;
    }
    if (Object::Ptr t = o->getObject("tamper")) {
      Tamper v;
      Status s = targeted(*t, &v);
      if (!s.ok()) return s;
      if (t->has("value_bytes")) v.change.value_bytes = t->getValue<int>("value_bytes");
      if (t->has("kid")) v.change.kid = t->getValue<std::string>("kid");
      if (v.change.value_bytes && (*v.change.value_bytes < 0 || *v.change.value_bytes > 4096)) {
        return Bad("tamper value_bytes must be in [0, 4096]");
      }
      if (!v.change.value_bytes && !v.change.kid) return Bad("tamper needs value_bytes or kid");
      tamper = v;
    }
    if (o->has("blackhole")) blackhole = o->getValue<bool>("blackhole");
    if (o->has("throttle_storm")) {
      if (o->isNull("throttle_storm") || (o->get("throttle_storm").isBoolean() && !o->getValue<bool>("throttle_storm"))) {
        clear_storm = true;
      } else if (Object::Ptr t = o->getObject("throttle_storm")) {
        Storm v;
        v.retry_after = t->optValue<bool>("retry_after", true);
        v.retry_after_seconds = t->optValue<int>("retry_after_seconds", 1);
        if (v.retry_after_seconds < 0) return Bad("retry_after_seconds must be >= 0");
        storm = v;
      } else {
        storm = Storm{};
      }
    }
  } catch (const Poco::Exception& e) {
    return Bad("malformed body: " + e.message());
  } catch (const std::exception& e) {
    return Bad(std::string("malformed body: ") + e.what());
  }
  std::lock_guard lock(mu_);
  if (latency) latency_ = latency;
  if (error) error_ = error;
  if (reset) reset_ = reset;
  if (tamper) tamper_ = tamper;
  if (blackhole) blackhole_ = *blackhole;
  if (storm) storm_ = storm;
  if (clear_storm) storm_.reset();
  if (answer) answer_ = answer;
  return Status::Ok();
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  latency_.reset();
  error_.reset();
  reset_.reset();
  tamper_.reset();
  blackhole_ = false;
  storm_.reset();
  answer_.reset();
  firewall_deny_ = false;
}

void FaultInjector::SetFirewallDeny(bool deny) {
  std::lock_guard lock(mu_);
  firewall_deny_ = deny;
}

bool FaultInjector::firewall_deny() const {
  std::lock_guard lock(mu_);
  return firewall_deny_;
}

bool FaultInjector::blackhole_active() const {
  std::lock_guard lock(mu_);
  return blackhole_;
}

FaultDecision FaultInjector::Decide(std::string_view operation) {
  std::lock_guard lock(mu_);
  FaultDecision d;
  if (latency_ && (latency_->operations.empty() || latency_->operations.count(std::string(operation)) != 0)) {
    d.latency_ms = latency_->fixed_ms;
    if (latency_->jitter_ms > 0) d.latency_ms += std::uniform_int_distribution<int>(0, latency_->jitter_ms)(rng_);
  }
  d.blackhole = blackhole_;
  if (reset_ && Fire(*reset_, operation)) d.reset = true;
  if (storm_) {
    d.throttle_storm = true;
    if (storm_->retry_after) d.storm_retry_after = storm_->retry_after_seconds;
  }
  if (error_ && Fire(*error_, operation)) d.error_status = error_->status;
  if (tamper_ && Fire(*tamper_, operation)) d.tamper = tamper_->change;
  return d;
}

std::optional<std::string> FaultInjector::AnswerBody(std::string_view operation) {
  std::lock_guard lock(mu_);
  if (!answer_ || !Fire(*answer_, operation)) return std::nullopt;
  return answer_->body;
}

Poco::JSON::Object::Ptr FaultInjector::ToJson() const {
  std::lock_guard lock(mu_);
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  if (latency_) {
    Object::Ptr l = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    l->set("fixed_ms", latency_->fixed_ms);
    l->set("jitter_ms", latency_->jitter_ms);
    l->set("operations", OpsJson(latency_->operations));
    o->set("latency", l);
  }
  auto targeted = [](const Targeted& t, Object& out) {
    out.set("rate", t.rate);
    out.set("count", t.remaining < 0 ? 0 : t.remaining);
    out.set("operations", OpsJson(t.operations));
  };
  if (error_) {
    Object::Ptr e = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("status", error_->status);
    targeted(*error_, *e);
    o->set("error", e);
  }
  if (reset_) {
    Object::Ptr r = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    targeted(*reset_, *r);
    o->set("reset", r);
  }
  if (tamper_) {
    Object::Ptr t = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (tamper_->change.value_bytes) t->set("value_bytes", *tamper_->change.value_bytes);
    if (tamper_->change.kid) t->set("kid", *tamper_->change.kid);
    targeted(*tamper_, *t);
    o->set("tamper", t);
  }
  o->set("blackhole", blackhole_);
  if (storm_) {
    Object::Ptr s = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    s->set("retry_after", storm_->retry_after);
    s->set("retry_after_seconds", storm_->retry_after_seconds);
    o->set("throttle_storm", s);
  }
  if (answer_) {
    Object::Ptr a = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    a->set("body", answer_->body);
    targeted(*answer_, *a);
    o->set("answer", a);
  }
  o->set("firewall_deny", firewall_deny_);
  return o;
}

}  // namespace geoekm::vaultsim

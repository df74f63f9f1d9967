#include "event_dispatcher.hpp"

#include <algorithm>
#include <tuple>

#include "crm/error.hpp"

namespace crm::core {

EventDispatcher::EventDispatcher(const Clock& clock, Logger& log, Database& db)
    : clock_(clock), log_(log), db_(db) {}

namespace {

bool before_in_order(const DispatchTarget& a, const DispatchTarget& b) {
  return std::tie(a.priority, a.name, a.id) < std::tie(b.priority, b.name, b.id);
}

// More distinct event types than any real installation publishes: beyond
// it, the routes are recomputed rather than kept without bound.
constexpr std::size_t kMaxRoutes = 4096;

}  // namespace

SubscriptionId EventDispatcher::subscribe(std::string pattern, SubscriberOptions options,
                                          EventHandler handler) {
  if (!handler) throw InvalidInput("subscribe: empty handler for '" + pattern + "'");
  auto target = std::make_shared<HandlerTarget>();
  target->priority = options.priority;
  target->name = options.name;
  target->id = next_id_++;
  target->handler = std::move(handler);
  const SubscriptionId id = target->id;
  Subscriber s{std::move(pattern), options.phase, std::move(target)};
  const auto pos = std::upper_bound(subscribers_.begin(), subscribers_.end(), s,
                                    [](const Subscriber& a, const Subscriber& b) {
                                      return before_in_order(*a.target, *b.target);
                                    });
  subscribers_.insert(pos, std::move(s));
  routes_.clear();
  return id;
}

void EventDispatcher::unsubscribe(SubscriptionId id) {
  if (std::erase_if(subscribers_, [id](const Subscriber& s) { return s.target->id == id; }) > 0) {
    routes_.clear();
  }
}

void EventDispatcher::attach(const SubscriberIndex* index) { index_ = index; }

bool EventDispatcher::matches(const std::string& pattern, const std::string& type) {
  if (pattern == "*" || pattern == type) return true;
  if (pattern.size() >= 2 && pattern.ends_with(".*")) {
    return type.size() > pattern.size() - 1 &&
           type.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return false;
}

std::shared_ptr<const EventDispatcher::Route> EventDispatcher::route(const std::string& type) {
  if (const auto it = routes_.find(type); it != routes_.end()) return it->second;
  auto r = std::make_shared<Route>();
  for (const Subscriber& s : subscribers_) {
    if (!matches(s.pattern, type)) continue;
    (s.phase == Phase::kBeforeCommit ? r->before : r->after).push_back(s.target);
  }
  if (routes_.size() >= kMaxRoutes) routes_.clear();
  routes_.emplace(type, r);
  return r;
}

void EventDispatcher::publish(Event event) {
  // Most writes have no listener (a bulk import): skip the queue entirely.
  const auto r = route(event.type);
  const bool listened =
      !r->before.empty() || !r->after.empty() || (index_ != nullptr && index_->listens(event.type));
  if (!listened) return;
  if (event.time == TimePoint{}) event.time = clock_.now();
  dispatch(event, Phase::kBeforeCommit);
  if (db_.in_transaction()) {
    pending_.push_back(std::move(event));
  } else {
    dispatch(event, Phase::kAfterCommit);
  }
}

void EventDispatcher::dispatch(const Event& e, Phase phase) {
  if (depth_ >= kMaxDepth) {
    const std::string msg =
        "event cascade deeper than " + std::to_string(kMaxDepth) + " at '" + e.type + "': dropped";
    log_.error("bus", msg);
    if (phase == Phase::kBeforeCommit) throw Error(msg);
    errors_.push_back({"bus", e.type, msg});
    return;
  }
  // The route is a snapshot (a subscriber may (un)subscribe others): held
  // for the whole dispatch.
  const auto r = route(e.type);
  const Targets& listed = phase == Phase::kBeforeCommit ? r->before : r->after;
  Targets merged;
  if (phase == Phase::kAfterCommit && index_ != nullptr) index_->select(e, merged);
  if (!merged.empty()) {
    merged.insert(merged.end(), listed.begin(), listed.end());
    std::sort(merged.begin(), merged.end(),
              [](const auto& a, const auto& b) { return before_in_order(*a, *b); });
  }
  const Targets& targets = merged.empty() ? listed : merged;
  if (targets.empty()) return;
  ++depth_;
  const std::uint64_t outer = current_;
  current_ = ++dispatches_;
  struct Guard {
    int& depth;
    std::uint64_t& current;
    std::uint64_t outer;
    ~Guard() {
      --depth;
      current = outer;
    }
  } guard{depth_, current_, outer};
  for (const auto& t : targets) {
    if (phase == Phase::kBeforeCommit) {
      t->deliver(e);  // a validation hook's exception aborts the write
      continue;
    }
    try {
      t->deliver(e);
    } catch (const std::exception& ex) {
      const std::string& name = t->name;
      const std::string who = name.empty() ? "(unnamed subscriber)" : name;
      log_.error("bus", "subscriber " + who + " failed on " + e.type + ": " + ex.what());
      errors_.push_back({who, e.type, ex.what()});
      if (errors_.size() > 1000) errors_.pop_front();
    }
  }
}

std::vector<DispatchError> EventDispatcher::errors() const {
  return {errors_.begin(), errors_.end()};
}

void EventDispatcher::on_begin(int) { marks_.push_back(pending_.size()); }

void EventDispatcher::on_commit(int depth) {
  if (!marks_.empty()) marks_.pop_back();
  if (depth != 1) return;
  // Events published by after-commit subscribers go on the fresh queue (or
  // run at once outside a transaction), so swap the batch out first.
  std::vector<Event> batch;
  batch.swap(pending_);
  for (const Event& e : batch) dispatch(e, Phase::kAfterCommit);
}

void EventDispatcher::on_rollback(int) noexcept {
  if (marks_.empty()) return;
  pending_.resize(marks_.back());
  marks_.pop_back();
}

}  // namespace crm::core

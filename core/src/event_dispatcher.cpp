#include "event_dispatcher.hpp"

#include <algorithm>

#include "crm/error.hpp"

namespace crm::core {

EventDispatcher::EventDispatcher(const Clock& clock, Logger& log, Database& db)
    : clock_(clock), log_(log), db_(db) {}

SubscriptionId EventDispatcher::subscribe(std::string pattern, SubscriberOptions options,
                                          EventHandler handler) {
  if (!handler) throw InvalidInput("subscribe: empty handler for '" + pattern + "'");
  const SubscriptionId id = next_id_++;
  auto target = std::make_shared<const Target>(Target{options.name, std::move(handler)});
  Subscriber s{id, std::move(pattern), std::move(options), std::move(target)};
  const auto pos = std::upper_bound(subscribers_.begin(), subscribers_.end(), s,
                                    [](const Subscriber& a, const Subscriber& b) {
                                      return std::tie(a.options.priority, a.options.name, a.id) <
                                             std::tie(b.options.priority, b.options.name, b.id);
                                    });
  subscribers_.insert(pos, std::move(s));
  return id;
}

void EventDispatcher::unsubscribe(SubscriptionId id) {
  std::erase_if(subscribers_, [id](const Subscriber& s) { return s.id == id; });
}

bool EventDispatcher::matches(const std::string& pattern, const std::string& type) {
  if (pattern == "*" || pattern == type) return true;
  if (pattern.size() >= 2 && pattern.ends_with(".*")) {
    return type.size() > pattern.size() - 1 &&
           type.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return false;
}

void EventDispatcher::publish(Event event) {
  // Most writes have no listener (a bulk import): skip the queue entirely.
  const bool listened =
      std::any_of(subscribers_.begin(), subscribers_.end(),
                  [&](const Subscriber& s) { return matches(s.pattern, event.type); });
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
  // Copy the matching handlers first: a subscriber may (un)subscribe others.
  std::vector<std::shared_ptr<const Target>> targets;
  for (const Subscriber& s : subscribers_) {
    if (s.options.phase == phase && matches(s.pattern, e.type)) targets.push_back(s.target);
  }
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
      t->handler(e);  // a validation hook's exception aborts the write
      continue;
    }
    try {
      t->handler(e);
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

// The kernel's EventBus: ordered dispatch tied to store transactions.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "crm/clock.hpp"
#include "crm/event_bus.hpp"
#include "crm/logger.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

// One receiver of events, ordered among the others of an event by
// (priority, name, id).
struct DispatchTarget {
  int priority = 0;
  std::string name;
  SubscriptionId id = 0;
  virtual ~DispatchTarget() = default;
  virtual void deliver(const Event& e) const = 0;
};

// After-commit receivers the dispatcher does not keep in its list but asks
// for per event (the workflow triggers): an index, so that a receiver that
// cannot want an event costs nothing. They are ordered among the listed
// subscribers exactly as if they were listed.
class SubscriberIndex {
 public:
  virtual ~SubscriberIndex() = default;
  // Whether some receiver may want events of `type`.
  virtual bool listens(const std::string& type) const = 0;
  // Appends the receivers that may want `e`, in any order.
  virtual void select(const Event& e,
                      std::vector<std::shared_ptr<const DispatchTarget>>& out) const = 0;
};

class EventDispatcher final : public EventBus, public TransactionListener {
 public:
  EventDispatcher(const Clock& clock, Logger& log, Database& db);

  using EventBus::subscribe;
  SubscriptionId subscribe(std::string pattern, SubscriberOptions options,
                           EventHandler handler) override;
  void unsubscribe(SubscriptionId id) override;
  void publish(Event event) override;
  std::vector<DispatchError> errors() const override;

  // Makes the receivers of `index` part of every after-commit dispatch
  // (null: none). The index must outlive its attachment.
  void attach(const SubscriberIndex* index);
  // A subscription id for a receiver of an index, unique among the ids of
  // subscribe(): the last key of the dispatch order.
  SubscriptionId next_id() { return next_id_++; }

  // A number for the dispatch in progress (the innermost, when a subscriber
  // publishes), 0 when none: every subscriber of one dispatch sees the same
  // number, so per-event work can be cached on it.
  std::uint64_t current_dispatch() const { return current_; }

  void on_begin(int depth) override;
  void on_commit(int depth) override;
  void on_rollback(int depth) noexcept override;

  // Cascades deeper than this are cut off and reported: a subscriber that
  // publishes what it subscribes to must not recurse forever.
  static constexpr int kMaxDepth = 32;

 private:
  // What a dispatch holds on to while it runs: a subscriber may unsubscribe
  // itself or others meanwhile.
  struct HandlerTarget final : DispatchTarget {
    EventHandler handler;
    void deliver(const Event& e) const override { handler(e); }
  };
  using Targets = std::vector<std::shared_ptr<const DispatchTarget>>;
  struct Subscriber {
    std::string pattern;
    Phase phase;
    std::shared_ptr<const DispatchTarget> target;
  };
  // The listed subscribers of one event type, in dispatch order, per phase:
  // computed once per type and kept until a subscription changes, so a
  // dispatch matches no pattern.
  struct Route {
    Targets before, after;
  };
  std::shared_ptr<const Route> route(const std::string& type);
  void dispatch(const Event& e, Phase phase);
  static bool matches(const std::string& pattern, const std::string& type);

  const Clock& clock_;
  Logger& log_;
  Database& db_;
  std::vector<Subscriber> subscribers_;  // kept sorted by (priority, name, id)
  std::unordered_map<std::string, std::shared_ptr<const Route>> routes_;
  const SubscriberIndex* index_ = nullptr;
  SubscriptionId next_id_ = 1;
  std::vector<Event> pending_;      // after-commit events of the open transaction
  std::vector<std::size_t> marks_;  // pending_ size at each savepoint
  std::deque<DispatchError> errors_;
  int depth_ = 0;
  std::uint64_t dispatches_ = 0;
  std::uint64_t current_ = 0;
};

}  // namespace crm::core

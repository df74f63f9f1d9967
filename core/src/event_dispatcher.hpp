// The kernel's EventBus: ordered dispatch tied to store transactions.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "crm/clock.hpp"
#include "crm/event_bus.hpp"
#include "crm/logger.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

class EventDispatcher final : public EventBus, public TransactionListener {
 public:
  EventDispatcher(const Clock& clock, Logger& log, Database& db);

  using EventBus::subscribe;
  SubscriptionId subscribe(std::string pattern, SubscriberOptions options,
                           EventHandler handler) override;
  void unsubscribe(SubscriptionId id) override;
  void publish(Event event) override;
  std::vector<DispatchError> errors() const override;

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
  struct Target {
    std::string name;
    EventHandler handler;
  };
  struct Subscriber {
    SubscriptionId id;
    std::string pattern;
    SubscriberOptions options;
    std::shared_ptr<const Target> target;
  };
  void dispatch(const Event& e, Phase phase);
  static bool matches(const std::string& pattern, const std::string& type);

  const Clock& clock_;
  Logger& log_;
  Database& db_;
  std::vector<Subscriber> subscribers_;  // kept sorted by (priority, name, id)
  SubscriptionId next_id_ = 1;
  std::vector<Event> pending_;      // after-commit events of the open transaction
  std::vector<std::size_t> marks_;  // pending_ size at each savepoint
  std::deque<DispatchError> errors_;
  int depth_ = 0;
  std::uint64_t dispatches_ = 0;
  std::uint64_t current_ = 0;
};

}  // namespace crm::core

// The kernel's EventBus: ordered dispatch tied to store transactions.
#pragma once

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

  void on_begin(int depth) override;
  void on_commit(int depth) override;
  void on_rollback(int depth) noexcept override;

  // Cascades deeper than this are cut off and reported: a subscriber that
  // publishes what it subscribes to must not recurse forever.
  static constexpr int kMaxDepth = 32;

 private:
  struct Subscriber {
    SubscriptionId id;
    std::string pattern;
    SubscriberOptions options;
    std::shared_ptr<const EventHandler> handler;
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
};

}  // namespace crm::core

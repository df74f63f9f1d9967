// The kernel's Scheduler: timers persisted in the "timers" table.
#pragma once

#include <map>

#include "crm/logger.hpp"
#include "crm/scheduler.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

class TimerStore final : public Scheduler {
 public:
  TimerStore(SqliteDatabase& db, Logger& log) : db_(db), log_(log) {}
  TimerId schedule(TimePoint due, std::string_view kind, const Json& payload,
                   std::optional<CustomerId> customer) override;
  bool cancel(TimerId id) override;
  TimerHandlerId on(std::string_view kind, TimerHandler handler) override;
  void remove_handler(TimerHandlerId id) override;
  TimerRun run_due(TimePoint now) override;
  std::vector<Timer> pending() override;

 private:
  std::vector<Timer> select(const std::string& where, const std::vector<SqlValue>& params);
  struct Registration {
    TimerHandlerId id;
    std::shared_ptr<const TimerHandler> handler;
  };
  SqliteDatabase& db_;
  Logger& log_;
  std::map<std::string, Registration, std::less<>> handlers_;
  TimerHandlerId next_id_ = 1;
};

}  // namespace crm::core

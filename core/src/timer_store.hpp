// The kernel's Scheduler: timers persisted in the "timers" table.
#pragma once

#include <map>

#include "crm/clock.hpp"
#include "crm/host_scheduler.hpp"
#include "crm/logger.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

class TimerStore final : public HostScheduler {
 public:
  // With a simulated clock, run_due() moves it to each timer's due time
  // before firing it, and to `now` at the end: a handler sees the time the
  // timer was due, as if the process had been running all along.
  TimerStore(SqliteDatabase& db, Logger& log, SimulatedClock* simulated = nullptr)
      : db_(db), log_(log), simulated_(simulated) {}
  TimerId schedule(TimePoint due, std::string_view kind, const Json& payload,
                   std::optional<CustomerId> customer) override;
  bool cancel(TimerId id) override;
  TimerHandlerId on(std::string_view kind, TimerHandler handler) override;
  void remove_handler(TimerHandlerId id) override;
  TimerRun run_due(TimePoint now) override;
  std::vector<Timer> pending() override;
  std::optional<TimePoint> next_due() override;

 private:
  std::vector<Timer> select(const std::string& where, const std::vector<SqlValue>& params);
  // What fire() did with one due timer.
  enum class Outcome { kFired, kFailed, kTaken };
  // Claims `t` and runs its handler in one write transaction: the handler's
  // writes and the fired mark commit together, or, when the handler throws,
  // its writes roll back and the failed mark commits. kTaken when the timer
  // is no longer pending under the write lock (another host fired it, or a
  // handler cancelled it). Throws StoreError when the database cannot be
  // written (busy past its timeout); the timer then stays pending.
  Outcome fire(const Timer& t, const TimerHandler& handler, TimePoint now);
  struct Registration {
    TimerHandlerId id;
    std::shared_ptr<const TimerHandler> handler;
  };
  SqliteDatabase& db_;
  Logger& log_;
  SimulatedClock* simulated_;
  // While run_due() works through a batch: the earliest due time of the
  // timers its handlers scheduled.
  bool running_ = false;
  TimePoint earliest_scheduled_ = TimePoint::max();
  std::map<std::string, Registration, std::less<>> handlers_;
  TimerHandlerId next_id_ = 1;
};

}  // namespace crm::core

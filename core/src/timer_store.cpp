#include "timer_store.hpp"

#include <algorithm>
#include <set>

#include "crm/error.hpp"
#include "store_parts.hpp"

namespace crm::core {

TimerId TimerStore::schedule(TimePoint due, std::string_view kind, const Json& payload,
                             std::optional<CustomerId> customer) {
  if (kind.empty()) throw InvalidInput("timer kind is empty");
  SqlValue cust = nullptr;
  if (customer) cust = *customer;
  db_.execute("INSERT INTO timers (due_at, kind, customer_id, payload) VALUES (?,?,?,?)",
              {to_unix(due), std::string(kind), cust, payload.dump()});
  // Timers scheduled while run_due() works through a batch: the earliest
  // one, so that the batch stops and selects again before a later timer.
  if (running_) earliest_scheduled_ = std::min(earliest_scheduled_, due);
  return db_.last_insert_id();
}

bool TimerStore::cancel(TimerId id) {
  db_.execute("UPDATE timers SET status = 'cancelled' WHERE id = ? AND status = 'pending'", {id});
  return db_.changes() > 0;
}

TimerHandlerId TimerStore::on(std::string_view kind, TimerHandler handler) {
  if (handlers_.count(kind)) {
    throw InvalidInput("a handler for timer kind '" + std::string(kind) +
                       "' is already registered");
  }
  const TimerHandlerId id = next_id_++;
  handlers_.emplace(std::string(kind),
                    Registration{id, std::make_shared<const TimerHandler>(std::move(handler))});
  return id;
}

void TimerStore::remove_handler(TimerHandlerId id) {
  std::erase_if(handlers_, [id](const auto& kv) { return kv.second.id == id; });
}

std::vector<Timer> TimerStore::select(const std::string& where,
                                      const std::vector<SqlValue>& params) {
  std::vector<Timer> out;
  db_.query_each(
      "SELECT id, due_at, kind, customer_id, payload, status, error FROM timers WHERE " + where,
      params, [&](const SqlRow& r) {
        Timer t;
        t.id = r.integer(0);
        t.due = from_unix(r.integer(1));
        t.kind = r.text(2);
        if (!r.is_null(3)) t.customer_id = r.integer(3);
        t.payload = parse_stored_json(r.text(4), "timers.payload", t.id);
        t.status = r.text(5);
        t.error = r.text(6);
        out.push_back(std::move(t));
      });
  return out;
}

std::vector<Timer> TimerStore::pending() {
  return select("status = 'pending' ORDER BY due_at, id", {});
}

std::optional<TimePoint> TimerStore::next_due() {
  // Only kinds with a handler: a timer of an unloaded plugin stays due and
  // must not wake a waiting host every time.
  std::vector<std::string> kinds;
  for (const auto& [kind, registration] : handlers_) kinds.push_back(kind);
  const auto rows = db_.query(
      "SELECT MIN(due_at) FROM timers WHERE status = 'pending' AND "
      "kind IN (SELECT value FROM json_each(?))",
      {Json(kinds).dump()});
  if (rows.empty() || rows[0].is_null(0)) return std::nullopt;
  return from_unix(rows[0].integer(0));
}

TimerStore::Outcome TimerStore::fire(const Timer& t, const TimerHandler& handler, TimePoint now) {
  // The outermost transaction begins IMMEDIATE: it holds the write lock from
  // here to its commit, so the state read below cannot change before the
  // timer is marked. Another host on the same database may have fired (or
  // cancelled) it since this one selected its batch; then it is not ours.
  Transaction claim(db_);
  if (db_.query("SELECT 1 FROM timers WHERE id = ? AND status = 'pending'", {t.id}).empty()) {
    return Outcome::kTaken;  // nothing written; the destructor rolls back
  }
  std::string error;
  try {
    // A savepoint: a throwing handler undoes its own writes (and drops its
    // queued events) while the lock, and so the claim, is kept for the
    // `failed` mark.
    Transaction writes(db_);
    handler(t);
    writes.commit();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty()) {
    db_.execute("UPDATE timers SET status = 'fired', fired_at = ? WHERE id = ?",
                {to_unix(now), t.id});
  } else {
    db_.execute("UPDATE timers SET status = 'failed', fired_at = ?, error = ? WHERE id = ?",
                {to_unix(now), error, t.id});
  }
  claim.commit();  // the handler's after-commit events are dispatched here
  if (error.empty()) return Outcome::kFired;
  log_.error("scheduler", "timer " + std::to_string(t.id) + " (" + t.kind + ") failed: " + error);
  return Outcome::kFailed;
}

TimerRun TimerStore::run_due(TimePoint now) {
  TimerRun run;
  std::set<TimerId> unhandled;
  running_ = true;
  struct Done {
    bool& running;
    ~Done() { running = false; }
  } done{running_};
  // Batches in (due, id) order. A handler may schedule timers that are due
  // already; the loop picks them up in a later batch of the same run.
  for (;;) {
    const auto batch = select(
        "status = 'pending' AND due_at <= ? AND id NOT IN (SELECT value FROM json_each(?)) "
        "ORDER BY due_at, id LIMIT 1000",
        {to_unix(now), Json(std::vector<TimerId>(unhandled.begin(), unhandled.end())).dump()});
    if (batch.empty()) break;
    earliest_scheduled_ = TimePoint::max();
    for (const Timer& t : batch) {
      // A handler scheduled a timer due before this one: select again, so
      // timers keep firing in due order.
      if (earliest_scheduled_ < t.due) break;
      // An earlier handler of this batch may have cancelled it. (A cheap
      // look before taking the write lock; fire() decides under the lock.)
      if (db_.query("SELECT 1 FROM timers WHERE id = ? AND status = 'pending'", {t.id}).empty()) {
        continue;
      }
      auto it = handlers_.find(t.kind);
      if (it == handlers_.end()) {
        unhandled.insert(t.id);
        continue;
      }
      const auto handler = it->second.handler;  // survives remove_handler() inside the call
      if (simulated_) simulated_->set(t.due);
      switch (fire(t, *handler, now)) {
        case Outcome::kFired:
          ++run.fired;
          break;
        case Outcome::kFailed:
          ++run.failed;
          break;
        case Outcome::kTaken:
          break;
      }
    }
  }
  if (simulated_) simulated_->set(now);
  run.unhandled = static_cast<std::int64_t>(unhandled.size());
  return run;
}

}  // namespace crm::core

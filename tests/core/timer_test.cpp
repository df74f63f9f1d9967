// Persisted timers: due order, transactions per timer, failures, restarts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm::TimePoint;
using crm::Timer;
using crm_test::kStart;

TimePoint at(const std::string& text) { return crm::parse_time(text); }

class TimerTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::HostScheduler& timers = k->scheduler();
  crm::Store& store = k->store();

  std::vector<crm::TimerId> pending_ids() {
    std::vector<crm::TimerId> out;
    for (const Timer& t : timers.pending()) out.push_back(t.id);
    return out;
  }
  std::string status(crm::TimerId id) {
    return store.db().query("SELECT status FROM timers WHERE id = ?", {id}).at(0).text(0);
  }
};

TEST_F(TimerTest, ScheduledTimerIsPendingWithItsFields) {
  const auto id = timers.schedule(at("2026-02-01"), "remind", {{"text", "hi"}}, 42);
  const auto p = timers.pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].id, id);
  EXPECT_EQ(p[0].due, at("2026-02-01"));
  EXPECT_EQ(p[0].kind, "remind");
  EXPECT_EQ(p[0].customer_id, 42);
  EXPECT_EQ(p[0].payload, (crm::Json{{"text", "hi"}}));
  EXPECT_EQ(p[0].status, "pending");
  EXPECT_THROW(timers.schedule(at("2026-02-01"), "", {}), crm::InvalidInput);
}

TEST_F(TimerTest, RunDueFiresOnlyDueTimersInDueOrder) {
  std::vector<std::string> fired;
  timers.on("k", [&](const Timer& t) { fired.push_back(t.payload["n"].get<std::string>()); });
  timers.schedule(at("2026-01-03"), "k", {{"n", "third"}});
  const auto future = timers.schedule(at("2026-01-10"), "k", {{"n", "future"}});
  timers.schedule(at("2026-01-01"), "k", {{"n", "first"}});
  timers.schedule(at("2026-01-02"), "k", {{"n", "second"}});
  const auto exact = timers.schedule(at("2026-01-05"), "k", {{"n", "at now"}});

  const crm::TimerRun run = timers.run_due(at("2026-01-05"));
  EXPECT_EQ(run.fired, 4);
  EXPECT_EQ(run.failed, 0);
  EXPECT_EQ(run.unhandled, 0);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second", "third", "at now"}));
  EXPECT_EQ(pending_ids(), (std::vector<crm::TimerId>{future}));
  EXPECT_EQ(status(exact), "fired");

  fired.clear();
  EXPECT_EQ(timers.run_due(at("2026-01-05")).fired, 0);  // nothing fires twice
  EXPECT_TRUE(fired.empty());
}

TEST_F(TimerTest, SameDueTimeFiresInScheduleOrder) {
  std::vector<crm::TimerId> fired;
  timers.on("k", [&](const Timer& t) { fired.push_back(t.id); });
  const auto a = timers.schedule(at("2026-01-01"), "k", {});
  const auto b = timers.schedule(at("2026-01-01"), "k", {});
  const auto c = timers.schedule(at("2026-01-01"), "k", {});
  timers.run_due(at("2026-01-01"));
  EXPECT_EQ(fired, (std::vector<crm::TimerId>{a, b, c}));
}

TEST_F(TimerTest, HandlerWritesAndFiredMarkCommitTogether) {
  timers.on("create", [&](const Timer& t) {
    store.customers().add(crm_test::customer(t.payload["name"].get<std::string>()),
                          crm::Actor::system());
  });
  const auto id = timers.schedule(at("2026-01-01"), "create", {{"name", "Timed"}});
  bool in_tx_during_handler = false;
  k->bus().subscribe("customer.created", crm_test::sub("probe", 0, crm::Phase::kBeforeCommit),
                     [&](const crm::Event&) {
                       in_tx_during_handler = store.db().in_transaction();
                       EXPECT_EQ(status(id), "pending");  // not yet marked
                     });
  EXPECT_EQ(timers.run_due(at("2026-01-01")).fired, 1);
  EXPECT_TRUE(in_tx_during_handler);
  EXPECT_EQ(store.customers().count(), 1);
  EXPECT_EQ(status(id), "fired");
  EXPECT_EQ(store.db().query("SELECT fired_at FROM timers WHERE id = ?", {id}).at(0).integer(0),
            crm::to_unix(at("2026-01-01")));
}

TEST_F(TimerTest, ThrowingHandlerRollsBackAndMarksFailedOthersStillFire) {
  std::vector<std::string> fired;
  timers.on("ok", [&](const Timer& t) { fired.push_back(t.payload["n"].get<std::string>()); });
  timers.on("bad", [&](const Timer&) {
    store.customers().add(crm_test::customer("Half written"), crm::Actor::system());
    throw std::runtime_error("handler broke");
  });
  timers.schedule(at("2026-01-01"), "ok", {{"n", "before"}});
  const auto bad = timers.schedule(at("2026-01-02"), "bad", {});
  timers.schedule(at("2026-01-03"), "ok", {{"n", "after"}});

  const crm::TimerRun run = timers.run_due(at("2026-01-04"));
  EXPECT_EQ(run.fired, 2);
  EXPECT_EQ(run.failed, 1);
  EXPECT_EQ(fired, (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(store.customers().count(), 0);  // the failed handler's write is gone
  EXPECT_TRUE(pending_ids().empty());
  EXPECT_EQ(status(bad), "failed");
  const auto row = store.db().query("SELECT error FROM timers WHERE id = ?", {bad}).at(0);
  EXPECT_EQ(row.text(0), "handler broke");
  EXPECT_FALSE(store.db().in_transaction());
  EXPECT_EQ(timers.run_due(at("2026-01-04")).failed, 0);  // not retried
}

TEST_F(TimerTest, TimersWithoutHandlerStayPendingAndAreCounted) {
  int fired = 0;
  timers.on("known", [&](const Timer&) { ++fired; });
  const auto u1 = timers.schedule(at("2026-01-01"), "unknown", {});
  timers.schedule(at("2026-01-01"), "known", {});
  const auto u2 = timers.schedule(at("2026-01-02"), "other", {});
  const crm::TimerRun run = timers.run_due(at("2026-01-03"));
  EXPECT_EQ(run.fired, 1);
  EXPECT_EQ(run.unhandled, 2);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(pending_ids(), (std::vector<crm::TimerId>{u1, u2}));

  // Once a handler exists they fire.
  int late = 0;
  timers.on("unknown", [&](const Timer&) { ++late; });
  const crm::TimerRun second = timers.run_due(at("2026-01-03"));
  EXPECT_EQ(second.fired, 1);
  EXPECT_EQ(second.unhandled, 1);
  EXPECT_EQ(late, 1);
}

TEST_F(TimerTest, SecondHandlerForAKindThrowsAndRemovedHandlerStopsFiring) {
  const auto h = timers.on("k", [](const Timer&) {});
  EXPECT_THROW(timers.on("k", [](const Timer&) {}), crm::InvalidInput);
  timers.remove_handler(h);
  timers.schedule(at("2026-01-01"), "k", {});
  const auto run = timers.run_due(at("2026-01-01"));
  EXPECT_EQ(run.fired, 0);
  EXPECT_EQ(run.unhandled, 1);
  EXPECT_NO_THROW(timers.on("k", [](const Timer&) {}));
}

TEST_F(TimerTest, HandlerSchedulingADueTimerGetsItFiredInTheSameRun) {
  std::vector<int> chain;
  timers.on("step", [&](const Timer& t) {
    const int n = t.payload["n"].get<int>();
    chain.push_back(n);
    if (n < 3) timers.schedule(t.due, "step", {{"n", n + 1}});
    if (n == 3) timers.schedule(at("2026-06-01"), "step", {{"n", 99}});  // not yet due
  });
  timers.schedule(at("2026-01-01"), "step", {{"n", 1}});
  const auto run = timers.run_due(at("2026-01-02"));
  EXPECT_EQ(run.fired, 3);
  EXPECT_EQ(chain, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(timers.pending().size(), 1u);
  EXPECT_EQ(timers.pending()[0].payload["n"], 99);
}

TEST_F(TimerTest, NextDueIsTheEarliestPendingTimerWithAHandler) {
  timers.on("x", [](const Timer&) {});
  timers.schedule(at("2026-01-15"), "orphan", {});  // no handler: it would stay due forever
  EXPECT_FALSE(timers.next_due());
  const auto late = timers.schedule(at("2026-03-01"), "x", {});
  const auto early = timers.schedule(at("2026-02-01"), "x", {});
  EXPECT_EQ(timers.next_due(), at("2026-02-01"));
  timers.cancel(early);
  EXPECT_EQ(timers.next_due(), at("2026-03-01"));
  timers.cancel(late);
  EXPECT_FALSE(timers.next_due());
}

TEST_F(TimerTest, OnASimulatedClockEachTimerFiresAtItsDueTimeInDueOrder) {
  // kStart is 2026-01-01. A handler at 01:00 schedules a timer for 02:00,
  // which must fire before the one already due at 05:00, and see 02:00.
  std::vector<std::pair<std::string, TimePoint>> fired;
  timers.on("note", [&](const Timer& t) {
    fired.emplace_back(t.payload.at("name").get<std::string>(), k->clock().now());
    if (t.payload["name"] == "a") {
      timers.schedule(at("2026-01-01T02:00:00Z"), "note", {{"name", "c"}});
    }
  });
  timers.schedule(at("2026-01-01T01:00:00Z"), "note", {{"name", "a"}});
  timers.schedule(at("2026-01-01T01:30:00Z"), "note", {{"name", "d"}});
  timers.schedule(at("2026-01-01T05:00:00Z"), "note", {{"name", "b"}});
  EXPECT_EQ(timers.run_due(at("2026-01-01T10:00:00Z")).fired, 4);
  const std::vector<std::pair<std::string, TimePoint>> expected = {
      {"a", at("2026-01-01T01:00:00Z")},
      {"d", at("2026-01-01T01:30:00Z")},
      {"c", at("2026-01-01T02:00:00Z")},
      {"b", at("2026-01-01T05:00:00Z")}};
  EXPECT_EQ(fired, expected);
  EXPECT_EQ(k->clock().now(), at("2026-01-01T10:00:00Z"));
}

TEST_F(TimerTest, TimerScheduledByAFailingHandlerIsRolledBack) {
  timers.on("bad", [&](const Timer&) {
    timers.schedule(at("2026-01-01"), "bad", {});
    throw std::runtime_error("no");
  });
  timers.schedule(at("2026-01-01"), "bad", {});
  const auto run = timers.run_due(at("2026-01-01"));
  EXPECT_EQ(run.failed, 1);
  EXPECT_EQ(run.fired, 0);
  EXPECT_EQ(store.db().query("SELECT COUNT(*) FROM timers").at(0).integer(0), 1);
}

TEST_F(TimerTest, CancelPendingTimer) {
  int fired = 0;
  timers.on("k", [&](const Timer&) { ++fired; });
  const auto a = timers.schedule(at("2026-01-01"), "k", {});
  const auto b = timers.schedule(at("2026-01-01"), "k", {});
  EXPECT_TRUE(timers.cancel(a));
  EXPECT_FALSE(timers.cancel(a));     // no longer pending
  EXPECT_FALSE(timers.cancel(9999));  // unknown
  EXPECT_EQ(pending_ids(), (std::vector<crm::TimerId>{b}));
  EXPECT_EQ(timers.run_due(at("2026-01-01")).fired, 1);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(status(a), "cancelled");
  EXPECT_FALSE(timers.cancel(b));  // fired: not pending
}

TEST_F(TimerTest, HandlerCancellingALaterDueTimerStopsItFiring) {
  std::vector<std::string> fired;
  crm::TimerId victim = 0;
  timers.on("k", [&](const Timer& t) {
    const std::string n = t.payload["n"].get<std::string>();
    fired.push_back(n);
    if (n == "canceller") {
      EXPECT_TRUE(timers.cancel(victim));
    }
  });
  timers.schedule(at("2026-01-01"), "k", {{"n", "canceller"}});
  victim = timers.schedule(at("2026-01-02"), "k", {{"n", "victim"}});
  timers.schedule(at("2026-01-03"), "k", {{"n", "last"}});
  const auto run = timers.run_due(at("2026-01-04"));
  EXPECT_EQ(fired, (std::vector<std::string>{"canceller", "last"}));
  EXPECT_EQ(run.fired, 2);
  EXPECT_EQ(status(victim), "cancelled");
}

TEST_F(TimerTest, PersistedTimerSurvivesARestart) {
  const auto dir = crm_test::scratch_dir("timer_restart");
  const std::string db = (dir / "crm.db").string();
  crm::TimerId id = 0;
  {
    auto a = crm_test::make_kernel(db);
    id = a->scheduler().schedule(at("2026-01-15"), "wake", {{"who", "ann"}}, std::nullopt);
    a->scheduler().schedule(at("2026-12-31"), "wake", {{"who", "later"}}, std::nullopt);
  }  // kernel A is gone; nothing fired
  auto b = crm_test::make_kernel(db);
  std::vector<std::string> fired;
  b->scheduler().on("wake",
                    [&](const Timer& t) { fired.push_back(t.payload["who"].get<std::string>()); });
  ASSERT_EQ(b->scheduler().pending().size(), 2u);
  EXPECT_EQ(b->scheduler().pending()[0].id, id);
  const auto run = b->scheduler().run_due(at("2026-02-01"));
  EXPECT_EQ(run.fired, 1);
  EXPECT_EQ(fired, (std::vector<std::string>{"ann"}));
  b.reset();
  auto c = crm_test::make_kernel(db);  // the fired mark persisted too
  ASSERT_EQ(c->scheduler().pending().size(), 1u);
  EXPECT_EQ(c->scheduler().pending()[0].payload["who"], "later");
}

}  // namespace

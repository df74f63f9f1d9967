// Two processes firing the same due timers on one database: each timer's
// handler runs, and its writes commit, exactly once.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>

#include "test_support.hpp"

namespace {

using crm::Timer;
using crm_test::kStart;

constexpr const char* kKind = "race.follow_up";

// One host: its own kernel on `db`, a handler whose effect is a task titled
// after the timer (an audited write), one run_due once the parent says go.
// Exits with the number of timers it fired (0..250; 255 on an error).
[[noreturn]] void host(const std::string& db, int go_fd, std::int64_t until) {
  int code = 255;
  try {
    crm::Kernel k(crm_test::options(db));
    k.scheduler().on(kKind, [&k](const Timer& t) {
      crm::Task task;
      task.title = "timer " + std::to_string(t.id);
      k.store().tasks().add(task, crm::Actor::system());
    });
    char go = 0;
    if (read(go_fd, &go, 1) != 1) _exit(254);
    const crm::TimerRun run = k.scheduler().run_due(crm::from_unix(until));
    code = run.failed == 0 && run.fired <= 250 ? static_cast<int>(run.fired) : 253;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "host %d: %s\n", static_cast<int>(getpid()), e.what());
  }
  _exit(code);
}

TEST(TimerRace, TwoProcessesFireEachDueTimerOnce) {
  const auto dir = crm_test::scratch_dir("timer_race");
  const std::string db = (dir / "crm.db").string();
  constexpr int kRounds = 8;
  constexpr int kTimers = 120;  // per round
  std::int64_t fired_total = 0;
  for (int round = 0; round < kRounds; ++round) {
    const crm::TimePoint due = kStart + crm::Seconds{round * 60};
    {
      crm::Kernel k(crm_test::options(db));
      crm::Transaction tx(k.store().db());
      for (int i = 0; i < kTimers; ++i) k.scheduler().schedule(due, kKind, {{"n", i}});
      tx.commit();
    }  // closed before fork(): each host opens its own connection

    std::array<int, 2> go{};
    ASSERT_EQ(pipe(go.data()), 0);
    std::array<pid_t, 2> hosts{};
    for (pid_t& pid : hosts) {
      pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(go[1]);
        host(db, go[0], crm::to_unix(due));
      }
    }
    close(go[0]);
    // Both hosts have built their kernels by the time they read; releasing
    // them together makes them work through the same batch side by side.
    const char bytes[2] = {'g', 'g'};
    ASSERT_EQ(write(go[1], bytes, 2), 2);
    close(go[1]);
    int fired = 0;
    for (const pid_t pid : hosts) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status));
      ASSERT_LE(WEXITSTATUS(status), 250) << "host failed with " << WEXITSTATUS(status);
      fired += WEXITSTATUS(status);
    }
    EXPECT_EQ(fired, kTimers) << "round " << round << ": the two hosts fired " << fired;
    fired_total += fired;
  }

  crm::Kernel k(crm_test::options(db));
  crm::Database& d = k.store().db();
  EXPECT_EQ(fired_total, kRounds * kTimers);
  EXPECT_EQ(d.query("SELECT COUNT(*) FROM timers WHERE status = 'fired'").at(0).integer(0),
            kRounds * kTimers);
  // The handler's effect per timer: one task, one audit row of its creation.
  std::map<std::string, std::int64_t> tasks_per_timer;
  for (const auto& r : d.query("SELECT title, COUNT(*) FROM tasks GROUP BY title")) {
    tasks_per_timer[r.text(0)] = r.integer(1);
  }
  ASSERT_EQ(tasks_per_timer.size(), static_cast<std::size_t>(kRounds * kTimers));
  for (const auto& [title, n] : tasks_per_timer) EXPECT_EQ(n, 1) << title;
  EXPECT_EQ(d.query("SELECT COUNT(*) FROM audit_log WHERE entity = 'task'").at(0).integer(0),
            kRounds * kTimers);
}

}  // namespace

// Two processes start the same workflow for one customer at the same
// moment: the database's unique guard lets one instance exist. Each round
// forks two children that open their own Kernel on one file, wait for a
// common instant, then start (explicitly, or through a trigger) at once.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "crm/error.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;

constexpr int kRounds = 30;

enum Exit { kStarted = 0, kRefusedBefore = 2, kConflict = 3, kOther = 4 };

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Runs `act` in a child with its own Kernel on `db`, from instant `at`.
template <class Act>
pid_t spawn(const std::string& db, std::int64_t at, Act act) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  int code = kOther;
  try {
    crm::Kernel k(options(db));
    while (monotonic_ns() < at) {
    }
    code = act(k);
  } catch (const crm::Conflict&) {
    code = kConflict;
  } catch (const crm::InvalidInput&) {
    code = kRefusedBefore;
  } catch (...) {
    code = kOther;
  }
  _exit(code);
}

int exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::vector<crm::CustomerId> prepare(const std::string& db, const Json& workflow) {
  crm::Kernel k(options(db));
  k.workflows().install(workflow);
  std::vector<crm::CustomerId> customers;
  for (int r = 0; r < kRounds; ++r) {
    const std::string n = std::to_string(r);
    std::string email = "r";  // built up: GCC 12 warns (falsely) on "r" + n + "..."
    email.append(n).append("@example.com");
    customers.push_back(add_customer(k, "Racer " + n, email));
  }
  return customers;
}

std::size_t active_instances(const std::string& db, crm::CustomerId c) {
  crm::Kernel k(options(db));
  std::size_t n = 0;
  for (const auto& i : instances_of(k, c)) n += crm::is_active(i.state) ? 1 : 0;
  return n;
}

TEST(GuardRace, TwoProcessesStartingOneWorkflowForACustomerStartItOnce) {
  const std::string db = temp_db("guard_race_start.db");
  const auto customers =
      prepare(db, {{"name", "onboarding"}, {"steps", {{{"type", "wait"}, {"duration", "7d"}}}}});
  int conflicts = 0;
  for (const auto c : customers) {
    const std::int64_t at = monotonic_ns() + 150'000'000;
    const auto start = [c](crm::Kernel& k) {
      k.workflows().start("onboarding", c);
      return kStarted;
    };
    const pid_t a = spawn(db, at, start);
    const pid_t b = spawn(db, at, start);
    std::vector<int> codes = {exit_code(a), exit_code(b)};
    std::sort(codes.begin(), codes.end());
    ASSERT_EQ(codes[0], kStarted) << "customer " << c;
    // The loser saw the winner's row (refused before writing) or lost the
    // race at the unique index (Conflict, nothing written).
    ASSERT_TRUE(codes[1] == kRefusedBefore || codes[1] == kConflict)
        << "customer " << c << ": " << codes[1];
    conflicts += codes[1] == kConflict ? 1 : 0;
    ASSERT_EQ(active_instances(db, c), 1u) << "customer " << c;
  }
  std::printf("lost races at the unique index: %d of %d rounds\n", conflicts, kRounds);
}

TEST(GuardRace, TwoProcessesWhoseEventsTriggerOneWorkflowStartItOnce) {
  const std::string db = temp_db("guard_race_trigger.db");
  const auto customers = prepare(db, {{"name", "poked"},
                                      {"trigger", {{"event", "race.poke"}}},
                                      {"steps", {{{"type", "wait"}, {"duration", "7d"}}}}});
  for (const auto c : customers) {
    const std::int64_t at = monotonic_ns() + 150'000'000;
    const auto poke = [c](crm::Kernel& k) {
      k.bus().publish(crm::Event{"race.poke", {}, c, Json::object()});
      return k.bus().errors().empty() ? kStarted : kOther;
    };
    const pid_t a = spawn(db, at, poke);
    const pid_t b = spawn(db, at, poke);
    // The loser of a trigger race simply does not start one: no error.
    ASSERT_EQ(exit_code(a), kStarted) << "customer " << c;
    ASSERT_EQ(exit_code(b), kStarted) << "customer " << c;
    ASSERT_EQ(active_instances(db, c), 1u) << "customer " << c;
  }
}

}  // namespace

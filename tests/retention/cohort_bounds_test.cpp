// The cohort table is sized by its data: a row per period that acquired
// customers, as long as the time from it to the last period; a table too
// large to be meant is refused before anything is allocated.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "crm/retention/churn.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// `n` customers acquired on consecutive days ending at `last`, one purchase
// each, plus customer "first" on `first`.
PurchaseLog staircase(int first, int last, int n) {
  PurchaseLogBuilder b;
  b.add("first", first, 10.0);
  for (int k = 0; k < n; ++k) {
    std::string key = "c";
    key += std::to_string(k);
    b.add(key, last - k, 10.0);
  }
  return b.build();
}

TEST(CohortBounds, TwoPurchasesThreeCenturiesApartMakeTwoRowsNotATriangle) {
  // By day, a full triangle over 1900..2200 would be 6e9 cells (48 GB).
  // Built in a child limited to 1 GiB of address space, so that a table
  // sized by the calendar instead of the data fails there, not here.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
#ifndef __SANITIZE_ADDRESS__  // ASan reserves terabytes of shadow address space
    const rlimit limit{1ul << 30, 1ul << 30};
    setrlimit(RLIMIT_AS, &limit);
#endif
    int rc = 0;
    try {
      PurchaseLogBuilder b;
      b.add("old", parse_date("1900-01-01"), 10.0);
      b.add("new", parse_date("2200-12-31"), 10.0);
      const CohortTable t = cohort_table(b.build(), CohortPeriod::kDay);
      const auto days =
          static_cast<std::size_t>(parse_date("2200-12-31") - parse_date("1900-01-01") + 1);
      if (t.cohort.size() != 2 || t.active[0].size() != days || t.active[1].size() != 1 ||
          t.active[0][0] != 1 || t.active[0].back() != 0 || t.active[1][0] != 1 ||
          t.size != std::vector<std::int64_t>{1, 1}) {
        rc = 2;
      }
    } catch (...) {
      rc = 3;
    }
    _exit(rc);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: wrong table, 3: threw (out of memory)";
}

TEST(CohortBounds, PeriodsWithoutAcquisitionsGetNoRow) {
  PurchaseLogBuilder b;
  b.add("a", parse_date("2024-01-03"), 5.0);
  b.add("a", parse_date("2024-06-03"), 5.0);
  b.add("b", parse_date("2024-06-10"), 5.0);
  const CohortTable t = cohort_table(b.build(), CohortPeriod::kMonth);
  EXPECT_EQ(t.cohort_start_day,
            (std::vector<int>{parse_date("2024-01-01"), parse_date("2024-06-01")}));
  EXPECT_EQ(t.active[0], (std::vector<std::int64_t>{1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(t.active[1], (std::vector<std::int64_t>{1}));
}

// Row lengths 1..4470 and 7315: exactly 4470 * 4471 / 2 + 7315 =
// 10,000,000 cells, the limit.
constexpr int kStairs = 4470;
const int kBase = parse_date("2000-01-01");
const int kLast = kBase + 7314;

TEST(CohortBounds, ATableOfExactlyTheLimitIsBuilt) {
  const CohortTable t = cohort_table(staircase(kBase, kLast, kStairs), CohortPeriod::kDay);
  std::int64_t cells = 0;
  for (const auto& row : t.active) cells += static_cast<std::int64_t>(row.size());
  EXPECT_EQ(cells, kMaxCohortCells);
  ASSERT_EQ(t.cohort.size(), static_cast<std::size_t>(kStairs + 1));
  EXPECT_EQ(t.active.front().size(), 7315u);
  EXPECT_EQ(t.active.back().size(), 1u);
}

TEST(CohortBounds, OneCellMoreThanTheLimitIsRefusedBeforeAllocating) {
  // One more day of as-of lengthens each of the 4471 rows by one.
  try {
    (void)cohort_table(staircase(kBase, kLast, kStairs), CohortPeriod::kDay, kLast + 1);
    FAIL() << "no InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "cohort_table: 4471 cohorts by day from 2000-01-01 to 2020-01-11 would need "
              "10004471 cells, more than 10000000; use a longer period or correct the "
              "purchases dated far off");
  }
  // One more customer, on a day that had no cohort yet: 4471 more cells.
  PurchaseLog more = staircase(kBase, kLast, kStairs + 1);
  EXPECT_THROW((void)cohort_table(more, CohortPeriod::kDay), InvalidInput);
  // The same purchases by week are a small table.
  const CohortTable weekly = cohort_table(more, CohortPeriod::kWeek, kLast + 1);
  EXPECT_LE(weekly.cohort.size(), 1046u);
}

}  // namespace
}  // namespace crm::retention

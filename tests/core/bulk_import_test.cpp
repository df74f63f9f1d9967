// The bulk path of the customer import, which only large files reach (about
// 10 MB and more than the customers already there): the secondary indexes
// the import's lookups do not use are dropped for the load and rebuilt in
// the same transaction. The tests check the path is taken, that the indexes
// come back exactly as they were, that only the right ones go, and that a
// SIGKILL in the middle leaves the database as it was, indexes included.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "crm/csv_import.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using crm::ImportOptions;
using crm::MatchKey;

// Index name -> its DDL, for the customers table's own (not automatic) indexes.
std::map<std::string, std::string> customer_indexes(crm::Store& store) {
  std::map<std::string, std::string> out;
  for (const auto& r : store.db().query(
           "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
           "AND sql IS NOT NULL")) {
    out[r.text(0)] = r.text(1);
  }
  return out;
}

std::set<std::string> names(const std::map<std::string, std::string>& m) {
  std::set<std::string> out;
  for (const auto& [name, sql] : m) out.insert(name);
  return out;
}

const std::set<std::string> kAll = {"customers_email", "customers_owner", "customers_phone"};

ImportOptions with_match(MatchKey m) {
  ImportOptions o;
  o.match = m;
  return o;
}

ImportOptions upsert() {
  ImportOptions o;
  o.mode = ImportOptions::Mode::kUpsert;
  return o;
}

ImportOptions dry_run_options() {
  ImportOptions o;
  o.dry_run = true;
  return o;
}

ImportOptions strict_options() {
  ImportOptions o;
  o.strict = true;
  o.attributes = {"notes"};  // the padding column: strict refuses unlisted columns
  return o;
}

// A customers file of `rows` rows padded to at least 10.5 MB, which the
// import takes for at least 100,000 rows: the bulk path.
fs::path big_file(const fs::path& dir, int rows, const std::string& prefix = "B") {
  const fs::path p = dir / (prefix + "_big.csv");
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << "external_id,name,email,phone,owner,notes\n";
  const std::size_t pad = 10'500'000 / static_cast<std::size_t>(rows) + 1;
  const std::string notes(pad, 'n');
  for (int i = 1; i <= rows; ++i) {
    out << prefix << i << ",Customer " << i << "," << prefix << i << "@example.com,+43 1 " << i
        << ",owner" << i % 5 << "," << notes << "\n";
  }
  out.close();
  EXPECT_GE(fs::file_size(p), 10'500'000u);
  return p;
}

class BulkImportTest : public ::testing::Test {
 protected:
  fs::path dir = crm_test::scratch_dir(
      std::string("bulk_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel((dir / "crm.db").string());
  crm::Store& store = k->store();
  const std::map<std::string, std::string> before = customer_indexes(store);

  // Imports with a progress callback that notes the indexes present while
  // the rows are being written (the last call comes after the last row).
  crm::ImportReport import(const fs::path& file, ImportOptions o, std::set<std::string>& during) {
    o.progress = [&](std::int64_t, std::int64_t, std::int64_t) {
      during = names(customer_indexes(store));
    };
    return crm::import_customers(store, file, o);
  }

  void expect_indexes_as_before() {
    EXPECT_EQ(customer_indexes(store), before);
    EXPECT_EQ(store.db().query("PRAGMA integrity_check").at(0).text(0), "ok");
  }
};

TEST_F(BulkImportTest, SchemaHasTheThreeDeferrableIndexes) { ASSERT_EQ(names(before), kAll); }

TEST_F(BulkImportTest, LargeCreateDropsTheIndexesAndRebuildsThemIdentically) {
  std::set<std::string> during = {"not called"};
  const auto r = import(big_file(dir, 3000), {}, during);
  EXPECT_EQ(r.inserted, 3000);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(during, std::set<std::string>{});  // the bulk path was taken
  expect_indexes_as_before();
  // The rebuilt indexes hold every row: lookups through them find them.
  EXPECT_EQ(store.customers().find_by(MatchKey::kEmail, "B2999@EXAMPLE.com")->external_id, "B2999");
  EXPECT_EQ(store.customers().find_by(MatchKey::kPhone, "+43 1 17")->external_id, "B17");
  const auto plan = store.db().query(
      "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE email_norm = 'b1@example.com'");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan.at(0).text(3).find("customers_email"), std::string::npos) << plan.at(0).text(3);
  crm::CustomerQuery q;
  q.owner = "owner3";
  q.limit = 10000;
  EXPECT_EQ(store.customers().list(q).size(), 600u);
}

TEST_F(BulkImportTest, MatchingOnEmailKeepsTheEmailIndex) {
  std::set<std::string> during;
  const auto r = import(big_file(dir, 3000), with_match(MatchKey::kEmail), during);
  EXPECT_EQ(r.inserted, 3000);
  EXPECT_EQ(during, std::set<std::string>{"customers_email"});
  expect_indexes_as_before();
}

TEST_F(BulkImportTest, MatchingOnPhoneKeepsThePhoneIndex) {
  std::set<std::string> during;
  const auto r = import(big_file(dir, 3000), with_match(MatchKey::kPhone), during);
  EXPECT_EQ(r.inserted, 3000);
  EXPECT_EQ(during, std::set<std::string>{"customers_phone"});
  expect_indexes_as_before();
}

TEST_F(BulkImportTest, UpsertNeverDropsIndexes) {
  std::set<std::string> during;
  const auto r = import(big_file(dir, 3000), upsert(), during);
  EXPECT_EQ(r.inserted, 3000);
  EXPECT_EQ(during, kAll);
  expect_indexes_as_before();
}

TEST_F(BulkImportTest, SmallFileNeverDropsIndexes) {
  // 1000 rows in about 20 KB: far below the bulk path, though it would
  // bring more rows than the empty database has.
  std::set<std::string> during;
  {
    std::ofstream out(dir / "small.csv");
    out << "external_id,name\n";
    for (int i = 1; i <= 1000; ++i) out << "S" << i << ",Small " << i << "\n";
  }
  const auto r = import(dir / "small.csv", {}, during);
  EXPECT_EQ(r.inserted, 1000);
  EXPECT_EQ(during, kAll);
}

TEST_F(BulkImportTest, DryRunAndStrictFailureLeaveTheIndexesAsTheyWere) {
  std::set<std::string> during;
  const auto dry = import(big_file(dir, 3000), dry_run_options(), during);
  EXPECT_EQ(dry.inserted, 3000);
  EXPECT_FALSE(dry.committed);
  EXPECT_EQ(during, std::set<std::string>{});
  EXPECT_EQ(store.customers().count(), 0);
  expect_indexes_as_before();

  const fs::path bad = big_file(dir, 3000, "X");
  std::ofstream(bad, std::ios::app) << "X9999,,,,,\n";  // no name: a bad row
  const auto strict = import(bad, strict_options(), during);
  EXPECT_EQ(strict.skipped, 1);
  EXPECT_FALSE(strict.committed);
  EXPECT_EQ(store.customers().count(), 0);
  expect_indexes_as_before();
}

TEST_F(BulkImportTest, SecondLargeFileOnAFullerDatabaseStillRebuilds) {
  std::set<std::string> during;
  ASSERT_EQ(import(big_file(dir, 3000, "A"), {}, during).inserted, 3000);
  const auto r = import(big_file(dir, 4000, "C"), {}, during);
  EXPECT_EQ(r.inserted, 4000);
  EXPECT_EQ(during, std::set<std::string>{});
  expect_indexes_as_before();
  EXPECT_EQ(store.customers().find_by(MatchKey::kEmail, "a3000@example.com")->external_id, "A3000");
  EXPECT_EQ(store.customers().find_by(MatchKey::kEmail, "c1@example.com")->external_id, "C1");
}

// A SIGKILL while a bulk import has its indexes dropped: the DROPs roll back
// with the rows, and the same import run again completes.
TEST(BulkImportKill, KilledBulkImportLeavesIndexesAndARerunWorks) {
  const fs::path dir = crm_test::scratch_dir("bulk_kill");
  const fs::path csv = big_file(dir, 5000);
  const fs::path marker = dir / "at_kill.txt";
  const std::string db = (dir / "crm.db").string();
  std::map<std::string, std::string> before;
  {
    auto k = crm_test::make_kernel(db);
    before = customer_indexes(k->store());
  }
  ASSERT_EQ(names(before), kAll);

  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    try {
      auto k = crm_test::make_kernel(db);
      ImportOptions o;
      o.progress = [&](std::int64_t rows, std::int64_t, std::int64_t) {
        if (rows >= 4096) {
          std::ofstream out(marker);
          out << rows << " " << k->store().customers().count() << " "
              << customer_indexes(k->store()).size() << "\n";
          out.close();
          kill(getpid(), SIGKILL);
        }
      };
      crm::import_customers(k->store(), csv, o);
    } catch (...) {
      _exit(4);
    }
    _exit(3);  // finished: the kill never happened
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  std::int64_t rows_at_kill = 0, written_at_kill = 0, indexes_at_kill = -1;
  std::ifstream(marker) >> rows_at_kill >> written_at_kill >> indexes_at_kill;
  EXPECT_EQ(rows_at_kill, 4096);
  EXPECT_EQ(written_at_kill, 3584);  // the 4095 rows before, in whole batches of 512
  EXPECT_EQ(indexes_at_kill, 0);     // killed on the bulk path

  auto k = crm_test::make_kernel(db);
  crm::Store& store = k->store();
  EXPECT_EQ(store.customers().count(), 0);
  EXPECT_EQ(store.db().query("SELECT COUNT(*) FROM audit_log").at(0).integer(0), 0);
  EXPECT_EQ(customer_indexes(store), before);
  EXPECT_EQ(store.db().query("PRAGMA integrity_check").at(0).text(0), "ok");

  const auto r = crm::import_customers(store, csv, {});
  EXPECT_EQ(r.inserted, 5000);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(customer_indexes(store), before);
  EXPECT_EQ(store.customers().find_by(MatchKey::kEmail, "b4999@example.com")->external_id, "B4999");
}

}  // namespace

// Several processes on one database file, as at a shop: agents' `crm`
// commands, a `run-due --watch` host and an import at once. Each child here
// is a real process (fork) with its own kernel and connection.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "../../core/src/sqlite_database.hpp"
#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm_test::customer;
using std::chrono::milliseconds;

// A start line for forked children: each blocks in wait() until release(),
// so that all of them hit the database at the same moment.
class StartLine {
 public:
  StartLine() {
    if (pipe(fds_) != 0) throw std::runtime_error("pipe failed");
  }
  ~StartLine() {
    for (const int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  void wait() {
    close(fds_[1]);
    fds_[1] = -1;
    char c = 0;
    while (read(fds_[0], &c, 1) > 0) {
    }
  }
  void release() {
    close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

// Forks a child that runs `body` after the start line and exits with its
// result (1 on an exception, printed to stderr). Returns the child's pid.
template <class Body>
pid_t spawn(StartLine& start, Body body) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  int rc = 1;
  try {
    start.wait();
    rc = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
  }
  std::fflush(stderr);
  _exit(rc);  // no gtest teardown, no destructors of the parent's objects
}

int exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ConcurrentProcesses, WritersAndReadersOnANewFileAllSucceedAndEveryWriteIsThere) {
  const std::string path = (crm_test::scratch_dir("concurrent_new") / "crm.db").string();
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 25;
  constexpr int kReaders = 3;
  StartLine start;
  std::vector<pid_t> children;
  // Nobody created the file: every child opens it, switches it to WAL and
  // runs the kernel's migrations at the same moment.
  for (int w = 0; w < kWriters; ++w) {
    children.push_back(spawn(start, [&path, w] {
      const auto k = crm_test::make_kernel(path);
      const crm::Actor actor = crm::Actor::user("writer" + std::to_string(w));
      for (int n = 0; n < kPerWriter; ++n) {
        crm::Customer c = customer("w" + std::to_string(w) + "-" + std::to_string(n));
        c.external_id = c.name;
        const crm::CustomerId id = k->store().customers().add(c, actor);
        crm::Interaction i;
        i.customer_id = id;
        i.channel = "phone";
        i.kind = "purchase";
        i.amount = crm::Money(n + 1, crm::Currency::of("USD"));
        k->store().interactions().record(i, actor);
      }
      return 0;
    }));
  }
  for (int r = 0; r < kReaders; ++r) {
    children.push_back(spawn(start, [&path] {
      for (int n = 0; n < 20; ++n) {
        const auto k = crm_test::make_kernel(path);
        const auto all = k->store().customers().list({});
        for (const auto& c : all) (void)crm::to_json(c).dump();
        if (static_cast<std::int64_t>(all.size()) > k->store().customers().count()) return 2;
      }
      return 0;
    }));
  }
  start.release();
  for (const pid_t pid : children) EXPECT_EQ(exit_code(pid), 0) << "child " << pid;

  const auto k = crm_test::make_kernel(path);
  crm::Database& db = k->store().db();
  EXPECT_EQ(k->store().customers().count(), kWriters * kPerWriter);
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM interactions").at(0).integer(0), kWriters * kPerWriter);
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM audit_log").at(0).integer(0), 2 * kWriters * kPerWriter);
  // Each writer's rows, all of them, in its own order.
  for (int w = 0; w < kWriters; ++w) {
    const auto rows = db.query(
        "SELECT COUNT(*), SUM(i.amount_minor) FROM customers c JOIN interactions i ON "
        "i.customer_id = "
        "c.id WHERE c.external_id LIKE ?",
        {"w" + std::to_string(w) + "-%"});
    EXPECT_EQ(rows.at(0).integer(0), kPerWriter) << "writer " << w;
    EXPECT_EQ(rows.at(0).integer(1), kPerWriter * (kPerWriter + 1) / 2) << "writer " << w;
  }
  // The migrations ran once, not once per process.
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM schema_migrations WHERE component = 'kernel'")
                .at(0)
                .integer(0),
            db.schema_version("kernel"));
}

TEST(ConcurrentProcesses, AWriterWaitsForAnotherProcesssTransactionAndThenWrites) {
  const std::string path = (crm_test::scratch_dir("concurrent_wait") / "crm.db").string();
  {
    crm::core::SqliteDatabase db(path);
    db.execute("CREATE TABLE t (who TEXT)");
  }
  int held[2];
  ASSERT_EQ(pipe(held), 0);
  StartLine start;
  const pid_t holder = spawn(start, [&] {
    crm::core::SqliteDatabase db(path);
    crm::Transaction tx(db);
    db.execute("INSERT INTO t VALUES ('holder')");
    const char c = 'x';
    if (write(held[1], &c, 1) != 1) return 3;
    usleep(700 * 1000);  // an import's long transaction
    tx.commit();
    return 0;
  });
  start.release();
  char c = 0;
  ASSERT_EQ(read(held[0], &c, 1), 1);
  close(held[0]);
  close(held[1]);
  crm::core::SqliteDatabase db(path);
  // Readers do not wait for the writer (WAL) and see only what is committed.
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM t").at(0).integer(0), 0);
  const auto t0 = std::chrono::steady_clock::now();
  {
    crm::Transaction tx(db);
    db.execute("INSERT INTO t VALUES ('waiter')");
    tx.commit();
  }
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(exit_code(holder), 0);
  EXPECT_GE(waited, milliseconds(300));  // it did wait for the holder
  const auto rows = db.query("SELECT who FROM t ORDER BY rowid");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text(0), "holder");
  EXPECT_EQ(rows[1].text(0), "waiter");
}

TEST(ConcurrentProcesses, AWriteThatCannotGetTheLockInTimeSaysSoNamingTheDatabase) {
  const std::string path = (crm_test::scratch_dir("concurrent_busy") / "crm.db").string();
  crm::core::SqliteDatabase holder(path);
  holder.execute("CREATE TABLE t (x INTEGER)");
  crm::Transaction held(holder);
  holder.execute("INSERT INTO t VALUES (1)");

  crm::core::SqliteDatabase waiter(path, {.busy_timeout = milliseconds(200)});
  const auto t0 = std::chrono::steady_clock::now();
  try {
    crm::Transaction tx(waiter);
    ADD_FAILURE() << "the write lock was granted twice";
  } catch (const crm::StoreError& e) {
    EXPECT_EQ(std::string(e.what()), "database " + path +
                                         " is busy: another process held its lock past the "
                                         "wait; try again (BEGIN IMMEDIATE)");
  }
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(200));
  EXPECT_FALSE(waiter.in_transaction());
  // A single statement outside a transaction says the same.
  try {
    waiter.execute("INSERT INTO t VALUES (2)");
    ADD_FAILURE() << "the write lock was granted twice";
  } catch (const crm::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("database " + path + " is busy"), std::string::npos)
        << e.what();
  }
  held.commit();
  waiter.execute("INSERT INTO t VALUES (3)");
  EXPECT_EQ(waiter.query("SELECT group_concat(x) FROM t").at(0).text(0), "1,3");
}

}  // namespace

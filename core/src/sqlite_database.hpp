// The SQLite implementation of crm::Database (private to the kernel).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crm/database.hpp"

namespace crm::core {

// A prepared statement owned by RAII; reset before each use.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset();
  Statement& bind(int index, std::nullptr_t);
  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);  // copied by SQLite
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const SqlValue& v);
  // Binds a string as NULL when empty.
  Statement& bind_text_or_null(int index, std::string_view v);
  void bind_all(const std::vector<SqlValue>& params);

  // Steps once: true when a row is available, false when done. Throws
  // StoreError with the statement text on failure.
  bool step();
  // Steps to completion.
  void run();

  int columns() const;
  bool is_null(int col) const;
  std::int64_t integer(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;
  SqlValue value(int col) const;
  SqlRow row() const;

  const std::string& sql() const { return sql_; }
  bool busy = false;  // in use by an unfinished query_each (re-entrancy guard)

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// Told about transaction boundaries, so events can wait for the commit.
class TransactionListener {
 public:
  virtual ~TransactionListener() = default;
  virtual void on_begin(int depth) = 0;   // depth 1 = outermost
  virtual void on_commit(int depth) = 0;  // after the COMMIT/RELEASE
  virtual void on_rollback(int depth) noexcept = 0;
};

// How a connection shares its file with other processes.
struct SqliteOptions {
  // How long a statement waits for a lock that another process holds (a
  // writer's transaction, WAL recovery) before it fails with "database
  // <path> is busy". Long enough for an import of some hundred thousand rows
  // to finish; agents at their desks wait rather than lose their command.
  std::chrono::milliseconds busy_timeout{30000};
};

class SqliteDatabase final : public Database {
 public:
  // Opens or creates `path` (":memory:" allowed) in WAL mode. The busy
  // timeout is in force before the first statement, so that opening beside
  // running writers waits instead of failing. Throws StoreError naming the
  // path.
  explicit SqliteDatabase(const std::string& path, SqliteOptions options = {});
  ~SqliteDatabase() override;

  void execute(std::string_view sql, const std::vector<SqlValue>& params = {}) override;
  std::vector<SqlRow> query(std::string_view sql,
                            const std::vector<SqlValue>& params = {}) override;
  void query_each(std::string_view sql, const std::vector<SqlValue>& params,
                  const std::function<void(const SqlRow&)>& row) override;
  std::int64_t last_insert_id() const override;
  std::int64_t changes() const override;
  int migrate(std::string_view component, const std::vector<Migration>& steps) override;
  int schema_version(std::string_view component) override;
  std::string dialect() const override { return "sqlite"; }
  bool in_transaction() const override { return depth_ > 0; }

  // The cached statement for `sql`; a fresh one if the cached one is busy.
  // The kernel's own fast paths (imports) use this directly.
  Statement& statement(std::string_view sql);
  // Runs SQL text with several statements and no parameters.
  void exec_script(std::string_view sql);
  // Sets journal_mode=WAL, retrying an immediate SQLITE_BUSY until timeout.
  void switch_to_wal(std::chrono::milliseconds timeout);

  void set_listener(TransactionListener* l) { listener_ = l; }
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 protected:
  void begin() override;
  void commit() override;
  void rollback() noexcept override;

 private:
  // The text of a savepoint statement: verb 0 SAVEPOINT, 1 RELEASE, 2 ROLLBACK TO.
  const std::string& savepoint_sql(int verb, int depth);
  sqlite3* db_ = nullptr;
  std::string path_;
  int depth_ = 0;
  TransactionListener* listener_ = nullptr;
  // Looked up by string_view without building a std::string: the hot path
  // of a bulk import asks for the same few statements millions of times.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, TextHash, std::equal_to<>> cache_;
  std::vector<std::string>
      savepoints_;  // "SAVEPOINT spN", "RELEASE spN", "ROLLBACK TO spN" by depth
  std::vector<std::unique_ptr<Statement>>
      overflow_;  // statements made while the cached one was busy
};

}  // namespace crm::core

#include "sqlite_database.hpp"

#include <chrono>
#include <string>
#include <thread>

#include "crm/error.hpp"

namespace crm::core {
namespace {

// "database error: <sqlite message> (<what>: <sql>)"; for a lock another
// process held past the busy timeout, a message that names the file, since
// several processes share it and the user must know which one is contended.
std::string error_text(sqlite3* db, int rc, std::string_view what, std::string_view sql) {
  std::string msg;
  if ((rc & 0xFF) == SQLITE_BUSY) {
    const char* file = sqlite3_db_filename(db, "main");
    msg = "database ";
    msg += file && *file ? file : ":memory:";
    msg += " is busy: another process held its lock past the wait; try again";
  } else {
    msg = "database error: ";
    msg += sqlite3_errmsg(db);
  }
  msg += " (";
  msg += what;
  if (!sql.empty()) {
    if (!what.empty()) msg += ": ";
    msg += sql.substr(0, 200);
  }
  msg += ")";
  return msg;
}

[[noreturn]] void fail(sqlite3* db, std::string_view what, std::string_view sql) {
  throw StoreError(error_text(db, sqlite3_extended_errcode(db), what, sql));
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK) {
    fail(db, "prepare", sql);
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

Statement& Statement::bind(int i, std::nullptr_t) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_text_or_null(int i, std::string_view v) {
  return v.empty() ? bind(i, nullptr) : bind(i, v);
}
Statement& Statement::bind(int i, const SqlValue& v) {
  std::visit([&](const auto& x) { bind(i, x); }, v);
  return *this;
}

void Statement::bind_all(const std::vector<SqlValue>& params) {
  const int expected = sqlite3_bind_parameter_count(stmt_);
  if (expected != static_cast<int>(params.size())) {
    throw StoreError("statement expects " + std::to_string(expected) + " parameters, got " +
                     std::to_string(params.size()) + ": " + sql_.substr(0, 200));
  }
  for (std::size_t i = 0; i < params.size(); ++i) bind(static_cast<int>(i + 1), params[i]);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = error_text(db_, rc, "", sql_);
  sqlite3_reset(stmt_);
  throw StoreError(std::move(msg));
}

void Statement::run() {
  while (step()) {
  }
}

int Statement::columns() const { return sqlite3_column_count(stmt_); }
bool Statement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::int64_t Statement::integer(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::real(int c) const { return sqlite3_column_double(stmt_, c); }
std::string_view Statement::text_view(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))};
}
std::string Statement::text(int c) const { return std::string(text_view(c)); }

SqlValue Statement::value(int c) const {
  switch (sqlite3_column_type(stmt_, c)) {
    case SQLITE_INTEGER:
      return integer(c);
    case SQLITE_FLOAT:
      return real(c);
    case SQLITE_NULL:
      return nullptr;
    default:
      return text(c);
  }
}

SqlRow Statement::row() const {
  std::vector<SqlValue> v;
  const int n = columns();
  v.reserve(static_cast<std::size_t>(n));
  for (int c = 0; c < n; ++c) v.push_back(value(c));
  return SqlRow(std::move(v));
}

// Switching a file to WAL while another process is opening it can return
// SQLITE_BUSY at once, without calling the busy handler (SQLite does so to
// avoid a deadlock), so the switch is retried here for as long as the busy
// timeout would have waited. Throws StoreError when it never succeeds.
void SqliteDatabase::switch_to_wal(std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= give_up) {
      exec_script("PRAGMA journal_mode=WAL");  // throws the usual, named error
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

SqliteDatabase::SqliteDatabase(const std::string& path, SqliteOptions options) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // First of all: switching to WAL reads the file header, and creating the
  // schema table writes, both under locks other processes may hold.
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  try {
    // WAL lets readers run beside the one writer; NORMAL sync is durable
    // across application crashes, which is what a CRM needs, at far less
    // fsync cost than FULL.
    if (path != ":memory:") switch_to_wal(options.busy_timeout);
    exec_script(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
        "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL,"
        " version INTEGER NOT NULL, description TEXT NOT NULL, applied_at INTEGER NOT NULL,"
        " PRIMARY KEY (component, version))");
  } catch (const StoreError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open database " + path + ": " + e.what());
  }
}

SqliteDatabase::~SqliteDatabase() {
  cache_.clear();
  overflow_.clear();
  sqlite3_close(db_);
}

Statement& SqliteDatabase::statement(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql)).first;
  }
  if (!it->second->busy) return it->second->reset();
  overflow_.push_back(std::make_unique<Statement>(db_, sql));
  return *overflow_.back();
}

void SqliteDatabase::exec_script(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = (rc & 0xFF) == SQLITE_BUSY
                          ? error_text(db_, rc, "", text)
                          : "database error: " + std::string(err ? err : "unknown error") + " (" +
                                text.substr(0, 200) + ")";
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

void SqliteDatabase::execute(std::string_view sql, const std::vector<SqlValue>& params) {
  Statement& s = statement(sql);
  s.bind_all(params);
  s.run();
}

std::vector<SqlRow> SqliteDatabase::query(std::string_view sql,
                                          const std::vector<SqlValue>& params) {
  std::vector<SqlRow> rows;
  query_each(sql, params, [&](const SqlRow& r) { rows.push_back(r); });
  return rows;
}

void SqliteDatabase::query_each(std::string_view sql, const std::vector<SqlValue>& params,
                                const std::function<void(const SqlRow&)>& row) {
  Statement& s = statement(sql);
  s.bind_all(params);
  s.busy = true;
  try {
    while (s.step()) row(s.row());
  } catch (...) {
    s.busy = false;
    s.reset();
    throw;
  }
  s.busy = false;
  s.reset();
  if (!overflow_.empty() && !cache_.empty()) {
    // Statements prepared for re-entrant use are dropped once the outer
    // query is done; keeping them would grow without bound.
    std::erase_if(overflow_, [](const auto& st) { return !st->busy; });
  }
}

std::int64_t SqliteDatabase::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
std::int64_t SqliteDatabase::changes() const { return sqlite3_changes64(db_); }

const std::string& SqliteDatabase::savepoint_sql(int verb, int depth) {
  static constexpr const char* kVerbs[] = {"SAVEPOINT sp", "RELEASE sp", "ROLLBACK TO sp"};
  const auto index = static_cast<std::size_t>(depth * 3 + verb);
  while (savepoints_.size() <= index) {
    const auto n = savepoints_.size();
    savepoints_.push_back(kVerbs[n % 3] + std::to_string(n / 3));
  }
  return savepoints_[index];
}

void SqliteDatabase::begin() {
  if (depth_ == 0) {
    // IMMEDIATE takes the write lock now, so two writers wait for each other
    // at the start instead of one failing at its first write.
    statement("BEGIN IMMEDIATE").run();
  } else {
    statement(savepoint_sql(0, depth_)).run();
  }
  ++depth_;
  if (listener_) listener_->on_begin(depth_);
}

void SqliteDatabase::commit() {
  if (depth_ == 0) throw StoreError("commit without a transaction");
  if (depth_ == 1) {
    statement("COMMIT").run();
  } else {
    statement(savepoint_sql(1, depth_ - 1)).run();
  }
  const int committed = depth_--;
  if (listener_) listener_->on_commit(committed);
}

void SqliteDatabase::rollback() noexcept {
  if (depth_ == 0) return;
  try {
    if (depth_ == 1) {
      statement("ROLLBACK").run();
    } else {
      statement(savepoint_sql(2, depth_ - 1)).run();
      statement(savepoint_sql(1, depth_ - 1)).run();
    }
  } catch (const std::exception&) {
    // Nothing sensible remains to do: SQLite rolls back by itself when a
    // ROLLBACK cannot run (the connection is closing or out of memory).
  }
  const int rolled = depth_--;
  if (listener_) listener_->on_rollback(rolled);
}

int SqliteDatabase::schema_version(std::string_view component) {
  Statement& s =
      statement("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?");
  s.bind(1, component);
  const int v = s.step() ? static_cast<int>(s.integer(0)) : 0;
  s.reset();
  return v;
}

int SqliteDatabase::migrate(std::string_view component, const std::vector<Migration>& steps) {
  int applied = 0;
  int current = schema_version(component);
  for (const Migration& m : steps) {
    if (m.version <= current) continue;
    if (m.version != current + 1) {
      throw StoreError("migration " + std::string(component) + " v" + std::to_string(m.version) +
                       " does not follow v" + std::to_string(current));
    }
    Transaction tx(*this);
    // Another process may have applied this step while this one waited for
    // the write lock (several `crm` started at once on a new file).
    if (schema_version(component) >= m.version) {
      current = m.version;
      continue;
    }
    try {
      exec_script(m.sql);
    } catch (const StoreError& e) {
      throw StoreError("migration " + std::string(component) + " v" + std::to_string(m.version) +
                       " (" + m.description + ") failed: " + e.what());
    }
    Statement& ins = statement(
        "INSERT INTO schema_migrations (component, version, description, applied_at) "
        "VALUES (?, ?, ?, strftime('%s','now'))");
    ins.bind(1, component).bind(2, static_cast<std::int64_t>(m.version)).bind(3, m.description);
    ins.run();
    tx.commit();
    current = m.version;
    ++applied;
  }
  return applied;
}

}  // namespace crm::core

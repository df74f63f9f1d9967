#include "workflow_store.hpp"

#include "crm/error.hpp"
#include "store_parts.hpp"

namespace crm::core {

std::vector<Migration> WorkflowStore::migrations() {
  return {
      {1, "workflow definitions, instances and step history", R"sql(
CREATE TABLE workflow_definitions (
  name TEXT NOT NULL, version INTEGER NOT NULL,
  definition TEXT NOT NULL, installed_at INTEGER NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE workflow_installed (
  name TEXT PRIMARY KEY, version INTEGER NOT NULL
);
CREATE TABLE workflow_instances (
  id INTEGER PRIMARY KEY,
  workflow TEXT NOT NULL, version INTEGER NOT NULL,
  customer_id INTEGER,
  state TEXT NOT NULL,
  position TEXT NOT NULL DEFAULT '',
  variables TEXT NOT NULL DEFAULT '{}',
  wait TEXT,
  wait_event TEXT, wait_task INTEGER, wait_timer INTEGER, wait_child INTEGER,
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  parent_id INTEGER,
  chain TEXT NOT NULL DEFAULT '[]',
  started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER,
  revision INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workflow_instances_guard ON workflow_instances(workflow, customer_id, state);
CREATE INDEX workflow_instances_customer ON workflow_instances(customer_id);
CREATE INDEX workflow_instances_event ON workflow_instances(wait_event, state);
CREATE INDEX workflow_instances_state ON workflow_instances(state);
CREATE TABLE workflow_history (
  id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  position TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX workflow_history_instance ON workflow_history(instance_id, id);
)sql"},
      // One active instance per (workflow, customer) unless the definition
      // allows parallel ones, held by the database itself: of two processes
      // starting the same workflow for one customer, the second INSERT
      // fails. `single` is set on the instances the guard covers (its
      // definition's allow_parallel is false). Active instances already
      // stored get it too, except the newer ones of a pair a race left
      // before this index existed (they run on, unguarded).
      {2, "one active instance per workflow and customer, as a unique index", R"sql(
ALTER TABLE workflow_instances ADD COLUMN single INTEGER NOT NULL DEFAULT 0;
UPDATE workflow_instances SET single = 1
 WHERE state IN ('running', 'waiting', 'retrying') AND customer_id IS NOT NULL
   AND NOT COALESCE((SELECT json_extract(d.definition, '$.allow_parallel')
                       FROM workflow_definitions d
                      WHERE d.name = workflow_instances.workflow
                        AND d.version = workflow_instances.version), 0)
   AND id = (SELECT MIN(o.id) FROM workflow_instances o
              WHERE o.workflow = workflow_instances.workflow
                AND o.customer_id = workflow_instances.customer_id
                AND o.state IN ('running', 'waiting', 'retrying'));
CREATE UNIQUE INDEX workflow_instances_one_active ON workflow_instances(workflow, customer_id)
 WHERE single = 1 AND state IN ('running', 'waiting', 'retrying');
)sql"},
  };
}

void WorkflowStore::save_definition(const std::string& name, int version, const Json& definition,
                                    TimePoint at) {
  db_.execute(
      "INSERT INTO workflow_definitions (name, version, definition, installed_at) VALUES (?,?,?,?)",
      {name, std::int64_t{version}, definition.dump(), to_unix(at)});
}

std::optional<Json> WorkflowStore::load_definition(const std::string& name, int version) {
  const auto rows =
      db_.query("SELECT definition FROM workflow_definitions WHERE name = ? AND version = ?",
                {name, std::int64_t{version}});
  if (rows.empty()) return std::nullopt;
  return parse_stored_json(rows[0].text(0), "workflow_definitions.definition", version);
}

int WorkflowStore::latest_version(const std::string& name) {
  const auto rows =
      db_.query("SELECT MAX(version) FROM workflow_definitions WHERE name = ?", {name});
  return rows.empty() || rows[0].is_null(0) ? 0 : static_cast<int>(rows[0].integer(0));
}

std::vector<std::pair<std::string, int>> WorkflowStore::installed() {
  std::vector<std::pair<std::string, int>> out;
  db_.query_each(
      "SELECT name, version FROM workflow_installed ORDER BY name", {},
      [&](const SqlRow& r) { out.emplace_back(r.text(0), static_cast<int>(r.integer(1))); });
  return out;
}

void WorkflowStore::set_installed(const std::string& name, int version) {
  db_.execute(
      "INSERT INTO workflow_installed (name, version) VALUES (?, ?) "
      "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
      {name, std::int64_t{version}});
}

bool WorkflowStore::remove_installed(const std::string& name) {
  db_.execute("DELETE FROM workflow_installed WHERE name = ?", {name});
  return db_.changes() > 0;
}

namespace {

SqlValue optional_id(const std::optional<std::int64_t>& v) {
  return v ? SqlValue{*v} : SqlValue{nullptr};
}

std::vector<SqlValue> state_params(const WorkflowInstance& i) {
  SqlValue wait_event = nullptr, wait_task = nullptr, wait_child = nullptr;
  if (const auto* w = std::get_if<EventWait>(&i.wait)) wait_event = w->event;
  if (const auto* w = std::get_if<TaskWait>(&i.wait)) wait_task = w->task;
  if (const auto* w = std::get_if<ChildWait>(&i.wait)) wait_child = w->child;
  const auto timer = wait_timer(i.wait);
  const bool waiting = !std::holds_alternative<std::monostate>(i.wait);
  return {to_string(i.state),
          i.position,
          i.variables.dump(),
          waiting ? SqlValue{to_json(i.wait).dump()} : SqlValue{nullptr},
          wait_event,
          wait_task,
          timer ? SqlValue{*timer} : SqlValue{nullptr},
          wait_child,
          i.error,
          std::int64_t{i.attempts},
          to_unix(i.updated_at),
          i.ended_at ? SqlValue{to_unix(*i.ended_at)} : SqlValue{nullptr}};
}

// A stored row's state or wait that does not parse is a broken database.
template <class F>
auto stored(F parse, const char* column, InstanceId id) {
  try {
    return parse();
  } catch (const InvalidInput& e) {
    throw StoreError(std::string("workflow_instances.") + column + " of instance " +
                     std::to_string(id) + ": " + e.what());
  }
}

}  // namespace

InstanceId WorkflowStore::insert(const WorkflowInstance& i, bool single) {
  std::vector<SqlValue> params = {i.workflow,
                                  std::int64_t{i.version},
                                  optional_id(i.customer_id),
                                  optional_id(i.parent_id),
                                  Json(i.chain).dump(),
                                  to_unix(i.started_at),
                                  std::int64_t{single ? 1 : 0}};
  const auto state = state_params(i);
  params.insert(params.end(), state.begin(), state.end());
  try {
    db_.execute(
        "INSERT INTO workflow_instances (workflow, version, customer_id, parent_id, chain, "
        "started_at, single, state, position, variables, wait, wait_event, wait_task, "
        "wait_timer, wait_child, error, attempts, updated_at, ended_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        params);
  } catch (const StoreError& e) {
    if (single && std::string_view(e.what()).find("UNIQUE") != std::string_view::npos) {
      throw Conflict("workflow '" + i.workflow + "' already has an active instance for customer " +
                     (i.customer_id ? std::to_string(*i.customer_id) : std::string("(none)")) +
                     ": another one was started at the same time");
    }
    throw;
  }
  return db_.last_insert_id();
}

void WorkflowStore::update(WorkflowInstance& i) {
  auto params = state_params(i);
  params.emplace_back(i.id);
  params.emplace_back(i.revision);
  db_.execute(
      "UPDATE workflow_instances SET state=?, position=?, variables=?, wait=?, wait_event=?, "
      "wait_task=?, wait_timer=?, wait_child=?, error=?, attempts=?, updated_at=?, ended_at=?, "
      "revision=revision+1 WHERE id=? AND revision=?",
      params);
  if (db_.changes() == 0) {
    throw InstanceMoved("workflow instance " + std::to_string(i.id) + " was advanced elsewhere");
  }
  ++i.revision;
}

std::vector<WorkflowInstance> WorkflowStore::select(const std::string& where_and_order,
                                                    const std::vector<SqlValue>& params) {
  std::vector<WorkflowInstance> out;
  db_.query_each(
      "SELECT id, workflow, version, customer_id, state, position, variables, wait, error, "
      "attempts, parent_id, chain, started_at, updated_at, ended_at, revision "
      "FROM workflow_instances "
      "WHERE " +
          where_and_order,
      params, [&](const SqlRow& r) {
        WorkflowInstance i;
        i.id = r.integer(0);
        i.workflow = r.text(1);
        i.version = static_cast<int>(r.integer(2));
        if (!r.is_null(3)) i.customer_id = r.integer(3);
        i.state = stored([&] { return parse_instance_state(r.text(4)); }, "state", i.id);
        i.position = r.text(5);
        i.variables = parse_stored_json(r.text(6), "workflow_instances.variables", i.id);
        if (!r.is_null(7)) {
          const Json wait = parse_stored_json(r.text(7), "workflow_instances.wait", i.id);
          i.wait = stored([&] { return wait_from_json(wait); }, "wait", i.id);
        }
        i.error = r.text(8);
        i.attempts = static_cast<int>(r.integer(9));
        if (!r.is_null(10)) i.parent_id = r.integer(10);
        i.chain = parse_stored_json(r.text(11), "workflow_instances.chain", i.id)
                      .get<std::vector<std::string>>();
        i.started_at = from_unix(r.integer(12));
        i.updated_at = from_unix(r.integer(13));
        if (!r.is_null(14)) i.ended_at = from_unix(r.integer(14));
        i.revision = r.integer(15);
        out.push_back(std::move(i));
      });
  return out;
}

std::optional<WorkflowInstance> WorkflowStore::find(InstanceId id) {
  auto v = select("id = ?", {id});
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

std::vector<WorkflowInstance> WorkflowStore::query(const InstanceQuery& q) {
  std::string where = "1=1";
  std::vector<SqlValue> params;
  if (q.customer_id) {
    where += " AND customer_id = ?";
    params.emplace_back(*q.customer_id);
  }
  if (q.workflow) {
    where += " AND workflow = ?";
    params.emplace_back(*q.workflow);
  }
  if (q.state) {
    where += " AND state = ?";
    params.emplace_back(to_string(*q.state));
  }
  where += " ORDER BY id DESC";
  if (q.limit >= 0) where += " LIMIT " + std::to_string(q.limit);
  return select(where, params);
}

bool WorkflowStore::has_active(const std::string& workflow, CustomerId customer) {
  return !db_.query(
                 "SELECT 1 FROM workflow_instances WHERE workflow = ? AND customer_id = ? AND "
                 "state IN ('running', 'waiting', 'retrying') LIMIT 1",
                 {workflow, customer})
              .empty();
}

std::vector<InstanceId> WorkflowStore::waiting_for_event(const std::string& type,
                                                         std::optional<CustomerId> customer) {
  std::vector<InstanceId> out;
  const auto collect = [&](const SqlRow& r) { out.push_back(r.integer(0)); };
  if (customer) {
    db_.query_each(
        "SELECT id FROM workflow_instances WHERE wait_event = ? AND state = 'waiting' AND "
        "(customer_id = ? OR customer_id IS NULL) ORDER BY id",
        {type, *customer}, collect);
  } else {
    db_.query_each(
        "SELECT id FROM workflow_instances WHERE wait_event = ? AND state = 'waiting' AND "
        "customer_id IS NULL ORDER BY id",
        {type}, collect);
  }
  return out;
}

std::vector<std::string> WorkflowStore::waited_event_types() {
  std::vector<std::string> out;
  db_.query_each(
      "SELECT DISTINCT wait_event FROM workflow_instances WHERE state = 'waiting' AND "
      "wait_event IS NOT NULL",
      {}, [&](const SqlRow& r) { out.push_back(r.text(0)); });
  return out;
}

void WorkflowStore::move_customer(CustomerId from, CustomerId to) {
  // Both customers may have an active instance of one workflow: the merged
  // one's leaves the unique guard (and runs on), as it did before merging.
  db_.execute(
      "UPDATE workflow_instances SET single = 0 WHERE customer_id = ? AND single = 1 AND "
      "state IN ('running', 'waiting', 'retrying') AND EXISTS (SELECT 1 FROM workflow_instances o "
      "WHERE o.workflow = workflow_instances.workflow AND o.customer_id = ? AND o.single = 1 AND "
      "o.state IN ('running', 'waiting', 'retrying'))",
      {from, to});
  db_.execute("UPDATE workflow_instances SET customer_id = ? WHERE customer_id = ?", {to, from});
}

std::vector<InstanceId> WorkflowStore::running(TimePoint before, TimePoint after) {
  std::vector<InstanceId> out;
  db_.query_each(
      "SELECT id FROM workflow_instances WHERE state = 'running' AND "
      "(updated_at < ? OR updated_at > ?) ORDER BY id",
      {to_unix(before), to_unix(after)}, [&](const SqlRow& r) { out.push_back(r.integer(0)); });
  return out;
}

void WorkflowStore::check_revision(InstanceId id, std::int64_t revision) {
  const auto rows = db_.query("SELECT revision FROM workflow_instances WHERE id = ?", {id});
  if (rows.empty() || rows[0].integer(0) != revision) {
    throw InstanceMoved("workflow instance " + std::to_string(id) + " was advanced elsewhere");
  }
}

std::vector<std::pair<InstanceId, std::int64_t>> WorkflowStore::pairs(std::string_view sql) {
  std::vector<std::pair<InstanceId, std::int64_t>> out;
  db_.query_each(sql, {}, [&](const SqlRow& r) { out.emplace_back(r.integer(0), r.integer(1)); });
  return out;
}

std::vector<std::pair<InstanceId, std::int64_t>> WorkflowStore::fired_timer_waits() {
  return pairs(
      "SELECT i.id, t.id FROM workflow_instances i JOIN timers t ON t.id = i.wait_timer "
      "WHERE i.state IN ('waiting', 'retrying') AND t.status IN ('fired', 'failed') "
      "ORDER BY t.due_at, i.id");
}

std::vector<std::pair<InstanceId, std::int64_t>> WorkflowStore::done_task_waits() {
  return pairs(
      "SELECT i.id, t.id FROM workflow_instances i JOIN tasks t ON t.id = i.wait_task "
      "WHERE i.state = 'waiting' AND t.status IN ('done', 'cancelled') ORDER BY i.id");
}

std::vector<std::pair<InstanceId, std::int64_t>> WorkflowStore::ended_child_waits() {
  return pairs(
      "SELECT i.id, c.id FROM workflow_instances i JOIN workflow_instances c "
      "ON c.id = i.wait_child WHERE i.state = 'waiting' AND "
      "c.state IN ('completed', 'failed', 'cancelled') ORDER BY i.id");
}

std::vector<std::pair<InstanceId, std::string>> WorkflowStore::plugin_waits() {
  // No column of its own: such waits are rare, and the state index narrows
  // the scan to waiting instances.
  std::vector<std::pair<InstanceId, std::string>> out;
  db_.query_each(
      "SELECT id, json_extract(wait, '$.action') FROM workflow_instances "
      "WHERE state = 'waiting' AND json_extract(wait, '$.kind') = 'plugin' ORDER BY id",
      {}, [&](const SqlRow& r) { out.emplace_back(r.integer(0), r.text(1)); });
  return out;
}

void WorkflowStore::add_history(const StepRecord& r) {
  db_.execute(
      "INSERT INTO workflow_history (instance_id, at, position, type, outcome, detail) "
      "VALUES (?,?,?,?,?,?)",
      {r.instance_id, to_unix(r.at), r.position, r.type, r.outcome, r.detail.dump()});
}

std::vector<StepRecord> WorkflowStore::history(InstanceId id) {
  std::vector<StepRecord> out;
  db_.query_each(
      "SELECT instance_id, at, position, type, outcome, detail, id FROM workflow_history "
      "WHERE instance_id = ? ORDER BY id",
      {id}, [&](const SqlRow& r) {
        out.push_back({r.integer(0), from_unix(r.integer(1)), r.text(2), r.text(3), r.text(4),
                       parse_stored_json(r.text(5), "workflow_history.detail", r.integer(6))});
      });
  return out;
}

}  // namespace crm::core

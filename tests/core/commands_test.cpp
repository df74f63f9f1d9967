// The kernel's own commands, run through the command registry.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm::CommandInput;
using crm::CommandOutput;
using crm::Json;
using crm_test::kStart;

class CommandsTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();

  CommandOutput run(const std::vector<std::string>& path, std::vector<std::string> positionals = {},
                    std::map<std::string, std::string> options = {}) {
    CommandInput in;
    in.positionals = std::move(positionals);
    in.options = std::move(options);
    in.actor = crm::Actor::user("cli-test");
    return k->commands().run(path, in);
  }
  void advance(int s) { k->simulated_clock()->advance(crm::Seconds{s}); }
  crm::CustomerId add(std::string name, std::string email = "", std::string owner = "") {
    crm::Customer c = crm_test::customer(std::move(name), std::move(email));
    c.owner = std::move(owner);
    return store.customers().add(c, crm::Actor::user("setup"));
  }
  crm::TaskId add_task(std::optional<crm::CustomerId> c, std::string title, std::string owner) {
    crm::Task t;
    t.customer_id = c;
    t.title = std::move(title);
    t.owner = std::move(owner);
    return store.tasks().add(t, crm::Actor::user("setup"));
  }
};

TEST_F(CommandsTest, KernelCommandsAreRegistered) {
  std::vector<std::string> paths;
  for (const auto& spec : k->commands().list()) {
    std::string p;
    for (const auto& w : spec.path) p += (p.empty() ? "" : " ") + w;
    paths.push_back(p);
  }
  for (const char* want : {"customers show", "customers merge", "customers reassign",
                           "customers duplicates", "customers list", "import customers",
                           "import interactions", "tasks list", "tasks complete", "run-due"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), want), paths.end()) << want;
  }
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
}

TEST_F(CommandsTest, UnknownCommandPathIsNotFound) {
  try {
    run({"customers", "explode"});
    ADD_FAILURE() << "no exception";
  } catch (const crm::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("customers explode"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run({"nope"}), crm::NotFound);
}

TEST_F(CommandsTest, CustomersShowHasTheCustomerAndATimeOrderedTimeline) {
  const auto id = add("Ann", "ann@example.com");  // audit at T0
  advance(10);
  crm::Interaction i;
  i.customer_id = id;
  i.kind = "purchase";
  i.channel = "store";
  i.amount = crm::Money::parse("20 USD");
  i.occurred_at = crm::parse_time("2025-12-01T12:00:00Z");  // before everything else
  i.commitments = {"deliver Friday", "gift wrap"};
  store.interactions().record(i, crm::Actor::user("dora"));  // audit at T0+10
  advance(10);
  const auto t = add_task(id, "call back", "bob");  // task and audit at T0+20
  advance(10);
  store.tasks().complete(t, crm::Actor::user("bob"));  // audit at T0+30
  add("Someone else");

  const CommandOutput out = run({"customers", "show"}, {std::to_string(id)});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.data["customer"]["id"], id);
  EXPECT_EQ(out.data["customer"]["name"], "Ann");
  const Json& tl = out.data["timeline"];
  ASSERT_EQ(tl.size(), 6u) << tl.dump(2);
  std::vector<std::string> kinds;
  for (const auto& e : tl) {
    std::string what = e["type"].get<std::string>();
    if (what == "audit") what += ":" + e["action"].get<std::string>();
    kinds.push_back(what);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"interaction", "audit:customer.create",
                                             "audit:interaction.record", "task",
                                             "audit:task.create", "audit:task.complete"}));
  EXPECT_EQ(tl[0]["commitments"], (Json{"deliver Friday", "gift wrap"}));
  EXPECT_EQ(tl[0]["occurred_at"], "2025-12-01T12:00:00Z");
  EXPECT_EQ(tl[0]["amount"], "20.00 USD");
  EXPECT_EQ(tl[2]["actor"], "user:dora");
  EXPECT_EQ(tl[3]["title"], "call back");
  EXPECT_EQ(tl[3]["status"], "done");
  EXPECT_EQ(tl[5]["time"], crm::format_time(kStart + crm::Seconds{30}));
  EXPECT_NE(out.text.find("promised: deliver Friday; gift wrap"), std::string::npos) << out.text;
}

TEST_F(CommandsTest, CustomersShowUnknownOrBadIdThrows) {
  EXPECT_THROW(run({"customers", "show"}, {"77"}), crm::NotFound);
  EXPECT_THROW(run({"customers", "show"}, {"abc"}), crm::InvalidInput);
  EXPECT_THROW(run({"customers", "show"}, {"-3"}), crm::InvalidInput);
}

TEST_F(CommandsTest, CustomersMergeMovesHistoryAndDeletesOther) {
  const auto keep = add("Keep", "same@example.com");
  const auto other = add("Other", "SAME@example.com");
  add_task(other, "t", "bob");
  const CommandOutput out =
      run({"customers", "merge"}, {std::to_string(keep), std::to_string(other)});
  EXPECT_EQ(out.data, (Json{{"kept", keep}, {"merged", other}}));
  EXPECT_FALSE(store.customers().find(other).has_value());
  crm::TaskQuery q;
  q.customer_id = keep;
  EXPECT_EQ(store.tasks().list(q).size(), 1u);
  EXPECT_EQ(store.audit().of_customer(keep).back().actor, "user:cli-test");
  EXPECT_THROW(run({"customers", "merge"}, {std::to_string(keep), std::to_string(keep)}),
               crm::InvalidInput);
  EXPECT_THROW(run({"customers", "merge"}, {std::to_string(keep), std::to_string(other)}),
               crm::NotFound);
}

TEST_F(CommandsTest, CustomersReassignReportsWhatMoved) {
  const auto a = add("A", "", "olga");
  add("B", "", "olga");
  add("C", "", "paul");
  add_task(a, "open", "olga");
  const CommandOutput out = run({"customers", "reassign"}, {}, {{"from", "olga"}, {"to", "quinn"}});
  EXPECT_EQ(out.data,
            (Json{{"from", "olga"}, {"to", "quinn"}, {"customers", 2}, {"open_tasks", 1}}));
  crm::CustomerQuery q;
  q.owner = "quinn";
  EXPECT_EQ(store.customers().list(q).size(), 2u);
  EXPECT_THROW(run({"customers", "reassign"}, {}, {{"from", "olga"}, {"to", "quinn"}}),
               crm::NotFound);
}

TEST_F(CommandsTest, CustomersDuplicatesListsGroups) {
  const auto a = add("A", "x@example.com");
  const auto b = add("B", " X@EXAMPLE.com");
  add("C", "y@example.com");
  const CommandOutput out = run({"customers", "duplicates"});
  EXPECT_EQ(out.data,
            (Json::array({{{"reason", "email"}, {"value", "x@example.com"}, {"ids", {a, b}}}})));
  store.customers().merge(a, b, crm::Actor::system());
  EXPECT_EQ(run({"customers", "duplicates"}).data, Json::array());
}

TEST_F(CommandsTest, ImportCustomersReportsAndCommits) {
  const auto dir = crm_test::scratch_dir("cmd_import_ok");
  const auto f = crm_test::write_file(dir / "c.csv", "external_id,name\nA1,Ann\nA2,\n");
  const CommandOutput out = run({"import", "customers"}, {f.string()});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.data["inserted"], 1);
  EXPECT_EQ(out.data["skipped"], 1);
  EXPECT_EQ(out.data["committed"], true);
  EXPECT_EQ(out.data["errors"][0]["line"], 3);
  EXPECT_NE(out.text.find(f.string() + ":3: "), std::string::npos) << out.text;
  EXPECT_EQ(store.customers().count(), 1);
  EXPECT_EQ(store.audit().recent(1).at(0).actor, "user:cli-test");
}

TEST_F(CommandsTest, ImportCustomersWithEveryRowBadExitsOne) {
  const auto dir = crm_test::scratch_dir("cmd_import_bad");
  const auto f = crm_test::write_file(dir / "c.csv", "external_id,name\nX,\nY,\n");
  const CommandOutput out = run({"import", "customers"}, {f.string()});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.data["read"], 2);
  EXPECT_EQ(out.data["inserted"], 0);
  EXPECT_EQ(out.data["skipped"], 2);
  EXPECT_EQ(store.customers().count(), 0);

  const CommandOutput strict = run({"import", "customers"}, {f.string()}, {{"strict", "true"}});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(strict.data["committed"], false);
  EXPECT_NE(strict.text.find("nothing written"), std::string::npos) << strict.text;
  EXPECT_EQ(store.customers().count(), 0);
}

TEST_F(CommandsTest, ImportCustomersDryRunAndModes) {
  const auto dir = crm_test::scratch_dir("cmd_import_modes");
  const auto f = crm_test::write_file(dir / "c.csv", "external_id,name\nA1,Ann\n");
  const CommandOutput dry = run({"import", "customers"}, {f.string()}, {{"dry-run", "true"}});
  EXPECT_EQ(dry.exit_code, 0);
  EXPECT_EQ(dry.data["inserted"], 1);
  EXPECT_EQ(dry.data["committed"], false);
  EXPECT_EQ(store.customers().count(), 0);
  EXPECT_THROW(run({"import", "customers"}, {f.string()}, {{"mode", "replace"}}),
               crm::InvalidInput);
  const auto u = crm_test::write_file(dir / "u.csv", "external_id,name\nA1,Ann Updated\n");
  run({"import", "customers"}, {f.string()});
  const CommandOutput up = run({"import", "customers"}, {u.string()}, {{"mode", "update"}});
  EXPECT_EQ(up.data["updated"], 1);
  EXPECT_EQ(store.customers().find_by(crm::MatchKey::kExternalId, "A1")->name, "Ann Updated");
}

TEST_F(CommandsTest, TasksListAndComplete) {
  const auto c = add("Ann");
  const auto t1 = add_task(c, "first", "bob");
  const auto t2 = add_task(std::nullopt, "second", "eve");
  CommandOutput out = run({"tasks", "list"});
  ASSERT_EQ(out.data.size(), 2u);
  EXPECT_EQ(out.data[0]["id"], t1);
  EXPECT_EQ(out.data[0]["customer_id"], c);
  EXPECT_EQ(out.data[1]["customer_id"], nullptr);
  out = run({"tasks", "list"}, {}, {{"owner", "eve"}});
  ASSERT_EQ(out.data.size(), 1u);
  EXPECT_EQ(out.data[0]["id"], t2);

  out = run({"tasks", "complete"}, {std::to_string(t1)});
  EXPECT_EQ(out.data, (Json{{"id", t1}, {"status", "done"}}));
  EXPECT_EQ(store.tasks().find(t1)->status, crm::Task::Status::kDone);
  EXPECT_EQ(run({"tasks", "list"}).data.size(), 1u);  // open ones by default
  out = run({"tasks", "list"}, {}, {{"status", "done"}});
  ASSERT_EQ(out.data.size(), 1u);
  EXPECT_EQ(out.data[0]["id"], t1);
  EXPECT_EQ(run({"tasks", "list"}, {}, {{"status", "all"}}).data.size(), 2u);
  EXPECT_THROW(run({"tasks", "complete"}, {std::to_string(t1)}), crm::InvalidInput);
  EXPECT_THROW(run({"tasks", "complete"}, {"999"}), crm::NotFound);
}

TEST_F(CommandsTest, TasksListOverdueUsesTheKernelClock) {
  crm::Task t;
  t.title = "due soon";
  t.owner = "bob";
  t.due_at = kStart + crm::Seconds{3600};
  const auto id = store.tasks().add(t, crm::Actor::system());
  EXPECT_TRUE(run({"tasks", "list"}, {}, {{"overdue", "true"}}).data.empty());
  advance(7200);
  const auto out = run({"tasks", "list"}, {}, {{"overdue", "true"}});
  ASSERT_EQ(out.data.size(), 1u);
  EXPECT_EQ(out.data[0]["id"], id);
}

TEST_F(CommandsTest, RunDueWithNowMovesTheSimulatedClock) {
  int fired = 0;
  crm::TimePoint seen{};
  k->scheduler().on("ping", [&](const crm::Timer&) {
    ++fired;
    seen = k->clock().now();
  });
  k->scheduler().schedule(crm::parse_time("2026-01-10"), "ping", {});
  k->scheduler().schedule(crm::parse_time("2026-03-01"), "ping", {});

  CommandOutput out = run({"run-due"}, {}, {{"now", "2026-02-01T00:00:00Z"}});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.data, (Json{{"now", "2026-02-01T00:00:00Z"},
                            {"recovered", 0},
                            {"fired", 1},
                            {"failed", 0},
                            {"unhandled", 0}}));
  EXPECT_EQ(fired, 1);
  // The handler ran at the timer's due time, the run ends at --now.
  EXPECT_EQ(seen, crm::parse_time("2026-01-10"));
  EXPECT_EQ(k->clock().now(), crm::parse_time("2026-02-01"));

  // Without --now it runs at the clock's time; an earlier --now does not
  // move the clock back.
  out = run({"run-due"});
  EXPECT_EQ(out.data["fired"], 0);
  out = run({"run-due"}, {}, {{"now", "2026-01-15"}});
  EXPECT_EQ(k->clock().now(), crm::parse_time("2026-02-01"));
}

TEST_F(CommandsTest, RunDueWithAFailingTimerExitsOne) {
  k->scheduler().on("bad", [](const crm::Timer&) { throw std::runtime_error("nope"); });
  k->scheduler().schedule(kStart, "bad", {});
  const CommandOutput out = run({"run-due"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.data["failed"], 1);
}

TEST_F(CommandsTest, InteractionsAddRecordsWithCommitment) {
  const auto c = add("Ann");
  const CommandOutput out = run({"interactions", "add"}, {},
                                {{"customer", std::to_string(c)},
                                 {"channel", "phone"},
                                 {"kind", "call"},
                                 {"amount", "5.5"},
                                 {"commitment", "call back"},
                                 {"at", "2025-12-31T23:00:00Z"}});
  const auto i = store.interactions().find(out.data["id"].get<crm::InteractionId>());
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(i->customer_id, c);
  EXPECT_EQ(i->commitments, (std::vector<std::string>{"call back"}));
  EXPECT_EQ(i->occurred_at, crm::parse_time("2025-12-31T23:00:00Z"));
  EXPECT_EQ(i->amount, crm::Money::parse("5.50 USD"));  // the default currency
}

}  // namespace

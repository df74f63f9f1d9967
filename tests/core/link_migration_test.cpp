// The kernel migration that turns the "case:17" strings of interactions and
// tasks into typed links, on a database written by the schema before it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../core/src/kernel_schema.hpp"
#include "../../core/src/sqlite_database.hpp"
#include "test_support.hpp"

namespace {

using crm::EntityRef;

TEST(LinkMigration, StringLinksBecomeTypedAndOtherTextIsKept) {
  const auto dir = crm_test::scratch_dir("link_migration");
  const std::string path = (dir / "old.db").string();
  {
    // A database of kernel schema v1: the string columns, no link tables.
    crm::core::SqliteDatabase db(path);
    ASSERT_EQ(db.migrate("kernel", {crm::core::kernel_migrations(crm::Currency::of("USD")).at(0)}),
              1);
    db.execute("INSERT INTO customers (name, created_at, updated_at) VALUES ('Ann', 0, 0)");
    const std::int64_t ann = db.last_insert_id();
    const std::vector<std::string> case_ids = {"case:7", "12",     "ticket 5",
                                               "",       "case:x", "product:3"};
    for (const std::string& v : case_ids) {
      db.execute(
          "INSERT INTO interactions (customer_id, channel, kind, direction, occurred_at, "
          "case_id, created_at) VALUES (?, 'phone', 'call', 'inbound', 0, ?, 0)",
          {ann, v});
    }
    db.execute(
        "INSERT INTO interactions (customer_id, channel, kind, direction, occurred_at, "
        "created_at) VALUES (?, 'phone', 'call', 'inbound', 0, 0)",
        {ann});
    for (const char* link : {"workflow:3", "case:17", "see e-mail"}) {
      db.execute("INSERT INTO tasks (title, status, link, created_at) VALUES ('t', 'open', ?, 0)",
                 {std::string(link)});
    }
  }
  auto k = crm_test::make_kernel(path);
  const auto all = k->store().interactions().list({});
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0].links, (std::vector<EntityRef>{{"case", 7}}));
  EXPECT_EQ(all[1].links, (std::vector<EntityRef>{{"case", 12}}));
  EXPECT_TRUE(all[2].links.empty());
  EXPECT_EQ(all[2].payload, (crm::Json{{"legacy_case_id", "ticket 5"}}));
  EXPECT_TRUE(all[3].links.empty());
  EXPECT_EQ(all[3].payload, crm::Json::object());  // empty: nothing to keep
  EXPECT_TRUE(all[4].links.empty());
  EXPECT_EQ(all[4].payload, (crm::Json{{"legacy_case_id", "case:x"}}));
  EXPECT_EQ(all[5].links, (std::vector<EntityRef>{{"product", 3}}));
  EXPECT_TRUE(all[6].links.empty());
  EXPECT_EQ(all[6].payload, crm::Json::object());

  crm::TaskQuery q;
  const auto tasks = k->store().tasks().list(q);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].link, (EntityRef{"workflow", 3}));
  EXPECT_EQ(tasks[1].link, (EntityRef{"case", 17}));
  EXPECT_FALSE(tasks[2].link);
  EXPECT_EQ(tasks[2].title, "t [see e-mail]");
}

}  // namespace

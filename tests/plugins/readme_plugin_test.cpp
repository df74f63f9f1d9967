// The plugin printed in README.md does what the README says.
#include <gtest/gtest.h>

#include "crm/kernel.hpp"

TEST(ReadmePlugin, ComplaintOpensACaseWithACallBackTaskDueIn24Hours) {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {CRM_EXAMPLE_PLUGIN_DIR};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.simulated_start = crm::parse_time("2026-03-02T09:00:00Z");
  crm::Kernel k(o);
  ASSERT_EQ(k.plugins().at(0).status, "started") << k.plugins().at(0).error;

  crm::Customer c;
  c.name = "Ada";
  c.owner = "bob";
  const auto id = k.store().customers().add(c, crm::Actor::user("t"));
  crm::Interaction call;
  call.customer_id = id;
  call.channel = "phone";
  call.kind = "call";
  k.store().interactions().record(call, crm::Actor::user("t"));
  EXPECT_TRUE(k.store().tasks().list({}).empty());  // not a complaint
  EXPECT_TRUE(k.store().cases().list({}).empty());

  crm::Interaction complaint = call;
  complaint.kind = "complaint";
  const auto complaint_id = k.store().interactions().record(complaint, crm::Actor::user("t"));
  const auto cases = k.store().cases().list({});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].type, crm::Case::Type::kComplaint);
  EXPECT_EQ(cases[0].status, crm::Case::Status::kOpen);
  EXPECT_EQ(cases[0].owner, "bob");
  EXPECT_EQ(cases[0].channel, "phone");
  EXPECT_EQ(cases[0].subject, "Complaint by phone");
  EXPECT_EQ(cases[0].interactions, (std::vector<crm::InteractionId>{complaint_id}));
  const auto tasks = k.store().tasks().list({});
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].owner, "bob");
  EXPECT_EQ(tasks[0].customer_id, id);
  EXPECT_EQ(crm::format_time(*tasks[0].due_at), "2026-03-03T09:00:00Z");
  EXPECT_EQ(tasks[0].link, (crm::EntityRef{"case", cases[0].id}));
  EXPECT_EQ(cases[0].tasks, (std::vector<crm::TaskId>{tasks[0].id}));
  // The task was written by the plugin, and the audit log says so.
  const auto audit = k.store().audit().of_customer(id);
  EXPECT_EQ(audit.back().action, "task.create");
  EXPECT_EQ(audit.back().actor, "plugin:complaint_follow_up");
  EXPECT_EQ(audit[audit.size() - 2].action, "case.open");
  EXPECT_EQ(audit[audit.size() - 2].actor, "plugin:complaint_follow_up");
}

// Loads the plugin built against the frozen API 2.0 headers
// (frozen_api_plugin.cpp) into the kernel of today and drives every kind of
// call that crosses the boundary: a command, a bus subscription, a timer
// handler, a workflow action, a store write with its audit entry, and the
// kernel's exceptions thrown from the plugin and caught by the plugin.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <typeinfo>
#include <vector>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "crm/version.hpp"

namespace {

using crm::Json;

crm::KernelOptions frozen_plugin_only() {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {FROZEN_PLUGIN_DIR};
  o.use_plugin_path_env = false;
  o.use_bundled_plugins = false;
  o.simulated_start = crm::parse_time("2026-03-01T09:00:00Z");
  return o;
}

Json run(crm::Kernel& k, std::vector<std::string> path, std::vector<std::string> positionals) {
  crm::CommandInput in;
  in.positionals = std::move(positionals);
  in.actor = crm::Actor::user("abi");
  return k.commands().run(path, in).data;
}

class FrozenPlugin : public ::testing::Test {
 protected:
  crm::Kernel k{frozen_plugin_only()};
};

TEST_F(FrozenPlugin, StartsUnderTheFrozenApiVersion) {
  ASSERT_EQ(k.plugins().size(), 1u);
  const crm::PluginRecord& rec = k.plugins().front();
  EXPECT_EQ(rec.name, "frozen_api");
  EXPECT_EQ(rec.status, "started") << rec.error;
  EXPECT_EQ(rec.api_version, std::to_string(crm::kApiMajor) + ".0");
}

TEST_F(FrozenPlugin, ACommandWritesThroughTheRepositoryAsThePlugin) {
  const Json out = run(k, {"frozen", "add"}, {"Ada Lovelace", "X1"});
  const crm::CustomerId id = out.at("id").get<crm::CustomerId>();
  const crm::Customer c = k.store().customers().get(id);
  EXPECT_EQ(c.name, "Ada Lovelace");
  EXPECT_EQ(c.external_id, "X1");
  const auto audit = k.store().audit().of_customer(id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "customer.create");
  EXPECT_EQ(audit[0].actor, "plugin:frozen_api");
}

TEST_F(FrozenPlugin, ItsSubscriptionSeesEveryCreatedCustomer) {
  const auto first = run(k, {"frozen", "add"}, {"Ada", "X1"}).at("id").get<crm::CustomerId>();
  crm::Customer c;
  c.name = "Alan";
  const crm::CustomerId second = k.store().customers().add(c, crm::Actor::user("abi"));
  EXPECT_EQ(run(k, {"frozen", "seen"}, {}), Json::array({first, second}));
}

TEST_F(FrozenPlugin, ItsWriteAndAuditEntryCommitTogether) {
  const auto id = run(k, {"frozen", "add"}, {"Ada", "X1"}).at("id").get<crm::CustomerId>();
  const Json out = run(k, {"frozen", "note"}, {std::to_string(id), "call back"});
  EXPECT_GT(out.at("note").get<std::int64_t>(), 0);
  EXPECT_EQ(run(k, {"frozen", "notes"}, {std::to_string(id)}), Json::array({"call back"}));
  const auto audit = k.store().audit().of_customer(id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "frozen_api.note");
  EXPECT_EQ(audit[1].actor, "plugin:frozen_api");
  EXPECT_EQ(audit[1].entity_id, out.at("note").get<std::int64_t>());
  EXPECT_EQ(audit[1].details, (Json{{"text", "call back"}}));
}

TEST_F(FrozenPlugin, ItsTimerHandlerFiresWhenDueAndNotBefore) {
  const auto id = run(k, {"frozen", "add"}, {"Ada", "X1"}).at("id").get<crm::CustomerId>();
  const crm::TimePoint now = k.clock().now();
  k.scheduler().schedule(now + std::chrono::hours(1), "frozen_api.note", Json{{"text", "timer"}},
                         id);
  EXPECT_EQ(k.scheduler().run_due(now + std::chrono::minutes(59)).fired, 0);
  EXPECT_EQ(run(k, {"frozen", "notes"}, {std::to_string(id)}), Json::array());
  const crm::TimerRun ran = k.scheduler().run_due(now + std::chrono::hours(1));
  EXPECT_EQ(ran.fired, 1);
  EXPECT_EQ(ran.failed, 0);
  EXPECT_EQ(ran.unhandled, 0);
  EXPECT_EQ(run(k, {"frozen", "notes"}, {std::to_string(id)}), Json::array({"timer"}));
}

TEST_F(FrozenPlugin, ItsWorkflowActionRunsWithItsDeclaredParameters) {
  const auto id = run(k, {"frozen", "add"}, {"Ada", "X1"}).at("id").get<crm::CustomerId>();
  // The declared parameter crossed the boundary: a definition without it is refused.
  EXPECT_THROW(k.workflows().install(Json{
                   {"name", "untagged"},
                   {"steps", Json::array({{{"type", "action"}, {"action", "frozen_api.tag"}}})}}),
               crm::InvalidInput);
  k.workflows().install(Json{{"name", "tag_vip"},
                             {"steps", Json::array({{{"type", "action"},
                                                     {"action", "frozen_api.tag"},
                                                     {"params", {{"tag", "vip"}}},
                                                     {"save_as", "result"}}})}});
  const crm::InstanceId inst = k.workflows().start("tag_vip", id);
  const auto done = k.workflows().instance(inst);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, crm::InstanceState::kCompleted) << done->error;
  EXPECT_EQ(done->variables.at("result"), (Json{{"tag", "vip"}, {"tags", 1}}));
  EXPECT_EQ(k.store().customers().get(id).tags, std::vector<std::string>{"vip"});
  const auto audit = k.store().audit().of_customer(id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "customer.update");
  EXPECT_EQ(audit[1].actor.rfind("workflow:tag_vip", 0), 0u) << audit[1].actor;
}

TEST_F(FrozenPlugin, TheKernelsDuplicateKeyIsCaughtByTypeInThePlugin) {
  run(k, {"frozen", "add"}, {"Ada", "X1"});
  const Json out = run(k, {"frozen", "add"}, {"Bob", "X1"});
  EXPECT_EQ(out.at("duplicate"), true);
  EXPECT_EQ(out.at("error"), "external id 'X1' is taken by another customer");
  EXPECT_EQ(k.store().customers().count(), 1);
}

// The exact class of what the plugin threw, caught in the host. The
// typeinfo is compared by address: with the key functions in libcrm_core
// there is one typeinfo per class, the library's.
const std::type_info* thrown_by_plugin(crm::Kernel& k, const std::string& kind,
                                       std::string& message) {
  try {
    run(k, {"frozen", "throw"}, {kind});
  } catch (const crm::Error& e) {
    message = e.what();
    return &typeid(e);
  }
  return nullptr;
}

TEST_F(FrozenPlugin, ExceptionsFromThePluginKeepTheirKind) {
  const std::vector<std::pair<std::string, const std::type_info*>> kinds = {
      {"not_found", &typeid(crm::NotFound)}, {"invalid_input", &typeid(crm::InvalidInput)},
      {"store", &typeid(crm::StoreError)},   {"duplicate_key", &typeid(crm::DuplicateKey)},
      {"conflict", &typeid(crm::Conflict)},  {"plugin", &typeid(crm::PluginError)},
      {"anything else", &typeid(crm::Error)}};
  for (const auto& [kind, type] : kinds) {
    std::string message;
    const std::type_info* got = thrown_by_plugin(k, kind, message);
    ASSERT_NE(got, nullptr) << kind;
    EXPECT_EQ(got, type) << kind << ": " << got->name() << " is not " << type->name();
    EXPECT_EQ(message, kind + " thrown by the frozen_api plugin");
  }
  // And a handler up the hierarchy catches them as the SDK says.
  EXPECT_THROW(run(k, {"frozen", "throw"}, {"duplicate_key"}), crm::StoreError);
  EXPECT_THROW(run(k, {"frozen", "throw"}, {"conflict"}), crm::StoreError);
}

}  // namespace

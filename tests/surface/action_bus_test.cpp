// A subscription made inside a plugin's workflow action is the plugin's:
// named after it, pinned to its library and removed when it stops.
#include <gtest/gtest.h>

#include <filesystem>

#include "surface_support.hpp"

namespace {

const crm::Json kListen = crm::Json::parse(R"({
  "name": "listen", "trigger": {"event": "fixture.go"},
  "steps": [{"type": "action", "action": "action_listener.listen"},
            {"type": "action", "action": "action_listener.listen_failing"}]})");

std::int64_t pings(crm::Kernel& k) {
  return k.store().db().query("SELECT COUNT(*) FROM fixture_pings").at(0).integer(0);
}

TEST(ActionBus, SubscriptionFromAnActionIsRemovedWhenItsPluginStops) {
  const auto db = std::filesystem::temp_directory_path() /
                  ("surface_action_bus_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  {
    crm::Kernel k(surface::options("actions", db.string()));
    ASSERT_EQ(surface::record(k, "action_listener").status, "started")
        << surface::record(k, "action_listener").error;
    k.workflows().install(kListen);
    k.bus().publish(crm::Event{"fixture.go", {}, {}, {}});
    ASSERT_EQ(k.workflows().instances({}).at(0).state, crm::InstanceState::kCompleted)
        << k.workflows().instances({}).at(0).error;
    k.bus().publish(crm::Event{"fixture.ping", {}, {}, {}});
    EXPECT_EQ(pings(k), 1);  // the action's subscription works
    // Made through the plugin's own bus: named after the plugin.
    k.bus().publish(crm::Event{"fixture.boom", {}, {}, {}});
    const auto errors = k.bus().errors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].subscriber, "action_listener");
    EXPECT_EQ(errors[0].message, "boom handler failed");
  }  // action_listener stops, then stop_probe publishes a fixture.ping
  crm::KernelOptions plain = surface::options("none", db.string());
  plain.load_plugins = false;
  crm::Kernel after(plain);
  EXPECT_EQ(pings(after), 1);  // the ping after its stop found no subscriber
  std::filesystem::remove(db);
}

}  // namespace

namespace {

TEST(ActionBus, APluginActionSendsOnlyThroughTheCheckedWay) {
  crm::Kernel k(surface::options("actions"));
  k.workflows().install(crm::Json::parse(R"({
    "name": "mail", "trigger": {"event": "fixture.mail"},
    "steps": [{"type": "action", "action": "action_listener.send", "save_as": "sent"}]})"));
  crm::Customer ada;
  ada.name = "Ada";
  ada.consent = {{"email", false}};
  crm::Customer bo;
  bo.name = "Bo";
  const auto t = crm::Actor::user("t");
  const auto ada_id = k.store().customers().add(ada, t);
  const auto bo_id = k.store().customers().add(bo, t);
  const auto sent = [&](crm::CustomerId id) {
    const auto instance = k.workflows().start("mail", id);
    return k.workflows().instance(instance)->variables.at("sent").at("status");
  };
  EXPECT_EQ(sent(ada_id), "opted_out");
  EXPECT_EQ(sent(bo_id), "sent");
  EXPECT_EQ(sent(bo_id), "duplicate");
  crm::InteractionQuery q;
  q.customer_id = bo_id;
  EXPECT_EQ(k.store().interactions().list(q).size(), 1u);  // recorded once
}

}  // namespace

// A plugin cannot reach install/uninstall, recover, run_due or the cascade
// depth: its Context's interfaces lack them (a compile-time fact), and the
// objects behind them are not the host's interfaces either, so a cast does
// not get there at run time.
#include <gtest/gtest.h>

#include <type_traits>

#include "crm/context.hpp"
#include "crm/host_scheduler.hpp"
#include "crm/host_workflow_engine.hpp"
#include "surface_support.hpp"

namespace {

// What is checkable of the types: the plugin-side interfaces are bases of
// the host ones, never the other way round.
static_assert(std::is_base_of_v<crm::WorkflowEngine, crm::HostWorkflowEngine>);
static_assert(!std::is_base_of_v<crm::HostWorkflowEngine, crm::WorkflowEngine>);
static_assert(std::is_base_of_v<crm::Scheduler, crm::HostScheduler>);
static_assert(
    std::is_same_v<decltype(std::declval<crm::Context&>().workflows()), crm::WorkflowEngine&>);
static_assert(std::is_same_v<decltype(std::declval<crm::Context&>().scheduler()), crm::Scheduler&>);

TEST(HostReach, APluginsEngineAndSchedulerAreNotTheHostInterfaces) {
  crm::Kernel k(surface::options("services"));
  ASSERT_EQ(surface::record(k, "host_reach").status, "started");
  // Not owned: the kernel outlives the call.
  k.services().provide<crm::WorkflowEngine>(
      "host.engine", std::shared_ptr<crm::WorkflowEngine>(std::shared_ptr<void>(), &k.workflows()));
  const crm::Json reach = k.commands().run({"fixture", "reach"}, {}).data;
  EXPECT_EQ(reach.at("control"), true);
  EXPECT_EQ(reach.at("host_workflows"), false);
  EXPECT_EQ(reach.at("host_scheduler"), false);
}

}  // namespace

// Helpers of the workflow engine tests: kernels on a simulated clock, and
// short ways to add customers and look at instances, tasks and messages.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crm/event.hpp"
#include "crm/interaction.hpp"
#include "crm/kernel.hpp"
#include "crm/workflow_engine.hpp"

namespace wf_test {

using crm::Json;
using crm::Seconds;
using crm::TimePoint;
using namespace std::chrono_literals;

inline const TimePoint kStart = crm::parse_time("2026-03-02T09:00:00Z");

class CapturingLogger final : public crm::Logger {
 public:
  void write(Level level, std::string_view source, std::string_view message) override {
    if (level >= Level::kWarning)
      lines.push_back(std::string(source) + ": " + std::string(message));
  }
  std::vector<std::string> lines;
};

inline crm::KernelOptions options(const std::string& db = ":memory:", TimePoint start = kStart,
                                  std::shared_ptr<crm::Logger> logger = nullptr) {
  crm::KernelOptions o;
  o.database = db;
  o.load_plugins = false;
  o.simulated_start = start;
  o.logger = logger ? logger : std::make_shared<CapturingLogger>();
  return o;
}

inline std::string example(const std::string& name) {
  return std::string(CRM_WORKFLOW_EXAMPLES) + "/" + name;
}

inline std::string temp_db(const std::string& name) {
  std::filesystem::create_directories(CRM_TEST_TMP);
  const std::string path = std::string(CRM_TEST_TMP) + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

inline crm::CustomerId add_customer(crm::Kernel& k, const std::string& name,
                                    const std::string& email,
                                    std::map<std::string, bool> consent = {}) {
  crm::Customer c;
  c.name = name;
  c.email = email;
  c.owner = "olga";
  c.consent = std::move(consent);
  return k.store().customers().add(c, crm::Actor::user("test"));
}

inline std::vector<crm::WorkflowInstance> instances_of(crm::Kernel& k, crm::CustomerId c) {
  crm::InstanceQuery q;
  q.customer_id = c;
  return k.workflows().instances(q);
}

inline std::vector<crm::WorkflowInstance> instances_of(crm::Kernel& k,
                                                       const std::string& workflow) {
  crm::InstanceQuery q;
  q.workflow = workflow;
  return k.workflows().instances(q);
}

inline std::vector<crm::Task> tasks_of(crm::Kernel& k, crm::CustomerId c) {
  crm::TaskQuery q;
  q.customer_id = c;
  return k.store().tasks().list(q);
}

inline std::vector<crm::Interaction> messages_to(crm::Kernel& k, crm::CustomerId c) {
  crm::InteractionQuery q;
  q.customer_id = c;
  q.kind = "message";
  return k.store().interactions().list(q);
}

inline bool has_tag(crm::Kernel& k, crm::CustomerId c, const std::string& tag) {
  const auto tags = k.store().customers().get(c).tags;
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

inline crm::TimerRun run_until(crm::Kernel& k, TimePoint t) {
  k.simulated_clock()->set(t);
  return k.scheduler().run_due(t);
}

// Records a complaint by phone, which starts complaint_handling.json.
inline void open_complaint(crm::Kernel& k, crm::CustomerId c) {
  crm::Interaction i;
  i.customer_id = c;
  i.channel = "phone";
  i.kind = "complaint";
  i.notes = "broken kettle";
  i.occurred_at = k.clock().now();
  k.store().interactions().record(i, crm::Actor::user("test"));
}

inline crm::WorkflowInstance only_instance(crm::Kernel& k, crm::CustomerId c) {
  const auto all = instances_of(k, c);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? crm::WorkflowInstance{} : all.front();
}

}  // namespace wf_test

#include <crm/plugin.hpp>

// Every complaint gets a call-back task for the customer's owner, due in 24 hours.
class ComplaintFollowUp final : public crm::Plugin {
 public:
  void start(crm::Context& ctx) override {
    ctx.bus().subscribe("interaction.recorded", "complaint_follow_up", [&ctx](const crm::Event& e) {
      if (e.payload.at("kind") != "complaint") return;
      const crm::Customer c = ctx.store().customers().get(*e.customer_id);
      crm::Task t;
      t.customer_id = c.id;
      t.title = "Call back about the complaint";
      t.owner = c.owner;
      t.due_at = ctx.clock().now() + std::chrono::hours(24);
      ctx.store().tasks().add(t, ctx.actor());
    });
  }
};

CRM_PLUGIN(ComplaintFollowUp, {.name = "complaint_follow_up", .version = "1.0.0"})

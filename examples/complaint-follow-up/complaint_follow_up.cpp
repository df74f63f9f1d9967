#include <crm/plugin.hpp>

// Every complaint opens a case, with a call-back task for the customer's owner due in 24 hours.
class ComplaintFollowUp final : public crm::Plugin {
 public:
  void start(crm::Context& ctx) override {
    ctx.bus().subscribe("interaction.recorded", "complaint_follow_up", [&ctx](const crm::Event& e) {
      if (e.payload.at("kind") != "complaint") return;
      const crm::Customer c = ctx.store().customers().get(*e.customer_id);
      crm::Case k;
      k.customer_id = c.id;
      k.type = crm::Case::Type::kComplaint;
      k.channel = e.payload.at("channel").get<std::string>();
      k.subject = "Complaint by " + k.channel;
      k.owner = c.owner;
      k.interactions = {e.payload.at("interaction_id").get<crm::InteractionId>()};
      const crm::CaseId case_id = ctx.store().cases().open(k, ctx.actor());
      crm::Task t;
      t.customer_id = c.id;
      t.title = "Call back about the complaint";
      t.owner = c.owner;
      t.due_at = ctx.clock().now() + std::chrono::hours(24);
      t.link = crm::EntityRef{crm::entity_type::kCase, case_id};
      ctx.store().tasks().add(t, ctx.actor());
    });
  }
};

CRM_PLUGIN(ComplaintFollowUp, {.name = "complaint_follow_up", .version = "1.0.0"})

// CustomerRepository::set_segments: many segments in one transaction, each
// change audited and published as update() would, unchanged ones untouched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "test_support.hpp"

namespace {

class SetSegmentsTest : public ::testing::Test {
 protected:
  SetSegmentsTest() {
    crm::Customer c = crm_test::customer("Ann");
    c.segment = "Loyal";
    ann = store().customers().add(c, by);
    bob = store().customers().add(crm_test::customer("Bob"), by);
    cay = store().customers().add(crm_test::customer("Cay"), by);
    k->bus().subscribe(crm::events::kCustomerUpdated, crm_test::sub("t"),
                       [&](const crm::Event& e) { events.push_back(e); });
  }
  crm::Store& store() { return k->store(); }
  std::int64_t audit_rows(crm::CustomerId id) {
    std::int64_t n = 0;
    for (const auto& e : store().audit().of_customer(id)) n += e.action == "customer.update";
    return n;
  }
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Actor by = crm::Actor::user("rfm");
  crm::CustomerId ann = 0, bob = 0, cay = 0;
  std::vector<crm::Event> events;
};

TEST_F(SetSegmentsTest, ChangesOnlyTheDifferingSegmentsWithAuditAndEvent) {
  k->simulated_clock()->advance(std::chrono::hours(1));
  const std::vector<crm::SegmentAssignment> a = {
      {cay, "Champions"}, {ann, "Loyal"}, {bob, "At Risk"}};
  const auto changes = store().customers().set_segments(a, by);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].id, cay);
  EXPECT_EQ(changes[0].previous, "");
  EXPECT_EQ(changes[0].segment, "Champions");
  EXPECT_EQ(changes[1].id, bob);
  EXPECT_EQ(changes[1].segment, "At Risk");
  EXPECT_EQ(store().customers().get(cay).segment, "Champions");
  EXPECT_EQ(store().customers().get(bob).segment, "At Risk");
  EXPECT_EQ(store().customers().get(bob).updated_at, k->clock().now());
  EXPECT_EQ(store().customers().get(ann).updated_at, crm_test::kStart);  // unchanged: untouched
  EXPECT_EQ(audit_rows(ann), 0);
  EXPECT_EQ(audit_rows(bob), 1);
  const auto entry = store().audit().of_customer(cay).back();
  EXPECT_EQ(entry.actor, "user:rfm");
  EXPECT_EQ(entry.details, (crm::Json{{"segment", {{"old", ""}, {"new", "Champions"}}}}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].customer_id, cay);
  EXPECT_EQ(events[0].payload,
            (crm::Json{{"changes", {{"segment", {{"old", ""}, {"new", "Champions"}}}}}}));
  EXPECT_EQ(events[1].customer_id, bob);
  // Setting the same segments again changes nothing.
  EXPECT_TRUE(store().customers().set_segments(a, by).empty());
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(SetSegmentsTest, AnUnknownIdWritesNothing) {
  const std::vector<crm::SegmentAssignment> a = {{bob, "At Risk"}, {9999, "Champions"}};
  try {
    store().customers().set_segments(a, by);
    FAIL() << "an unknown id was accepted";
  } catch (const crm::NotFound& e) {
    EXPECT_EQ(std::string(e.what()), "customer 9999 not found");
  }
  EXPECT_EQ(store().customers().get(bob).segment, "");
  EXPECT_EQ(audit_rows(bob), 0);
  EXPECT_TRUE(events.empty());
}

}  // namespace

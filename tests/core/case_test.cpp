// Cases: opening, the life cycle, hand-overs, history, links of interactions
// and tasks, queries, merge, the migration of string links, JSON.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/case_repository.hpp"
#include "crm/error.hpp"
#include "crm/event.hpp"
#include "test_support.hpp"

namespace {

using crm::Actor;
using crm::Case;
using crm::CaseChange;
using crm::CaseId;
using crm::CustomerId;
using crm::EntityRef;
using S = crm::Case::Status;

class CaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();
  crm::CaseRepository& cases = store.cases();
  const Actor alice = Actor::user("alice");
  const Actor bob = Actor::user("bob");
  std::vector<crm::Event> events;

  void SetUp() override {
    for (const char* type : {crm::events::kCaseOpened, crm::events::kCaseAssigned,
                             crm::events::kCaseStatusChanged, crm::events::kCaseLinked}) {
      k->bus().subscribe(type, crm_test::sub(std::string("watch ") + type),
                         [this](const crm::Event& e) { events.push_back(e); });
    }
  }

  void advance(int seconds) { k->simulated_clock()->advance(crm::Seconds{seconds}); }
  std::int64_t count(const std::string& sql) { return store.db().query(sql).at(0).integer(0); }
  CustomerId customer(const std::string& name) {
    return store.customers().add(crm_test::customer(name), alice);
  }
  crm::InteractionId complaint(CustomerId c, std::vector<EntityRef> links = {}) {
    crm::Interaction i;
    i.customer_id = c;
    i.channel = "phone";
    i.kind = "complaint";
    i.links = std::move(links);
    return store.interactions().record(i, alice);
  }
  Case draft(CustomerId c) {
    Case x;
    x.customer_id = c;
    x.type = Case::Type::kRepairRequest;
    x.category = "kettles";
    x.subject = "Kettle does not heat";
    x.channel = "phone";
    x.priority = Case::Priority::kHigh;
    x.owner = "support";
    x.appeal_point = "replacement";
    x.attitude = Case::Attitude::kNonExpert;
    x.context = {{"serial", "K-77"}};
    return x;
  }
};

TEST_F(CaseTest, OpenStoresEveryFieldAsAnOpenCaseWithItsHistoryAuditAndEvent) {
  const CustomerId ann = customer("Ann");
  const auto call = complaint(ann);
  Case d = draft(ann);
  d.status = S::kClosed;  // ignored: a case always opens as open
  d.interactions = {call};
  advance(60);
  const CaseId id = cases.open(d, alice);
  const Case c = cases.get(id);
  EXPECT_EQ(c.customer_id, ann);
  EXPECT_EQ(c.type, Case::Type::kRepairRequest);
  EXPECT_EQ(c.category, "kettles");
  EXPECT_EQ(c.subject, "Kettle does not heat");
  EXPECT_EQ(c.channel, "phone");
  EXPECT_EQ(c.priority, Case::Priority::kHigh);
  EXPECT_EQ(c.status, S::kOpen);
  EXPECT_EQ(c.owner, "support");
  EXPECT_EQ(c.appeal_point, "replacement");
  EXPECT_EQ(c.attitude, Case::Attitude::kNonExpert);
  EXPECT_EQ(c.context, (crm::Json{{"serial", "K-77"}}));
  EXPECT_EQ(c.interactions, (std::vector<crm::InteractionId>{call}));
  EXPECT_EQ(c.opened_at, crm_test::kStart + crm::Seconds{60});
  EXPECT_EQ(c.updated_at, c.opened_at);
  EXPECT_FALSE(c.closed_at);
  // The interaction sees its case too.
  EXPECT_EQ(store.interactions().find(call)->links, (std::vector<EntityRef>{{"case", id}}));

  const auto h = cases.history(id);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, CaseChange::Kind::kOpened);
  EXPECT_EQ(h[0].to, "open");
  EXPECT_EQ(h[0].actor, "user:alice");
  const auto audit = store.audit().recent(1).at(0);
  EXPECT_EQ(audit.action, "case.open");
  EXPECT_EQ(audit.entity, "case");
  EXPECT_EQ(audit.entity_id, id);
  EXPECT_EQ(audit.customer_id, ann);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "case.opened");
  EXPECT_EQ(events[0].customer_id, ann);
  EXPECT_EQ(events[0].payload, (crm::Json{{"case_id", id},
                                          {"type", "repair_request"},
                                          {"priority", "high"},
                                          {"channel", "phone"},
                                          {"owner", "support"},
                                          {"status", "open"},
                                          {"interactions", {call}}}));
}

TEST_F(CaseTest, OpenRefusesBadInputAndWritesNothing) {
  const CustomerId ann = customer("Ann");
  const CustomerId bob_c = customer("Bob");
  const auto bobs_call = complaint(bob_c);
  Case d = draft(ann);
  d.subject = "";
  EXPECT_THROW(cases.open(d, alice), crm::InvalidInput);
  d = draft(999);
  EXPECT_THROW(cases.open(d, alice), crm::NotFound);
  d = draft(ann);
  d.interactions = {bobs_call};
  try {
    cases.open(d, alice);
    FAIL() << "an interaction of another customer was linked";
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "interaction " + std::to_string(bobs_call) +
                                         " belongs to customer " + std::to_string(bob_c) +
                                         ", not to the case's customer " + std::to_string(ann));
  }
  d.interactions = {4242};
  EXPECT_THROW(cases.open(d, alice), crm::NotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_history"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM interaction_links"), 0);
  EXPECT_TRUE(events.empty());
}

TEST(CaseLifeCycle, AllowsExactlyTheDefinedTransitions) {
  const std::vector<S> all = {S::kOpen,     S::kInProgress, S::kWaiting,
                              S::kResolved, S::kClosed,     S::kCancelled};
  // Rows: from; columns: to, in the order of `all`.
  const int allowed[6][6] = {
      {0, 1, 1, 1, 0, 1},  // open: not straight to closed
      {0, 0, 1, 1, 0, 1},  // in_progress
      {0, 1, 0, 1, 0, 1},  // waiting
      {0, 1, 0, 0, 1, 0},  // resolved: reopen or close, not cancel
      {0, 0, 0, 0, 0, 0},  // closed
      {0, 0, 0, 0, 0, 0},  // cancelled
  };
  for (std::size_t f = 0; f < all.size(); ++f) {
    std::vector<S> next;
    for (std::size_t t = 0; t < all.size(); ++t) {
      SCOPED_TRACE(to_string(all[f]) + " -> " + to_string(all[t]));
      EXPECT_EQ(crm::can_transition(all[f], all[t]), allowed[f][t] == 1);
      if (allowed[f][t]) next.push_back(all[t]);
    }
    EXPECT_EQ(crm::next_statuses(all[f]), next);
    EXPECT_EQ(crm::is_final(all[f]), next.empty());
  }
}

TEST_F(CaseTest, StatusChangesFollowTheLifeCycleAndAreRecorded) {
  const CaseId id = cases.open(draft(customer("Ann")), alice);
  advance(10);
  cases.set_status(id, S::kInProgress, "", bob);
  advance(10);
  cases.set_status(id, S::kWaiting, "asked for the receipt", bob);
  advance(10);
  cases.set_status(id, S::kInProgress, "", bob);
  advance(10);
  cases.set_status(id, S::kResolved, "replaced", bob);
  EXPECT_FALSE(cases.get(id).closed_at);  // resolved is not the end yet
  advance(10);
  cases.set_status(id, S::kClosed, "", alice);
  const Case c = cases.get(id);
  EXPECT_EQ(c.status, S::kClosed);
  EXPECT_EQ(c.closed_at, crm_test::kStart + crm::Seconds{50});
  EXPECT_EQ(c.updated_at, crm_test::kStart + crm::Seconds{50});

  std::vector<std::string> steps;
  for (const CaseChange& ch : cases.history(id)) {
    steps.push_back(to_string(ch.kind) + " " + ch.from + ">" + ch.to + " " + ch.actor + " " +
                    ch.note);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{
                       "opened >open user:alice ", "status open>in_progress user:bob ",
                       "status in_progress>waiting user:bob asked for the receipt",
                       "status waiting>in_progress user:bob ",
                       "status in_progress>resolved user:bob replaced",
                       "status resolved>closed user:alice "}));
  EXPECT_EQ(cases.history(id)[5].at, crm_test::kStart + crm::Seconds{50});
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[5].type, "case.status_changed");
  EXPECT_EQ(events[5].payload,
            (crm::Json{{"case_id", id}, {"from", "resolved"}, {"to", "closed"}}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.status'"), 5);
}

TEST_F(CaseTest, AForbiddenStepIsRefusedNamingBothStatesAndChangesNothing) {
  const CaseId id = cases.open(draft(customer("Ann")), alice);
  const auto refusal = [&](S to) {
    try {
      cases.set_status(id, to, "", bob);
    } catch (const crm::InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(S::kClosed),
            "case " + std::to_string(id) +
                " cannot go from open to closed (allowed: in_progress, waiting, resolved, "
                "cancelled)");
  EXPECT_EQ(refusal(S::kOpen), "case " + std::to_string(id) +
                                   " cannot go from open to open (allowed: in_progress, "
                                   "waiting, resolved, cancelled)");
  cases.set_status(id, S::kCancelled, "duplicate", bob);
  EXPECT_TRUE(cases.get(id).closed_at);
  EXPECT_EQ(refusal(S::kInProgress), "case " + std::to_string(id) +
                                         " cannot go from cancelled to in_progress (cancelled "
                                         "is final)");
  EXPECT_EQ(cases.history(id).size(), 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.status'"), 1);
  EXPECT_THROW(cases.set_status(77, S::kInProgress, "", bob), crm::NotFound);
}

TEST_F(CaseTest, ReopeningAResolvedCaseKeepsItOpen) {
  const CaseId id = cases.open(draft(customer("Ann")), alice);
  cases.set_status(id, S::kResolved, "", bob);
  cases.set_status(id, S::kInProgress, "still broken", bob);
  const Case c = cases.get(id);
  EXPECT_EQ(c.status, S::kInProgress);
  EXPECT_FALSE(c.closed_at);
}

TEST_F(CaseTest, AssignHandsOverWithHistoryAuditAndEvent) {
  const CustomerId ann = customer("Ann");
  const CaseId id = cases.open(draft(ann), alice);
  advance(5);
  cases.assign(id, "carol", "knows kettles", alice);
  EXPECT_EQ(cases.get(id).owner, "carol");
  const auto h = cases.history(id);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].kind, CaseChange::Kind::kAssigned);
  EXPECT_EQ(h[1].from, "support");
  EXPECT_EQ(h[1].to, "carol");
  EXPECT_EQ(h[1].note, "knows kettles");
  EXPECT_EQ(h[1].at, crm_test::kStart + crm::Seconds{5});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, "case.assigned");
  EXPECT_EQ(events[1].payload, (crm::Json{{"case_id", id}, {"from", "support"}, {"to", "carol"}}));
  const auto audit = store.audit().recent(1).at(0);
  EXPECT_EQ(audit.action, "case.assign");
  EXPECT_EQ(audit.details, (crm::Json{{"from", "support"}, {"to", "carol"}}));

  EXPECT_THROW(cases.assign(id, "carol", "", alice), crm::InvalidInput);  // already hers
  EXPECT_THROW(cases.assign(id, "", "", alice), crm::InvalidInput);
  cases.set_status(id, S::kCancelled, "", alice);
  EXPECT_THROW(cases.assign(id, "dave", "", alice), crm::InvalidInput);
  EXPECT_EQ(cases.get(id).owner, "carol");
  EXPECT_EQ(cases.history(id).size(), 3u);
}

TEST_F(CaseTest, InteractionsAndTasksLinkToTheCaseOfTheirCustomerOnly) {
  const CustomerId ann = customer("Ann");
  const CustomerId ben = customer("Ben");
  const CaseId id = cases.open(draft(ann), alice);
  const auto later = complaint(ann, {{"case", id}});
  crm::Task t;
  t.customer_id = ann;
  t.title = "Call back";
  t.link = EntityRef{"case", id};
  const auto task = store.tasks().add(t, alice);
  const Case c = cases.get(id);
  EXPECT_EQ(c.interactions, (std::vector<crm::InteractionId>{later}));
  EXPECT_EQ(c.tasks, (std::vector<crm::TaskId>{task}));
  crm::TaskQuery q;
  q.link = EntityRef{"case", id};
  ASSERT_EQ(store.tasks().list(q).size(), 1u);
  q.link = EntityRef{"case", id + 1};
  EXPECT_TRUE(store.tasks().list(q).empty());

  const auto before = count("SELECT COUNT(*) FROM interactions");
  EXPECT_THROW(complaint(ben, {{"case", id}}), crm::InvalidInput);  // Ann's case
  EXPECT_THROW(complaint(ann, {{"case", 999}}), crm::NotFound);
  EXPECT_THROW(complaint(ann, {{"case", id}, {"case", id}}), crm::InvalidInput);
  EXPECT_THROW(complaint(ann, {{"Case", id}}), crm::InvalidInput);
  EXPECT_THROW(complaint(ann, {{"case", 0}}), crm::InvalidInput);
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions"), before);
  t.customer_id = ben;
  EXPECT_THROW(store.tasks().add(t, alice), crm::InvalidInput);
  t.link = EntityRef{"case", 999};
  EXPECT_THROW(store.tasks().add(t, alice), crm::NotFound);
  t.customer_id.reset();  // a task of nobody may still belong to a case
  t.link = EntityRef{"case", id};
  store.tasks().add(t, alice);
  EXPECT_EQ(cases.get(id).tasks.size(), 2u);
}

TEST_F(CaseTest, LinkInteractionAddsAnEarlierInteractionOnce) {
  const CustomerId ann = customer("Ann");
  const CaseId id = cases.open(draft(ann), alice);
  const auto first = complaint(ann);
  cases.link_interaction(id, first, bob);
  EXPECT_EQ(cases.get(id).interactions, (std::vector<crm::InteractionId>{first}));
  EXPECT_EQ(events.back().type, "case.linked");
  EXPECT_EQ(events.back().payload, (crm::Json{{"case_id", id}, {"interaction_id", first}}));
  EXPECT_THROW(cases.link_interaction(id, first, bob), crm::InvalidInput);
  EXPECT_THROW(cases.link_interaction(id, 999, bob), crm::NotFound);
  EXPECT_THROW(cases.link_interaction(id, complaint(customer("Ben")), bob), crm::InvalidInput);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.link'"), 1);
}

TEST_F(CaseTest, ListFiltersAndOrdersNewestFirst) {
  const CustomerId ann = customer("Ann");
  const CustomerId ben = customer("Ben");
  const CaseId a1 = cases.open(draft(ann), alice);
  Case inquiry = draft(ben);
  inquiry.type = Case::Type::kInquiry;
  inquiry.owner = "sales";
  const CaseId b1 = cases.open(inquiry, alice);
  const CaseId a2 = cases.open(draft(ann), alice);
  cases.set_status(a2, S::kCancelled, "", alice);
  const auto ids = [&](const crm::CaseQuery& q) {
    std::vector<CaseId> out;
    for (const Case& c : cases.list(q)) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<CaseId>{a2, b1, a1}));
  crm::CaseQuery q;
  q.customer_id = ann;
  EXPECT_EQ(ids(q), (std::vector<CaseId>{a2, a1}));
  q.active_only = true;
  EXPECT_EQ(ids(q), (std::vector<CaseId>{a1}));
  q = {};
  q.status = S::kCancelled;
  EXPECT_EQ(ids(q), (std::vector<CaseId>{a2}));
  q = {};
  q.owner = "sales";
  EXPECT_EQ(ids(q), (std::vector<CaseId>{b1}));
  q = {};
  q.type = Case::Type::kInquiry;
  EXPECT_EQ(ids(q), (std::vector<CaseId>{b1}));
}

TEST_F(CaseTest, AMergeMovesTheCasesToTheSurvivor) {
  const CustomerId keep = customer("Ann");
  const CustomerId other = customer("Ann B.");
  const CaseId id = cases.open(draft(other), alice);
  store.customers().merge(keep, other, alice);
  EXPECT_EQ(cases.get(id).customer_id, keep);
  crm::CaseQuery q;
  q.customer_id = keep;
  EXPECT_EQ(cases.list(q).size(), 1u);
}

TEST_F(CaseTest, CaseAndChangeRoundTripThroughJsonAndNameTheBadField) {
  const CaseId id = cases.open(draft(customer("Ann")), alice);
  cases.set_status(id, S::kCancelled, "dup", alice);
  const Case c = cases.get(id);
  const Case back = crm::to_json(c).get<Case>();
  EXPECT_EQ(crm::to_json(back), crm::to_json(c));
  EXPECT_EQ(back.attitude, Case::Attitude::kNonExpert);
  EXPECT_EQ(back.closed_at, c.closed_at);
  const CaseChange ch = cases.history(id).back();
  EXPECT_EQ(crm::to_json(crm::to_json(ch).get<CaseChange>()), crm::to_json(ch));

  crm::Json j = crm::to_json(c);
  j["status"] = "done";
  try {
    (void)j.get<Case>();
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "case: 'status': invalid case status 'done' (expected open, in_progress, waiting, "
              "resolved, closed, cancelled)");
  }
  j = crm::to_json(c);
  j.erase("appeal_point");
  EXPECT_THROW((void)j.get<Case>(), crm::InvalidInput);
  j = crm::to_json(c);
  j["interactions"] = {"1"};
  try {
    (void)j.get<Case>();
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "case: 'interactions' must be an array of whole numbers, got [\"1\"]");
  }
}

TEST(CaseNames, ParseWhatToStringWritesAndRefuseTheRest) {
  for (const auto t : {Case::Type::kComplaint, Case::Type::kServiceRequest,
                       Case::Type::kRepairRequest, Case::Type::kInquiry}) {
    EXPECT_EQ(crm::parse_case_type(to_string(t)), t);
  }
  EXPECT_EQ(to_string(Case::Type::kServiceRequest), "service_request");
  EXPECT_EQ(to_string(Case::Attitude::kNonExpert), "non_expert");
  EXPECT_EQ(crm::parse_case_priority("urgent"), Case::Priority::kUrgent);
  EXPECT_THROW(crm::parse_case_type("Complaint"), crm::InvalidInput);
  EXPECT_THROW(crm::parse_case_attitude("angry"), crm::InvalidInput);
}

}  // namespace

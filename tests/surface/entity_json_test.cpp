// from_json beside every entity's to_json: an exact round trip, and a
// malformed object refused with InvalidInput naming the key.
#include <gtest/gtest.h>

#include "crm/audit_log.hpp"
#include "crm/customer.hpp"
#include "crm/error.hpp"
#include "crm/event.hpp"
#include "crm/interaction.hpp"
#include "crm/plugin_host.hpp"
#include "crm/scheduler.hpp"
#include "crm/task.hpp"
#include "crm/workflow_instance.hpp"

namespace {

using crm::Json;

// Reads `j` as a T and writes it again: the same JSON.
template <class T>
void expect_round_trip(const Json& j) {
  const T value = j.get<T>();
  EXPECT_EQ(crm::to_json(value), j);
}

// The message of reading `j` as a T, which must throw InvalidInput.
template <class T>
std::string refusal(const Json& j) {
  try {
    (void)j.get<T>();
  } catch (const crm::InvalidInput& e) {
    return e.what();
  }
  return "accepted";
}

crm::Customer full_customer() {
  crm::Customer c;
  c.id = 42;
  c.external_id = "K-42";
  c.name = "Acme GmbH";
  c.kind = crm::Customer::Kind::kCompany;
  c.contacts = {{"Ada", "buyer", "ada@acme.test", "+49 30 1", true},
                {"Bo", "finance", "", "", false}};
  c.email = "info@acme.test";
  c.phone = "+49 30 0";
  c.birthday = crm::Date(1990, 2, 28);
  c.owner = "bob";
  c.stage = "loyal";
  c.segment = "champions";
  c.consent = {{"email", true}, {"sms", false}};
  c.tags = {"vip", "b2b"};
  c.attributes = {{"region", "north"}, {"score", 3.5}};
  c.created_at = crm::parse_time("2026-01-02T03:04:05Z");
  c.updated_at = crm::parse_time("2026-02-03T04:05:06Z");
  return c;
}

TEST(EntityJson, CustomerRoundTripsExactly) {
  const crm::Customer c = full_customer();
  const Json j = crm::to_json(c);
  expect_round_trip<crm::Customer>(j);
  const auto back = j.get<crm::Customer>();
  EXPECT_EQ(back.kind, crm::Customer::Kind::kCompany);
  EXPECT_EQ(back.contacts.at(0).primary, true);
  EXPECT_EQ(back.contacts.at(1).role, "finance");
  EXPECT_EQ(back.consent, c.consent);
  EXPECT_EQ(back.updated_at, c.updated_at);
  EXPECT_EQ(j["birthday"], "1990-02-28");
  EXPECT_EQ(back.birthday, c.birthday);
}

TEST(EntityJson, CustomerBirthdayIsADateOrNull) {
  crm::Customer c = full_customer();
  c.birthday = crm::Date(2000, 2, 29);  // leap year
  Json j = crm::to_json(c);
  EXPECT_EQ(j["birthday"], "2000-02-29");
  expect_round_trip<crm::Customer>(j);
  EXPECT_EQ(j.get<crm::Customer>().birthday, crm::Date(2000, 2, 29));

  c.birthday.reset();
  j = crm::to_json(c);
  EXPECT_TRUE(j["birthday"].is_null()) << j["birthday"];
  expect_round_trip<crm::Customer>(j);
  EXPECT_EQ(j.get<crm::Customer>().birthday, std::nullopt);

  // "" was the JSON of no birthday while it was text.
  j["birthday"] = "";
  EXPECT_EQ(j.get<crm::Customer>().birthday, std::nullopt);
}

TEST(EntityJson, CustomerBirthdayThatIsNoDateIsRefusedNamingTheKey) {
  Json j = crm::to_json(full_customer());
  j["birthday"] = "1990-13-01";
  EXPECT_EQ(refusal<crm::Customer>(j), "customer: 'birthday': invalid date 1990-13-01");
  j["birthday"] = "2001-02-29";  // 2001 is no leap year
  EXPECT_EQ(refusal<crm::Customer>(j), "customer: 'birthday': invalid date 2001-02-29");
  j["birthday"] = "1990-05-17T10:00:00Z";  // an instant is not a day
  EXPECT_EQ(refusal<crm::Customer>(j),
            "customer: 'birthday': invalid date '1990-05-17T10:00:00Z' (expected YYYY-MM-DD)");
  j["birthday"] = "1899-12-31";
  EXPECT_EQ(refusal<crm::Customer>(j),
            "customer: 'birthday': date 1899-12-31 is outside 1900-01-01..2200-12-31");
  j["birthday"] = 19900517;
  EXPECT_EQ(refusal<crm::Customer>(j),
            "customer: 'birthday' must be a date YYYY-MM-DD or null, got 19900517");
}

TEST(EntityJson, MalformedCustomerNamesTheKey) {
  Json j = crm::to_json(full_customer());
  j.erase("email");
  EXPECT_EQ(refusal<crm::Customer>(j), "customer: missing key 'email'");
  j = crm::to_json(full_customer());
  j["tags"] = Json::array({"vip", 3});
  EXPECT_EQ(refusal<crm::Customer>(j),
            "customer: 'tags' must be an array of strings, got [\"vip\",3]");
  j = crm::to_json(full_customer());
  j["contacts"][1].erase("role");
  EXPECT_EQ(refusal<crm::Customer>(j), "customer.contacts[1]: missing key 'role'");
  j = crm::to_json(full_customer());
  j["kind"] = "";
  EXPECT_EQ(refusal<crm::Customer>(j), "customer: 'kind' must be person or company, got \"\"");
  j = crm::to_json(full_customer());
  j["created_at"] = "yesterday";
  EXPECT_NE(refusal<crm::Customer>(j).find("customer: 'created_at': "), std::string::npos);
  EXPECT_EQ(refusal<crm::Customer>(Json::array()), "customer: expected a JSON object, got []");
}

TEST(EntityJson, InteractionRoundTripsWithAndWithoutAmount) {
  crm::Interaction i;
  i.id = 7;
  i.customer_id = 42;
  i.channel = "store";
  i.kind = "purchase";
  i.direction = crm::Interaction::Direction::kOutbound;
  i.occurred_at = crm::parse_time("2026-03-01T10:00:00Z");
  i.amount = crm::Money::parse("19.50 EUR");
  i.agent = "eve";
  i.notes = "two items";
  i.commitments = {"call back Monday"};
  i.payload = {{"sku", "A1"}};
  i.links = {{"case", 3}, {"product", 9}};
  expect_round_trip<crm::Interaction>(crm::to_json(i));
  EXPECT_EQ(crm::to_json(i).get<crm::Interaction>().amount, crm::Money::parse("19.50 EUR"));
  i.amount.reset();
  expect_round_trip<crm::Interaction>(crm::to_json(i));
  EXPECT_FALSE(crm::to_json(i).get<crm::Interaction>().amount);
  Json j = crm::to_json(i);
  j["direction"] = "sideways";
  EXPECT_EQ(refusal<crm::Interaction>(j),
            "interaction: 'direction' must be inbound or outbound, got \"sideways\"");
  j = crm::to_json(i);
  j["amount"] = 19.5;
  EXPECT_EQ(refusal<crm::Interaction>(j),
            "interaction: 'amount' must be an amount with its currency (\"12.50 EUR\") or null, "
            "got 19.5");
}

TEST(EntityJson, TaskRoundTripsWithOptionalTimes) {
  crm::Task t;
  t.id = 3;
  t.customer_id = 42;
  t.title = "call back";
  t.owner = "bob";
  t.due_at = crm::parse_time("2026-03-03T09:00:00Z");
  t.status = crm::Task::Status::kDone;
  t.link = crm::EntityRef{"workflow", 5};
  t.created_at = crm::parse_time("2026-03-02T09:00:00Z");
  t.completed_at = crm::parse_time("2026-03-02T12:00:00Z");
  expect_round_trip<crm::Task>(crm::to_json(t));
  EXPECT_EQ(crm::to_json(t).get<crm::Task>().status, crm::Task::Status::kDone);
  crm::Task bare;
  expect_round_trip<crm::Task>(crm::to_json(bare));
  EXPECT_FALSE(crm::to_json(bare).get<crm::Task>().customer_id);
  Json j = crm::to_json(t);
  j["customer_id"] = "42";
  EXPECT_EQ(refusal<crm::Task>(j),
            "task: 'customer_id' must be a whole number or null, got \"42\"");
  j = crm::to_json(t);
  j["status"] = "later";
  EXPECT_EQ(refusal<crm::Task>(j).substr(0, 16), "task: 'status': ");
}

TEST(EntityJson, EventRoundTrips) {
  const crm::Event e{"complaint.escalated", crm::parse_time("2026-03-02T09:00:00Z"), 42,
                     Json{{"level", 2}}};
  expect_round_trip<crm::Event>(crm::to_json(e));
  EXPECT_EQ(crm::to_json(e).get<crm::Event>().customer_id, 42);
  Json j = crm::to_json(e);
  j.erase("type");
  EXPECT_EQ(refusal<crm::Event>(j), "event: missing key 'type'");
}

TEST(EntityJson, TimerRoundTrips) {
  crm::Timer t;
  t.id = 9;
  t.due = crm::parse_time("2026-04-01T00:00:00Z");
  t.kind = "workflow.resume";
  t.customer_id = 42;
  t.payload = {{"instance", 5}};
  t.status = "failed";
  t.error = "handler threw";
  expect_round_trip<crm::Timer>(crm::to_json(t));
  EXPECT_EQ(crm::to_json(t).get<crm::Timer>().due, t.due);
  Json j = crm::to_json(t);
  j["id"] = 9.5;
  EXPECT_EQ(refusal<crm::Timer>(j), "timer: 'id' must be a whole number, got 9.5");
}

TEST(EntityJson, AuditEntryRoundTrips) {
  crm::AuditEntry a;
  a.id = 11;
  a.time = crm::parse_time("2026-03-02T09:00:00Z");
  a.actor = "plugin:retention";
  a.action = "customer.update";
  a.entity = "customer";
  a.entity_id = 42;
  a.customer_id = 42;
  a.details = {{"stage", {"customer", "loyal"}}};
  expect_round_trip<crm::AuditEntry>(crm::to_json(a));
  EXPECT_EQ(crm::to_json(a).get<crm::AuditEntry>().actor, "plugin:retention");
  Json j = crm::to_json(a);
  j.erase("entity_id");
  EXPECT_EQ(refusal<crm::AuditEntry>(j), "audit entry: missing key 'entity_id'");
}

TEST(EntityJson, PluginRecordRoundTrips) {
  crm::PluginRecord r;
  r.name = "retention";
  r.version = "1.2.0";
  r.api_version = "2.0";
  r.dependencies = {"core_extras"};
  r.provides = {"segmentation", "clv"};
  r.path = "/opt/crm/plugins/crm_retention.so";
  r.status = "failed";
  r.error = "start threw: boom";
  expect_round_trip<crm::PluginRecord>(crm::to_json(r));
  EXPECT_EQ(crm::to_json(r).get<crm::PluginRecord>().dependencies, r.dependencies);
  Json j = crm::to_json(r);
  j["provides"] = "clv";
  EXPECT_EQ(refusal<crm::PluginRecord>(j),
            "plugin record: 'provides' must be an array of strings, got \"clv\"");
}

}  // namespace

namespace {

TEST(EntityJson, WorkflowInstanceRoundTripsWithEachWaitKind) {
  crm::WorkflowInstance i;
  i.id = 7;
  i.workflow = "complaint_follow_up";
  i.version = 2;
  i.customer_id = 42;
  i.state = crm::InstanceState::kWaiting;
  i.position = "$.steps[2].then[0]";
  i.variables = {{"level", 1}};
  i.attempts = 1;
  i.parent_id = 3;
  i.chain = {"welcome", "complaint_follow_up"};
  i.started_at = crm::parse_time("2026-03-02T09:00:00Z");
  i.updated_at = crm::parse_time("2026-03-02T10:00:00Z");
  const crm::Wait waits[] = {crm::TimerWait{11, crm::parse_time("2026-03-04T09:00:00Z")},
                             crm::TaskWait{5, crm::parse_time("2026-03-05T09:00:00Z"), 12},
                             crm::EventWait{"interaction.recorded", std::nullopt, std::nullopt},
                             crm::ChildWait{9}, crm::PluginWait{"retention", "retention.score"}};
  for (const crm::Wait& w : waits) {
    i.wait = w;
    expect_round_trip<crm::WorkflowInstance>(crm::to_json(i));
    EXPECT_EQ(crm::to_json(i).get<crm::WorkflowInstance>().wait.index(), w.index());
  }
  crm::WorkflowInstance ended = i;
  ended.state = crm::InstanceState::kCompleted;
  ended.wait = std::monostate{};
  ended.customer_id.reset();
  ended.parent_id.reset();
  ended.ended_at = crm::parse_time("2026-03-06T09:00:00Z");
  expect_round_trip<crm::WorkflowInstance>(crm::to_json(ended));
  const auto back = crm::to_json(ended).get<crm::WorkflowInstance>();
  EXPECT_EQ(back.state, crm::InstanceState::kCompleted);
  EXPECT_FALSE(back.customer_id);
  EXPECT_EQ(back.ended_at, ended.ended_at);

  Json j = crm::to_json(i);
  j["attempts"] = "1";
  EXPECT_EQ(refusal<crm::WorkflowInstance>(j),
            "workflow instance: 'attempts' must be a whole number, got \"1\"");
  j = crm::to_json(i);
  j["state"] = "sleeping";
  EXPECT_EQ(refusal<crm::WorkflowInstance>(j).substr(0, 19), "workflow instance: ");
  j = crm::to_json(i);
  j.erase("chain");
  EXPECT_EQ(refusal<crm::WorkflowInstance>(j), "workflow instance: missing key 'chain'");
}

TEST(EntityJson, StepRecordRoundTrips) {
  const crm::StepRecord r{7,      crm::parse_time("2026-03-02T09:00:00Z"), "$.steps[0]", "action",
                          "done", Json{{"result", {{"tag", "vip"}}}}};
  expect_round_trip<crm::StepRecord>(crm::to_json(r));
  EXPECT_EQ(crm::to_json(r).get<crm::StepRecord>().outcome, "done");
  Json j = crm::to_json(r);
  j["at"] = "yesterday";
  EXPECT_EQ(refusal<crm::StepRecord>(j).substr(0, 19), "step record: 'at': ");
}

}  // namespace

// CSV imports of customers and interactions: modes, reports, line numbers,
// one transaction per import.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using crm::ImportOptions;
using crm::ImportReport;
using crm::MatchKey;

class ImportTest : public ::testing::Test {
 protected:
  fs::path dir = crm_test::scratch_dir(
      std::string("import_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();

  fs::path file(const std::string& name, const std::string& text) {
    return crm_test::write_file(dir / name, text);
  }
  ImportReport customers(const fs::path& p, ImportOptions o = {}) {
    return crm::import_customers(store, p, o);
  }
  ImportReport interactions(const fs::path& p, ImportOptions o = {}) {
    return crm::import_interactions(store, p, o);
  }
  crm::Customer by_ext(const std::string& ext) {
    auto c = store.customers().find_by(MatchKey::kExternalId, ext);
    if (!c) throw crm::NotFound("no " + ext);
    return *c;
  }
  std::vector<std::int64_t> error_lines(const ImportReport& r) {
    std::vector<std::int64_t> out;
    for (const auto& e : r.errors) out.push_back(e.line);
    return out;
  }
};

ImportOptions mode(ImportOptions::Mode m, MatchKey match = MatchKey::kExternalId) {
  ImportOptions o;
  o.mode = m;
  o.match = match;
  return o;
}

TEST_F(ImportTest, CreateInsertsEveryKnownColumn) {
  const auto p = file("full.csv",
                      "external_id,name,kind,email,phone,birthday,owner,stage,segment,tags,"
                      "consent_email,consent_sms,contact_name,contact_role,contact_email\n"
                      "C-1,Acme GmbH,company,office@acme.example,+43 1 000,1990-05-17,carol,"
                      "loyal,gold,a;b,yes,no,Ann Boss,CEO,ann@acme.example\n"
                      "C-2,Bob,,,,,,,,,,,,,\n");
  ImportOptions o;
  o.actor = crm::Actor::user("importer");
  const ImportReport r = customers(p, o);
  EXPECT_EQ(r.read, 2);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.updated, 0);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.committed);

  const crm::Customer c = by_ext("C-1");
  EXPECT_EQ(c.name, "Acme GmbH");
  EXPECT_EQ(c.kind, crm::Customer::Kind::kCompany);
  EXPECT_EQ(c.email, "office@acme.example");
  EXPECT_EQ(c.phone, "+43 1 000");
  EXPECT_EQ(c.birthday, crm::Date(1990, 5, 17));
  EXPECT_EQ(c.owner, "carol");
  EXPECT_EQ(c.stage, "loyal");
  EXPECT_EQ(c.segment, "gold");
  EXPECT_EQ(c.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.consent, (std::map<std::string, bool>{{"email", true}, {"sms", false}}));
  ASSERT_EQ(c.contacts.size(), 1u);
  EXPECT_EQ(c.contacts[0].name, "Ann Boss");
  EXPECT_EQ(c.contacts[0].role, "CEO");
  EXPECT_EQ(c.contacts[0].email, "ann@acme.example");
  EXPECT_TRUE(c.contacts[0].primary);
  EXPECT_EQ(c.attributes, crm::Json::object());

  const crm::Customer b = by_ext("C-2");
  EXPECT_EQ(b.stage, "customer");  // empty cells leave defaults
  EXPECT_TRUE(b.tags.empty());
  EXPECT_TRUE(b.contacts.empty());

  const auto audit = store.audit().recent(1).at(0);
  EXPECT_EQ(audit.action, "import.customers");
  EXPECT_EQ(audit.actor, "user:importer");
  EXPECT_EQ(audit.details["inserted"], 2);
  EXPECT_EQ(store.audit().of_customer(c.id).at(0).actor, "user:importer");
}

TEST_F(ImportTest, UnknownColumnsBecomeAttributes) {
  const auto p = file("attrs.csv",
                      "name,Favourite Color,loyalty_card,contact_shoe_size\n"
                      "Ann,blue,LC-77,42\n");
  ASSERT_EQ(customers(p).inserted, 1);
  const crm::Customer c = store.customers().list({}).at(0);
  // Header names are lower-cased; values stay text.
  EXPECT_EQ(c.attributes, (crm::Json{{"favourite color", "blue"},
                                     {"loyalty_card", "LC-77"},
                                     {"contact_shoe_size", "42"}}));
}

TEST_F(ImportTest, TagsSplitOnSemicolonAndConsentWords) {
  const auto p = file("tags.csv",
                      "name,tags,consent_email\n"
                      "A, vip ; new ;,yes\n"
                      "B,single,no\n"
                      "C,,1\n"
                      "D,x,maybe\n");
  const ImportReport r = customers(p);
  EXPECT_EQ(r.inserted, 3);
  ASSERT_EQ(r.skipped, 1);
  EXPECT_EQ(r.errors.at(0).line, 5);
  EXPECT_NE(r.errors[0].message.find("maybe"), std::string::npos) << r.errors[0].message;
  const auto list = store.customers().list({});
  EXPECT_EQ(list[0].tags, (std::vector<std::string>{"vip", "new"}));
  EXPECT_TRUE(list[0].consent.at("email"));
  EXPECT_EQ(list[1].tags, (std::vector<std::string>{"single"}));
  EXPECT_FALSE(list[1].consent.at("email"));
  EXPECT_TRUE(list[2].consent.at("email"));
}

TEST_F(ImportTest, BadRowsAreSkippedWithTheirPhysicalLine) {
  const auto p = file("bad.csv",
                      "external_id,name,birthday,notes\n"          // 1
                      "E1,Ann,1990-01-01,\"multi\nline\nnote\"\n"  // 2-4
                      "E2,Bob\n"                                   // 5: wrong field count
                      "E3,Cid,1990-02-30,x\n"                      // 6: impossible birthday
                      "E4,,1990-01-01,x\n"                         // 7: empty name
                      "\n"                                         // 8: blank
                      "E1,Dup,,x\n"                                // 9: taken external id
                      "E5,Eve,,\"a\r\nb\"\n"                       // 10-11
                      "E6,Fay,1,2,3\n");                           // 12: wrong field count
  const ImportReport r = customers(p);
  EXPECT_EQ(r.read, 7);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 5);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{5, 6, 7, 9, 12}));
  EXPECT_NE(r.errors[0].message.find("expected 4 fields, got 2"), std::string::npos)
      << r.errors[0].message;
  EXPECT_NE(r.errors[1].message.find("1990-02-30"), std::string::npos) << r.errors[1].message;
  EXPECT_NE(r.errors[2].message.find("name"), std::string::npos) << r.errors[2].message;
  EXPECT_NE(r.errors[3].message.find("E1"), std::string::npos) << r.errors[3].message;
  EXPECT_EQ(store.customers().count(), 2);
  EXPECT_EQ(by_ext("E1").name, "Ann");
  EXPECT_EQ(by_ext("E1").attributes["notes"], "multi\nline\nnote");
  EXPECT_EQ(by_ext("E5").name, "Eve");

  const crm::Json j = crm::to_json(r);
  EXPECT_EQ(j["skipped"], 5);
  EXPECT_EQ(j["errors"][0]["line"], 5);
  EXPECT_EQ(j["committed"], true);
}

TEST_F(ImportTest, BirthdayIsADateAndABadOneIsRefusedNamingLineAndColumn) {
  const auto p = file("birthdays.csv",
                      "external_id,name,birthday\n"        // 1
                      "L1,Leap,2000-02-29\n"               // 2: a leap day of a leap year
                      "L2,NoLeap,2001-02-29\n"             // 3: 2001 has no 29 February
                      "L3,Month,1990-13-01\n"              // 4: no 13th month
                      "L4,Compact, 19900517 \n"            // 5: the compact form, spaces around
                      "L5,Instant,1990-05-17T10:00:00Z\n"  // 6: an instant, not a day
                      "L6,None,\n");                       // 7: no birthday
  const ImportReport r = customers(p);
  EXPECT_EQ(r.inserted, 3);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{3, 4, 6}));
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message, "birthday: invalid date 2001-02-29");
  EXPECT_EQ(r.errors[1].message, "birthday: invalid date 1990-13-01");
  EXPECT_EQ(r.errors[2].message,
            "birthday: invalid date '1990-05-17T10:00:00Z' (expected YYYY-MM-DD)");
  EXPECT_EQ(by_ext("L1").birthday, crm::Date(2000, 2, 29));
  EXPECT_EQ(by_ext("L4").birthday, crm::Date(1990, 5, 17));
  EXPECT_EQ(by_ext("L6").birthday, std::nullopt);
}

TEST_F(ImportTest, CreateWithEmailMatchRefusesExistingEmail) {
  store.customers().add(crm_test::customer("Ann", "ann@example.com"), crm::Actor::system());
  const auto p =
      file("dupmail.csv", "name,email\nAnn Again, ANN@example.com\nNew,new@example.com\n");
  const ImportReport r = customers(p, mode(ImportOptions::Mode::kCreate, MatchKey::kEmail));
  EXPECT_EQ(r.inserted, 1);
  ASSERT_EQ(r.skipped, 1);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_NE(r.errors[0].message.find("exists already"), std::string::npos) << r.errors[0].message;
}

TEST_F(ImportTest, UpdateByEmailChangesOnlyNonEmptyCells) {
  crm::Customer ann = crm_test::customer("Ann", "ann@example.com", "+43 1");
  ann.owner = "olga";
  ann.segment = "silver";
  ann.tags = {"old"};
  const auto id = store.customers().add(ann, crm::Actor::system());
  const auto p = file("update.csv",
                      "email,segment,owner,phone,tags\n"
                      " ANN@Example.com ,gold,,,\n"
                      "nobody@example.com,x,y,,\n"
                      ",x,y,,\n");
  const ImportReport r = customers(p, mode(ImportOptions::Mode::kUpdate, MatchKey::kEmail));
  EXPECT_EQ(r.read, 3);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.inserted, 0);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{3, 4}));
  EXPECT_NE(r.errors[0].message.find("nobody@example.com"), std::string::npos)
      << r.errors[0].message;
  const crm::Customer got = store.customers().get(id);
  EXPECT_EQ(got.segment, "gold");
  EXPECT_EQ(got.owner, "olga");
  EXPECT_EQ(got.phone, "+43 1");
  EXPECT_EQ(got.tags, (std::vector<std::string>{"old"}));
  EXPECT_EQ(got.name, "Ann");
  EXPECT_EQ(store.customers().count(), 1);
}

TEST_F(ImportTest, UpdateModeNeedsTheMatchColumn) {
  const auto p = file("nomatch.csv", "name,segment\nAnn,gold\n");
  try {
    customers(p, mode(ImportOptions::Mode::kUpdate, MatchKey::kPhone));
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("phone"), std::string::npos) << e.what();
  }
}

TEST_F(ImportTest, UpsertUpdatesKnownAndInsertsNew) {
  crm::Customer old = crm_test::customer("Old Name");
  old.external_id = "U-1";
  const auto id = store.customers().add(old, crm::Actor::system());
  const auto p = file("upsert.csv", "external_id,name,segment\nU-1,New Name,gold\nU-2,Fresh,\n");
  const ImportReport r = customers(p, mode(ImportOptions::Mode::kUpsert));
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_EQ(store.customers().get(id).name, "New Name");
  EXPECT_EQ(store.customers().get(id).segment, "gold");
  EXPECT_EQ(by_ext("U-2").name, "Fresh");
  EXPECT_EQ(store.customers().count(), 2);
}

TEST_F(ImportTest, DryRunCountsButWritesNothing) {
  const auto p = file("dry.csv", "external_id,name\nD1,Ann\nD2,Bob\nD3,\n");
  ImportOptions o;
  o.dry_run = true;
  const ImportReport r = customers(p, o);
  EXPECT_EQ(r.read, 3);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(store.customers().count(), 0);
  EXPECT_EQ(store.db().query("SELECT COUNT(*) FROM audit_log").at(0).integer(0), 0);
  EXPECT_FALSE(store.db().in_transaction());
}

TEST_F(ImportTest, StrictWithOneBadRowWritesNothing) {
  const auto p = file("strict.csv", "external_id,name\nS1,Ann\nS2,\nS3,Cid\n");
  ImportOptions o;
  o.strict = true;
  const ImportReport r = customers(p, o);
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(store.customers().count(), 0);
}

TEST_F(ImportTest, StrictWithoutBadRowsCommits) {
  const auto p = file("strict_ok.csv", "external_id,name\nS1,Ann\nS2,Bob\n");
  ImportOptions o;
  o.strict = true;
  const ImportReport r = customers(p, o);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(store.customers().count(), 2);
}

TEST_F(ImportTest, MissingNameColumnThrowsNamingTheFile) {
  const auto p = file("noname.csv", "external_id,email\nX,x@example.com\n");
  try {
    customers(p);
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'name'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.customers().count(), 0);
}

TEST_F(ImportTest, MissingFileThrowsNamingIt) {
  const fs::path p = dir / "absent.csv";
  try {
    customers(p);
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(interactions(p), crm::InvalidInput);
}

TEST_F(ImportTest, EmptyFileAndBadHeaderThrow) {
  EXPECT_THROW(customers(file("empty.csv", "")), crm::InvalidInput);
  EXPECT_THROW(customers(file("dupcol.csv", "name,Name\nA,B\n")), crm::InvalidInput);
  EXPECT_THROW(customers(file("emptycol.csv", "name,,x\nA,B,C\n")), crm::InvalidInput);
}

TEST_F(ImportTest, MalformedCsvAbortsTheWholeImport) {
  const auto p = file("malformed.csv", "name\nAnn\nBob\n\"never closed\n");
  EXPECT_THROW(customers(p), crm::InvalidInput);
  EXPECT_EQ(store.customers().count(), 0);
  EXPECT_FALSE(store.db().in_transaction());
}

// ---- interactions --------------------------------------------------------

class InteractionImportTest : public ImportTest {
 protected:
  void SetUp() override {
    crm::Customer a = crm_test::customer("Ann", "ann@example.com");
    a.external_id = "A-1";
    ann = store.customers().add(a, crm::Actor::system());
    crm::Customer b = crm_test::customer("Bob");
    b.external_id = "B-1";
    bob = store.customers().add(b, crm::Actor::system());
  }
  std::vector<crm::Interaction> all() { return store.interactions().list({}); }
  crm::CustomerId ann = 0, bob = 0;
};

TEST_F(InteractionImportTest, ResolvesCustomersByExternalIdAndParsesFields) {
  crm::Case kase;
  kase.customer_id = ann;
  kase.subject = "late delivery";
  const crm::CaseId case_id = store.cases().open(kase, crm::Actor::system());
  ASSERT_EQ(case_id, 1);  // the CSV below names it
  const auto p = file("int.csv",
                      "external_id,occurred_at,channel,kind,direction,amount,agent,notes,"
                      "commitments,case_id,store_id\n"
                      "A-1,2025-12-01T10:00:00Z,store,purchase,in,12.50,dora,\"two, items\","
                      "deliver Friday;call back,case:1,S1\n"
                      "B-1,2025-12-02,phone,call,outbound,,,,,,\n"
                      "Z-9,2025-12-03,phone,call,,,,,,,\n"
                      "A-1,2025-12-04,web,purchase,,12x,,,,,\n");
  const ImportReport r = interactions(p);
  EXPECT_EQ(r.read, 4);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{4, 5}));
  EXPECT_NE(r.errors[0].message.find("Z-9"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[1].message.find("12x"), std::string::npos) << r.errors[1].message;

  const auto list = all();
  ASSERT_EQ(list.size(), 2u);
  const crm::Interaction& i = list[0];
  EXPECT_EQ(i.customer_id, ann);
  EXPECT_EQ(i.occurred_at, crm::parse_time("2025-12-01T10:00:00Z"));
  EXPECT_EQ(i.channel, "store");
  EXPECT_EQ(i.kind, "purchase");
  EXPECT_EQ(i.direction, crm::Interaction::Direction::kInbound);
  ASSERT_TRUE(i.amount.has_value());
  EXPECT_EQ(*i.amount, crm::Money::parse("12.50 USD"));
  EXPECT_EQ(i.agent, "dora");
  EXPECT_EQ(i.notes, "two, items");
  EXPECT_EQ(i.commitments, (std::vector<std::string>{"deliver Friday", "call back"}));
  EXPECT_EQ(i.links, (std::vector<crm::EntityRef>{{"case", case_id}}));
  EXPECT_EQ(i.payload, (crm::Json{{"store_id", "S1"}}));
  EXPECT_EQ(list[1].customer_id, bob);
  EXPECT_EQ(list[1].direction, crm::Interaction::Direction::kOutbound);
  EXPECT_FALSE(list[1].amount.has_value());
  EXPECT_EQ(store.audit().recent(1).at(0).action, "import.interactions");
}

TEST_F(InteractionImportTest, ResolvesCustomersByCustomerIdColumn) {
  const auto p = file("byid.csv", "customer_id,date,channel,kind\n" + std::to_string(bob) +
                                      ",2025-11-11,email,message\n"
                                      "999,2025-11-12,email,message\n"
                                      "abc,2025-11-13,email,message\n");
  const ImportReport r = interactions(p);
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{3, 4}));
  EXPECT_NE(r.errors[0].message.find("999"), std::string::npos) << r.errors[0].message;
  const auto list = all();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].customer_id, bob);
  EXPECT_EQ(list[0].occurred_at, crm::parse_time("2025-11-11"));
}

TEST_F(InteractionImportTest, ResolvesCustomersByEmailWhenAsked) {
  const auto p =
      file("bymail.csv", "email,occurred_at,channel,kind\nANN@example.com,2025-10-01,web,visit\n");
  ImportOptions o;
  o.match = MatchKey::kEmail;
  const ImportReport r = interactions(p, o);
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(all().at(0).customer_id, ann);
}

TEST_F(InteractionImportTest, MissingTimeOrBadTimeIsARowError) {
  const auto p =
      file("notime.csv",
           "external_id,occurred_at,channel,kind\nA-1,,web,visit\nA-1,yesterday,web,visit\n");
  const ImportReport r = interactions(p);
  EXPECT_EQ(r.inserted, 0);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{2, 3}));
  EXPECT_NE(r.errors[1].message.find("yesterday"), std::string::npos) << r.errors[1].message;
}

TEST_F(ImportTest, ValidationHookRefusesOneRowOfABatchAndTheRestIsImported) {
  crm::SubscriberOptions o;
  o.name = "no-test-domain";
  o.phase = crm::Phase::kBeforeCommit;
  k->bus().subscribe("customer.created", o, [&](const crm::Event& e) {
    if (store.customers().get(*e.customer_id).email.ends_with("@test.invalid")) {
      throw crm::InvalidInput("test addresses are refused");
    }
  });
  const auto p = file("hook.csv",
                      "external_id,name,email\n"
                      "H-1,Ann,ann@example.org\n"
                      "H-2,Bob,bob@test.invalid\n"
                      "H-3,Cid,cid@example.org\n");
  const ImportReport r = customers(p);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{3}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("refused"), std::string::npos) << r.errors[0].message;
  EXPECT_EQ(by_ext("H-3").name, "Cid");
  EXPECT_FALSE(store.customers().find_by(MatchKey::kExternalId, "H-2"));
}

TEST_F(ImportTest, HookRefusingARowWithDuplicateKeySkipsOnlyThatRow) {
  crm::SubscriberOptions o;
  o.name = "unique-email";
  o.phase = crm::Phase::kBeforeCommit;
  k->bus().subscribe("customer.created", o, [&](const crm::Event& e) {
    const auto email = store.customers().get(*e.customer_id).email;
    if (store.db()
            .query("SELECT COUNT(*) FROM customers WHERE email = ?", {email})
            .at(0)
            .integer(0) > 1) {
      throw crm::DuplicateKey("e-mail " + email + " is taken");
    }
  });
  const auto p = file("dupe.csv",
                      "external_id,name,email\n"
                      "D-1,Ann,same@example.org\n"
                      "D-2,Bob,bob@example.org\n"
                      "D-3,Ann again,same@example.org\n");
  const ImportReport r = customers(p);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(error_lines(r), (std::vector<std::int64_t>{4}));
  EXPECT_TRUE(r.committed);
}

TEST_F(ImportTest, ReportKeepsTheFirstThousandErrorsInFileOrder) {
  std::string csv = "external_id,name\n";
  for (int i = 0; i < 1500; ++i) {
    // Every row is bad, half of them only when written (a name that is
    // empty after trimming reaches the store; a taken id does too).
    csv += i % 2 ? "X-" + std::to_string(i) + ",\n" : "SAME,dup\n";
  }
  const ImportReport r = customers(file("many.csv", csv));
  EXPECT_EQ(r.inserted, 1);  // the first SAME
  EXPECT_EQ(r.skipped, 1499);
  ASSERT_EQ(r.errors.size(), 1000u);
  std::vector<std::int64_t> lines = error_lines(r);
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));
  EXPECT_EQ(lines.front(), 3);
  EXPECT_EQ(lines.back(), 1002);
}

TEST_F(ImportTest, UpsertByEmailSeesCustomersCreatedEarlierInTheSameFile) {
  const auto p = file("twice.csv",
                      "email,name,segment\n"
                      "eve@example.org,Eve,a\n"
                      "EVE@example.org ,Eve K.,b\n");
  const ImportReport r = customers(p, mode(ImportOptions::Mode::kUpsert, MatchKey::kEmail));
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(store.customers().count(), 1);
  EXPECT_EQ(store.customers().find_by(MatchKey::kEmail, "eve@example.org")->segment, "b");
}

TEST_F(InteractionImportTest, HeaderWithoutCustomerKeyOrKindThrows) {
  EXPECT_THROW(interactions(file("nokey.csv", "occurred_at,channel,kind\n2025-01-01,web,visit\n")),
               crm::InvalidInput);
  EXPECT_THROW(
      interactions(file("nokind.csv", "external_id,occurred_at,channel\nA-1,2025-01-01,web\n")),
      crm::InvalidInput);
  EXPECT_THROW(interactions(file("mode.csv", "external_id,occurred_at,channel,kind\n"),
                            mode(ImportOptions::Mode::kUpdate)),
               crm::InvalidInput);
}

// ---- one transaction: a killed import leaves nothing ----------------------

TEST(ImportKill, KilledImportLeavesTheDatabaseAsItWas) {
  const fs::path dir = crm_test::scratch_dir("import_kill");
  const fs::path csv = dir / "big.csv";
  const fs::path marker = dir / "progress.txt";
  {
    std::ofstream out(csv, std::ios::binary);
    out << "external_id,name,email,segment\n";
    for (int i = 1; i <= 50000; ++i) {
      out << "K" << i << ",Customer " << i << ",c" << i << "@example.com,s" << (i % 7) << "\n";
    }
  }
  const std::string db = (dir / "crm.db").string();
  { crm_test::make_kernel(db); }  // the schema exists before the import starts

  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    // Child: import and die hard part-way through, without unwinding.
    try {
      auto k = crm_test::make_kernel(db);
      ImportOptions o;
      o.progress = [&](std::int64_t rows, std::int64_t, std::int64_t) {
        if (rows >= 20000) {
          std::ofstream(marker) << rows << " " << k->store().customers().count() << "\n";
          kill(getpid(), SIGKILL);
        }
      };
      crm::import_customers(k->store(), csv, o);
    } catch (...) {
      _exit(4);
    }
    _exit(3);  // the import finished: the kill never happened
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  // The child had written thousands of rows inside its transaction (new
  // customers are written in batches of up to 512).
  std::int64_t rows_at_kill = 0, visible_to_child = 0;
  std::ifstream(marker) >> rows_at_kill >> visible_to_child;
  // Progress comes every 4096 rows: the first call past 20000 is at 20480,
  // when the 20479 rows before it were written in whole batches of 512.
  EXPECT_EQ(rows_at_kill, 20480);
  EXPECT_EQ(visible_to_child, 20479 / 512 * 512);

  auto k = crm_test::make_kernel(db);
  EXPECT_EQ(k->store().customers().count(), 0);
  EXPECT_EQ(k->store().db().query("SELECT COUNT(*) FROM audit_log").at(0).integer(0), 0);
  EXPECT_EQ(k->store().db().schema_version("kernel"), 8);
}

}  // namespace

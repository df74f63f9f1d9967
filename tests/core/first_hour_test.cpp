// What a new user meets first: typo suggestions, the conventions every
// command's --limit/--offset/--count/--out follow, non-finite results, the
// customers list footer, and the import's column warnings.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "crm/spelling.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using crm::CommandInput;
using crm::CommandOutput;

TEST(Spelling, EditDistanceCountsInsertDeleteReplaceAndSwap) {
  EXPECT_EQ(crm::edit_distance("", ""), 0u);
  EXPECT_EQ(crm::edit_distance("list", "list"), 0u);
  EXPECT_EQ(crm::edit_distance("lst", "list"), 1u);    // insert
  EXPECT_EQ(crm::edit_distance("lists", "list"), 1u);  // delete
  EXPECT_EQ(crm::edit_distance("lust", "list"), 1u);   // replace
  EXPECT_EQ(crm::edit_distance("lsit", "list"), 1u);   // adjacent swap
  EXPECT_EQ(crm::edit_distance("emial", "email"), 1u);
  EXPECT_EQ(crm::edit_distance("custmers", "customers"), 1u);
  EXPECT_EQ(crm::edit_distance("", "abc"), 3u);
  EXPECT_EQ(crm::edit_distance("kitten", "sitting"), 3u);
}

TEST(Spelling, NearestWordWithinTheAllowedDistance) {
  const std::vector<std::string> words = {"duplicates", "list", "merge", "reassign", "show"};
  EXPECT_EQ(crm::nearest_word("lst", words), "list");
  EXPECT_EQ(crm::nearest_word("shwo", words), "show");
  EXPECT_EQ(crm::nearest_word("dupliactes", words), "duplicates");
  // Short words allow one edit, up to 8 characters two, longer ones three.
  EXPECT_EQ(crm::nearest_word("lx", {"list"}), std::nullopt);                // 2 edits, 2 chars
  EXPECT_EQ(crm::nearest_word("lis", {"list"}), "list");                     // 1 edit
  EXPECT_EQ(crm::nearest_word("amout", {"amount"}), "amount");               // 1 edit, 5 chars
  EXPECT_EQ(crm::nearest_word("amxyt", {"amount"}), std::nullopt);           // 3 edits, 5 chars
  EXPECT_EQ(crm::nearest_word("axxount", {"amount"}), "amount");             // 2 edits, 7 chars
  EXPECT_EQ(crm::nearest_word("duxxxcates", {"duplicates"}), "duplicates");  // 3, 10 chars
  EXPECT_EQ(crm::nearest_word("clv", {"churn", "cohorts", "customers", "init"}), std::nullopt);
  // Ties go to the first candidate; the word itself is never suggested.
  EXPECT_EQ(crm::nearest_word("cat", {"bat", "cut"}), "bat");
  EXPECT_EQ(crm::nearest_word("list", {"list"}), std::nullopt);
}

class Conventions : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  fs::path dir = crm_test::scratch_dir(
      std::string("first_hour_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());

  CommandOutput run(const std::vector<std::string>& path, std::map<std::string, std::string> o) {
    CommandInput in;
    in.options = std::move(o);
    return k->commands().run(path, in);
  }
  std::string error_of(const std::vector<std::string>& path, std::map<std::string, std::string> o) {
    try {
      run(path, std::move(o));
    } catch (const crm::InvalidInput& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(Conventions, NegativeLimitOffsetAndCountAreRefusedEverywhere) {
  int ran = 0;
  k->commands().add(
      crm::command({"x", "count"}, "a plugin's command", {crm::option("count", "how many", "10")}),
      [&](const CommandInput&) {
        ++ran;
        return CommandOutput{};
      });
  EXPECT_EQ(error_of({"x", "count"}, {{"count", "-1"}}), "--count must be 0 or more, got -1");
  EXPECT_EQ(ran, 0);
  run({"x", "count"}, {{"count", "0"}});  // 0 is allowed
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(error_of({"customers", "list"}, {{"limit", "-5"}}),
            "--limit must be 0 or more, got -5");
  EXPECT_EQ(error_of({"customers", "list"}, {{"offset", "-1"}}),
            "--offset must be 0 or more, got -1");
  EXPECT_EQ(error_of({"workflows", "instances"}, {{"limit", "-1"}}),
            "--limit must be 0 or more, got -1");
  EXPECT_EQ(error_of({"customers", "list"}, {{"limit", "ten"}}),
            "--limit 'ten' is not a whole number");
  // "all" lifts the limit; it is no word for the other options.
  EXPECT_EQ(run({"workflows", "instances"}, {{"limit", "all"}}).exit_code, 0);
  EXPECT_EQ(error_of({"customers", "list"}, {{"offset", "all"}}),
            "--offset 'all' is not a whole number");
  CommandInput in;
  in.options["limit"] = "all";
  EXPECT_EQ(crm::limit_option(in, 50), -1);
  in.options["limit"] = "7";
  EXPECT_EQ(crm::limit_option(in, 50), 7);
  EXPECT_EQ(crm::limit_option(CommandInput{}, 50), 50);
}

TEST_F(Conventions, OutFileIsKeptWithoutForce) {
  int wrote = 0;
  k->commands().add(
      crm::command({"x", "export"}, "writes a file", {crm::option("out", "output file", "x.csv")}),
      [&](const CommandInput&) {
        ++wrote;
        return CommandOutput{};
      });
  // The registry gave the command a --force flag.
  bool has_force = false;
  for (const auto& spec : k->commands().list()) {
    if (spec.path != std::vector<std::string>{"x", "export"}) continue;
    for (const auto& o : spec.options)
      has_force |= o.name == "force" && o.type == crm::ParamType::kBoolean;
  }
  EXPECT_TRUE(has_force);
  const fs::path file = crm_test::write_file(dir / "x.csv", "keep me");
  EXPECT_EQ(error_of({"x", "export"}, {{"out", file.string()}}),
            "--out " + file.string() + " exists already; pass --force to overwrite it");
  EXPECT_EQ(wrote, 0);
  run({"x", "export"}, {{"out", file.string()}, {"force", "true"}});
  run({"x", "export"}, {{"out", (dir / "new.csv").string()}});
  EXPECT_EQ(wrote, 2);
}

TEST_F(Conventions, NonFiniteResultIsAnErrorNamingItsPath) {
  k->commands().add(crm::command({"x", "ratio"}, "a ratio"), [](const CommandInput&) {
    CommandOutput out;
    out.data = {{"rows", {{{"share", 0.5}}, {{"share", std::nan("")}}}}};
    out.text = "share nan\n";
    return out;
  });
  k->commands().add(crm::command({"x", "huge"}, "overflows"), [](const CommandInput&) {
    CommandOutput out;
    out.data = {{"value", std::numeric_limits<double>::infinity()}};
    return out;
  });
  try {
    run({"x", "ratio"}, {});
    FAIL() << "no error";
  } catch (const crm::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "'x ratio' computed a value that is not a finite number (at /rows/1/share); the "
              "inputs are out of the range it can compute");
  }
  EXPECT_THROW(run({"x", "huge"}, {}), crm::Error);
}

TEST(CommandInputNumber, RefusesNanAndInfinity) {
  CommandInput in;
  for (const char* v : {"nan", "inf", "-inf", "infinity"}) {
    in.options["margin"] = v;
    try {
      in.number("margin", 0);
      FAIL() << v;
    } catch (const crm::InvalidInput& e) {
      EXPECT_EQ(std::string(e.what()), std::string("--margin '") + v + "' is not a finite number");
    }
  }
  in.options["margin"] = "-2.5";
  EXPECT_EQ(in.number("margin", 0), -2.5);
}

TEST(CustomerCount, CountsWhatTheFiltersMatchIgnoringLimit) {
  auto k = crm_test::make_kernel();
  for (const char* name : {"C0", "C1", "C2", "C3", "C4", "C5", "C6"}) {
    crm::Customer c = crm_test::customer(name);
    c.owner = name[1] < '5' ? "alice" : "bob";
    k->store().customers().add(c, crm::Actor::user("t"));
  }
  crm::CustomerQuery q;
  q.owner = "alice";
  q.limit = 2;
  q.offset = 1;
  EXPECT_EQ(k->store().customers().count(q), 5);
  EXPECT_EQ(k->store().customers().list(q).size(), 2u);
  q.owner = "carol";
  EXPECT_EQ(k->store().customers().count(q), 0);
  EXPECT_EQ(k->store().customers().count(crm::CustomerQuery{}), 7);
}

class ImportColumns : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  fs::path dir =
      crm_test::scratch_dir(std::string("first_hour_import_") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::path file(const std::string& name, const std::string& text) {
    return crm_test::write_file(dir / name, text);
  }
};

TEST_F(ImportColumns, UnknownColumnsAreReportedOnceWithTheNearestKnownOne) {
  const auto f =
      file("c.csv", "external_id,name,emial,city\nA,Anna,a@x.org,Graz\nB,Ben,b@x.org,Linz\n");
  const crm::ImportReport r = crm::import_customers(k->store(), f, {});
  EXPECT_EQ(r.inserted, 2);
  ASSERT_EQ(r.unknown_columns.size(), 2u);
  EXPECT_EQ(r.unknown_columns[0].column, "emial");
  EXPECT_EQ(r.unknown_columns[0].nearest, "email");
  EXPECT_EQ(r.unknown_columns[1].column, "city");
  EXPECT_EQ(r.unknown_columns[1].nearest, "");
  // Kept as attributes, as before.
  EXPECT_EQ(k->store().customers().get(1).attributes.at("emial"), "a@x.org");
}

TEST_F(ImportColumns, StrictRefusesUnknownColumnsUnlessNamedAsAttributes) {
  const auto f = file("c.csv", "external_id,name,emial,city\nA,Anna,a@x.org,Graz\n");
  crm::ImportOptions o;
  o.strict = true;
  try {
    crm::import_customers(k->store(), f, o);
    FAIL() << "no error";
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              f.string() +
                  ":1: unknown columns 'emial' (did you mean 'email'?), 'city': --strict takes "
                  "only known columns and those named with --attributes");
  }
  EXPECT_EQ(k->store().customers().count(), 0);
  o.attributes = {"emial", "city"};
  const auto r = crm::import_customers(k->store(), f, o);
  EXPECT_EQ(r.inserted, 1);
  EXPECT_TRUE(r.unknown_columns.empty());
  EXPECT_TRUE(r.committed);
}

TEST_F(ImportColumns, InteractionColumnsTimeColumnAndTypos) {
  crm::import_customers(k->store(), file("c.csv", "external_id,name\nA,Anna\n"), {});
  const auto no_time = file("i.csv", "external_id,channel,kind\nA,store,purchase\nA,web,visit\n");
  try {
    crm::import_interactions(k->store(), no_time, {});
    FAIL() << "no error";
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), no_time.string() + ":1: no 'occurred_at' (or 'date') column");
  }
  const auto typo =
      file("j.csv", "external_id,date,channel,kind,amout\nA,2026-01-02,store,purchase,9.5\n");
  const auto r = crm::import_interactions(k->store(), typo, {});
  EXPECT_EQ(r.inserted, 1);
  ASSERT_EQ(r.unknown_columns.size(), 1u);
  EXPECT_EQ(r.unknown_columns[0].column, "amout");
  EXPECT_EQ(r.unknown_columns[0].nearest, "amount");
}

TEST_F(ImportColumns, RowsOfCustomersThatExistAreCounted) {
  const auto f = file("c.csv", "external_id,name,email\nA,Anna,a@x.org\nB,Ben,b@x.org\n");
  crm::import_customers(k->store(), f, {});
  const auto again = crm::import_customers(k->store(), f, {});
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.existing, 2);
  crm::ImportOptions by_email;
  by_email.match = crm::MatchKey::kEmail;
  const auto g = file("d.csv", "name,email\nAnna,a@x.org\nNew,new@x.org\n");
  const auto r = crm::import_customers(k->store(), g, by_email);
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(r.existing, 1);
  // A bad row is not an existing customer.
  const auto bad = crm::import_customers(k->store(), file("e.csv", "external_id,name\nZ,\n"), {});
  EXPECT_EQ(bad.skipped, 1);
  EXPECT_EQ(bad.existing, 0);
}

}  // namespace

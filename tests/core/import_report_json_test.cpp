// ImportReport from JSON: the inverse of to_json, naming the bad key.
#include <gtest/gtest.h>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"

namespace {

crm::ImportReport report() {
  crm::ImportReport r;
  r.read = 10;
  r.inserted = 6;
  r.updated = 1;
  r.skipped = 3;
  r.existing = 2;
  r.errors = {{4, "invalid email 'x'"}, {9, "customer name is empty"}};
  r.unknown_columns = {{"emial", "email"}, {"shoe_size", ""}};
  r.committed = true;
  return r;
}

TEST(ImportReportJson, RoundTripsEveryField) {
  const crm::Json j = to_json(report());
  const auto back = j.get<crm::ImportReport>();
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.errors.at(1).line, 9);
  EXPECT_EQ(back.unknown_columns.at(0).nearest, "email");
  EXPECT_TRUE(back.committed);
  EXPECT_EQ(back.existing, 2);
}

TEST(ImportReportJson, NamesTheBadKey) {
  const auto message = [](const crm::Json& j) -> std::string {
    try {
      (void)j.get<crm::ImportReport>();
    } catch (const crm::InvalidInput& e) {
      return e.what();
    }
    return "accepted";
  };
  crm::Json j = to_json(report());
  j["errors"][1]["line"] = "9";
  EXPECT_EQ(message(j), "import report.errors[1]: 'line' must be a whole number, got \"9\"");
  j = to_json(report());
  j.erase("existing");
  EXPECT_EQ(message(j), "import report: missing key 'existing'");
  j = to_json(report());
  j["committed"] = 1;
  EXPECT_EQ(message(j), "import report: 'committed' must be true or false, got 1");
}

}  // namespace

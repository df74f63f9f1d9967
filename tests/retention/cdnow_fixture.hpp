// Shared fixture: the CDNOW sample summarised the way Fader, Hardie & Lee
// (2005) do: 39-week calibration 1997-01-01..1997-09-30, weeks as the unit,
// 39-week hold-out to 1998-06-30, same-day purchases merged.
#ifndef CRM_TESTS_RETENTION_CDNOW_FIXTURE_HPP_
#define CRM_TESTS_RETENTION_CDNOW_FIXTURE_HPP_

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "crm/retention/dates.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/transactions.hpp"
#include "test_data.hpp"

namespace crm::retention::testing {

class CdnowTest : public ::testing::Test {
 protected:
  // Fails (never skips) every test of the suite when the data is missing.
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(cdnow_sample_path())) << missing_cdnow_message();
    if (!summary_) {
      SummaryOptions options;
      options.calibration_end = parse_date("1997-09-30");
      options.holdout_end = parse_date("1998-06-30");
      options.unit = TimeUnit::kWeek;
      summary_ = summarize_transactions(read_cdnow(cdnow_sample_path()), options);
    }
  }
  static const CustomerSummary& summary() { return *summary_; }

 private:
  static inline std::optional<CustomerSummary> summary_;
};

}  // namespace crm::retention::testing

#endif  // CRM_TESTS_RETENTION_CDNOW_FIXTURE_HPP_

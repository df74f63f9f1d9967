// Deterministic sample data: customers, their interactions and their
// purchases as CSV files in the import format, for the demo, the tests and
// the benchmarks.
#pragma once

#include <cstdint>
#include <filesystem>

namespace crm::sample {

struct SampleOptions {
  std::int64_t customers = 1000;
  std::uint64_t seed = 42;
  // Every `duplicate_every`-th customer (0: none) is the customer
  // `duplicate_lag` places earlier entered again in another spelling: the
  // name as "Last, First", the e-mail upper-cased, the phone dialled as 0043.
  // With the defaults customer 97 repeats customer 42, the pair the README
  // merges, so duplicate detection has work to do.
  std::int64_t duplicate_every = 97;
  std::int64_t duplicate_lag = 55;
};

// Writes customers.csv: external_id, name, kind, email, phone, birthday,
// owner, stage, tags, consent_email, consent_sms, city, contact_name,
// contact_role. Returns the number of rows written. Throws InvalidInput when
// the file cannot be written or `duplicate_lag` is not positive.
std::int64_t write_customers(const std::filesystem::path& file, const SampleOptions& o);

// Writes interactions.csv for the customers of write_customers() (matched by
// external_id): purchases, calls, complaints, visits over 2024-2025.
std::int64_t write_interactions(const std::filesystem::path& file, const SampleOptions& o);

// Writes purchases.csv (customer_id, date, amount: the format `crm clv fit
// --transactions` reads) with exactly the purchases of write_interactions()
// for the same options, the customer being its external_id and the date the
// UTC day. Returns the number of rows written.
std::int64_t write_purchases(const std::filesystem::path& file, const SampleOptions& o);

}  // namespace crm::sample

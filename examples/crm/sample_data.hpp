// Deterministic sample data: customers and their interactions as CSV files
// in the import format, for the demo, the tests and the benchmarks.
#pragma once

#include <cstdint>
#include <filesystem>

namespace crm::sample {

struct SampleOptions {
  std::int64_t customers = 1000;
  std::uint64_t seed = 42;
  // Every `duplicate_every`-th customer repeats an earlier one's e-mail in
  // another spelling (0: none), so duplicate detection has work to do.
  std::int64_t duplicate_every = 97;
};

// Writes customers.csv: external_id, name, kind, email, phone, birthday,
// owner, stage, tags, consent_email, consent_sms, city, contact_name,
// contact_role. Returns the number of rows written.
std::int64_t write_customers(const std::filesystem::path& file, const SampleOptions& o);

// Writes interactions.csv for the customers of write_customers() (matched by
// external_id): purchases, calls, complaints, visits over 2024-2025.
std::int64_t write_interactions(const std::filesystem::path& file, const SampleOptions& o);

}  // namespace crm::sample

// Shared helpers of the kernel tests: a kernel on simulated time, scratch
// files, and small builders.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include "crm/kernel.hpp"
#include "crm/time.hpp"

namespace crm {
// Dates in test failures as "2000-02-29", not as bytes (found by GoogleTest
// through argument-dependent lookup, also inside std::optional).
inline void PrintTo(const Date& d, std::ostream* os) { *os << d.to_string(); }
}  // namespace crm

namespace crm_test {

inline const crm::TimePoint kStart = crm::parse_time("2026-01-01T00:00:00Z");

inline crm::KernelOptions options(const std::string& database = ":memory:") {
  crm::KernelOptions o;
  o.database = database;
  o.load_plugins = false;
  o.simulated_start = kStart;
  return o;
}

inline std::unique_ptr<crm::Kernel> make_kernel(const std::string& database = ":memory:") {
  return std::make_unique<crm::Kernel>(options(database));
}

// A fresh scratch directory for one test: CRM_TEST_TMP/<name>, emptied.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(CRM_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return p;
}

inline crm::Customer customer(std::string name, std::string email = "", std::string phone = "") {
  crm::Customer c;
  c.name = std::move(name);
  c.email = std::move(email);
  c.phone = std::move(phone);
  return c;
}

inline crm::SubscriberOptions sub(std::string name, int priority = 0,
                                  crm::Phase phase = crm::Phase::kAfterCommit) {
  crm::SubscriberOptions o;
  o.name = std::move(name);
  o.priority = priority;
  o.phase = phase;
  return o;
}

}  // namespace crm_test

// Fuzz target: `crm import interactions` through the kernel, on a fresh
// in-memory database per input holding three known customers. The input is
// the CSV file; it is imported by external id, then by e-mail as a dry run.
// Every stored interaction must belong to a stored customer, carry a finite
// amount if any, and the counts must agree with the report.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "fuzz_support.hpp"

namespace {

using crm::ImportOptions;
using crm::ImportReport;

std::int64_t scalar(crm::Store& store, const char* sql) {
  return store.db().query(sql, {}).at(0).integer(0);
}

void check_report(const ImportReport& r, const char* pass) {
  FUZZ_CHECK(r.updated == 0, "%s: interactions updated", pass);
  FUZZ_CHECK(r.read == r.inserted + r.skipped, "%s: read %lld != inserted %lld + skipped %lld",
             pass, static_cast<long long>(r.read), static_cast<long long>(r.inserted),
             static_cast<long long>(r.skipped));
  FUZZ_CHECK(static_cast<std::int64_t>(r.errors.size()) == std::min<std::int64_t>(r.skipped, 1000),
             "%s: %zu errors for %lld skipped rows", pass, r.errors.size(),
             static_cast<long long>(r.skipped));
  for (const auto& e : r.errors) {
    FUZZ_CHECK(e.line >= 2, "%s: error on line %lld: %s", pass, static_cast<long long>(e.line),
               e.message.c_str());
  }
}

bool import(crm::Store& store, const std::filesystem::path& file, const ImportOptions& o,
            ImportReport& r) {
  try {
    r = crm::import_interactions(store, file, o);
    return true;
  } catch (const crm::InvalidInput& e) {
    FUZZ_CHECK(crm_fuzz::starts_with(e.what(), file.string()) ||
                   crm_fuzz::starts_with(e.what(), "cannot read " + file.string()),
               "the error does not name the file: %s", e.what());
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static crm_fuzz::ScratchFile scratch(".csv");
  const auto& file = scratch.write(data, size);
  crm::Kernel kernel(crm_fuzz::kernel_options());
  crm::Store& store = kernel.store();
  // Customers 1, 2 and 3, by id, external id, e-mail and phone.
  static constexpr const char* kKnown[][4] = {{"Customer 1", "C1", "c1@example.com", "+49301001"},
                                              {"Customer 2", "C2", "c2@example.com", "+49301002"},
                                              {"Customer 3", "C3", "c3@example.com", "+49301003"}};
  for (const auto& [name, external_id, email, phone] : kKnown) {
    crm::Customer c;
    c.name = name;
    c.external_id = external_id;
    c.email = email;
    c.phone = phone;
    store.customers().add(c, crm::Actor::user("fuzz"));
  }

  ImportReport by_id;
  if (import(store, file, ImportOptions{}, by_id)) {
    check_report(by_id, "by external id");
    FUZZ_CHECK(by_id.committed, "the import did not commit");
    FUZZ_CHECK(scalar(store, "SELECT count(*) FROM interactions") == by_id.inserted,
               "%lld interactions stored, %lld inserted",
               static_cast<long long>(scalar(store, "SELECT count(*) FROM interactions")),
               static_cast<long long>(by_id.inserted));
    FUZZ_CHECK(scalar(store,
                      "SELECT count(*) FROM interactions WHERE customer_id NOT IN "
                      "(SELECT id FROM customers)") == 0,
               "an interaction of a customer that does not exist");
    for (const crm::Interaction& i : store.interactions().list({})) {
      // An amount is stored exactly: what the store gives back parses again.
      FUZZ_CHECK(!i.amount || crm::Money::parse(i.amount->to_string()) == *i.amount,
                 "interaction %lld has amount %s", static_cast<long long>(i.id),
                 i.amount->to_string().c_str());
    }
  }

  const std::int64_t before = scalar(store, "SELECT count(*) FROM interactions");
  ImportOptions dry;
  dry.match = crm::MatchKey::kEmail;
  dry.dry_run = true;
  ImportReport checked;
  if (import(store, file, dry, checked)) {
    check_report(checked, "dry run by e-mail");
    FUZZ_CHECK(!checked.committed, "a dry run committed");
  }
  FUZZ_CHECK(scalar(store, "SELECT count(*) FROM interactions") == before,
             "a dry run changed the interactions");
  return 0;
}

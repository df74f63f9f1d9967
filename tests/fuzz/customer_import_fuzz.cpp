// Fuzz target: `crm import customers` through the kernel, on a fresh
// in-memory database per input. The input is the CSV file. It is imported
// three times: created, then upserted by external id, then updated by e-mail
// as a strict dry run; the reports must add up and agree with the store.
#include <algorithm>
#include <cstdint>
#include <string>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "fuzz_support.hpp"

namespace {

using crm::ImportOptions;
using crm::ImportReport;

void check_report(const ImportReport& r, const char* pass) {
  FUZZ_CHECK(r.read == r.inserted + r.updated + r.skipped,
             "%s: read %lld != inserted %lld + updated %lld + skipped %lld", pass,
             static_cast<long long>(r.read), static_cast<long long>(r.inserted),
             static_cast<long long>(r.updated), static_cast<long long>(r.skipped));
  FUZZ_CHECK(static_cast<std::int64_t>(r.errors.size()) == std::min<std::int64_t>(r.skipped, 1000),
             "%s: %zu errors for %lld skipped rows", pass, r.errors.size(),
             static_cast<long long>(r.skipped));
  FUZZ_CHECK(std::is_sorted(r.errors.begin(), r.errors.end(),
                            [](const auto& a, const auto& b) { return a.line < b.line; }),
             "%s: errors not in line order", pass);
  for (const auto& e : r.errors) {
    FUZZ_CHECK(e.line >= 2, "%s: error on line %lld, before any data row: %s", pass,
               static_cast<long long>(e.line), e.message.c_str());
    FUZZ_CHECK(!e.message.empty(), "%s: empty error message on line %lld", pass,
               static_cast<long long>(e.line));
  }
}

// Runs one import; false when it refused the file as a whole, which must be
// an InvalidInput naming the file.
bool import(crm::Store& store, const std::filesystem::path& file, const ImportOptions& o,
            ImportReport& r) {
  try {
    r = crm::import_customers(store, file, o);
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

  ImportReport created;
  if (!import(store, file, ImportOptions{}, created)) return 0;
  check_report(created, "create");
  FUZZ_CHECK(created.updated == 0, "create updated %lld", static_cast<long long>(created.updated));
  FUZZ_CHECK(created.committed, "create did not commit");
  FUZZ_CHECK(store.customers().count() == created.inserted, "%lld customers stored, %lld inserted",
             static_cast<long long>(store.customers().count()),
             static_cast<long long>(created.inserted));

  ImportOptions upsert;
  upsert.mode = ImportOptions::Mode::kUpsert;
  ImportReport upserted;
  if (import(store, file, upsert, upserted)) {
    check_report(upserted, "upsert");
    FUZZ_CHECK(upserted.read == created.read, "upsert read %lld rows, create %lld",
               static_cast<long long>(upserted.read), static_cast<long long>(created.read));
    FUZZ_CHECK(store.customers().count() == created.inserted + upserted.inserted,
               "%lld customers after upsert, %lld + %lld inserted",
               static_cast<long long>(store.customers().count()),
               static_cast<long long>(created.inserted), static_cast<long long>(upserted.inserted));
  }

  const std::int64_t before = store.customers().count();
  ImportOptions dry;
  dry.mode = ImportOptions::Mode::kUpdate;
  dry.match = crm::MatchKey::kEmail;
  dry.dry_run = true;
  dry.strict = true;
  ImportReport checked;
  if (import(store, file, dry, checked)) {
    check_report(checked, "dry run");
    FUZZ_CHECK(!checked.committed, "a dry run committed");
    FUZZ_CHECK(checked.inserted == 0, "an update inserted %lld",
               static_cast<long long>(checked.inserted));
  }
  FUZZ_CHECK(store.customers().count() == before, "a dry run changed the customer count");
  return 0;
}

// The interaction read model's scan beside a hand-written SQLite loop over
// the same rows, on an existing crm database.
//
// Usage: bench_scan DB [RUNS]   (default 3 runs)
//
// Both sides read the purchases that have an amount, ordered by customer
// then time (what per-customer analytics such as RFM ask for), and keep, per
// row, the customer id, the time and the amount with its currency:
//   ours       InteractionRepository::scan with fields customer_id,
//              occurred_at and amount (Money), batches of 65,536 rows,
//              summing the amounts per batch so nothing is optimised away;
//   reference  sqlite3_prepare_v2 + sqlite3_step of the same SELECT on the
//              same covering index, the columns read into std::vectors of
//              int64 and the currency compared with the previous row's (a
//              competent C programmer's loop; it builds no Money).
// Each run times both, one after the other; prints rows/s and the ratio.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crm/interaction_repository.hpp"
#include "crm/kernel.hpp"

namespace {

using Seconds = std::chrono::duration<double>;

struct Result {
  std::int64_t rows = 0;
  std::int64_t sum = 0;  // of the minor units, to check both sides
  double seconds = 0;
};

Result scan_ours(crm::Kernel& k) {
  crm::InteractionScan s;
  s.filter.kind = "purchase";
  s.filter.with_amount_only = true;
  s.fields.amount = true;
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  k.store().interactions().scan(s, [&](const crm::InteractionBatch& b) {
    r.rows += static_cast<std::int64_t>(b.rows);
    for (const auto& m : b.amount) r.sum += m->minor_units();
  });
  r.seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
  return r;
}

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

Result scan_reference(const std::string& path) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path);
  }
  const std::unique_ptr<sqlite3, DbClose> db(raw);
  sqlite3_stmt* st_raw = nullptr;
  const char* sql =
      "SELECT customer_id, occurred_at, amount_minor, currency FROM interactions "
      "WHERE kind = 'purchase' AND amount_minor IS NOT NULL "
      "ORDER BY customer_id, occurred_at, id";
  if (sqlite3_prepare_v2(db.get(), sql, -1, &st_raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db.get()));
  }
  const std::unique_ptr<sqlite3_stmt, StmtFinalize> st(st_raw);
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::int64_t> customer, at, minor;
  std::string currency;
  while (sqlite3_step(st.get()) == SQLITE_ROW) {
    customer.push_back(sqlite3_column_int64(st.get(), 0));
    at.push_back(sqlite3_column_int64(st.get(), 1));
    minor.push_back(sqlite3_column_int64(st.get(), 2));
    const auto* code = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 3));
    if (currency != code) currency = code;
    if (customer.size() == 65536) {  // the same batching as ours
      for (const std::int64_t m : minor) r.sum += m;
      r.rows += static_cast<std::int64_t>(customer.size());
      customer.clear(), at.clear(), minor.clear();
    }
  }
  for (const std::int64_t m : minor) r.sum += m;
  r.rows += static_cast<std::int64_t>(customer.size());
  r.seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_scan DB [RUNS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  if (runs < 1) {
    std::fprintf(stderr, "bench_scan: RUNS must be at least 1\n");
    return 2;
  }
  try {
    crm::KernelOptions o;
    o.database = path;
    o.load_plugins = false;
    crm::Kernel k(o);
    std::vector<double> ours, reference, ratio;
    for (int run = 1; run <= runs; ++run) {
      const Result a = scan_ours(k);
      const Result b = scan_reference(path);
      if (a.rows != b.rows || a.sum != b.sum) {
        std::fprintf(stderr, "bench_scan: the sides disagree (%lld rows, sum %lld vs %lld, %lld)\n",
                     static_cast<long long>(a.rows), static_cast<long long>(a.sum),
                     static_cast<long long>(b.rows), static_cast<long long>(b.sum));
        return 1;
      }
      ours.push_back(a.rows / a.seconds);
      reference.push_back(b.rows / b.seconds);
      ratio.push_back(a.seconds / b.seconds);
      std::printf(
          "run %d: %lld rows; scan %.3f s (%.2f M rows/s), sqlite3 loop %.3f s (%.2f M rows/s)\n",
          run, static_cast<long long>(a.rows), a.seconds, a.rows / a.seconds / 1e6, b.seconds,
          b.rows / b.seconds / 1e6);
    }
    std::printf(
        "median of %d runs: scan %.2f M rows/s, sqlite3 loop %.2f M rows/s, ratio scan / loop "
        "%.2f\n",
        runs, median(ours) / 1e6, median(reference) / 1e6, median(ratio));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scan: %s\n", e.what());
    return 1;
  }
  return 0;
}

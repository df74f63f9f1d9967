// RFM scoring benchmark: crm_retention_model vs pandas on the same data.
//
// Generates 1,000,000 customers with 10,000,000 purchases (seeded), writes
// them to a CSV in /tmp, scores RFM (as of 2023-12-31, 365-day window,
// quintiles) with compute_rfm from in-memory columns, and runs
// rfm_pandas.py (read_csv, then groupby + qcut) on the CSV. Prints each time,
// the ratio, and whether the tie-stable scores of both agree.
//
// Usage: bench_rfm [--customers N] [--purchases N] [--csv PATH] [--no-python]

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/rfm.hpp"

namespace {

using crm::retention::bench::parse_key_values;
using crm::retention::bench::run_command;
using crm::retention::bench::time_median;
using crm::retention::bench::time_once;

struct Data {
  std::vector<std::int32_t> customer;
  std::vector<std::int32_t> day;
  std::vector<double> amount;
};

// Every customer buys at least once; the other purchases go to customers
// drawn with a skew (index ~ n u^2), days uniform over 2022-2023, amounts
// lognormal (median $45) in quarter-dollar steps. Quarters are exact in binary,
// so sums do not depend on summation order and both implementations see the
// same ties.
Data generate(std::size_t customers, std::size_t purchases, int first_day, int days) {
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> day_dist(0, days - 1);
  std::lognormal_distribution<double> quarters(std::log(180.0), 0.8);
  Data d;
  d.customer.resize(purchases);
  d.day.resize(purchases);
  d.amount.resize(purchases);
  for (std::size_t i = 0; i < purchases; ++i) {
    const double u = unit(rng);
    d.customer[i] = static_cast<std::int32_t>(
        i < customers
            ? i
            : std::min<std::size_t>(customers - 1, static_cast<std::size_t>(customers * u * u)));
    d.day[i] = first_day + day_dist(rng);
    d.amount[i] = 0.25 * (1.0 + std::floor(quarters(rng)));
  }
  return d;
}

void write_csv(const Data& d, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  std::vector<char> buffer(1 << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  std::fputs("customer_id,date,amount\n", f);
  std::vector<std::string> dates;  // format each day once
  int min_day = *std::min_element(d.day.begin(), d.day.end());
  int max_day = *std::max_element(d.day.begin(), d.day.end());
  for (int day = min_day; day <= max_day; ++day) dates.push_back(crm::retention::format_date(day));
  char line[64];
  for (std::size_t i = 0; i < d.customer.size(); ++i) {
    const int n =
        std::snprintf(line, sizeof line, "C%07d,%s,%.2f\n", d.customer[i],
                      dates[static_cast<std::size_t>(d.day[i] - min_day)].c_str(), d.amount[i]);
    std::fwrite(line, 1, static_cast<std::size_t>(n), f);
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t customers = 1'000'000;
  std::size_t purchases = 10'000'000;
  std::string csv = "/tmp/crm_bench_rfm_purchases.csv";
  bool python = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--customers" && i + 1 < argc)
      customers = std::stoul(argv[++i]);
    else if (arg == "--purchases" && i + 1 < argc)
      purchases = std::stoul(argv[++i]);
    else if (arg == "--csv" && i + 1 < argc)
      csv = argv[++i];
    else if (arg == "--no-python")
      python = false;
    else {
      std::fprintf(stderr, "usage: %s [--customers N] [--purchases N] [--csv PATH] [--no-python]\n",
                   argv[0]);
      return 2;
    }
  }
  if (purchases < customers) purchases = customers;

  const int first_day = crm::retention::parse_date("2022-01-01");
  const int as_of = crm::retention::parse_date("2023-12-31");
  const int window = 365;
  std::printf("bench_rfm: %zu customers, %zu purchases, as of 2023-12-31, %d-day window\n",
              customers, purchases, window);

  Data data;
  const double gen = time_once([&] { data = generate(customers, purchases, first_day, 730); });
  std::printf("  generate                          %8.3f s\n", gen);
  const double write = time_once([&] { write_csv(data, csv); });
  std::printf("  write %s %8.3f s\n", csv.c_str(), write);

  crm::retention::RfmOptions options;
  options.as_of_day = as_of;
  options.window_days = window;
  crm::retention::RfmTable table;
  const double ours = time_median(5, [&] {
    table = crm::retention::compute_rfm(data.customer, data.day, data.amount, customers, options);
  });
  const std::vector<crm::retention::RfmSegmentRule> rules = crm::retention::default_rfm_segments();
  std::vector<std::int32_t> segments;
  const double seg =
      time_median(5, [&] { segments = crm::retention::assign_rfm_segments(table, rules); });
  long long sum_r = 0, sum_f = 0, sum_m = 0, sum_freq = 0;
  double sum_monetary = 0.0;
  for (std::size_t c = 0; c < table.size(); ++c) {
    sum_r += table.r_score[c];
    sum_f += table.f_score[c];
    sum_m += table.m_score[c];
    sum_freq += table.frequency[c];
    sum_monetary += table.monetary[c];
  }
  std::printf("  ours: compute_rfm (median of 5)   %8.3f s  (%zu active customers)\n", ours,
              table.active);
  std::printf("  ours: assign_rfm_segments         %8.3f s\n", seg);

  crm::retention::PurchaseLog log;
  const double our_read = time_once([&] { log = crm::retention::read_purchases_csv(csv); });
  std::printf("  ours: read_purchases_csv          %8.3f s  (%zu rows, %zu customers)\n", our_read,
              log.size(), log.customer_count());

  if (!python) return 0;
  const std::string command = std::string(CRM_BENCH_PYTHON) + " " + CRM_RFM_PANDAS_SCRIPT + " " +
                              csv + " 2023-12-31 " + std::to_string(window);
  std::printf("  running: %s\n", command.c_str());
  std::fflush(stdout);
  const auto kv = parse_key_values(run_command(command));
  const double pd_read = std::stod(kv.at("read_seconds"));
  const double pd_compute = std::stod(kv.at("compute_seconds"));
  const double pd_stable = std::stod(kv.at("compute_tie_stable_seconds"));
  std::printf("  pandas: read_csv + to_datetime    %8.3f s\n", pd_read);
  std::printf("  pandas: groupby + qcut            %8.3f s  (%s active customers)\n", pd_compute,
              kv.at("active").c_str());
  std::printf("  pandas: tie-stable scores (extra) %8.3f s\n", pd_stable);
  std::printf("  ratio pandas compute / ours       %8.1f x\n", pd_compute / ours);
  std::printf("  ratio pandas read / ours read     %8.1f x\n", pd_read / our_read);
  const bool same = std::stoll(kv.at("sum_r")) == sum_r && std::stoll(kv.at("sum_f")) == sum_f &&
                    std::stoll(kv.at("sum_m")) == sum_m &&
                    std::stoll(kv.at("sum_frequency")) == sum_freq &&
                    std::fabs(std::stod(kv.at("sum_monetary")) - sum_monetary) < 0.01;
  std::printf("  tie-stable score sums ours R/F/M  %lld / %lld / %lld, pandas %s / %s / %s: %s\n",
              sum_r, sum_f, sum_m, kv.at("sum_r").c_str(), kv.at("sum_f").c_str(),
              kv.at("sum_m").c_str(), same ? "agree" : "DIFFER");
  return same ? 0 : 1;
}

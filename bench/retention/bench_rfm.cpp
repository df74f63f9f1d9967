// RFM scoring benchmark: crm_retention_model vs pandas and DuckDB on the same
// data, doing the same work.
//
// Generates 1,000,000 customers with 10,000,000 purchases (seeded), writes
// them to a CSV in /tmp and scores RFM (as of 2023-12-31, 365-day window,
// tie-stable quintiles) two ways on every side:
//   in memory  from columns (string customer key, date, amount) already in
//              memory to the score table: ours interns the keys
//              (PurchaseLogBuilder) and runs compute_rfm; pandas groups the
//              DataFrame read_csv gave by its string keys (rfm_pandas.py);
//              DuckDB runs the RFM query over a table it loaded
//              (duckdb/rfm_duckdb.mjs).
//   pipeline   from the CSV file to the score table: ours read_purchases_csv
//              + compute_rfm; pandas read_csv + to_datetime + the above;
//              DuckDB the RFM query over read_csv().
// Each round runs all sides one after the other and checks, before using its
// times, that they agree: sums of the scores, frequency and monetary over
// every customer, and every field of ~1,000 sampled customers. It prints the
// medians over the rounds and the median of the per-round ratios.
//
// Usage: bench_rfm [--customers N] [--purchases N] [--csv PATH] [--rounds N]
//                  [--no-pandas] [--no-duckdb]

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_common.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/purchases.hpp"
#include "crm/retention/rfm.hpp"

namespace {

using crm::retention::PurchaseLog;
using crm::retention::RfmOptions;
using crm::retention::RfmTable;
using crm::retention::bench::parse_key_values;
using crm::retention::bench::run_command;
using crm::retention::bench::time_once;

// Purchases as a user holds them before our library sees them: the customer
// key as a string.
struct Data {
  std::vector<std::string> key;
  std::vector<std::int32_t> day;
  std::vector<double> amount;
};

std::string customer_key(std::size_t index) {
  char text[24];
  std::snprintf(text, sizeof text, "C%07zu", index);
  return text;
}

// Every customer buys at least once; the other purchases go to customers
// drawn with a skew (index ~ n u^2), days uniform over 2022-2023, amounts
// lognormal (median $45) in quarter-dollar steps. Quarters are exact in binary,
// so sums do not depend on summation order and every side sees the same ties.
Data generate(std::size_t customers, std::size_t purchases, int first_day, int days) {
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> day_dist(0, days - 1);
  std::lognormal_distribution<double> quarters(std::log(180.0), 0.8);
  std::vector<std::string> keys(customers);
  for (std::size_t c = 0; c < customers; ++c) keys[c] = customer_key(c);
  Data d;
  d.key.resize(purchases);
  d.day.resize(purchases);
  d.amount.resize(purchases);
  for (std::size_t i = 0; i < purchases; ++i) {
    const double u = unit(rng);
    d.key[i] =
        keys[i < customers ? i
                           : std::min<std::size_t>(customers - 1,
                                                   static_cast<std::size_t>(customers * u * u))];
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
  const int min_day = *std::min_element(d.day.begin(), d.day.end());
  const int max_day = *std::max_element(d.day.begin(), d.day.end());
  for (int day = min_day; day <= max_day; ++day) dates.push_back(crm::retention::format_date(day));
  char line[64];
  for (std::size_t i = 0; i < d.key.size(); ++i) {
    const int n =
        std::snprintf(line, sizeof line, "%s,%s,%.2f\n", d.key[i].c_str(),
                      dates[static_cast<std::size_t>(d.day[i] - min_day)].c_str(), d.amount[i]);
    std::fwrite(line, 1, static_cast<std::size_t>(n), f);
  }
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

void write_lines(const std::vector<std::string>& lines, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  for (const std::string& l : lines) std::fprintf(f, "%s\n", l.c_str());
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

// What each side reports of its result, in the scripts' text format:
// sums over the scored customers, and per sampled key
// "R,F,M,RECENCY,FREQUENCY,MONETARY" or "none".
struct Summary {
  std::map<std::string, std::string> sums;  // active, sum_r, sum_f, sum_m, sum_frequency
  double sum_monetary = 0.0;
  std::map<std::string, std::string> samples;
};

Summary summarize(const RfmTable& t, const PurchaseLog& log,
                  const std::vector<std::string>& sample_keys) {
  long long r = 0, f = 0, m = 0, frequency = 0;
  Summary s;
  for (std::size_t c = 0; c < t.size(); ++c) {
    if (t.r_score[c] == 0) continue;
    r += t.r_score[c];
    f += t.f_score[c];
    m += t.m_score[c];
    frequency += t.frequency[c];
    s.sum_monetary += t.monetary[c];
  }
  s.sums = {{"active", std::to_string(t.active)},
            {"sum_r", std::to_string(r)},
            {"sum_f", std::to_string(f)},
            {"sum_m", std::to_string(m)},
            {"sum_frequency", std::to_string(frequency)}};
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < log.customer_count(); ++c) index.emplace(log.customer_keys[c], c);
  for (const std::string& key : sample_keys) {
    const auto it = index.find(key);
    if (it == index.end() || t.r_score[it->second] == 0) {
      s.samples[key] = "none";
      continue;
    }
    const std::size_t c = it->second;
    char text[96];
    std::snprintf(text, sizeof text, "%d,%d,%d,%d,%d,%.2f", t.r_score[c], t.f_score[c],
                  t.m_score[c], t.recency_days[c], t.frequency[c], t.monetary[c]);
    s.samples[key] = text;
  }
  return s;
}

Summary summary_from(const std::map<std::string, std::string>& kv) {
  Summary s;
  for (const char* k : {"active", "sum_r", "sum_f", "sum_m", "sum_frequency"}) s.sums[k] = kv.at(k);
  s.sum_monetary = std::stod(kv.at("sum_monetary"));
  for (const auto& [k, v] : kv) {
    if (k.starts_with("sample.")) s.samples[k.substr(7)] = v;
  }
  return s;
}

// Empty if `theirs` agrees with `ours`, else what differs.
std::string differences(const Summary& ours, const Summary& theirs, const char* who) {
  std::string out;
  for (const auto& [k, v] : ours.sums) {
    const auto it = theirs.sums.find(k);
    if (it == theirs.sums.end() || it->second != v) {
      out += std::string("  ") + who + " " + k + " " +
             (it == theirs.sums.end() ? "missing" : it->second) + ", ours " + v + "\n";
    }
  }
  if (std::fabs(ours.sum_monetary - theirs.sum_monetary) > 0.005) {
    out += std::string("  ") + who + " sum_monetary " + std::to_string(theirs.sum_monetary) +
           ", ours " + std::to_string(ours.sum_monetary) + "\n";
  }
  for (const auto& [k, v] : ours.samples) {
    const auto it = theirs.samples.find(k);
    if (it == theirs.samples.end() || it->second != v) {
      out += std::string("  ") + who + " customer " + k + ": " +
             (it == theirs.samples.end() ? "missing" : it->second) + ", ours " + v + "\n";
    }
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Times of one round, by name ("ours.memory", "pandas.read", ...).
using Round = std::map<std::string, double>;

struct Config {
  std::size_t customers = 1'000'000;
  std::size_t purchases = 10'000'000;
  std::string csv = "/tmp/crm_bench_rfm_purchases.csv";
  int rounds = 3;
  bool pandas = true;
  bool duckdb = true;
};

// One round: every side, then the agreement check. Throws if a side differs.
Round run_round(const Config& cfg, const Data& data, const RfmOptions& options,
                const std::vector<std::string>& sample_keys, const std::string& sample_path) {
  Round t;
  // In memory, keys included: intern the string keys, then score.
  PurchaseLog log;
  t["ours.intern"] = time_once([&] {
    crm::retention::PurchaseLogBuilder builder;
    builder.reserve(data.key.size());
    for (std::size_t i = 0; i < data.key.size(); ++i) {
      builder.add(data.key[i], data.day[i], data.amount[i]);
    }
    log = builder.build();
  });
  RfmTable table;
  t["ours.compute_rfm"] = time_once([&] { table = crm::retention::compute_rfm(log, options); });
  t["ours.memory"] = t["ours.intern"] + t["ours.compute_rfm"];
  const Summary ours = summarize(table, log, sample_keys);

  // Pipeline: the CSV file to scores.
  PurchaseLog read_log;
  t["ours.read"] = time_once([&] { read_log = crm::retention::read_purchases_csv(cfg.csv); });
  RfmTable read_table;
  t["ours.pipeline_compute"] =
      time_once([&] { read_table = crm::retention::compute_rfm(read_log, options); });
  t["ours.pipeline"] = t["ours.read"] + t["ours.pipeline_compute"];
  std::string diff = differences(ours, summarize(read_table, read_log, sample_keys), "ours(csv)");
  log = {};
  read_log = {};

  const std::string args = " " + cfg.csv + " " + crm::retention::format_date(options.as_of_day) +
                           " " + std::to_string(options.window_days) + " " + sample_path;
  if (cfg.pandas) {
    const auto kv = parse_key_values(
        run_command(std::string(CRM_BENCH_PYTHON) + " " + CRM_RFM_PANDAS_SCRIPT + args));
    t["pandas.read"] = std::stod(kv.at("read_seconds"));
    t["pandas.memory"] = std::stod(kv.at("compute_seconds"));
    t["pandas.pipeline"] = t["pandas.read"] + t["pandas.memory"];
    diff += differences(ours, summary_from(kv), "pandas");
  }
  if (cfg.duckdb) {
    const auto kv = parse_key_values(run_command(std::string(CRM_RFM_DUCKDB_SCRIPT) + args));
    t["duckdb.read"] = std::stod(kv.at("read_seconds"));
    t["duckdb.memory"] = std::stod(kv.at("compute_seconds"));
    t["duckdb.pipeline"] = std::stod(kv.at("pipeline_seconds"));
    t["duckdb1.memory"] = std::stod(kv.at("compute_1thread_seconds"));
    t["duckdb1.pipeline"] = std::stod(kv.at("pipeline_1thread_seconds"));
    t["duckdb.threads"] = std::stod(kv.at("threads"));
    diff += differences(ours, summary_from(kv), "duckdb");
  }
  if (!diff.empty()) throw std::runtime_error("results differ:\n" + diff);
  std::printf("  agree: %s active customers, %zu sampled customers identical on every side\n",
              ours.sums.at("active").c_str(), ours.samples.size());
  return t;
}

void print_round(int n, const Round& t) {
  std::printf(
      "  round %d  ours memory %.3f s (intern %.3f + compute_rfm %.3f), pipeline %.3f s "
      "(read %.3f + compute_rfm %.3f)\n",
      n, t.at("ours.memory"), t.at("ours.intern"), t.at("ours.compute_rfm"), t.at("ours.pipeline"),
      t.at("ours.read"), t.at("ours.pipeline_compute"));
  if (t.count("pandas.memory")) {
    std::printf("           pandas memory %.3f s, pipeline %.3f s (read %.3f)\n",
                t.at("pandas.memory"), t.at("pandas.pipeline"), t.at("pandas.read"));
  }
  if (t.count("duckdb.memory")) {
    std::printf(
        "           duckdb memory %.3f s, pipeline %.3f s (load table %.3f); "
        "1 thread: memory %.3f s, pipeline %.3f s\n",
        t.at("duckdb.memory"), t.at("duckdb.pipeline"), t.at("duckdb.read"), t.at("duckdb1.memory"),
        t.at("duckdb1.pipeline"));
  }
  std::fflush(stdout);
}

void print_medians(const std::vector<Round>& rounds) {
  const auto med = [&](const std::string& k) {
    std::vector<double> v;
    for (const Round& r : rounds) v.push_back(r.at(k));
    return median(v);
  };
  // Ratio reference / ours of each round, run side by side; > 1: ours faster.
  const auto ratio = [&](const std::string& ref, const std::string& ours) {
    std::vector<double> v;
    for (const Round& r : rounds) v.push_back(r.at(ref) / r.at(ours));
    return median(v);
  };
  std::printf(
      "medians of %zu rounds; ratio = reference time / ours, median of the per-round "
      "ratios (> 1: ours faster)\n",
      rounds.size());
  std::printf("  %-28s %9s %9s %9s\n", "", "memory", "pipeline", "");
  std::printf("  %-28s %8.3fs %8.3fs\n", "ours", med("ours.memory"), med("ours.pipeline"));
  std::printf("  %-28s %8.3fs %8.3fs\n", "  of which compute_rfm", med("ours.compute_rfm"),
              med("ours.pipeline_compute"));
  std::printf("  %-28s %8.3fs %8.3fs\n", "  of which keys / read", med("ours.intern"),
              med("ours.read"));
  const auto line = [&](const char* label, const std::string& side) {
    std::printf("  %-28s %8.3fs %8.3fs   ratio memory %6.2fx  pipeline %6.2fx\n", label,
                med(side + ".memory"), med(side + ".pipeline"),
                ratio(side + ".memory", "ours.memory"), ratio(side + ".pipeline", "ours.pipeline"));
  };
  if (rounds[0].count("pandas.memory")) line("pandas", "pandas");
  if (rounds[0].count("duckdb.memory")) {
    const std::string label =
        "duckdb (" + std::to_string(static_cast<int>(rounds[0].at("duckdb.threads"))) + " threads)";
    line(label.c_str(), "duckdb");
    line("duckdb (1 thread)", "duckdb1");
  }
}

Config parse_args(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--customers" && has_value) {
      cfg.customers = std::stoul(argv[++i]);
    } else if (arg == "--purchases" && has_value) {
      cfg.purchases = std::stoul(argv[++i]);
    } else if (arg == "--csv" && has_value) {
      cfg.csv = argv[++i];
    } else if (arg == "--rounds" && has_value) {
      cfg.rounds = std::stoi(argv[++i]);
    } else if (arg == "--no-pandas") {
      cfg.pandas = false;
    } else if (arg == "--no-duckdb") {
      cfg.duckdb = false;
    } else {
      throw std::invalid_argument("unknown or incomplete argument '" + arg + "'");
    }
  }
  if (cfg.customers == 0 || cfg.rounds < 1) {
    throw std::invalid_argument("--customers and --rounds must be at least 1");
  }
  if (cfg.purchases < cfg.customers) cfg.purchases = cfg.customers;
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  try {
    cfg = parse_args(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "bench_rfm: %s\nusage: %s [--customers N] [--purchases N] [--csv PATH] "
                 "[--rounds N] [--no-pandas] [--no-duckdb]\n",
                 e.what(), argv[0]);
    return 2;
  }
  RfmOptions options;
  options.as_of_day = crm::retention::parse_date("2023-12-31");
  options.window_days = 365;
  std::printf(
      "bench_rfm: %zu customers, %zu purchases, as of 2023-12-31, %d-day window, "
      "%d rounds\n",
      cfg.customers, cfg.purchases, options.window_days, cfg.rounds);
  try {
    Data data;
    const double gen = time_once([&] {
      data = generate(cfg.customers, cfg.purchases, crm::retention::parse_date("2022-01-01"), 730);
    });
    const double write = time_once([&] { write_csv(data, cfg.csv); });
    std::printf("  generate %.3f s, write %s %.3f s\n", gen, cfg.csv.c_str(), write);
    // Every 1000th customer (about 2 % of them have no purchase in the window).
    std::vector<std::string> sample_keys;
    for (std::size_t c = 0; c < cfg.customers;
         c += std::max<std::size_t>(1, cfg.customers / 1000)) {
      sample_keys.push_back(customer_key(c));
    }
    const std::string sample_path = cfg.csv + ".sample";
    write_lines(sample_keys, sample_path);
    std::fflush(stdout);

    std::vector<Round> rounds;
    for (int r = 1; r <= cfg.rounds; ++r) {
      rounds.push_back(run_round(cfg, data, options, sample_keys, sample_path));
      print_round(r, rounds.back());
    }
    print_medians(rounds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_rfm: %s\n", e.what());
    return 1;
  }
  return 0;
}

// BG/NBD fitting benchmark: crm_retention_model vs scipy.optimize.minimize.
//
// Fits the CDNOW sample (2,357 customers, FHL 2005 setup) and 1,000,000
// customers simulated from the BG/NBD process with the CDNOW estimates (trial
// purchases in the first 12 weeks, 38.86-week calibration, purchases on a
// daily grid as in real data). The same histories are written to CSV files in
// /tmp and fitted by bgnbd_scipy.py (same likelihood, NumPy/SciPy). Both
// sides report the median of the same number of fits (51 of CDNOW, 3 of the
// synthetic data). Reading the data is not timed on either side; our time
// includes merging identical histories.
//
// Usage: bench_bgnbd [--customers N] [--no-python]
// The CDNOW file is $CRM_SHARED_DATA/cdnow/CDNOW_sample.txt (default: the
// shared data folder compiled in).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "crm/retention/bgnbd.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/simulation.hpp"
#include "crm/retention/transactions.hpp"

namespace {

using crm::retention::BgNbdFit;
using crm::retention::HistoryView;
using crm::retention::bench::parse_key_values;
using crm::retention::bench::run_command;
using crm::retention::bench::time_median;

void write_histories(const HistoryView& h, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  std::fputs("x,t_x,T\n", f);
  for (std::size_t i = 0; i < h.size(); ++i) {
    // 17 significant digits: NumPy reads back the identical doubles.
    std::fprintf(f, "%.17g,%.17g,%.17g\n", h.frequency[i], h.recency[i], h.age[i]);
  }
  std::fclose(f);
}

void print_fit(const char* label, const BgNbdFit& fit, double seconds) {
  std::printf(
      "  %-34s %10.5f s  r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f (%d iterations, %zu rows)\n",
      label, seconds, fit.params.r, fit.params.alpha, fit.params.a, fit.params.b,
      fit.log_likelihood, fit.iterations, fit.distinct_histories);
}

std::filesystem::path cdnow_path() {
  const char* env = std::getenv("CRM_SHARED_DATA");
  const std::filesystem::path dir = env != nullptr && *env != '\0' ? env : CRM_SHARED_DATA_DIR;
  return dir / "cdnow" / "CDNOW_sample.txt";
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t customers = 1'000'000;
  bool python = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--customers" && i + 1 < argc)
      customers = std::stoul(argv[++i]);
    else if (arg == "--no-python")
      python = false;
    else {
      std::fprintf(stderr, "usage: %s [--customers N] [--no-python]\n", argv[0]);
      return 2;
    }
  }

  // CDNOW sample, FHL 2005 setup.
  const std::filesystem::path path = cdnow_path();
  if (!std::filesystem::exists(path)) {
    std::fprintf(
        stderr,
        "missing %s: get CDNOW_sample.txt from the lifetimes datasets folder or "
        "Bruce Hardie's site and place it in ../shared/data/cdnow/ (or set CRM_SHARED_DATA)\n",
        path.c_str());
    return 1;
  }
  crm::retention::SummaryOptions options;
  options.calibration_end = crm::retention::parse_date("1997-09-30");
  options.unit = crm::retention::TimeUnit::kWeek;
  const crm::retention::CustomerSummary cdnow =
      crm::retention::summarize_transactions(crm::retention::read_cdnow(path), options);
  BgNbdFit cdnow_fit;
  constexpr int kCdnowRepeats = 51;
  constexpr int kSyntheticRepeats = 3;
  const double cdnow_time =
      time_median(kCdnowRepeats, [&] { cdnow_fit = crm::retention::fit_bgnbd(cdnow.history()); });
  std::printf("bench_bgnbd\n");
  char label[64];
  std::snprintf(label, sizeof label, "ours: CDNOW sample (median of %d)", kCdnowRepeats);
  print_fit(label, cdnow_fit, cdnow_time);

  // Synthetic customers from the CDNOW parameters.
  crm::retention::SimulationOptions sim;
  sim.customers = customers;
  sim.trial_window = 12.0;
  sim.calibration_end = 272.0 / 7.0;
  sim.resolution = 1.0 / 7.0;
  sim.seed = 1997;
  const crm::retention::SimulatedHistories synth =
      crm::retention::simulate_bgnbd(cdnow_fit.params, sim);
  BgNbdFit synth_fit;
  const double synth_time = time_median(
      kSyntheticRepeats, [&] { synth_fit = crm::retention::fit_bgnbd(synth.history()); });
  std::snprintf(label, sizeof label, "ours: %zu synthetic (median of %d)", customers,
                kSyntheticRepeats);
  print_fit(label, synth_fit, synth_time);

  if (!python) return 0;
  const std::string cdnow_csv = "/tmp/crm_bench_bgnbd_cdnow.csv";
  const std::string synth_csv = "/tmp/crm_bench_bgnbd_synthetic.csv";
  write_histories(cdnow.history(), cdnow_csv);
  write_histories(synth.history(), synth_csv);
  const std::string command = std::string(CRM_BENCH_PYTHON) + " " + CRM_BGNBD_SCIPY_SCRIPT + " " +
                              cdnow_csv + ":" + std::to_string(kCdnowRepeats) + " " + synth_csv +
                              ":" + std::to_string(kSyntheticRepeats);
  std::printf("  running: %s\n", command.c_str());
  std::fflush(stdout);
  const std::string out = run_command(command);
  std::size_t pos = 0;
  while ((pos = out.find("RESULT", pos)) != std::string::npos) {
    const std::size_t end = out.find('\n', pos);
    const auto kv = parse_key_values(out.substr(pos, end - pos));
    pos = end;
    const bool is_cdnow = kv.at("file") == cdnow_csv;
    const double seconds = std::stod(kv.at("seconds"));
    const double ours = is_cdnow ? cdnow_time : synth_time;
    std::printf(
        "  scipy: %-9s %-10s rows=%-8s %10.5f s  r=%s alpha=%s a=%s b=%s LL=%s  "
        "ratio scipy/ours %.0fx\n",
        is_cdnow ? "CDNOW" : "synthetic", kv.at("variant").c_str(), kv.at("rows").c_str(), seconds,
        kv.at("r").c_str(), kv.at("alpha").c_str(), kv.at("a").c_str(), kv.at("b").c_str(),
        kv.at("ll").c_str(), seconds / ours);
  }
  return 0;
}

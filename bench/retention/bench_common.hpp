// Helpers shared by the retention benchmarks: timing and running the Python
// reference scripts.
#ifndef CRM_BENCH_RETENTION_BENCH_COMMON_HPP_
#define CRM_BENCH_RETENTION_BENCH_COMMON_HPP_

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace crm::retention::bench {

// Seconds taken by fn().
inline double time_once(const std::function<void()>& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Median of `repeats` timings of fn(): robust against a noisy shared machine.
inline double time_median(int repeats, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) t.push_back(time_once(fn));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Runs a shell command and returns its standard output; throws if it fails.
inline std::string run_command(const std::string& command) {
  const auto closer = [](FILE* f) { return pclose(f); };
  std::unique_ptr<FILE, decltype(closer)> pipe(popen(command.c_str(), "r"), closer);
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  const int status = pclose(pipe.release());
  if (status != 0) {
    throw std::runtime_error("command failed (status " + std::to_string(status) + "): " + command +
                             "\noutput:\n" + out);
  }
  return out;
}

// Parses "key=value" tokens separated by spaces or newlines.
inline std::map<std::string, std::string> parse_key_values(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(" \n", i);
    const std::string token =
        text.substr(i, end == std::string::npos ? std::string::npos : end - i);
    const std::size_t eq = token.find('=');
    if (eq != std::string::npos) kv[token.substr(0, eq)] = token.substr(eq + 1);
    if (end == std::string::npos) break;
    i = end + 1;
  }
  return kv;
}

}  // namespace crm::retention::bench

#endif  // CRM_BENCH_RETENTION_BENCH_COMMON_HPP_

// Helpers of the fuzz targets: a scratch file holding the input (for the
// readers that take a path) and a check that aborts with a message, which
// both libFuzzer and the replay driver report as a failure with the input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "crm/kernel.hpp"
#include "crm/time.hpp"

#define FUZZ_CHECK(cond, ...)                                                                    \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "==fuzz== check failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                         \
      std::fprintf(stderr, "\n");                                                                \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

namespace crm_fuzz {

// One scratch file per process (libFuzzer's -jobs and -fork run several),
// in /dev/shm when there is one so the write stays in memory; removed when
// the process exits.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view suffix) {
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec)
                                          ? std::filesystem::path("/dev/shm")
                                          : std::filesystem::temp_directory_path();
    path_ = dir / ("crm-fuzz-" + std::to_string(::getpid()) + std::string(suffix));
  }
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's content; returns its path.
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path_;
  }
  const std::filesystem::path& write(std::string_view text) {
    return write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Drops every message: failing instances and refused rows are what the
// targets feed the kernel, and printing each would slow the run down.
class SilentLogger final : public crm::Logger {
 public:
  void write(Level, std::string_view, std::string_view) override {}
};

// A kernel of its own for one input: a fresh in-memory database on simulated
// time, no plugins, messages dropped.
inline crm::KernelOptions kernel_options() {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.load_plugins = false;
  o.use_plugin_path_env = false;
  o.use_bundled_plugins = false;
  o.simulated_start = crm::parse_time("2026-01-01T00:00:00Z");
  o.logger = std::make_shared<SilentLogger>();
  return o;
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace crm_fuzz

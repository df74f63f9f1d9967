// The SDK API version rule in both directions: a plugin built against the
// kernel's major and an older or equal minor loads; a newer minor, or any
// other major (older or newer), is refused with a reason naming both.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "crm/kernel.hpp"
#include "crm/version.hpp"

namespace {

namespace fs = std::filesystem;

std::map<std::string, crm::PluginRecord> api_plugins() {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {CRM_API_FIXTURE_PLUGIN_DIR};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.plugin_check_file.clear();
  o.log_level = crm::Logger::Level::kError;
  crm::Kernel k(o);
  std::map<std::string, crm::PluginRecord> m;
  for (const auto& r : k.plugins()) m[fs::path(r.path).stem().string()] = r;
  return m;
}

std::string api(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

const std::string kKernelApi = api(crm::kApiMajor, crm::kApiMinor);

TEST(PluginApiVersion, TheKernelsOwnVersionLoads) {
  const auto r = api_plugins();
  EXPECT_EQ(r.at("api_same").status, "started");
  EXPECT_EQ(r.at("api_same").api_version, kKernelApi);
  EXPECT_EQ(r.at("api_same").error, "");
}

TEST(PluginApiVersion, AnOlderMinorOfTheSameMajorLoads) {
  if (CRM_API_MINOR_IS_ZERO) GTEST_SKIP() << "API minor is 0: there is no older minor";
  const auto r = api_plugins();
  const auto& rec = r.at("api_older_minor");
  EXPECT_EQ(rec.api_version, api(crm::kApiMajor, crm::kApiMinor - 1));
  EXPECT_EQ(rec.status, "started") << rec.error;
  EXPECT_EQ(rec.error, "");
}

TEST(PluginApiVersion, ANewerMinorIsRefused) {
  const auto r = api_plugins();
  const auto& rec = r.at("api_newer_minor");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "built for SDK API " + api(crm::kApiMajor, crm::kApiMinor + 1) +
                           ", newer than the kernel's API " + kKernelApi);
}

TEST(PluginApiVersion, ANewerMajorIsRefusedEvenWithMinorZero) {
  const auto r = api_plugins();
  const auto& rec = r.at("api_newer_major");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "built for SDK API " + api(crm::kApiMajor + 1, 0) + ", kernel has API " +
                           kKernelApi + " (major versions differ)");
}

TEST(PluginApiVersion, AnOlderMajorIsRefused) {
  const auto r = api_plugins();
  const auto& rec = r.at("api_older_major");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "built for SDK API " + api(crm::kApiMajor - 1, crm::kApiMinor) +
                           ", kernel has API " + kKernelApi + " (major versions differ)");
  // Its major is what is wrong, whatever its minor says.
  const auto& newer_minor = r.at("api_older_major_newer_minor");
  EXPECT_EQ(newer_minor.status, "refused");
  EXPECT_NE(newer_minor.error.find("(major versions differ)"), std::string::npos)
      << newer_minor.error;
}

TEST(PluginApiVersion, AVersionWithoutMinorIsRefused) {
  const auto r = api_plugins();
  const auto& rec = r.at("api_no_minor");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "manifest key 'api_version': '" + std::to_string(crm::kApiMajor) +
                           "' is not MAJOR.MINOR (decimal numbers without sign, leading zero or "
                           "suffix)");
}

TEST(PluginApiVersion, OnlyTheAcceptedOnesStarted) {
  const auto r = api_plugins();
  std::vector<std::string> started;
  for (const auto& [file, rec] : r) {
    if (rec.status == "started") started.push_back(file);
  }
  std::vector<std::string> expected = {"api_same"};
  if (!CRM_API_MINOR_IS_ZERO) expected.insert(expected.begin(), "api_older_minor");
  EXPECT_EQ(started, expected);
  EXPECT_EQ(r.size(), CRM_API_MINOR_IS_ZERO ? 6u : 7u);
}

}  // namespace

// The plugin system against fixture plugins that are broken on purpose:
// every bad plugin is reported with its path and reason, the others run.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "crm/version.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = CRM_FIXTURE_PLUGIN_DIR;

crm::KernelOptions fixture_options() {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {kFixtures};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.plugin_check_file.clear();
  o.log_level = crm::Logger::Level::kError;
  return o;
}

std::map<std::string, crm::PluginRecord> by_file(const crm::Kernel& k) {
  std::map<std::string, crm::PluginRecord> m;
  for (const auto& r : k.plugins()) m[fs::path(r.path).stem().string()] = r;
  return m;
}

// True while the shared library at `path` is mapped into this process.
bool loaded(const fs::path& path) {
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (h) dlclose(h);
  return h != nullptr;
}

TEST(PluginLoader, GoodPluginsStartInDependencyOrder) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("good").status, "started");
  EXPECT_EQ(r.at("good").version, "1.2.3");
  EXPECT_EQ(r.at("good").api_version,
            std::to_string(crm::kApiMajor) + "." + std::to_string(crm::kApiMinor));
  EXPECT_EQ(r.at("good").provides, std::vector<std::string>{"counting"});
  EXPECT_EQ(r.at("needs_good").status, "started");
  EXPECT_EQ(r.at("needs_good").dependencies, std::vector<std::string>{"good"});
  // Both registered their commands; the command answers with the name.
  EXPECT_EQ(k.commands().run({"fixture", "good"}, {}).data.at("plugin"), "good");
  EXPECT_EQ(k.commands().run({"fixture", "needs_good"}, {}).data.at("plugin"), "needs_good");
}

TEST(PluginLoader, NotAPluginIsRefusedWithReason) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("not_a_plugin").status, "refused");
  EXPECT_NE(r.at("not_a_plugin").error.find("not a CRM plugin"), std::string::npos);
  EXPECT_EQ(r.at("not_a_plugin").path,
            fs::absolute(kFixtures / "not_a_plugin.so").lexically_normal());
  EXPECT_EQ(r.at("garbage").status, "refused");
  EXPECT_FALSE(r.at("garbage").error.empty());
}

TEST(PluginLoader, WrongApiVersionsAreRefused) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("wrong_api").status, "refused");
  EXPECT_NE(r.at("wrong_api").error.find("built for SDK API 99.0"), std::string::npos);
  EXPECT_NE(r.at("wrong_api").error.find("major versions differ"), std::string::npos);
  EXPECT_EQ(r.at("newer_minor").status, "refused");
  EXPECT_NE(r.at("newer_minor").error.find("newer than the kernel"), std::string::npos);
}

TEST(PluginLoader, FailingFactoryAndStartAreReportedAndUndone) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("factory_throws").status, "failed");
  EXPECT_EQ(r.at("factory_throws").error, "factory threw std::runtime_error: constructor refuses");
  EXPECT_EQ(r.at("start_throws").status, "failed");
  EXPECT_EQ(r.at("start_throws").error,
            "start threw std::runtime_error: cannot reach the mail server");
  // The command it registered before throwing is gone again.
  EXPECT_THROW(k.commands().run({"fixture", "start_throws"}, {}), crm::NotFound);
  EXPECT_EQ(r.at("needs_start_throws").status, "failed");
  EXPECT_NE(r.at("needs_start_throws").error.find("'start_throws', which failed to start"),
            std::string::npos);
}

TEST(PluginLoader, MissingAndCyclicRequirementsAreRefused) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("needs_missing").status, "refused");
  EXPECT_EQ(r.at("needs_missing").error,
            "requires 'nowhere', which no plugin found is named or provides");
  EXPECT_EQ(r.at("cycle_a").status, "refused");
  EXPECT_EQ(r.at("cycle_b").status, "refused");
  EXPECT_NE(r.at("cycle_a").error.find("cyclic requirement: cycle_a -> cycle_b -> cycle_a"),
            std::string::npos);
}

TEST(PluginLoader, SecondPluginOfANameIsADuplicate) {
  crm::Kernel k(fixture_options());
  const auto r = by_file(k);
  EXPECT_EQ(r.at("twin_1").status, "started");
  EXPECT_EQ(r.at("twin_1").version, "1.0.0");
  EXPECT_EQ(r.at("twin_2").status, "duplicate");
  EXPECT_NE(r.at("twin_2").error.find("twin_1.so"), std::string::npos);
}

TEST(PluginLoader, PluginDirectoriesComeBeforeEnvironmentAndBundled) {
  // The same directory listed twice: its plugins are all duplicates the second time.
  auto o = fixture_options();
  o.plugin_dirs = {kFixtures, kFixtures};
  crm::Kernel k(o);
  int started = 0, duplicates = 0;
  for (const auto& rec : k.plugins()) {
    started += rec.status == "started";
    duplicates += rec.status == "duplicate";
  }
  EXPECT_EQ(started, 3);  // good, needs_good, twin
  // twin_2 the first time; the second time every plugin whose manifest was
  // read (all but garbage, not_a_plugin, wrong_api and newer_minor).
  EXPECT_EQ(duplicates, 1 + 10);
}

TEST(PluginLoader, PluginSeesEventsAndOwnsItsTables) {
  crm::Kernel k(fixture_options());
  crm::Customer c;
  c.name = "Ada";
  const auto id = k.store().customers().add(c, crm::Actor::user("t"));
  c = k.store().customers().get(id);
  c.segment = "vip";
  k.store().customers().update(c, crm::Actor::user("t"));
  const auto rows = k.store().db().query("SELECT type FROM fixture_good_events ORDER BY rowid");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text(0), "customer.created");
  EXPECT_EQ(rows[1].text(0), "customer.updated");
  EXPECT_EQ(k.store().db().schema_version("fixture_good"), 1);
}

TEST(PluginLoader, LibrariesStayLoadedWhileInUseAndUnloadAfter) {
  const fs::path good = kFixtures / "good.so";
  const fs::path refused = kFixtures / "wrong_api.so";
  {
    crm::Kernel k(fixture_options());
    EXPECT_TRUE(loaded(good));
    EXPECT_FALSE(loaded(refused));  // refused libraries are unloaded at once
  }
  EXPECT_FALSE(loaded(good));  // the kernel is gone and with it every object of the plugin
}

TEST(PluginLoader, PluginExceptionsOutliveThePlugin) {
  // The host catches the command's exception after the kernel (and with it
  // the plugin's library) is gone: the exception must not live in the plugin.
  std::string message;
  try {
    crm::Kernel k(fixture_options());
    crm::CommandInput in;
    in.options["fail"] = "true";
    k.commands().run({"fixture", "good"}, in);
  } catch (const crm::InvalidInput& e) {
    message = e.what();
  }
  EXPECT_FALSE(loaded(kFixtures / "good.so"));
  EXPECT_EQ(message, "good was asked to fail");
}

TEST(PluginLoader, OneBadPluginNeverStopsTheKernel) {
  crm::Kernel k(fixture_options());
  // The kernel works normally beside all the broken fixtures.
  crm::Customer c;
  c.name = "Grace";
  EXPECT_GT(k.store().customers().add(c, crm::Actor::user("t")), 0);
  EXPECT_EQ(k.plugins().size(), 14u);  // 13 libraries + garbage.so
}

}  // namespace

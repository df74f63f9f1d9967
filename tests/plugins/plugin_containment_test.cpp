// What the plugin boundary contains, against fixture plugins broken on
// purpose: exceptions of any type, bad manifests, toolchain mismatches and
// missing symbols in-process; crashes and hangs through the check in a
// child process, remembered in the check file until the plugin changes.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/version.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "crm/plugin_manifest.hpp"
#include "crm/version.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kContained = CRM_CONTAINED_PLUGIN_DIR;
const fs::path kCrashing = CRM_CRASHING_PLUGIN_DIR;
const fs::path kStop = CRM_STOP_PLUGIN_DIR;

crm::KernelOptions options_for(const fs::path& dir) {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {dir};
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

bool loaded(const fs::path& path) {
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (h) dlclose(h);
  return h != nullptr;
}

class KeptLog final : public crm::Logger {
 public:
  void write(Level, std::string_view source, std::string_view message) override {
    lines.push_back(std::string(source) + ": " + std::string(message));
  }
  std::vector<std::string> lines;
};

// A scratch directory, removed afterwards.
struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
};

TEST(PluginContainment, ExceptionsOfAnyTypeFailThePluginWithTheirType) {
  crm::Kernel k(options_for(kContained));
  const auto r = by_file(k);
  EXPECT_EQ(r.at("start_throws_int").status, "failed");
  EXPECT_EQ(r.at("start_throws_int").error, "start threw int");
  // What it registered before throwing is gone.
  EXPECT_THROW(k.commands().run({"fixture", "start_throws_int"}, {}), crm::NotFound);
  EXPECT_EQ(r.at("factory_throws_int").status, "failed");
  EXPECT_EQ(r.at("factory_throws_int").error, "factory threw int");
  EXPECT_EQ(r.at("start_throws_std").error, "start threw std::out_of_range: index 7 of 3");
  EXPECT_EQ(r.at("start_throws_duplicate").error,
            "start threw crm::DuplicateKey: external id C7 is taken");
  EXPECT_EQ(r.at("factory_null").status, "failed");
  EXPECT_EQ(r.at("factory_null").error, "factory returned no object");
}

// What a plugin's command throws, as the host catches it.
std::string thrown_by_command(crm::Kernel& k, const std::string& kind, const char*& type) {
  crm::CommandInput in;
  in.options["kind"] = kind;
  try {
    k.commands().run({"fixture", "throw"}, in);
  } catch (const crm::DuplicateKey& e) {
    type = "DuplicateKey";
    return e.what();
  } catch (const crm::Conflict& e) {
    type = "Conflict";
    return e.what();
  } catch (const crm::NotFound& e) {
    type = "NotFound";
    return e.what();
  } catch (const crm::PluginError& e) {
    type = "PluginError";
    return e.what();
  } catch (...) {
    type = "something else";
  }
  return "";
}

TEST(PluginContainment, ACommandsExceptionsKeepTheirKernelKind) {
  crm::Kernel k(options_for(kContained));
  const char* type = "";
  EXPECT_EQ(thrown_by_command(k, "duplicate", type), "external id C7 is taken");
  EXPECT_STREQ(type, "DuplicateKey");  // not flattened to StoreError
  EXPECT_EQ(thrown_by_command(k, "conflict", type), "instance 3 moved");
  EXPECT_STREQ(type, "Conflict");
  EXPECT_EQ(thrown_by_command(k, "not_found", type), "customer 9 not found");
  EXPECT_STREQ(type, "NotFound");
  EXPECT_EQ(thrown_by_command(k, "std", type),
            "plugin 'command_throws': threw std::out_of_range: index 7 of 3");
  EXPECT_STREQ(type, "PluginError");
  EXPECT_EQ(thrown_by_command(k, "int", type), "plugin 'command_throws': threw int");
  EXPECT_STREQ(type, "PluginError");
}

TEST(PluginContainment, BadManifestsAreRefusedNamingTheKey) {
  crm::Kernel k(options_for(kContained));
  const auto r = by_file(k);
  EXPECT_EQ(r.at("manifest_not_json").status, "refused");
  EXPECT_EQ(
      r.at("manifest_not_json").error.rfind("unreadable manifest: [json.exception.parse_error", 0),
      0u)
      << r.at("manifest_not_json").error;
  EXPECT_EQ(r.at("manifest_wrong_types").status, "refused");
  EXPECT_EQ(r.at("manifest_wrong_types").error,
            "manifest key 'requires' is string, not a list of names");
  const std::string rule =
      "' is not MAJOR.MINOR.PATCH (decimal numbers without sign, leading "
      "zero or suffix)";
  EXPECT_EQ(r.at("version_suffix").status, "refused");
  EXPECT_EQ(r.at("version_suffix").error, "manifest key 'version': '1.1.99-anything" + rule);
  EXPECT_EQ(r.at("version_negative").status, "refused");
  EXPECT_EQ(r.at("version_negative").error, "manifest key 'version': '1.-5" + rule);
  for (const char* file : {"manifest_not_json", "manifest_wrong_types", "version_suffix"}) {
    EXPECT_FALSE(loaded(kContained / (std::string(file) + ".so"))) << file;
  }
}

TEST(PluginContainment, AToolchainMismatchIsRefusedNamingBothSides) {
  crm::Kernel k(options_for(kContained));
  const auto r = by_file(k);
  const crm::PluginToolchain kernel;
  EXPECT_EQ(r.at("toolchain_fields").status, "refused");
  EXPECT_EQ(r.at("toolchain_fields").error,
            "toolchain mismatch: nlohmann::json ABI namespace: plugin nlohmann::json_abi_v3_9_1, "
            "kernel " +
                std::string(kernel.json_abi) + "; Boost (BOOST_VERSION): plugin 106900, kernel " +
                std::to_string(BOOST_VERSION) +
                " (rebuild the plugin with the kernel's toolchain)");
  // A real one: built with the old std::string ABI.
  EXPECT_EQ(r.at("old_string_abi").status, "refused");
  EXPECT_EQ(r.at("old_string_abi").error,
            "toolchain mismatch: libstdc++ dual ABI (_GLIBCXX_USE_CXX11_ABI): plugin 0, kernel 1 "
            "(rebuild the plugin with the kernel's toolchain)");
  EXPECT_FALSE(loaded(kContained / "old_string_abi.so"));
}

TEST(PluginContainment, AMissingSymbolIsRefusedAtLoadNamingIt) {
  crm::Kernel k(options_for(kContained));
  const auto rec = by_file(k).at("missing_symbol");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error,
            "undefined symbol: crm_fixture_function_nobody_defines: the plugin needs it and "
            "neither the kernel nor the libraries it loads define it");
  EXPECT_FALSE(loaded(kContained / "missing_symbol.so"));
}

TEST(PluginContainment, AStaticConstructorNeverRunsWhenTheManifestIsRefused) {
  // Its static constructor calls abort(): this test would not finish if the
  // library were mapped.
  crm::Kernel k(options_for(kContained));
  const auto rec = by_file(k).at("static_crash_refused");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "built for SDK API " + std::to_string(crm::kApiMajor + 1) + "." +
                           std::to_string(crm::kApiMinor) + ", kernel has API " +
                           std::to_string(crm::kApiMajor) + "." + std::to_string(crm::kApiMinor) +
                           " (major versions differ)");
}

TEST(PluginContainment, ARequirementMayNameACapability) {
  crm::Kernel k(options_for(kContained));
  const auto r = by_file(k);
  EXPECT_EQ(r.at("needs_capability").status, "started") << r.at("needs_capability").error;
  EXPECT_EQ(r.at("good").status, "started");
  // Started after the plugin that provides the capability: its command
  // exists and good's table was migrated first.
  EXPECT_EQ(k.commands().run({"fixture", "needs_capability"}, {}).data.at("plugin"),
            "needs_capability");
  // Without the provider it is refused, naming the capability.
  Scratch s("crm-capability");
  fs::copy_file(kContained / "needs_capability.so", s.dir / "needs_capability.so");
  crm::Kernel alone(options_for(s.dir));
  const auto rec = by_file(alone).at("needs_capability");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error, "requires 'counting', which no plugin found is named or provides");
}

TEST(PluginContainment, EverySurvivablePluginLeavesTheKernelWorking) {
  crm::Kernel k(options_for(kContained));
  crm::Customer c;
  c.name = "Grace";
  EXPECT_GT(k.store().customers().add(c, crm::Actor::user("t")), 0);
  int started = 0;
  for (const auto& rec : k.plugins()) started += rec.status == "started";
  EXPECT_EQ(started, 3);  // good, needs_capability, command_throws
  EXPECT_EQ(k.plugins().size(), 16u);
}

TEST(PluginContainment, AnIntFromStopIsLoggedAndWhatWasCommittedStays) {
  Scratch s("crm-stop");
  const fs::path db = s.dir / "crm.db";
  auto o = options_for(kStop);
  o.database = db.string();
  const auto log = std::make_shared<KeptLog>();
  o.logger = log;
  {
    crm::Kernel k(o);
    ASSERT_EQ(by_file(k).at("stop_throws_int").status, "started");
    crm::Customer c;
    c.name = "Ada";
    k.store().customers().add(c, crm::Actor::user("t"));
  }  // stop() throws here
  EXPECT_NE(
      std::find(log->lines.begin(), log->lines.end(), "plugins: stop_throws_int: stop threw int"),
      log->lines.end());
  o.load_plugins = false;
  crm::Kernel again(o);
  const auto rows = again.store().db().query("SELECT name FROM customers");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].text(0), "Ada");
}

// The crashing set copied to a scratch directory, so a test may change a file.
struct CrashingCopy : Scratch {
  CrashingCopy() : Scratch("crm-crashing") {
    fs::create_directories(dir / "plugins");
    for (const auto& e : fs::directory_iterator(kCrashing)) {
      if (e.path().extension() == ".so")
        fs::copy_file(e.path(), dir / "plugins" / e.path().filename());
    }
  }
  crm::KernelOptions options() const {
    auto o = options_for(dir / "plugins");
    o.plugin_check_file = dir / "state" / "check.json";
    o.plugin_check_timeout = std::chrono::milliseconds(1500);
    return o;
  }
};

TEST(PluginContainment, CrashingPluginsAreCheckedInAChildAndRefused) {
  CrashingCopy copy;
  auto o = copy.options();
  o.check_new_plugins = true;
  const std::string clear =
      "; it is not loaded until the file changes (rebuild it, or remove its "
      "entry from " +
      o.plugin_check_file.string() + ")";
  {
    crm::Kernel k(o);  // would die without the check
    const auto r = by_file(k);
    EXPECT_EQ(r.at("segv_start").status, "refused");
    EXPECT_EQ(r.at("segv_start").error, "the plugin check found it crashed (SIGSEGV)" + clear);
    EXPECT_EQ(r.at("abort_start").error, "the plugin check found it crashed (SIGABRT)" + clear);
    EXPECT_EQ(r.at("hang_start").status, "refused");
    EXPECT_EQ(r.at("hang_start").error,
              "the plugin check found it hung (did not finish within 1.5 s (killed))" + clear);
    EXPECT_EQ(r.at("needs_segv").status, "refused");
    EXPECT_EQ(r.at("needs_segv").error, "requires plugin 'segv_start', which was refused");
    EXPECT_EQ(r.at("bystander").status, "started");
    EXPECT_EQ(k.commands().run({"fixture", "bystander"}, {}).data.at("plugin"), "bystander");
  }
  // Remembered: a kernel that checks nothing refuses them from the file.
  o.check_new_plugins = false;
  {
    const auto started = std::chrono::steady_clock::now();
    crm::Kernel k(o);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000));
    const auto r = by_file(k);
    EXPECT_EQ(r.at("hang_start").status, "refused");
    EXPECT_EQ(r.at("segv_start").status, "refused");
    EXPECT_EQ(r.at("bystander").status, "started");
  }
  // Until the file changes: hang_start.so replaced by a plugin that only
  // throws is loaded in-process again (and fails, contained).
  fs::copy_file(kContained / "start_throws_int.so", copy.dir / "plugins" / "hang_start.so",
                fs::copy_options::overwrite_existing);
  crm::Kernel k(o);
  const auto rec = by_file(k).at("hang_start");
  EXPECT_EQ(rec.name, "start_throws_int");
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.error, "start threw int");
}

TEST(PluginContainment, ACheckThatPassedIsNotRepeated) {
  CrashingCopy copy;
  auto o = copy.options();
  o.check_new_plugins = true;
  fs::remove(copy.dir / "plugins" / "hang_start.so");
  { crm::Kernel k(o); }
  std::ifstream in(o.plugin_check_file);
  const crm::Json file = crm::Json::parse(in);
  const std::string bystander = (copy.dir / "plugins" / "bystander.so").string();
  EXPECT_EQ(file.at("plugins").at(bystander).at("outcome"), "ok");
  EXPECT_EQ(file.at("plugins").at(bystander).at("size"),
            static_cast<std::int64_t>(fs::file_size(bystander)));
  // needs_segv was never checked: its requirement decides.
  EXPECT_FALSE(file.at("plugins").contains((copy.dir / "plugins" / "needs_segv.so").string()));
  // The second kernel forks no child: a pass and the crashes are known.
  const auto started = std::chrono::steady_clock::now();
  crm::Kernel k(o);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_EQ(by_file(k).at("bystander").status, "started");
}

TEST(PluginContainment, ANewModificationTimeAloneMakesTheFindingStale) {
  CrashingCopy copy;
  fs::remove(copy.dir / "plugins" / "hang_start.so");
  auto o = copy.options();
  o.check_new_plugins = true;
  { crm::Kernel k(o); }
  const std::string abort_start = (copy.dir / "plugins" / "abort_start.so").string();
  const auto recorded_mtime = [&] {
    std::ifstream in(o.plugin_check_file);
    return crm::Json::parse(in).at("plugins").at(abort_start).at("mtime_ns").get<std::int64_t>();
  };
  const std::int64_t before = recorded_mtime();
  // Same bytes, same size, a later time: checked again, and the finding
  // recorded for the file as it is now.
  fs::last_write_time(abort_start, fs::last_write_time(abort_start) + std::chrono::seconds(5));
  crm::Kernel k(o);
  EXPECT_EQ(by_file(k).at("abort_start").status, "refused");
  EXPECT_EQ(recorded_mtime() - before, 5'000'000'000);
}

TEST(PluginContainment, ATruncatedLibraryIsRefusedBeforeLoading) {
  Scratch s("crm-truncated");
  std::ifstream in(kContained / "good.so", std::ios::binary);
  std::string bytes(4096, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::ofstream(s.dir / "cut.so", std::ios::binary) << bytes;
  crm::Kernel k(options_for(s.dir));
  const auto rec = by_file(k).at("cut");
  EXPECT_EQ(rec.status, "refused");
  EXPECT_EQ(rec.error.rfind("truncated ELF file: the section headers at offset ", 0), 0u)
      << rec.error;
  EXPECT_NE(rec.error.find("lie beyond its 4096 bytes"), std::string::npos) << rec.error;
}

}  // namespace

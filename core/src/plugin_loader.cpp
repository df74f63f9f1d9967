#include "plugin_loader.hpp"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdlib>
#include <stdexcept>

#include "plugin_discovery.hpp"
#include "plugin_exception.hpp"

namespace crm::core {

namespace fs = std::filesystem;

namespace {

std::string demangled(const std::string& symbol) {
  int status = 0;
  char* text = abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status);
  std::string out = status == 0 && text ? text : "";
  std::free(text);
  return out;
}

// dlopen's complaint, with an undefined symbol named first (and demangled).
std::string load_error(const std::string& dlerror_text) {
  const std::string marker = "undefined symbol: ";
  const auto at = dlerror_text.find(marker);
  if (at == std::string::npos) return "cannot load the library: " + dlerror_text;
  std::string symbol = dlerror_text.substr(at + marker.size());
  symbol = symbol.substr(0, symbol.find_first_of(" ,\n"));
  const std::string readable = demangled(symbol);
  return marker + symbol + (readable.empty() ? "" : " (" + readable + ")") +
         ": the plugin needs it and neither the kernel nor the libraries it loads define it";
}

// Opens the library with every symbol resolved now, so that a missing one
// refuses the plugin here instead of killing the process at first call.
std::shared_ptr<void> open_library(const std::string& path) {
  ::dlerror();
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = ::dlerror();
    throw std::runtime_error(load_error(e ? e : "unknown dlopen error"));
  }
  return std::shared_ptr<void>(handle, [](void* h) { ::dlclose(h); });
}

PluginFactory factory_of(void* handle) {
  ::dlerror();
  void* symbol = ::dlsym(handle, "crm_plugin_create");
  if (symbol == nullptr) {
    throw std::runtime_error(
        "not a CRM plugin (it has a manifest but no crm_plugin_create export)");
  }
  return *static_cast<const PluginFactory*>(symbol);
}

}  // namespace

std::string check_refusal(const CheckFinding& finding, const fs::path& check_file) {
  return "the plugin check found it " + finding.outcome +
         (finding.reason.empty() ? "" : " (" + finding.reason + ")") +
         "; it is not loaded until the file changes (rebuild it, or remove its entry from " +
         check_file.string() + ")";
}

void PluginLoader::load(const std::vector<fs::path>& files, const Json& config,
                        KernelServices services, const PluginLoadOptions& options) {
  FoundPlugins found = find_plugins(files);
  apply_checks(found, config, options);
  records_ = found.records;
  for (const PluginRecord& rec : records_) {
    if (!rec.status.empty()) log_.warning("plugins", rec.path + ": " + rec.error);
  }
  for (const std::size_t i : found.order) {
    if (records_[i].status.empty()) start(i, found.requirements[i], config, services);
  }
  for (PluginRecord& rec : records_) {
    if (rec.status.empty()) rec.status = "refused";
  }
}

void PluginLoader::apply_checks(FoundPlugins& found, const Json& config,
                                const PluginLoadOptions& options) {
  const CheckFile file(options.check_file);
  auto& records = found.records;
  for (const std::size_t i : found.order) {
    PluginRecord& rec = records[i];
    std::optional<CheckFinding> finding = file.find(rec.path);
    if (!finding && options.check_new && !options.check_file.empty()) {
      // A requirement refused by its own check refuses this one at start:
      // checking it would only crash on the requirement again.
      bool requirement_refused = false;
      for (const std::size_t dep : requirement_closure(found, i)) {
        requirement_refused |= dep != i && !records[dep].status.empty();
      }
      if (requirement_refused) continue;
      std::vector<fs::path> closure;
      for (const std::size_t dep : requirement_closure(found, i)) {
        closure.emplace_back(records[dep].path);
      }
      try {
        finding = check_in_child(closure, config, options.check_timeout);
        file.record(rec.path, *finding);
      } catch (const std::exception& e) {
        log_.warning("plugins", rec.path + ": not checked: " + e.what());
      }
    }
    if (finding && finding->fatal()) {
      rec.status = "refused";
      rec.error = check_refusal(*finding, options.check_file);
    }
  }
}

void PluginLoader::start(std::size_t index, const std::vector<std::size_t>& requirements,
                         const Json& config, KernelServices services) {
  PluginRecord& rec = records_[index];
  for (const std::size_t dep : requirements) {
    const PluginRecord& r = records_[dep];
    if (r.status == "started") continue;
    rec.status = r.status == "refused" ? "refused" : "failed";
    rec.error = "requires plugin '" + r.name + "', which " +
                (r.status == "refused" ? "was refused" : "failed to start");
    log_.warning("plugins", rec.path + ": " + rec.error);
    return;
  }
  std::shared_ptr<void> library;
  PluginFactory create = nullptr;
  try {
    library = open_library(rec.path);
    create = factory_of(library.get());
  } catch (const std::exception& e) {
    rec.status = "refused";
    rec.error = e.what();
    log_.warning("plugins", rec.path + ": " + rec.error);
    return;
  }
  std::shared_ptr<Plugin> made;
  try {
    made = create();
  } catch (...) {
    rec.error = "factory threw " + describe_current_exception();
  }
  if (!made) {
    rec.status = "failed";
    if (rec.error.empty()) rec.error = "factory returned no object";
    log_.error("plugins", rec.path + ": " + rec.error);
    return;
  }
  // The object keeps its library: declared first, destroyed last.
  struct Held {
    std::shared_ptr<void> library;
    std::shared_ptr<Plugin> object;
  };
  auto held = std::make_shared<Held>(Held{library, made});
  const std::shared_ptr<Plugin> plugin(held, made.get());
  made.reset();
  const Json plugin_config =
      config.is_object() && config.contains(rec.name) ? config.at(rec.name) : Json::object();
  auto context = std::make_unique<PluginContext>(rec.name, plugin_config, services, library);
  try {
    plugin->start(*context);
  } catch (...) {
    rec.status = "failed";
    rec.error = "start threw " + describe_current_exception();
    context->release();
    log_.error("plugins", rec.path + ": " + rec.error);
    return;
  }
  rec.status = "started";
  running_.push_back({index, plugin, std::move(context)});
}

void PluginLoader::stop_all() noexcept {
  while (!running_.empty()) {
    Running r = std::move(running_.back());
    running_.pop_back();
    try {
      r.plugin->stop();
    } catch (...) {
      log_.error("plugins",
                 records_[r.record].name + ": stop threw " + describe_current_exception());
    }
    r.context->release();
    r.plugin.reset();  // may unload the library; the context outlives it
    r.context.reset();
    records_[r.record].status = "stopped";
  }
}

}  // namespace crm::core

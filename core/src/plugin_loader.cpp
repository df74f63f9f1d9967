#include "plugin_loader.hpp"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <functional>
#include <map>
#include <set>

#include "plugin_manifest.hpp"

namespace crm::core {

namespace fs = std::filesystem;
using Library = boost::dll::shared_library;
using Factory = std::shared_ptr<Plugin>();

struct PluginLoader::Candidate {
  std::size_t record;
  std::shared_ptr<Library> library;
};

namespace {

// Reads and checks the manifest; throws std::runtime_error with the reason.
void read_manifest(Library& lib, PluginRecord& rec) {
  if (!lib.has("crm_plugin_manifest") || !lib.has("crm_plugin_create")) {
    throw std::runtime_error("not a CRM plugin (no crm_plugin_manifest/crm_plugin_create export)");
  }
  const auto manifest = lib.get_alias<const char*()>("crm_plugin_manifest");
  read_manifest_text(manifest(), rec);
}

}  // namespace

void PluginLoader::load(const std::vector<fs::path>& dirs, const Json& config,
                        KernelServices services) {
  std::vector<Candidate> found;
  std::map<std::string, std::size_t> by_name;  // name -> record of the first one
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && !entry.is_directory()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // deterministic discovery order
    for (const fs::path& file : files) {
      PluginRecord rec;
      rec.path = fs::absolute(file).lexically_normal().string();
      rec.name = file.stem().string();
      std::shared_ptr<Library> lib;
      try {
        lib = std::make_shared<Library>(
            file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
        read_manifest(*lib, rec);
      } catch (const std::exception& e) {
        rec.status = "refused";
        rec.error = e.what();
        log_.warning("plugins", rec.path + ": " + rec.error);
        records_.push_back(std::move(rec));
        continue;
      }
      if (auto it = by_name.find(rec.name); it != by_name.end()) {
        rec.status = "duplicate";
        rec.error =
            "a plugin named '" + rec.name + "' was already found at " + records_[it->second].path;
        log_.warning("plugins", rec.path + ": " + rec.error);
        records_.push_back(std::move(rec));
        continue;
      }
      by_name.emplace(rec.name, records_.size());
      records_.push_back(std::move(rec));
      found.push_back({records_.size() - 1, std::move(lib)});
    }
  }
  order_and_start(found, config, services);
}

void PluginLoader::order_and_start(std::vector<Candidate>& found, const Json& config,
                                   KernelServices services) {
  std::map<std::string, Candidate*> by_name;
  for (auto& c : found) by_name[records_[c.record].name] = &c;

  // Depth-first topological order; a missing or cyclic requirement refuses
  // the plugin and, transitively, those that require it.
  enum class Mark { kNone, kVisiting, kDone, kBad };
  std::map<std::string, Mark> mark;
  std::vector<Candidate*> order;
  std::vector<std::string> stack;
  const std::function<bool(const std::string&)> visit = [&](const std::string& name) -> bool {
    Candidate* c = by_name.at(name);
    PluginRecord& rec = records_[c->record];
    switch (mark[name]) {
      case Mark::kDone:
        return true;
      case Mark::kBad:
        return false;
      case Mark::kVisiting: {
        std::string cycle;
        auto from = std::find(stack.begin(), stack.end(), name);
        for (auto it = from; it != stack.end(); ++it) cycle += *it + " -> ";
        cycle += name;
        for (auto it = from; it != stack.end(); ++it) {
          PluginRecord& r = records_[by_name.at(*it)->record];
          r.status = "refused";
          r.error = "cyclic requirement: " + cycle;
          mark[*it] = Mark::kBad;
        }
        return false;
      }
      case Mark::kNone:
        break;
    }
    mark[name] = Mark::kVisiting;
    stack.push_back(name);
    bool ok = true;
    for (const std::string& req : rec.dependencies) {
      if (!by_name.count(req)) {
        rec.status = "refused";
        rec.error = "requires plugin '" + req + "', which was not found";
        ok = false;
        break;
      }
      if (!visit(req)) {
        if (rec.status.empty()) {
          rec.status = "refused";
          rec.error = "requires plugin '" + req + "', which was refused";
        }
        ok = false;
        break;
      }
    }
    stack.pop_back();
    if (mark[name] == Mark::kBad) return false;  // marked while in a cycle
    mark[name] = ok ? Mark::kDone : Mark::kBad;
    if (ok) order.push_back(c);
    return ok;
  };
  for (auto& c : found) visit(records_[c.record].name);

  std::set<std::string> started;
  for (Candidate* c : order) {
    PluginRecord& rec = records_[c->record];
    for (const std::string& req : rec.dependencies) {
      if (!started.count(req)) {
        rec.status = "failed";
        rec.error = "requires plugin '" + req + "', which failed to start";
        break;
      }
    }
    if (!rec.status.empty()) {
      log_.warning("plugins", rec.path + ": " + rec.error);
      continue;
    }
    std::shared_ptr<Plugin> plugin;
    try {
      const auto create = c->library->get_alias<Factory>("crm_plugin_create");
      std::shared_ptr<Plugin> made = create();
      if (!made) throw std::runtime_error("returned no object");
      // The object keeps its library: declared first, destroyed last.
      struct Held {
        std::shared_ptr<Library> library;
        std::shared_ptr<Plugin> object;
      };
      auto held = std::make_shared<Held>(Held{c->library, made});
      plugin = std::shared_ptr<Plugin>(held, made.get());
    } catch (const std::exception& e) {
      rec.status = "failed";
      rec.error = std::string("factory threw: ") + e.what();
      log_.error("plugins", rec.path + ": " + rec.error);
      continue;
    }
    const Json plugin_config =
        config.is_object() && config.contains(rec.name) ? config.at(rec.name) : Json::object();
    auto context = std::make_unique<PluginContext>(rec.name, plugin_config, services, c->library);
    try {
      plugin->start(*context);
    } catch (const std::exception& e) {
      context->release();
      rec.status = "failed";
      rec.error = std::string("start threw: ") + e.what();
      log_.error("plugins", rec.path + ": " + rec.error);
      continue;
    }
    rec.status = "started";
    started.insert(rec.name);
    running_.push_back({c->record, std::move(plugin), std::move(context)});
  }
  for (auto& c : found) {
    if (records_[c.record].status.empty()) records_[c.record].status = "refused";
    c.library.reset();  // refused or failed libraries unload now
  }
}

void PluginLoader::stop_all() noexcept {
  while (!running_.empty()) {
    Running r = std::move(running_.back());
    running_.pop_back();
    try {
      r.plugin->stop();
    } catch (const std::exception& e) {
      log_.error("plugins", records_[r.record].name + ": stop threw: " + e.what());
    }
    r.context->release();
    r.plugin.reset();  // may unload the library; the context outlives it
    r.context.reset();
    records_[r.record].status = "stopped";
  }
}

}  // namespace crm::core

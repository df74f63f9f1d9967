#include "plugin_discovery.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "plugin_manifest.hpp"

namespace crm::core {

namespace fs = std::filesystem;

std::vector<fs::path> plugin_files_in(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> out;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && !entry.is_directory()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // deterministic discovery order
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

namespace {

void read_records(const std::vector<fs::path>& files, FoundPlugins& found) {
  std::map<std::string, std::size_t> by_name;  // name -> record of the first one
  for (const fs::path& file : files) {
    PluginRecord rec;
    rec.path = fs::absolute(file).lexically_normal().string();
    rec.name = file.stem().string();
    try {
      read_plugin_manifest(file, rec);
    } catch (const std::exception& e) {
      rec.status = "refused";
      rec.error = e.what();
    }
    if (rec.status.empty()) {
      if (const auto it = by_name.find(rec.name); it != by_name.end()) {
        rec.status = "duplicate";
        rec.error = "a plugin named '" + rec.name + "' was already found at " +
                    found.records[it->second].path;
      } else {
        by_name.emplace(rec.name, found.records.size());
      }
    }
    found.records.push_back(std::move(rec));
  }
}

// The candidate a requirement names: a plugin of that name, else the first
// that provides it. Sets `why` when there is none.
std::optional<std::size_t> resolve(const FoundPlugins& found, const std::string& req,
                                   std::string& why) {
  const auto& r = found.records;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i].status.empty() && r[i].name == req) return i;
  }
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i].status.empty() &&
        std::find(r[i].provides.begin(), r[i].provides.end(), req) != r[i].provides.end()) {
      return i;
    }
  }
  const bool refused = std::any_of(r.begin(), r.end(), [&](const PluginRecord& x) {
    return x.status == "refused" && x.name == req;
  });
  why = refused ? "requires plugin '" + req + "', which was refused"
                : "requires '" + req + "', which no plugin found is named or provides";
  return std::nullopt;
}

}  // namespace

FoundPlugins find_plugins(const std::vector<fs::path>& files) {
  FoundPlugins found;
  read_records(files, found);
  auto& records = found.records;
  found.requirements.resize(records.size());

  // Depth-first topological order; a missing or cyclic requirement refuses
  // the plugin and, transitively, those that require it.
  enum class Mark { kNone, kVisiting, kDone, kBad };
  std::vector<Mark> mark(records.size(), Mark::kNone);
  std::vector<std::size_t> stack;
  const std::function<bool(std::size_t)> visit = [&](std::size_t i) -> bool {
    PluginRecord& rec = records[i];
    switch (mark[i]) {
      case Mark::kDone:
        return true;
      case Mark::kBad:
        return false;
      case Mark::kVisiting: {
        std::string cycle;
        const auto from = std::find(stack.begin(), stack.end(), i);
        for (auto it = from; it != stack.end(); ++it) cycle += records[*it].name + " -> ";
        cycle += rec.name;
        for (auto it = from; it != stack.end(); ++it) {
          records[*it].status = "refused";
          records[*it].error = "cyclic requirement: " + cycle;
          mark[*it] = Mark::kBad;
        }
        return false;
      }
      case Mark::kNone:
        break;
    }
    mark[i] = Mark::kVisiting;
    stack.push_back(i);
    bool ok = true;
    for (const std::string& req : rec.dependencies) {
      std::string why;
      const auto dep = resolve(found, req, why);
      if (!dep) {
        rec.status = "refused";
        rec.error = why;
        ok = false;
        break;
      }
      found.requirements[i].push_back(*dep);
      if (!visit(*dep)) {
        if (rec.status.empty()) {
          rec.status = "refused";
          rec.error = "requires plugin '" + records[*dep].name + "', which was refused";
        }
        ok = false;
        break;
      }
    }
    stack.pop_back();
    if (mark[i] == Mark::kBad) return false;  // marked while in a cycle
    mark[i] = ok ? Mark::kDone : Mark::kBad;
    if (ok) found.order.push_back(i);
    return ok;
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].status.empty()) visit(i);
  }
  return found;
}

std::vector<std::size_t> requirement_closure(const FoundPlugins& found, std::size_t record) {
  std::set<std::size_t> needed = {record};
  std::vector<std::size_t> todo = {record};
  while (!todo.empty()) {
    const std::size_t i = todo.back();
    todo.pop_back();
    for (const std::size_t dep : found.requirements[i]) {
      if (needed.insert(dep).second) todo.push_back(dep);
    }
  }
  std::vector<std::size_t> out;
  for (const std::size_t i : found.order) {
    if (needed.count(i)) out.push_back(i);
  }
  return out;
}

}  // namespace crm::core

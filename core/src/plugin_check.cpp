#include "plugin_check.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "crm/kernel.hpp"
#include "plugin_exception.hpp"

namespace crm::core {

namespace fs = std::filesystem;

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

fs::path default_check_file() {
  if (const char* env = std::getenv("CRM_PLUGIN_CHECK_FILE")) return fs::path(env);
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) {
    return fs::path(state) / "crm" / "plugin-check.json";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".local" / "state" / "crm" / "plugin-check.json";
  }
  return {};
}

namespace {

// Keeps the messages the kernel in the child logs about plugins, so that a
// stop() that threw (logged, not thrown) is part of the finding.
class KeptLog final : public Logger {
 public:
  void write(Level level, std::string_view source, std::string_view message) override {
    if (level == Level::kError && source == "plugins") errors.emplace_back(message);
  }
  std::vector<std::string> errors;
};

Json to_json(const CheckFinding& f) { return Json{{"outcome", f.outcome}, {"reason", f.reason}}; }

// Runs in the forked child: never returns, never runs the parent's
// destructors or atexit handlers.
[[noreturn]] void run_child(int report_fd, const std::vector<fs::path>& files, const Json& config) {
  // The plugin's output must not mix with the parent's (a JSON document on stdout).
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
  }
  CheckFinding finding;
  try {
    const auto log = std::make_shared<KeptLog>();
    KernelOptions o;
    o.database = ":memory:";
    o.plugin_files = files;
    o.use_bundled_plugins = false;
    o.use_plugin_path_env = false;
    o.plugin_check_file.clear();
    o.check_new_plugins = false;
    o.plugin_config = config;
    o.logger = log;
    const std::string target = fs::absolute(files.back()).lexically_normal().string();
    std::string name;
    {
      Kernel kernel(o);
      for (const PluginRecord& r : kernel.plugins()) {
        if (r.path != target) continue;
        name = r.name;
        // A refusal (an undefined symbol) says so; a failure is its reason.
        if (r.status == "failed") finding = {"failed", r.error};
        if (r.status != "started" && r.status != "failed") {
          finding = {"failed", r.status + ": " + r.error};
        }
      }
    }  // stops the plugins
    if (finding.outcome.empty()) {
      finding = {"ok", ""};
      for (const std::string& e : log->errors) {
        if (e.starts_with(name + ": stop threw")) finding = {"failed", e.substr(name.size() + 2)};
      }
    }
  } catch (...) {
    finding = {"failed", describe_current_exception()};
  }
  const std::string report = to_json(finding).dump();
  std::size_t done = 0;
  while (done < report.size()) {
    const ssize_t n = ::write(report_fd, report.data() + done, report.size() - done);
    if (n <= 0 && errno != EINTR) break;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  ::_exit(0);
}

std::string seconds(std::chrono::milliseconds t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(t.count()) / 1000.0);
  return buf;
}

// Reads the child's report until end of file, the child's exit or the
// deadline; returns false at the deadline.
bool read_report(int fd, std::chrono::steady_clock::time_point deadline, std::string& out) {
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? false : true;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // end of file: the child closed or exited
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// Waits for `pid` until the deadline; false when it is still running then.
bool wait_child(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status) {
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // gone already (nothing to wait for)
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ::usleep(2000);
  }
}

}  // namespace

CheckFinding check_in_child(const std::vector<fs::path>& files, const Json& config,
                            std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("plugin check: cannot make a pipe: ") +
                             std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("plugin check: cannot fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // A crash must end the child by its signal, which the parent names. A
    // handler the host installed (a sanitizer's, a crash reporter's) would
    // turn it into an exit status instead.
    for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
    run_child(fds[1], files, config);
  }
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string report;
  const bool answered = read_report(fds[0], deadline, report);
  ::close(fds[0]);
  int status = 0;
  if (!answered || !wait_child(pid, deadline, status)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return {"hung", "did not finish within " + seconds(timeout) + " (killed)"};
  }
  if (WIFSIGNALED(status)) return {"crashed", signal_name(WTERMSIG(status))};
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  try {
    const Json r = Json::parse(report);
    if (code == 0 && r.is_object()) {
      return {r.at("outcome").get<std::string>(), r.at("reason").get<std::string>()};
    }
  } catch (const Json::exception&) {
  }
  return {"crashed", "exited with status " + std::to_string(code) + " before reporting"};
}

namespace {

struct FileIdentity {
  std::int64_t size = -1;
  std::int64_t mtime_ns = -1;
};

std::optional<FileIdentity> identity(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{
      static_cast<std::int64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::string key_of(const fs::path& plugin) {
  return fs::absolute(plugin).lexically_normal().string();
}

Json read_check_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Json::object();
  try {
    Json j = Json::parse(in);
    if (j.is_object() && j.contains("plugins") && j["plugins"].is_object()) return j;
  } catch (const Json::exception&) {
  }
  return Json::object();  // unreadable: checked again, then rewritten
}

}  // namespace

std::optional<CheckFinding> CheckFile::find(const fs::path& plugin) const {
  if (path_.empty()) return std::nullopt;
  const auto now = identity(plugin);
  if (!now) return std::nullopt;
  const Json j = read_check_file(path_);
  if (!j.contains("plugins")) return std::nullopt;
  const auto it = j["plugins"].find(key_of(plugin));
  if (it == j["plugins"].end() || !it->is_object()) return std::nullopt;
  try {
    if (it->at("size").get<std::int64_t>() != now->size ||
        it->at("mtime_ns").get<std::int64_t>() != now->mtime_ns) {
      return std::nullopt;  // the file changed: the finding is about another file
    }
    return CheckFinding{it->at("outcome").get<std::string>(), it->at("reason").get<std::string>()};
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

void CheckFile::record(const fs::path& plugin, const CheckFinding& finding) const {
  if (path_.empty()) return;
  const auto now = identity(plugin);
  if (!now) return;
  std::error_code ec;
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
  // Read again just before writing: another process may have recorded
  // other plugins meanwhile.
  Json j = read_check_file(path_);
  if (!j.contains("plugins")) j = Json{{"format", 1}, {"plugins", Json::object()}};
  j["plugins"][key_of(plugin)] = {{"size", now->size},
                                  {"mtime_ns", now->mtime_ns},
                                  {"outcome", finding.outcome},
                                  {"reason", finding.reason}};
  const fs::path temp = path_.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << j.dump(2) << '\n';
    if (!out) {
      fs::remove(temp, ec);
      throw std::runtime_error("plugin check file " + path_.string() + ": cannot write " +
                               temp.string());
    }
  }
  fs::rename(temp, path_, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw std::runtime_error("plugin check file " + path_.string() +
                             ": cannot replace it: " + ec.message());
  }
}

}  // namespace crm::core

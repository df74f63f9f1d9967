// The fuzzing engine of builds without libFuzzer (GCC): replays every file of
// the corpus, then mutates corpus inputs for a bounded time with a seeded
// generator, calling the target's LLVMFuzzerTestOneInput() like libFuzzer
// would. There is no coverage feedback, so it finds less than libFuzzer
// does; its job is to keep every target running in the ordinary test suite,
// where a crash, an abort of a target's check or an escaped exception fails
// the test and leaves the input in a file.
//
//   fuzz_<target> [--seconds S] [--runs N] [--seed N] [--max-len N]
//                 [--dict FILE] [--artifact DIR] CORPUS_DIR_OR_FILE...
//
// The sequence of inputs depends only on the seed and the corpus; --runs
// bounds it exactly (for reproducing), --seconds by time (for the suite).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Present when the build has ASan or UBSan: called before a report ends the
// process.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

struct Options {
  double seconds = 3.0;
  long long runs = -1;  // -1: until the time is up
  std::uint64_t seed = 1;
  std::size_t max_len = 4096;
  std::string dict;
  std::string artifact_dir = ".";
  std::vector<std::string> inputs;
};

// The input being run, for the crash handler (which may only call
// async-signal-safe functions, so the path is prepared beforehand).
const Bytes* g_current = nullptr;
char g_crash_path[4096] = "crash-input";

void write_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n <= 0) return;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void save_current() {
  if (g_current == nullptr) return;
  const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  write_all(fd, g_current->data(), g_current->size());
  ::close(fd);
  const char msg[] = "\n==fuzz== the failing input is in ";
  write_all(2, msg, sizeof msg - 1);
  write_all(2, g_crash_path, std::strlen(g_crash_path));
  write_all(2, "\n", 1);
}

extern "C" void on_sanitizer_death() { save_current(); }

extern "C" void on_fatal_signal(int sig) {
  save_current();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// SplitMix64: small, fast and the same on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// libFuzzer dictionary: one `name="value"` (or `"value"`) a line, with \\,
// \" and \xNN escapes; '#' starts a comment.
std::vector<Bytes> read_dict(const std::string& path) {
  std::vector<Bytes> words;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read dictionary %s\n", path.c_str());
    std::exit(2);
  }
  std::string line;
  while (std::getline(in, line)) {
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) continue;
    Bytes w;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close) {
        const char e = line[++i];
        if (e == 'x' && i + 2 < close) {
          w.push_back(static_cast<std::uint8_t>(std::stoi(line.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          w.push_back(static_cast<std::uint8_t>(e));
        }
      } else {
        w.push_back(static_cast<std::uint8_t>(line[i]));
      }
    }
    if (!w.empty()) words.push_back(std::move(w));
  }
  return words;
}

class Mutator {
 public:
  Mutator(Random& rng, const std::vector<Bytes>& corpus, const std::vector<Bytes>& dict,
          std::size_t max_len)
      : rng_(rng), corpus_(corpus), dict_(dict), max_len_(max_len) {}

  // A copy of a corpus input with one to eight mutations applied.
  Bytes make() {
    Bytes b = corpus_[rng_.below(corpus_.size())];
    const std::size_t n = 1 + rng_.below(rng_.below(2) == 0 ? 2 : 8);
    for (std::size_t i = 0; i < n; ++i) mutate(b);
    if (b.size() > max_len_) b.resize(max_len_);
    return b;
  }

 private:
  void mutate(Bytes& b) {
    switch (rng_.below(10)) {
      case 0:  // flip a bit
        if (!b.empty()) b[rng_.below(b.size())] ^= static_cast<std::uint8_t>(1u << rng_.below(8));
        break;
      case 1:  // a random byte
        if (!b.empty()) b[rng_.below(b.size())] = static_cast<std::uint8_t>(rng_.next());
        break;
      case 2:  // a byte that parsers treat specially
        if (!b.empty()) b[rng_.below(b.size())] = special();
        break;
      case 3:  // insert a special byte
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(rng_.below(b.size() + 1)), special());
        break;
      case 4:  // erase a range
        if (!b.empty()) {
          const std::size_t at = rng_.below(b.size());
          const std::size_t len = 1 + rng_.below(std::min<std::size_t>(b.size() - at, 16));
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at),
                  b.begin() + static_cast<std::ptrdiff_t>(at + len));
        }
        break;
      case 5:  // duplicate a range (repetition, nesting)
        if (!b.empty()) {
          const std::size_t at = rng_.below(b.size());
          const std::size_t len = 1 + rng_.below(std::min<std::size_t>(b.size() - at, 64));
          const Bytes piece(b.begin() + static_cast<std::ptrdiff_t>(at),
                            b.begin() + static_cast<std::ptrdiff_t>(at + len));
          const std::size_t times = 1 + rng_.below(rng_.below(4) == 0 ? 64 : 3);
          const auto where = b.begin() + static_cast<std::ptrdiff_t>(rng_.below(b.size() + 1));
          Bytes rep;
          for (std::size_t t = 0; t < times; ++t) rep.insert(rep.end(), piece.begin(), piece.end());
          b.insert(where, rep.begin(), rep.end());
        }
        break;
      case 6:  // a dictionary word, inserted or overwriting
      case 7:
        if (!dict_.empty()) {
          const Bytes& w = dict_[rng_.below(dict_.size())];
          const std::size_t at = rng_.below(b.size() + 1);
          if (rng_.below(2) == 0 || at + w.size() > b.size()) {
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), w.begin(), w.end());
          } else {
            std::copy(w.begin(), w.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
          }
        }
        break;
      case 8:  // splice: a piece of another corpus input
      {
        const Bytes& other = corpus_[rng_.below(corpus_.size())];
        if (other.empty()) break;
        const std::size_t from = rng_.below(other.size());
        const std::size_t len = 1 + rng_.below(other.size() - from);
        const std::size_t at = rng_.below(b.size() + 1);
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at),
                 other.begin() + static_cast<std::ptrdiff_t>(from),
                 other.begin() + static_cast<std::ptrdiff_t>(from + len));
        break;
      }
      case 9:  // replace a run of digits with a boundary number
        replace_number(b);
        break;
    }
  }

  std::uint8_t special() {
    static constexpr char kBytes[] = "\"\\,\n\r\t ;|{}[]:.-+0123456789eE\x00\xff\xef\xbb\xbf\x80";
    return static_cast<std::uint8_t>(kBytes[rng_.below(sizeof kBytes - 1)]);
  }

  void replace_number(Bytes& b) {
    static constexpr const char* kNumbers[] = {"0",
                                               "-1",
                                               "1",
                                               "2147483647",
                                               "2147483648",
                                               "-2147483649",
                                               "4294967296",
                                               "9223372036854775807",
                                               "9223372036854775808",
                                               "-9223372036854775809",
                                               "1e308",
                                               "1e309",
                                               "-0",
                                               "0.5",
                                               "99999999999999999999",
                                               "1e-400"};
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (b[i] >= '0' && b[i] <= '9' && (i == 0 || b[i - 1] < '0' || b[i - 1] > '9')) {
        starts.push_back(i);
      }
    }
    const std::string n = kNumbers[rng_.below(std::size(kNumbers))];
    if (starts.empty()) {
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(rng_.below(b.size() + 1)), n.begin(),
               n.end());
      return;
    }
    const std::size_t at = starts[rng_.below(starts.size())];
    std::size_t end = at;
    while (end < b.size() && b[end] >= '0' && b[end] <= '9') ++end;
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(at),
            b.begin() + static_cast<std::ptrdiff_t>(end));
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), n.begin(), n.end());
  }

  Random& rng_;
  const std::vector<Bytes>& corpus_;
  const std::vector<Bytes>& dict_;
  std::size_t max_len_;
};

// Runs one input; an exception escaping the target is a failure like a crash.
void run_one(const Bytes& input) {
  g_current = &input;
  try {
    LLVMFuzzerTestOneInput(input.data(), input.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "==fuzz== uncaught exception: %s\n", e.what());
    save_current();
    std::exit(1);
  } catch (...) {
    std::fprintf(stderr, "==fuzz== uncaught exception of an unknown type\n");
    save_current();
    std::exit(1);
  }
  g_current = nullptr;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "fuzz: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      o.seconds = std::stod(value());
    } else if (a == "--runs") {
      o.runs = std::stoll(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--max-len") {
      o.max_len = std::stoull(value());
    } else if (a == "--dict") {
      o.dict = value();
    } else if (a == "--artifact") {
      o.artifact_dir = value();
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "fuzz: unknown option %s\n", a.c_str());
      std::exit(2);
    } else {
      o.inputs.push_back(a);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  const std::string name = fs::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "%s/%s-crash-input", o.artifact_dir.c_str(),
                name.c_str());
  if (__sanitizer_set_death_callback != nullptr) {
    // The sanitizers' own handlers report crashes with a stack: keep them.
    __sanitizer_set_death_callback(on_sanitizer_death);
    std::signal(SIGABRT, on_fatal_signal);  // a failed FUZZ_CHECK
  } else {
    for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
  }

  std::vector<fs::path> files;
  for (const std::string& in : o.inputs) {
    if (fs::is_directory(in)) {
      for (const auto& e : fs::directory_iterator(in)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(in)) {
      files.emplace_back(in);
    } else {
      std::fprintf(stderr, "fuzz: no such file or directory: %s\n", in.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());  // the same order on every machine

  std::vector<Bytes> corpus;
  for (const fs::path& f : files) {
    corpus.push_back(read_file(f));
    std::fprintf(stderr, "fuzz: replay %s\n", f.string().c_str());
    run_one(corpus.back());
  }
  if (corpus.empty()) corpus.emplace_back();
  const std::vector<Bytes> dict = o.dict.empty() ? std::vector<Bytes>{} : read_dict(o.dict);

  Random rng(o.seed);
  Mutator mutator(rng, corpus, dict, o.max_len);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(o.seconds));
  long long runs = 0;
  while (o.runs < 0 ? std::chrono::steady_clock::now() < deadline : runs < o.runs) {
    run_one(mutator.make());
    ++runs;
  }
  std::fprintf(stderr,
               "fuzz: %s: %zu corpus inputs replayed, %lld mutated inputs run (seed %llu)\n",
               name.c_str(), files.size(), runs, static_cast<unsigned long long>(o.seed));
  return 0;
}

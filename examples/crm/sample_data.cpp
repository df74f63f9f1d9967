#include "sample_data.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crm/error.hpp"
#include "crm/time.hpp"

namespace crm::sample {
namespace {

constexpr std::array kFirst = {"Anna", "Ben",   "Chen",  "Dana",  "Emil", "Fatima", "Goran",
                               "Hana", "Ivan",  "Julia", "Kenji", "Lena", "Marco",  "Nora",
                               "Omar", "Paula", "Quinn", "Rosa",  "Sven", "Tara",   "Ugo",
                               "Vera", "Wei",   "Xenia", "Yusuf", "Zoe"};
constexpr std::array kLast = {"Meyer",   "Novak", "Larsen", "Rossi",  "Kowalski", "Dubois",
                              "Silva",   "Wang",  "Ito",    "Horvat", "Jensen",   "Moreau",
                              "Fischer", "Costa", "Berg",   "Kaya"};
constexpr std::array kCompanies = {"Alpine Tools",    "Baltic Foods",      "Cedar Clinics",
                                   "Delta Logistics", "Elm Street Hotels", "Fjord Marine"};
constexpr std::array kOwners = {"alice", "bob", "carol", "dave"};
constexpr std::array kCities = {"Lyon", "Porto", "Gdansk", "Turin", "Aarhus", "Graz", "Split"};
constexpr std::array kTags = {"newsletter", "vip", "trade-fair-2025", "web-form", "b2b"};

std::ofstream open_out(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw InvalidInput("cannot write " + file.string());
  return out;
}

struct Person {
  std::string name, email;
  bool company = false;
};

Person person(std::int64_t i, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> f(0, kFirst.size() - 1), l(0, kLast.size() - 1);
  const bool company = i % 10 == 0;
  if (company) {
    const std::string n =
        std::string(kCompanies[static_cast<std::size_t>(i / 10) % kCompanies.size()]) + " " +
        std::to_string(i);
    return {n, "office" + std::to_string(i) + "@example.com", true};
  }
  const std::string first = kFirst[f(rng)], last = kLast[l(rng)];
  std::string email = first + "." + last + std::to_string(i) + "@example.org";
  for (auto& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {first + " " + last, email, false};
}

// The same person entered again by someone else: "Last, First" (a company
// keeps its name, in capitals), the e-mail in capitals.
Person duplicate_of(const Person& original) {
  Person p = original;
  for (auto& c : p.email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (p.company) {
    for (auto& c : p.name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (const auto space = p.name.find(' '); space != std::string::npos) {
    p.name = p.name.substr(space + 1) + ", " + p.name.substr(0, space);
  }
  return p;
}

// One row of interactions.csv; `amount` is "" but for purchases.
struct SampleInteraction {
  std::string key;  // the customer's external_id
  TimePoint at;
  const char* channel;
  const char* kind;
  const char* direction;
  std::string amount;
  std::string agent;
  const char* notes;
  const char* commitments;
};

// The purchase times of one customer, drawn as the BG/NBD model assumes
// (docs/retention.md), so `clv fit` on the sample has something to find:
// three in four customers buy, first at `first`; while active they buy at
// a rate of their own, Gamma(r = 1.5, alpha = 15) per week, and after each
// purchase drop out with a probability of their own, Beta(a = 0.8, b = 3);
// nothing after `end`.
std::vector<std::int64_t> purchase_times(std::mt19937_64& rng, std::int64_t first,
                                         std::int64_t end) {
  constexpr double kWeek = 7 * 24 * 3600;
  std::uniform_real_distribution<double> u(0, 1);
  std::gamma_distribution<double> rate(1.5, 1.0 / 15), beta_a(0.8, 1), beta_b(3, 1);
  std::vector<std::int64_t> times;
  if (u(rng) < 0.25) return times;
  const double lambda = rate(rng);
  const double x = beta_a(rng), dropout = x / (x + beta_b(rng));
  std::exponential_distribution<double> gap(lambda / kWeek);
  for (std::int64_t t = first; t <= end; t += static_cast<std::int64_t>(gap(rng)) + 1) {
    times.push_back(t);
    if (u(rng) < dropout) break;
  }
  return times;
}

// Calls `fn` with every sample interaction, in file order. One generator for
// interactions.csv and purchases.csv, so the two agree row for row.
template <typename Fn>
void each_interaction(const SampleOptions& o, Fn&& fn) {
  std::mt19937_64 rng(o.seed + 1);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<std::int64_t> when(to_unix(parse_time("2024-01-01")),
                                                   to_unix(parse_time("2025-12-31")));
  std::lognormal_distribution<double> amount(3.5, 0.8);
  const std::int64_t end = to_unix(parse_time("2025-12-31"));
  char buf[32];
  for (std::int64_t i = 1; i <= o.customers; ++i) {
    std::snprintf(buf, sizeof buf, "C%06lld", static_cast<long long>(i));
    const std::string key = buf;
    const std::string agent = kOwners[static_cast<std::size_t>(i) % kOwners.size()];
    for (const std::int64_t t : purchase_times(rng, when(rng), end)) {
      std::snprintf(buf, sizeof buf, "%.2f", amount(rng));
      fn(SampleInteraction{key, from_unix(t), "store", "purchase", "inbound", buf, "", "", ""});
    }
    if (pct(rng) < 30) {
      fn(SampleInteraction{key, from_unix(when(rng)), "phone", "call", "inbound", "", agent,
                           "\"Asked about delivery, order status\"", ""});
    }
    if (pct(rng) < 8) {
      fn(SampleInteraction{key, from_unix(when(rng)), "email", "complaint", "inbound", "", agent,
                           "\"Product arrived damaged\"", "\"replacement within 5 days\""});
    }
    if (pct(rng) < 10) {
      fn(SampleInteraction{key, from_unix(when(rng)), "visit", "visit", "outbound", "", agent,
                           "Follow-up visit", "\"call back in March;send price list\""});
    }
  }
}

}  // namespace

std::int64_t write_customers(const std::filesystem::path& file, const SampleOptions& o) {
  if (o.duplicate_every > 0 && o.duplicate_lag <= 0) {
    throw InvalidInput("sample duplicate_lag must be positive, not " +
                       std::to_string(o.duplicate_lag));
  }
  std::ofstream out = open_out(file);
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int> pct(0, 99), year(1950, 2004), month(1, 12), day(1, 28);
  out << "external_id,name,kind,email,phone,birthday,owner,stage,tags,consent_email,consent_sms,"
         "city,contact_name,contact_role\n";
  // The last `duplicate_lag` people, by i % duplicate_lag: a duplicate's
  // original is still there when the duplicate is written.
  const auto lag = static_cast<std::size_t>(std::max<std::int64_t>(o.duplicate_lag, 1));
  std::vector<Person> recent(lag);
  char buf[64];
  for (std::int64_t i = 1; i <= o.customers; ++i) {
    Person p = person(i, rng);  // drawn even for a duplicate: the stream stays the same
    Person& slot = recent[static_cast<std::size_t>(i) % lag];
    std::snprintf(buf, sizeof buf, "+43 660 %07lld", static_cast<long long>(i * 7919 % 10000000));
    std::string phone = buf;
    if (o.duplicate_every > 0 && i % o.duplicate_every == 0 && i > o.duplicate_lag) {
      p = duplicate_of(slot);
      std::snprintf(buf, sizeof buf, "0043-660-%07lld",
                    static_cast<long long>((i - o.duplicate_lag) * 7919 % 10000000));
      phone = buf;
    }
    slot = p;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year(rng), month(rng), day(rng));
    const std::string birthday = p.company ? "" : buf;
    const int r = pct(rng);
    const char* stage = r < 15 ? "prospect" : (r < 85 ? "customer" : (r < 95 ? "loyal" : "lost"));
    std::string tags = kTags[static_cast<std::size_t>(pct(rng)) % kTags.size()];
    if (pct(rng) < 20)
      tags += std::string(";") + kTags[static_cast<std::size_t>(pct(rng)) % kTags.size()];
    // Names may hold commas in real exports: quote them (RFC 4180).
    std::snprintf(buf, sizeof buf, "C%06lld", static_cast<long long>(i));
    out << buf << ",\"" << p.name << "\"," << (p.company ? "company" : "person") << ',' << p.email
        << ',' << phone << ',' << birthday << ','
        << kOwners[static_cast<std::size_t>(i) % kOwners.size()] << ',' << stage << ',' << tags
        << ',' << (pct(rng) < 90 ? "yes" : "no") << ',' << (pct(rng) < 60 ? "yes" : "no") << ','
        << kCities[static_cast<std::size_t>(pct(rng)) % kCities.size()] << ',';
    if (p.company) {
      out << '"' << kFirst[static_cast<std::size_t>(i) % kFirst.size()] << ' '
          << kLast[static_cast<std::size_t>(i) % kLast.size()] << "\",purchasing";
    } else {
      out << ',';
    }
    out << '\n';
  }
  return o.customers;
}

std::int64_t write_interactions(const std::filesystem::path& file, const SampleOptions& o) {
  std::ofstream out = open_out(file);
  out << "external_id,occurred_at,channel,kind,direction,amount,agent,notes,commitments\n";
  std::int64_t rows = 0;
  each_interaction(o, [&](const SampleInteraction& x) {
    out << x.key << ',' << format_time(x.at) << ',' << x.channel << ',' << x.kind << ','
        << x.direction << ',' << x.amount << ',' << x.agent << ',' << x.notes << ','
        << x.commitments << '\n';
    ++rows;
  });
  return rows;
}

std::int64_t write_purchases(const std::filesystem::path& file, const SampleOptions& o) {
  std::ofstream out = open_out(file);
  out << "customer_id,date,amount\n";
  std::int64_t rows = 0;
  each_interaction(o, [&](const SampleInteraction& x) {
    if (std::string_view(x.kind) != "purchase") return;
    out << x.key << ',' << format_time(x.at).substr(0, 10) << ',' << x.amount << '\n';
    ++rows;
  });
  return rows;
}

}  // namespace crm::sample

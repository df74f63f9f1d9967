#include "sample_data.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

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
  bool company;
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

}  // namespace

std::int64_t write_customers(const std::filesystem::path& file, const SampleOptions& o) {
  std::ofstream out = open_out(file);
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int> pct(0, 99), year(1950, 2004), month(1, 12), day(1, 28);
  out << "external_id,name,kind,email,phone,birthday,owner,stage,tags,consent_email,consent_sms,"
         "city,contact_name,contact_role\n";
  std::string prev_email;
  char buf[64];
  for (std::int64_t i = 1; i <= o.customers; ++i) {
    Person p = person(i, rng);
    std::snprintf(buf, sizeof buf, "+43 660 %07lld", static_cast<long long>(i * 7919 % 10000000));
    std::string phone = buf;
    if (o.duplicate_every > 0 && i % o.duplicate_every == 0 && !prev_email.empty()) {
      // The same person entered twice: upper-case e-mail, same phone dialled as 0043.
      p.email = prev_email;
      for (auto& c : p.email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::snprintf(buf, sizeof buf, "0043-660-%07lld",
                    static_cast<long long>((i - 1) * 7919 % 10000000));
      phone = buf;
    }
    prev_email = p.email;
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
  std::mt19937_64 rng(o.seed + 1);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<std::int64_t> when(to_unix(parse_time("2024-01-01")),
                                                   to_unix(parse_time("2025-12-31")));
  std::lognormal_distribution<double> amount(3.5, 0.8);
  std::geometric_distribution<int> purchases(0.25);
  out << "external_id,occurred_at,channel,kind,direction,amount,agent,notes,commitments\n";
  std::int64_t rows = 0;
  char buf[32];
  for (std::int64_t i = 1; i <= o.customers; ++i) {
    std::snprintf(buf, sizeof buf, "C%06lld", static_cast<long long>(i));
    const std::string key = buf;
    const std::string agent = kOwners[static_cast<std::size_t>(i) % kOwners.size()];
    const int n = purchases(rng);
    for (int k = 0; k < n; ++k, ++rows) {
      std::snprintf(buf, sizeof buf, "%.2f", amount(rng));
      out << key << ',' << format_time(from_unix(when(rng))) << ",store,purchase,inbound," << buf
          << ",,,\n";
    }
    if (pct(rng) < 30) {
      out << key << ',' << format_time(from_unix(when(rng))) << ",phone,call,inbound,," << agent
          << ",\"Asked about delivery, order status\",\n";
      ++rows;
    }
    if (pct(rng) < 8) {
      out << key << ',' << format_time(from_unix(when(rng))) << ",email,complaint,inbound,,"
          << agent << ",\"Product arrived damaged\",\"replacement within 5 days\"\n";
      ++rows;
    }
    if (pct(rng) < 10) {
      out << key << ',' << format_time(from_unix(when(rng))) << ",visit,visit,outbound,," << agent
          << ",Follow-up visit,\"call back in March;send price list\"\n";
      ++rows;
    }
  }
  return rows;
}

}  // namespace crm::sample

// The customer: a person or a company the business deals with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/date.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

using CustomerId = std::int64_t;

// A person to talk to at a customer company. At most one is primary: the
// one every department calls first (so the customer does not deal with five
// different contacts).
struct ContactPerson {
  std::string name;
  std::string role;
  std::string email;
  std::string phone;
  bool primary = false;
};

// Life-cycle stages of the course material; plugins may use others.
namespace stage {
inline constexpr const char* kProspect = "prospect";
inline constexpr const char* kCustomer = "customer";
inline constexpr const char* kLoyal = "loyal";
inline constexpr const char* kLost = "lost";
}  // namespace stage

struct Customer {
  CustomerId id = 0;        // assigned by the store; 0 before insertion
  std::string external_id;  // key in the source system; unique when not empty
  std::string name;
  enum class Kind { kPerson, kCompany } kind = Kind::kPerson;
  std::vector<ContactPerson> contacts;
  std::string email;
  std::string phone;
  // A day of the calendar, not an instant, so that it does not move with
  // the time zone of whoever reads it; nullopt when not known. Whether it
  // is "today" is the business time zone's question (Context::today()).
  std::optional<Date> birthday;
  std::string owner;  // the account owner (salesperson, agent)
  std::string stage = stage::kCustomer;
  std::string segment;
  std::map<std::string, bool> consent;  // channel -> may we contact (absent: not asked)
  std::vector<std::string> tags;
  Json attributes = Json::object();  // everything else, e.g. unknown CSV columns
  TimePoint created_at{};
  TimePoint updated_at{};

  // True unless the customer opted out of `channel` (absent consent counts as
  // allowed; a strict opt-in policy checks `consent.contains` itself).
  bool may_contact(const std::string& channel) const {
    auto it = consent.find(channel);
    return it == consent.end() || it->second;
  }
};

CRM_API std::string to_string(Customer::Kind k);
// Throws InvalidInput for anything but "person" or "company".
CRM_API Customer::Kind parse_customer_kind(std::string_view text);

// Normalised forms used to find duplicates: e-mail trimmed and lower-cased;
// phone reduced to its digits with a leading "00" or "+" dropped.
CRM_API std::string normalize_email(std::string_view email);
CRM_API std::string normalize_phone(std::string_view phone);

// The JSON form has "birthday": "YYYY-MM-DD" or null.
CRM_API Json to_json(const Customer& c);
// Reads what to_json() writes, exactly (also `j.get<Customer>()`), and "" as
// no birthday (what JSON written before the birthday was a Date holds).
// Throws InvalidInput naming the key that is missing or of the wrong type
// ("customer: 'name' must be a string") or the date that is no date
// ("customer: 'birthday': invalid date 1990-13-01").
CRM_API void from_json(const Json& j, Customer& c);

}  // namespace crm

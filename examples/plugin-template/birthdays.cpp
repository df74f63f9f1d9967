// A complete plugin: `crm birthdays upcoming [--days N]` lists the customers
// whose birthday falls within the next N days (the care calendar's first
// question) and publishes "care.birthday_due" for each one whose birthday is
// today, so workflows and other plugins can react (send a card, add a task).
// It also gives workflows an action, "birthdays.days_until", whose result a
// branch can test, and other plugins the service "care.birthday_calendar"
// (birthday_calendar.hpp).
//
// Copy this directory to start a new plugin; see docs/plugin-guide.md.
#include <crm/plugin.hpp>
#include <crm/text_table.hpp>

#include <chrono>
#include <memory>

#include "birthday_calendar.hpp"

namespace {

using namespace std::chrono;

// Days from `today` to the next occurrence of `birthday` (0: today). Both
// are days of the calendar (crm::Date): `today` is the business time zone's,
// ctx.today(), so the birthday begins at local midnight, not at UTC's.
// 29 February counts as 1 March in years without it.
int days_until(crm::Date birthday, crm::Date today) {
  const year_month_day born = birthday.ymd();
  const auto in_year = [&born](year y) {
    const year_month_day d{y, born.month(), born.day()};
    return d.ok() ? sys_days{d} : sys_days{year_month_day{y, March, day{1}}};
  };
  sys_days next = in_year(today.ymd().year());
  if (next < today.days()) next = in_year(today.ymd().year() + years{1});
  return static_cast<int>((next - today.days()).count());
}

class Calendar final : public care::BirthdayCalendar {
 public:
  std::optional<int> days_until(const crm::Customer& c, crm::Date today) const override {
    if (!c.birthday) return std::nullopt;
    return ::days_until(*c.birthday, today);
  }
};

class Birthdays final : public crm::Plugin {
 public:
  void start(crm::Context& ctx) override {
    // A typed option: the kernel refuses "--days ten" before the handler runs.
    crm::ParamSpec look_ahead = crm::integer_option("days", "look-ahead in days");
    look_ahead.default_value = 7;
    ctx.commands().add(
        crm::command({"birthdays", "upcoming"},
                     "customers whose birthday is within the next N days", {look_ahead}),
        [&ctx](const crm::CommandInput& in) { return upcoming(ctx, in); });
    // Listed in the manifest's `provides`, so the kernel lets it provide it.
    ctx.services().provide<care::BirthdayCalendar>("care.birthday_calendar",
                                                   std::make_shared<Calendar>());

    // {"type": "action", "action": "birthdays.days_until", "save_as": "birthday"}
    // then e.g. {"type": "branch", "condition": {"field": "vars.birthday.in_days",
    // "op": "eq", "value": 0}, ...}. Removed again when the plugin stops.
    crm::ActionSpec spec;
    spec.help = "days until the customer's next birthday ({in_days}, null without a birthday)";
    spec.needs_customer = true;
    ctx.workflows().add_action(
        "birthdays.days_until", spec, [&ctx](crm::ActionContext& a, const crm::Json&) {
          const crm::Customer c = a.customer();
          if (!c.birthday) return crm::Json{{"in_days", nullptr}};
          return crm::Json{{"in_days", days_until(*c.birthday, ctx.today())}};
        });
  }

 private:
  // Reads customers through the repository, a page at a time, never the
  // kernel's tables: their layout is the kernel's to change.
  static crm::CommandOutput upcoming(crm::Context& ctx, const crm::CommandInput& in) {
    const auto horizon = in.integer("days", 7);
    // The business time zone's day: at 23:30 UTC on 31 December it is
    // already 1 January in Berlin, and so someone's birthday.
    const crm::Date today = ctx.today();
    crm::CommandOutput out;
    out.data = crm::Json::array();
    std::vector<std::vector<std::string>> rows;
    crm::CustomerQuery page;
    page.limit = 1000;
    for (;; page.offset += page.limit) {
      const std::vector<crm::Customer> customers = ctx.store().customers().list(page);
      for (const crm::Customer& c : customers) {
        if (!c.birthday) continue;
        const int d = days_until(*c.birthday, today);
        if (d > horizon) continue;
        out.data.push_back({{"id", c.id}, {"name", c.name}, {"in_days", d}});
        rows.push_back({std::to_string(c.id), c.name, c.birthday->to_string(), std::to_string(d)});
        if (d == 0) ctx.bus().publish({"care.birthday_due", {}, c.id, {}});
      }
      if (static_cast<std::int64_t>(customers.size()) < page.limit) break;
    }
    out.text = crm::render_table({"ID", "NAME", "BIRTHDAY", "IN DAYS"}, rows);
    return out;
  }
};

}  // namespace

CRM_PLUGIN(Birthdays, {.name = "birthdays",
                       .version = "1.0.0",
                       .provides = {"care.birthday_calendar"},
                       .description = "upcoming customer birthdays"})

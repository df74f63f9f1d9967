#include "case_commands.hpp"

#include "crm/case_repository.hpp"
#include "crm/error.hpp"
#include "crm/text_table.hpp"

namespace crm::core {
namespace {

std::vector<std::string> case_row(const Case& c) {
  return {std::to_string(c.id),
          std::to_string(c.customer_id),
          to_string(c.type),
          to_string(c.priority),
          to_string(c.status),
          c.owner,
          c.subject,
          format_time(c.opened_at)};
}

CommandOutput cases_list(Kernel& k, const CommandInput& in) {
  CaseQuery q;
  if (in.has("customer")) q.customer_id = parse_id(in.get("customer"), "customer");
  if (in.has("owner")) q.owner = in.get("owner");
  if (in.has("type")) q.type = parse_case_type(in.get("type"));
  const std::string status = in.get("status", "active");
  if (status == "active") {
    q.active_only = true;
  } else if (status != "all") {
    q.status = parse_case_status(status);
  }
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Case& c : k.store().cases().list(q)) {
    out.data.push_back(to_json(c));
    rows.push_back(case_row(c));
  }
  out.text =
      render_table({"ID", "CUSTOMER", "TYPE", "PRIORITY", "STATUS", "OWNER", "SUBJECT", "OPENED"},
                   rows, 50) +
      std::to_string(rows.size()) + (rows.size() == 1 ? " case\n" : " cases\n");
  return out;
}

std::string ids_text(const std::vector<std::int64_t>& ids) {
  std::string s;
  for (const auto id : ids) s += (s.empty() ? "" : ", ") + std::to_string(id);
  return s;
}

CommandOutput cases_show(Kernel& k, const CommandInput& in) {
  const CaseId id = parse_id(in.positionals.at(0), "case");
  const Case c = k.store().cases().get(id);
  const std::vector<CaseChange> history = k.store().cases().history(id);
  CommandOutput out;
  out.data = to_json(c);
  out.data["history"] = Json::array();
  for (const CaseChange& ch : history) out.data["history"].push_back(to_json(ch));
  std::string t = "Case " + std::to_string(c.id) + ": " + c.subject + "\n";
  const auto field = [&](const char* label, const std::string& v) {
    if (!v.empty()) t += std::string("  ") + label + ": " + v + "\n";
  };
  const Customer customer = k.store().customers().get(c.customer_id);
  field("customer", std::to_string(c.customer_id) + " " + customer.name);
  field("type", to_string(c.type));
  field("category", c.category);
  field("channel", c.channel);
  field("priority", to_string(c.priority));
  std::string next;
  for (const Case::Status s : next_statuses(c.status))
    next += (next.empty() ? "" : ", ") + to_string(s);
  field("status", to_string(c.status) + (next.empty() ? " (final)" : " (next: " + next + ")"));
  field("owner", c.owner);
  field("appeal point", c.appeal_point);
  field("attitude", to_string(c.attitude));
  if (!c.context.empty()) field("context", c.context.dump());
  field("interactions", ids_text(c.interactions));
  field("tasks", ids_text(c.tasks));
  field("opened", format_time(c.opened_at));
  if (c.closed_at) field("closed", format_time(*c.closed_at));
  std::vector<std::vector<std::string>> rows;
  for (const CaseChange& ch : history) {
    rows.push_back({format_time(ch.at), to_string(ch.kind),
                    ch.from.empty() ? ch.to : ch.from + " -> " + ch.to, ch.actor, ch.note});
  }
  t += "\nHistory (" + std::to_string(rows.size()) + " entries):\n";
  t += render_table({"TIME", "CHANGE", "WHAT", "WHO", "NOTE"}, rows, 60);
  out.text = t;
  return out;
}

CommandOutput cases_open(Kernel& k, const CommandInput& in) {
  Case c;
  c.customer_id = parse_id(in.get("customer"), "customer");
  c.type = parse_case_type(in.get("type"));
  c.subject = in.get("subject");
  c.category = in.get("category");
  c.channel = in.get("channel");
  c.priority = parse_case_priority(in.get("priority", "normal"));
  c.owner = in.get("owner");
  c.appeal_point = in.get("appeal-point");
  c.attitude = parse_case_attitude(in.get("attitude", "unknown"));
  if (in.has("context")) {
    try {
      c.context = Json::parse(in.get("context"));
    } catch (const Json::parse_error& e) {
      throw InvalidInput(std::string("--context is not valid JSON: ") + e.what());
    }
    if (!c.context.is_object()) throw InvalidInput("--context must be a JSON object");
  }
  if (in.has("interaction")) c.interactions = {parse_id(in.get("interaction"), "interaction")};
  const CaseId id = k.store().cases().open(c, in.actor);
  CommandOutput out;
  out.data = {{"id", id}, {"status", to_string(Case::Status::kOpen)}};
  out.text = "opened case " + std::to_string(id) + "\n";
  return out;
}

}  // namespace

void register_case_commands(Kernel& k) {
  CommandRegistry& r = k.commands();
  r.add(command({"cases", "list"}, "list cases, newest first",
                {option("customer", "only this customer"), option("owner", "only this owner"),
                 option("type", "complaint, service_request, repair_request or inquiry"),
                 option("status", "a status, active (not closed or cancelled) or all", "active")}),
        [&k](const CommandInput& in) { return cases_list(k, in); });
  r.add(command({"cases", "show"}, "show a case, its links and its history", {}, {"ID"}),
        [&k](const CommandInput& in) { return cases_show(k, in); });
  r.add(command({"cases", "open"}, "open a case for a customer",
                {required_option("customer", "customer id"),
                 required_option("type", "complaint, service_request, repair_request or inquiry"),
                 required_option("subject", "what it is about"),
                 option("category", "the business's classification"),
                 option("channel", "where it came in: phone, email, visit..."),
                 option("priority", "low, normal, high or urgent", "normal"),
                 option("owner", "who handles it"),
                 option("appeal-point", "what the customer asks for"),
                 option("attitude", "unknown, cooperative, unreasonable, non_expert or probing",
                        "unknown"),
                 option("context", "extra data, a JSON object"),
                 option("interaction", "the interaction it comes from")}),
        [&k](const CommandInput& in) { return cases_open(k, in); });
  r.add(command({"cases", "assign"}, "hand a case over to another owner",
                {required_option("to", "the new owner"), option("note", "why")}, {"ID"}),
        [&k](const CommandInput& in) {
          const CaseId id = parse_id(in.positionals.at(0), "case");
          k.store().cases().assign(id, in.get("to"), in.get("note"), in.actor);
          CommandOutput out;
          out.data = {{"id", id}, {"owner", in.get("to")}};
          out.text = "case " + std::to_string(id) + " assigned to " + in.get("to") + "\n";
          return out;
        });
  r.add(command({"cases", "status"},
                "move a case along its life cycle (in_progress, waiting, resolved, closed, "
                "cancelled)",
                {option("note", "why")}, {"ID", "STATUS"}),
        [&k](const CommandInput& in) {
          const CaseId id = parse_id(in.positionals.at(0), "case");
          const Case::Status to = parse_case_status(in.positionals.at(1));
          k.store().cases().set_status(id, to, in.get("note"), in.actor);
          CommandOutput out;
          out.data = {{"id", id}, {"status", to_string(to)}};
          out.text = "case " + std::to_string(id) + " is " + to_string(to) + "\n";
          return out;
        });
}

}  // namespace crm::core

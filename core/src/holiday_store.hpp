#pragma once

#include "crm/holiday_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class HolidayStore final : public HolidayRepository {
 public:
  explicit HolidayStore(StoreParts parts) : p_(parts) {}
  std::size_t add(const std::vector<Holiday>& holidays, const Actor& by) override;
  void remove(LocalDays day, const Actor& by) override;
  std::vector<Holiday> list() override;

 private:
  StoreParts p_;
};

}  // namespace crm::core

// The kernel clock: the only source of "now".
//
// Everything that asks for the current time asks the kernel clock, so a test
// or a replay can run on simulated time and a year of a shop passes in seconds.
#pragma once

#include "crm/export.hpp"
#include "crm/time.hpp"

namespace crm {

// ABI: implemented by plugins and hosts, called by the kernel. Frozen within a
// major: a minor release changes no virtual function of it.
class CRM_API Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual TimePoint now() const = 0;
};

// The system's real time.
class WallClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
  }
};

// Time that moves only when told to. Never moves backwards: set() to an
// earlier time is ignored, so timers that fired stay fired.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(TimePoint start) : now_(start) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) {
    if (t > now_) now_ = t;
  }
  void advance(Seconds d) { set(now_ + d); }

 private:
  TimePoint now_;
};

}  // namespace crm

// Locating the shared reference data (CDNOW) for the retention tests.
#ifndef CRM_TESTS_RETENTION_TEST_DATA_HPP_
#define CRM_TESTS_RETENTION_TEST_DATA_HPP_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace crm::retention::testing {

// $CRM_SHARED_DATA if set, else the folder compiled in by CMake.
inline std::filesystem::path shared_data_dir() {
  if (const char* env = std::getenv("CRM_SHARED_DATA"); env != nullptr && *env != '\0') {
    return env;
  }
  return CRM_SHARED_DATA_DIR;
}

inline std::filesystem::path cdnow_sample_path() {
  return shared_data_dir() / "cdnow" / "CDNOW_sample.txt";
}

// Failure message for a missing data file: where we looked and how to get it.
inline std::string missing_cdnow_message() {
  return "CDNOW reference data not found at " + cdnow_sample_path().string() +
         ". Get CDNOW_sample.txt from the lifetimes library's datasets folder "
         "(lifetimes/datasets/CDNOW_sample.txt) or from Bruce Hardie's site "
         "(brucehardie.com/datasets), place it in ../shared/data/cdnow/ next to the "
         "repository, or point the CRM_SHARED_DATA environment variable at the folder "
         "that contains cdnow/ (the repository keeps a copy in tests/data/cdnow/).";
}

}  // namespace crm::retention::testing

#endif  // CRM_TESTS_RETENTION_TEST_DATA_HPP_

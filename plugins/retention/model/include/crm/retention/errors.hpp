// Exception types thrown by the retention model library.
//
// Every function in crm::retention reports failure by throwing one of the
// types below; none returns error codes. Messages always say what went wrong
// and where (function, customer index, file and line), so that a caller can
// show them to a user unchanged.
//
//   InvalidInput  (std::invalid_argument)  the caller passed bad arguments:
//                                          mismatched lengths, negative ages,
//                                          non-finite values, empty input.
//   ParseError    (std::runtime_error)     a purchase file is malformed; carries
//                                          the file name and 1-based line.
//   NumericalError(std::runtime_error)     a special function or series did not
//                                          converge for the given arguments.
//   FitError      (std::runtime_error)     maximum likelihood estimation failed:
//                                          the optimiser did not converge or the
//                                          data cannot identify the model (for
//                                          example, no repeat buyers).

#ifndef CRM_RETENTION_ERRORS_HPP_
#define CRM_RETENTION_ERRORS_HPP_

#include <cstddef>
#include <stdexcept>
#include <string>

namespace crm::retention {

// Bad arguments. The message names the function and the offending value.
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A malformed input file. what() reads "FILE:LINE: message"; file() and
// line() give the parts (line is 1-based, 0 when the error is not tied to a
// line, e.g. the file cannot be opened).
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, std::size_t line, const std::string& message);

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }

 private:
  std::string file_;
  std::size_t line_;
};

// A numerical routine (series, continued fraction) failed to converge.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Model estimation failed: non-convergence or data that cannot identify the
// model. The message names the model and the reason.
class FitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace crm::retention

#endif  // CRM_RETENTION_ERRORS_HPP_

// Exceptions thrown across the SDK boundary.
//
// Every error says what failed and where (a file and line, an id, a plugin
// path), so that the `crm` command can print it as one line and a program can
// catch a precise kind.
#pragma once

#include <stdexcept>
#include <string>

namespace crm {

// Base of every error the kernel throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An id, name or key that does not exist ("customer 42 not found").
class NotFound : public Error {
 public:
  using Error::Error;
};

// Input that breaks a rule: a malformed file, a bad value, a bad option.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

// A storage failure (constraint, I/O, busy database), with the statement.
class StoreError : public Error {
 public:
  using Error::Error;
};

// A unique key that another record holds already (a customer's external
// id): bad data rather than a broken database.
class DuplicateKey : public StoreError {
 public:
  using StoreError::StoreError;
};

// A write that lost a race with another connection (the instance it moved
// was moved by someone else; a unique guard another process took first).
// Nothing was written; the caller may read again and retry.
class Conflict : public StoreError {
 public:
  using StoreError::StoreError;
};

// A plugin that cannot be loaded, resolved or started; or what plugin code
// threw that is none of the kinds above (an int, a std::out_of_range): the
// message names the plugin's exception type and its message.
class PluginError : public Error {
 public:
  using Error::Error;
};

}  // namespace crm

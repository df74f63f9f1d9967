// Exceptions thrown across the SDK boundary.
//
// Every error says what failed and where (a file and line, an id, a plugin
// path), so that the `crm` command can print it as one line and a program can
// catch a precise kind.
//
// Each class has its destructor defined in libcrm_core (its key function), so
// its vtable and typeinfo exist once, in the library, and a plugin catches
// the kernel's exceptions (and the kernel a plugin's) by the same type. A
// class here is frozen within a major: a minor adds classes, never changes
// one.
#pragma once

#include <stdexcept>
#include <string>

#include "crm/export.hpp"

namespace crm {

// Base of every error the kernel throws on purpose.
class CRM_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~Error() override;
};

// An id, name or key that does not exist ("customer 42 not found").
class CRM_API NotFound : public Error {
 public:
  using Error::Error;
  ~NotFound() override;
};

// Input that breaks a rule: a malformed file, a bad value, a bad option.
class CRM_API InvalidInput : public Error {
 public:
  using Error::Error;
  ~InvalidInput() override;
};

// A storage failure (constraint, I/O, busy database), with the statement.
class CRM_API StoreError : public Error {
 public:
  using Error::Error;
  ~StoreError() override;
};

// A unique key that another record holds already (a customer's external
// id): bad data rather than a broken database.
class CRM_API DuplicateKey : public StoreError {
 public:
  using StoreError::StoreError;
  ~DuplicateKey() override;
};

// A write that lost a race with another connection (the instance it moved
// was moved by someone else; a unique guard another process took first).
// Nothing was written; the caller may read again and retry.
class CRM_API Conflict : public StoreError {
 public:
  using StoreError::StoreError;
  ~Conflict() override;
};

// A plugin that cannot be loaded, resolved or started; or what plugin code
// threw that is none of the kinds above (an int, a std::out_of_range): the
// message names the plugin's exception type and its message.
class CRM_API PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

}  // namespace crm

// The key functions of the SDK's exception classes (crm/error.hpp): defining
// the destructors here puts each class's vtable and typeinfo in libcrm_core
// alone, instead of a copy in every library that throws or catches it.
#include "crm/error.hpp"

namespace crm {

Error::~Error() = default;
NotFound::~NotFound() = default;
InvalidInput::~InvalidInput() = default;
StoreError::~StoreError() = default;
DuplicateKey::~DuplicateKey() = default;
Conflict::~Conflict() = default;
PluginError::~PluginError() = default;

}  // namespace crm

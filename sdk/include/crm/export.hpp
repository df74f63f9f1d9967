// CRM_API: what libcrm_core exports.
//
// libcrm_core is built with -fvisibility=hidden, so only what is marked
// CRM_API is part of its binary interface: the SDK classes and functions
// declared in sdk/include/crm and implemented in the library. The kernel's
// internals (namespace crm::core) stay private, so they can change in any
// release without breaking a plugin. Building and using the shared library
// need the same attribute on ELF, so one macro serves both. Define
// CRM_STATIC to compile the sources into a program without a shared
// libcrm_core (the attribute is then meaningless and left out).
#pragma once

#if defined(CRM_STATIC)
#define CRM_API
#elif defined(__GNUC__) || defined(__clang__)
#define CRM_API __attribute__((visibility("default")))
#else
#define CRM_API
#endif

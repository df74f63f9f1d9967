#!/usr/bin/env bash
# Checks what libcrm_core exports: no symbol of the kernel's internals
# (crm::core), and no more functions of namespace crm than the recorded
# bound. The bound is the count frozen with the API (freeze.sh writes it): a
# new exported function is an addition to the SDK, so it comes with a minor
# bump and a new bound, never by accident. Only functions are bounded: which
# vtables and typeinfo objects of header-only interfaces a compiler emits
# depends on the compiler and the optimiser (GCC at -O0 emits some that -O3
# does not need), and so does the std:: template code emitted out of line;
# both are counted and printed, not bounded.
#
# Usage: exported_symbols.sh LIBCRM_CORE BOUND_FILE [--count]
#   --count  print the count of exported crm:: functions only (what freeze.sh records)
set -euo pipefail
lib=$1 bound_file=$2
symbols=$(nm -D --defined-only -C "$lib" | cut -d' ' -f3-)
# Functions of namespace crm (member functions included); their classes'
# vtables and typeinfo are counted apart.
ours=$(grep -E '^crm::' <<<"$symbols" || true)
ours_count=$(grep -c . <<<"$ours" || true)
class_data=$(grep -cE '^(vtable|typeinfo|typeinfo name|VTT|construction vtable) for crm::' <<<"$symbols" || true)
if [ "${3:-}" = --count ]; then
  echo "$ours_count"
  exit 0
fi
status=0
internal=$(grep -E 'crm::core::' <<<"$symbols" || true)
if [ -n "$internal" ]; then
  echo "libcrm_core exports $(grep -c . <<<"$internal") symbols of crm::core (the kernel's internals):" >&2
  sed 's/^/  /' <<<"$internal" >&2
  status=1
fi
bound=$(tr -d '[:space:]' <"$bound_file")
if [ "$ours_count" -gt "$bound" ]; then
  echo "libcrm_core exports $ours_count functions of namespace crm, more than the recorded $bound" >&2
  echo "($bound_file). An addition to the SDK bumps the API minor and the bound (tests/abi/README.md)." >&2
  echo "The exported crm:: functions:" >&2
  sed 's/^/  /' <<<"$ours" >&2
  status=1
fi
total=$(grep -c . <<<"$symbols" || true)
echo "libcrm_core exports $total symbols: $ours_count functions of namespace crm (bound $bound)," \
  "$class_data vtables and typeinfo of its classes, $((total - ours_count - class_data)) others (std::)"
exit $status

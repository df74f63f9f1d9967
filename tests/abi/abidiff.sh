#!/usr/bin/env bash
# Compares the ABI of the libcrm_core just built with the one recorded when
# the API major was frozen (tests/abi/libcrm_core.abi, written by freeze.sh)
# and fails on any change an old plugin could notice: a removed or changed
# exported function or variable, a changed layout of a type they reach, a
# virtual function inserted, removed or moved. Additions pass: new functions,
# new classes, and virtual functions appended after the last one of an
# interface the kernel implements (those marked "ABI: implemented by the
# kernel" in the frozen headers). Only symbols of namespace crm count; the
# std:: template code the compiler emits out of line is not the SDK's ABI.
#
# Usage: abidiff.sh BASELINE.abi LIBCRM_CORE FROZEN_INCLUDE_DIR COMPILER_ID
# Exits 77 (ctest: skipped) where the comparison cannot mean anything; see
# tests/abi/README.md for each case.
set -euo pipefail
baseline=$1 lib=$2 frozen=$3 compiler=$4
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
command -v abidiff >/dev/null || skip "abidiff is not installed (Debian package abigail-tools)"
[ -f "$baseline" ] || { echo "no recorded ABI at $baseline: run tests/abi/freeze.sh" >&2; exit 1; }
recorded_by=$(tail -n 1 "$baseline" | sed -n 's/^<!-- compiler: \(.*\) -->$/\1/p')
[ "$recorded_by" = "$compiler" ] ||
  skip "the ABI was recorded from a $recorded_by build; $compiler describes the same types differently in DWARF"
sections=$(readelf -S "$lib")  # not piped into grep -q, whose early exit would fail the pipe
grep -q '\.debug_info' <<<"$sections" || skip "$lib has no debug information to read types from"

report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
abidiff --leaf-changes-only --no-added-syms --no-show-locs --suppressions "$here/crm_symbols.suppr" \
  "$baseline" "$lib" >"$report" 2>&1
status=$?
set -e
if [ "$status" -eq 0 ]; then
  echo "libcrm_core: no ABI change against $(basename "$baseline")"
  exit 0
fi
if [ $((status & 3)) -ne 0 ]; then
  echo "abidiff failed (status $status):" >&2
  cat "$report" >&2
  exit 1
fi

# The interfaces a minor release may append virtual functions to.
appendable=$( (grep -h -A2 '^// ABI: implemented by the kernel' "$frozen"/crm/*.hpp || true) |
  sed -n 's/^class CRM_API \([A-Za-z_]*\).*/crm::\1/p' | sort -u)

# Every leaf change must be an appended virtual function of such a class.
if ! awk -v appendable="$appendable" '
  BEGIN { n = split(appendable, a, "\n"); for (i = 1; i <= n; i++) ok_class[a[i]] = 1; bad = 0 }
  /^Removed\/Changed\/Added (functions|variables) summary:/ {
    if ($0 !~ / 0 Removed, 0 Changed,/) { print "removed or changed: " $0; bad = 1 }
    next }
  /^'"'"'[^'"'"']*'"'"' changed:$/ {
    flush(); name = $0; sub(/^'"'"'(class|struct|union|enum) /, "", name); sub(/'"'"' changed:$/, "", name)
    # Internal classes of the kernel (hidden) show up only as derived from a
    # changed SDK class, which is reported under its own name.
    internal = (name ~ /^crm::core::/)
    inblock = 1; only_appends = (name in ok_class); inserted = 0; maxoff = -1; minoff = 1e9; next }
  inblock && /^$/ { flush(); next }
  inblock {
    line = $0
    if (line ~ /^  type size hasn.t changed$/ || line ~ /^  there are member function changes:$/) next
    if (line ~ /^  [0-9]+ member functions? insertions?:$/) next
    # The destructor variants (D0, D1, D2) listed without a slot: the
    # destructor keeps the slots it had.
    if (line ~ /^    '"'"'method virtual [^'"'"']*::~[^'"'"']*'"'"'$/) next
    if (line ~ /virtual at voffset [0-9]+\/[0-9]+/) {
      match(line, /voffset [0-9]+\/[0-9]+/); split(substr(line, RSTART + 8, RLENGTH - 8), o, "/")
      inserted++; if (o[1] + 0 < minoff) minoff = o[1] + 0; maxoff = o[2] + 0; next }
    only_appends = 0; next }
  function flush() {
    if (!inblock) return
    inblock = 0
    if (internal) return
    # Appended at the end: every inserted slot lies after the old last one.
    if (!(only_appends && inserted > 0 && minoff > maxoff - inserted)) { print "incompatible: " name; bad = 1 }
  }
  END { flush(); exit bad }' "$report" >"$report.verdict"; then
  echo "libcrm_core breaks the ABI recorded in $(basename "$baseline"):" >&2
  sed 's/^/  /' "$report.verdict" >&2
  echo "--- abidiff report" >&2
  cat "$report" >&2
  rm -f "$report.verdict"
  exit 1
fi
rm -f "$report.verdict"
echo "libcrm_core: only additions against $(basename "$baseline"):"
cat "$report"

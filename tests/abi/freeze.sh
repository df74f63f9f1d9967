#!/usr/bin/env bash
# Freezes the API of the current sources as the reference of its major, in
# tests/abi/api-<major>.0/:
#   include/crm/*.hpp       the public headers and the generated version.hpp,
#                           which the fixture plugin (frozen_api_plugin.cpp)
#                           is compiled against, alone;
#   libcrm_core.abi         libcrm_core's ABI as abidw reads it, which
#                           abidiff.sh compares every later build with;
#   exported_symbols.bound  how many crm:: functions libcrm_core exports.
# Run it from a default-preset build (GCC, Release, tests on) that is built:
#   tests/abi/freeze.sh [BUILD_DIR]        (default: build)
# The frozen API is the .0 of its major, the oldest a kernel of that major
# must still load, so the script refuses a later minor unless --force.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
force=0 build=
for arg; do
  case $arg in
    --force) force=1 ;;
    *) build=$arg ;;
  esac
done
build=$(cd "${build:-$root/build}" && pwd)
version=$build/sdk/include/crm/version.hpp
lib=$build/lib/libcrm_core.so
[ -f "$version" ] && [ -f "$lib" ] || { echo "freeze.sh: $build is not a built CRM tree" >&2; exit 1; }
major=$(sed -n 's/^#define CRM_API_MAJOR \([0-9]*\)$/\1/p' "$version")
minor=$(sed -n 's/^#define CRM_API_MINOR \([0-9]*\)$/\1/p' "$version")
if [ "$minor" != 0 ] && [ "$force" = 0 ]; then
  echo "freeze.sh: the API is $major.$minor; the frozen copy is the oldest of its major ($major.0)." >&2
  echo "Re-freezing it at $major.$minor would hide a break of $major.0 plugins; --force to do it anyway." >&2
  exit 1
fi
grep -q '^CMAKE_CXX_FLAGS:STRING=.*-fsanitize' "$build/CMakeCache.txt" &&
  { echo "freeze.sh: $build is a sanitizer build; freeze from the default preset" >&2; exit 1; }
compiler=$(cat "$build"/CMakeFiles/*/CMakeCXXCompiler.cmake |
  sed -n 's/^set(CMAKE_CXX_COMPILER_ID "\(.*\)")$/\1/p')
command -v abidw >/dev/null || { echo "freeze.sh: abidw is missing (Debian package abigail-tools)" >&2; exit 1; }

out=$root/tests/abi/api-$major.0
rm -rf "$out/include"
mkdir -p "$out/include/crm"
cp "$root"/sdk/include/crm/*.hpp "$version" "$out/include/crm/"
# The compiler goes last, as a comment: abidiff reads the file by its first line.
# Only the symbols of namespace crm and the types they reach (crm_symbols.suppr):
# the rest is std:: template code, not the SDK's ABI.
{ abidw --no-corpus-path --no-show-locs --no-comp-dir-path \
    --suppressions "$root/tests/abi/crm_symbols.suppr" "$lib"
  echo "<!-- compiler: $compiler -->"; } >"$out/libcrm_core.abi"
"$root/tests/abi/exported_symbols.sh" "$lib" /dev/null --count >"$out/exported_symbols.bound"
echo "froze API $major.$minor into ${out#"$root"/}: $(ls "$out/include/crm" | wc -l) headers," \
  "$(wc -c <"$out/libcrm_core.abi") bytes of ABI ($compiler), bound $(cat "$out/exported_symbols.bound") functions"

#!/usr/bin/env bash
# Prints what a benchmark figure depends on: date, machine, load, and the
# build's real flags as recorded in BUILD_DIR/CMakeCache.txt.
# Usage: bench/build_info.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
cache="$build/CMakeCache.txt"
[ -f "$cache" ] || { echo "build_info.sh: $cache not found (configure the build first)" >&2; exit 1; }
setting() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -1; }
compiler=$(setting CMAKE_CXX_COMPILER)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
printf 'date             %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine          %s, %s cores, %s GiB, %s\n' "$cpu" "$(nproc)" \
  "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
  "$(. /etc/os-release && echo "$PRETTY_NAME")"
printf 'load average     %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'build type       %s\n' "$(setting CMAKE_BUILD_TYPE)"
printf 'CXX flags        CMAKE_CXX_FLAGS="%s" CMAKE_CXX_FLAGS_RELEASE="%s"\n' \
  "$(setting CMAKE_CXX_FLAGS)" "$(setting CMAKE_CXX_FLAGS_RELEASE)"
printf 'compiler         %s (%s)\n' "$("$compiler" --version | head -1)" "$compiler"
if command -v sqlite3 >/dev/null; then
  printf 'sqlite3 shell    %s\n' "$(sqlite3 --version | cut -d' ' -f1)"
fi

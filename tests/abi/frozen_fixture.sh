#!/usr/bin/env bash
# Checks the two properties the frozen-headers fixture stands on:
#  - it was compiled against the frozen headers alone: its compile command
#    names neither sdk/include nor the build's generated sdk/include;
#  - the kernel's exception classes have their key function in libcrm_core,
#    so the plugin, which throws and catches them, defines no vtable or
#    typeinfo of its own for them (it uses the library's).
# Usage: frozen_fixture.sh PLUGIN COMPILE_COMMANDS SDK_INCLUDE GENERATED_INCLUDE
set -euo pipefail
plugin=$1 commands=$2 sdk=$3 generated=$4
status=0
entry=$(/usr/bin/python3 - "$commands" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("tests/abi/frozen_api_plugin.cpp"):
        print(e.get("command") or " ".join(e["arguments"]))
PY
)
[ -n "$entry" ] || { echo "no compile command for frozen_api_plugin.cpp in $commands" >&2; exit 1; }
for dir in "$sdk" "$generated"; do
  if grep -qF -- "$dir" <<<"$entry"; then
    echo "the frozen-headers fixture is compiled with $dir on its include path:" >&2
    echo "  $entry" >&2
    status=1
  fi
done
copies=$(nm -C --defined-only "$plugin" |
  grep -E ' (vtable|typeinfo|typeinfo name) for crm::(Error|NotFound|InvalidInput|StoreError|DuplicateKey|Conflict|PluginError)$' || true)
if [ -n "$copies" ]; then
  echo "$(basename "$plugin") carries its own copy of kernel exception types (no key function in libcrm_core?):" >&2
  sed 's/^/  /' <<<"$copies" >&2
  status=1
fi
[ "$status" = 0 ] && echo "fixture compiled against the frozen headers only; no private copy of kernel exception types"
exit $status

#!/usr/bin/env bash
# Write the example publication in every format and check it with the independent validators:
# the BSI csaf-validator-lib (strict schema + mandatory tests; EXTENDED=1 adds the optional
# tests), cyclonedx-python-lib (CycloneDX 1.6 JSON schema) and vexipy (OpenVEX; installed by
# oracle/vexipy_setup.sh). The crate's tests do the same
# for their own documents; this is for a quick look at the output by hand.
#
#   oracle/validate.sh [OUT_DIR]
#
# Env: ORACLES_PY, CSAF_LIB_DIR, NODE_PATH (eval "$(bash ../shared/tools/oracles/setup.sh)"
# from the project root), CARGO_TARGET_DIR (cargo's default when unset).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate="$(dirname "$here")"
root="$(cd "$crate/../../.." && pwd)"
oracles="$root/../shared/tools/oracles"
for v in ORACLES_PY CSAF_LIB_DIR NODE_PATH; do
  if [[ -z "${!v:-}" ]]; then
    echo "$v is not set: run eval \"\$(bash ../shared/tools/oracles/setup.sh)\" from the project root" >&2
    exit 2
  fi
done
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/pm-documents.XXXXXX")}"
cd "$root"
cargo run -q -p postmarket-documents --example write_sample -- "$out" >/dev/null
rc=0
(cd "$CSAF_LIB_DIR" && node "$oracles/csaf_validate.mjs" ${EXTENDED:+--extended} "$out"/*.csaf.json) || rc=1
"$ORACLES_PY" "$oracles/cdx_validate.py" --all "$out"/*.cdx.json || rc=1
eval "$(bash "$here/vexipy_setup.sh")"
"$VEXIPY_PY" "$here/openvex_check.py" "$out"/*.openvex.json || rc=1
echo "documents in $out"
exit $rc

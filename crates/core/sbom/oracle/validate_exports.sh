#!/usr/bin/env bash
# Export every corpus SBOM (and the valid fixtures) as CycloneDX 1.6 and SPDX 2.3 JSON, then
# validate: CycloneDX with the official 1.6 JSON schema (shared/tools/oracles/cdx_validate.py),
# SPDX with spdx-tools (`pyspdxtools -i FILE`). Exits non-zero if any export is invalid.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crate="$(dirname "$here")"
data="${1:-${POSTMARKET_CORPUS:-$crate/../../../../shared/data}}"
oracles="${ORACLES_DIR:-$crate/../../../../shared/tools/oracles}"
venv="${ORACLE_VENV:-$HOME/.cache/pm-oracles/venv}"
out="$(mktemp -d -t sbom-exports.XXXXXX)"
(cd "$crate" && cargo run --quiet --release --example export_corpus -- "$out" "$data/05-sboms" "$crate/tests/fixtures")
shopt -s nullglob
cdx=("$out"/*.cdx.json)
spdx=("$out"/*.spdx.json)
echo "validating ${#cdx[@]} CycloneDX exports against the 1.6 schema"
"$venv/bin/python" "$oracles/cdx_validate.py" "${cdx[@]}" > "$out/cdx_validate.log" 2>&1 || { cat "$out/cdx_validate.log"; echo "CycloneDX validation FAILED"; exit 1; }
tail -3 "$out/cdx_validate.log"
echo "validating ${#spdx[@]} SPDX exports with spdx-tools (parse + validate_full_spdx_document, as pyspdxtools -i)"
"$venv/bin/python" "$here/spdx_validate.py" "${spdx[@]}" || { echo "SPDX validation FAILED"; exit 1; }
# and the real CLI on a few exports (it re-imports spdx-tools per file, ~2 s each)
for f in $(ls "$out"/*medical-device*.spdx.json "$out"/*fixtures*.spdx.json 2>/dev/null); do
  "$venv/bin/pyspdxtools" -i "$f" > "$out/pyspdxtools.log" 2>&1 || { cat "$out/pyspdxtools.log"; echo "pyspdxtools -i FAILED on $f"; exit 1; }
  if grep -qi "invalid" "$out/pyspdxtools.log"; then cat "$out/pyspdxtools.log"; echo "pyspdxtools -i reported problems in $f"; exit 1; fi
  echo "pyspdxtools -i OK: $(basename "$f")"
done
echo "all ${#cdx[@]} CycloneDX and ${#spdx[@]} SPDX exports are valid (exports in $out)"

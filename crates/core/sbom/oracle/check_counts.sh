#!/usr/bin/env bash
# Count components of every corpus SBOM with the Python oracle (cyclonedx-python-lib /
# spdx-tools / plain walking) and compare with postmarket-sbom's counts.
# Usage: oracle/check_counts.sh [CORPUS_DATA_DIR]   (default: ../shared/data beside the project)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crate="$(dirname "$here")"
data="${1:-${POSTMARKET_CORPUS:-$crate/../../../../shared/data}}"
py="${ORACLE_PYTHON:-$HOME/.cache/pm-oracles/venv/bin/python}"
if [ ! -x "$py" ]; then
  echo "oracle python not found at $py (run ../shared/tools/oracles/setup.sh beside the project)" >&2
  exit 1
fi
out="${COUNTS_TSV:-$(mktemp -t sbom-counts.XXXXXX.tsv)}"
"$py" "$here/count_components.py" "$data/05-sboms" > "$out"
echo "oracle counts: $(wc -l < "$out") files -> $out"
cut -f3 "$out" | sort | uniq -c | sed 's/^/  method: /'
cd "$crate"
POSTMARKET_CORPUS="$data" POSTMARKET_SBOM_COUNTS="$out" cargo test -p postmarket-sbom --test component_counts -- --nocapture

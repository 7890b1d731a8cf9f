#!/usr/bin/env bash
# Generate the univers oracle TSV and run the Rust comparison test.
# Usage: oracle/univers_check.sh [OUT.tsv] [extra args for univers_check.py]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CRATE="$(dirname "$HERE")"
ORACLES_DIR="${ORACLES_DIR:-$HOME/.cache/pm-oracles}"
PY="$ORACLES_DIR/venv/bin/python"
if [ ! -x "$PY" ]; then
  SETUP="$CRATE/../../../../shared/tools/oracles/setup.sh"
  echo "univers venv missing; running $SETUP" >&2
  bash "$SETUP"
fi
OUT="${1:-${TMPDIR:-/tmp}/postmarket-univers-pairs.tsv}"
shift || true
"$PY" "$HERE/univers_check.py" --out "$OUT" "$@"
cd "$CRATE"
POSTMARKET_UNIVERS_PAIRS="$OUT" cargo test -p postmarket-version --test univers_oracle -- --nocapture

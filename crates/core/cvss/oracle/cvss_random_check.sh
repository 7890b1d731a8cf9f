#!/usr/bin/env bash
# Cross-check this crate against the Red Hat `cvss` Python library (the oracle).
#
#   oracle/cvss_random_check.sh [N]        (default N = 10000 per version)
#
# Generates N random vectors per version (2.0, 3.0, 3.1, 4.0) with temporal/threat and
# environmental metrics, plus every vulnrichment vector if the corpus is found, scores them
# with the oracle into a temp JSON file, then runs `cargo test --test oracle_random` with
# POSTMARKET_CVSS_ORACLE pointing at it. Any disagreement fails the test.
#
# Env: ORACLES_PY (default ~/.cache/pm-oracles/venv/bin/python), POSTMARKET_CORPUS,
#      CARGO_TARGET_DIR (cargo's default when unset).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate="$(dirname "$here")"
n="${1:-10000}"
py="${ORACLES_PY:-$HOME/.cache/pm-oracles/venv/bin/python}"
if [[ ! -x "$py" ]]; then
  echo "oracle python not found at $py (run ../shared/tools/oracles/setup.sh beside the project, or set ORACLES_PY)" >&2
  exit 1
fi
corpus="${POSTMARKET_CORPUS:-}"
if [[ -z "$corpus" ]]; then
  d="$crate"
  while [[ "$d" != "/" ]]; do
    if [[ -d "$d/../shared/data" ]]; then corpus="$(cd "$d/../shared/data" && pwd)"; break; fi
    d="$(dirname "$d")"
  done
fi
out="$(mktemp "${TMPDIR:-/tmp}/cvss-oracle.XXXXXX.json")"
trap 'rm -f "$out"' EXIT
"$py" "$here/gen_random.py" "$out" "$n" "${SEED:-20240601}" ${corpus:+"$corpus"}
cd "$crate"
POSTMARKET_CVSS_ORACLE="$out" cargo test -p postmarket-cvss --test oracle_random -- --nocapture

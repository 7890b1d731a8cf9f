#!/usr/bin/env bash
# Installs vexipy (PyPI), an independent OpenVEX implementation whose pydantic models enforce the
# specification's types and MUSTs, into its own venv beside the other reference tools, and prints
# the line to eval: VEXIPY_PY, used by the crate's tests and oracle/validate.sh.
set -euo pipefail
D=${ORACLES_DIR:-$HOME/.cache/pm-oracles}
if ! "$D/venv-vexipy/bin/python" -c "import vexipy" 2>/dev/null; then
  python3 -m venv "$D/venv-vexipy"
  "$D/venv-vexipy/bin/pip" install -q vexipy==0.3.0
fi
echo "export VEXIPY_PY=$D/venv-vexipy/bin/python"

#!/usr/bin/env python3
"""Validate SPDX documents with spdx-tools in one process: the same parse + full validation that
`pyspdxtools -i FILE` performs, without paying the interpreter start-up per file.
Usage: spdx_validate.py FILE...   Exit 0 when every file is valid."""
import sys
import warnings

warnings.filterwarnings("ignore")
from spdx_tools.spdx.parser.parse_anything import parse_file  # noqa: E402
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document  # noqa: E402

bad = 0
for f in sys.argv[1:]:
    try:
        doc = parse_file(f)
        msgs = validate_full_spdx_document(doc)
    except Exception as e:  # noqa: BLE001 - parse errors are validation failures
        msgs = [f"parse error: {e}"]
    if msgs:
        bad += 1
        print(f"INVALID {f}")
        for m in msgs[:10]:
            print(f"   {getattr(m, 'validation_message', m)}")
print(f"spdx-tools: {len(sys.argv) - 1 - bad} valid, {bad} invalid")
sys.exit(1 if bad else 0)

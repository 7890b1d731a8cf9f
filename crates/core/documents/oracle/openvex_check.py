#!/usr/bin/env python3
"""Check OpenVEX documents with vexipy (Document.from_json). Usage: openvex_check.py DOC.json ...
Prints one JSON line per file: {"file", "valid", "statements", "error"}. Exit 0 all valid, 1 not."""
import json, sys, warnings
from vexipy import Document

rc = 0
for f in sys.argv[1:]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with open(f) as fh:
                text = fh.read()
            doc = Document.from_json(text)
            out = {"file": f, "valid": True, "statements": len(doc.statements), "error": None}
        except Exception as e:  # pydantic.ValidationError and JSON errors alike
            rc = 1
            out = {"file": f, "valid": False, "statements": 0, "error": str(e)[:500]}
    out["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(out))
sys.exit(rc)

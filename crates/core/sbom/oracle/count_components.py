#!/usr/bin/env python3
"""Independent component counts for SBOM files, for cross-checking postmarket-sbom.

Usage: count_components.py ROOT [FILE...]   (default: every .json/.xml/.spdx file under ROOT)
Prints TSV lines `relative-path<TAB>count<TAB>method` to stdout.

Definition of "component" (the same one postmarket-sbom documents):
  * CycloneDX: every component in `components`, nested components included, plus components
    nested under `metadata.component`; `metadata.component` itself (the device) is NOT counted.
  * SPDX 2.x: every package, except the single package the document DESCRIBES (the device) when
    exactly one element is described and it is a package.
  * SPDX 3.0: every software_Package / ai_AIPackage / dataset_DatasetPackage element, except the
    single package root element (or `describes` target) of the SBOM/document when there is
    exactly one.

Methods (third column):
  cyclonedx-python-lib   Bom.from_json / Bom.from_xml, components walked recursively
  spdx-tools             spdx_tools.spdx.parser.parse_anything.parse_file (JSON and tag-value)
  json-walk / xml-walk   plain json / xml.etree walking, used where the library cannot load the
                         file (the exception is reported on stderr) and for SPDX 3.0 JSON-LD,
                         which spdx-tools 0.8 cannot read
"""
import json
import os
import sys
import warnings
import xml.etree.ElementTree as ET

warnings.filterwarnings("ignore")

PKG_TYPES = {"software_Package", "ai_AIPackage", "dataset_DatasetPackage"}


def cdx_lib_count(bom):
    n = 0

    def walk(cs):
        nonlocal n
        for c in cs:
            n += 1
            walk(c.components)

    walk(bom.components)
    if bom.metadata and bom.metadata.component:
        walk(bom.metadata.component.components)
    return n


def cdx_json_walk(d):
    n = 0

    def walk(cs):
        nonlocal n
        for c in cs or []:
            n += 1
            walk(c.get("components"))

    walk(d.get("components"))
    walk(((d.get("metadata") or {}).get("component") or {}).get("components"))
    return n


def cdx_xml_walk(path):
    root = ET.parse(path).getroot()
    ns = root.tag.split("}")[0] + "}"
    n = 0

    def walk(container):
        nonlocal n
        if container is None:
            return
        for c in container.findall(ns + "component"):
            n += 1
            walk(c.find(ns + "components"))

    walk(root.find(ns + "components"))
    md = root.find(ns + "metadata")
    if md is not None and md.find(ns + "component") is not None:
        walk(md.find(ns + "component").find(ns + "components"))
    return n


def spdx2_count(path):
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.model import RelationshipType

    doc = parse_file(path)
    doc_id = doc.creation_info.spdx_id
    pkg_ids = {p.spdx_id for p in doc.packages}
    described = set()
    for r in doc.relationships:
        if r.relationship_type == RelationshipType.DESCRIBES and r.spdx_element_id == doc_id:
            described.add(str(r.related_spdx_element_id))
        elif r.relationship_type == RelationshipType.DESCRIBED_BY and str(r.related_spdx_element_id) == doc_id:
            described.add(r.spdx_element_id)
    n = len(doc.packages)
    if len(described) == 1 and next(iter(described)) in pkg_ids:
        n -= 1
    return n


def spdx3_walk(d):
    g = d.get("@graph", [])
    pkgs = {e.get("spdxId") for e in g if e.get("type") in PKG_TYPES}
    containers = {e.get("spdxId") for e in g if e.get("type") in ("software_Sbom", "SpdxDocument", "Bom")}
    described = set()
    for e in g:
        if e.get("type") in ("software_Sbom", "SpdxDocument", "Bom"):
            described.update(e.get("rootElement", []))
        if e.get("type") in ("Relationship", "LifecycleScopedRelationship") and e.get("relationshipType") == "describes" \
                and e.get("from") in containers:
            to = e.get("to", [])
            described.update(to if isinstance(to, list) else [to])
    described &= pkgs
    n = sum(1 for e in g if e.get("type") in PKG_TYPES)
    return n - 1 if len(described) == 1 else n


def count(path):
    if path.endswith(".spdx"):
        return spdx2_count(path), "spdx-tools"
    if path.endswith(".xml"):
        try:
            from cyclonedx.model.bom import Bom

            return cdx_lib_count(Bom.from_xml(ET.parse(path).getroot())), "cyclonedx-python-lib"
        except Exception as e:  # noqa: BLE001 - report and fall back
            print(f"{path}: cyclonedx-python-lib cannot load it ({type(e).__name__}: {str(e)[:120]}); xml-walk", file=sys.stderr)
            return cdx_xml_walk(path), "xml-walk"
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if d.get("bomFormat") == "CycloneDX":
        try:
            from cyclonedx.model.bom import Bom

            return cdx_lib_count(Bom.from_json(d)), "cyclonedx-python-lib"
        except Exception as e:  # noqa: BLE001
            print(f"{path}: cyclonedx-python-lib cannot load it ({type(e).__name__}: {str(e)[:120]}); json-walk", file=sys.stderr)
            return cdx_json_walk(d), "json-walk"
    if "spdxVersion" in d:
        return spdx2_count(path), "spdx-tools"
    if "@graph" in d:
        return spdx3_walk(d), "json-walk"
    raise SystemExit(f"{path}: not an SBOM")


def main():
    root = sys.argv[1]
    files = sys.argv[2:]
    if not files:
        for dp, _, fs in os.walk(root):
            for f in fs:
                if f.endswith((".json", ".xml", ".spdx")):
                    files.append(os.path.join(dp, f))
    for p in sorted(files):
        n, method = count(p)
        print(f"{os.path.relpath(p, root)}\t{n}\t{method}")


if __name__ == "__main__":
    main()

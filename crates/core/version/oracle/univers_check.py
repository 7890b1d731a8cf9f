#!/usr/bin/env python3
"""Generate version pairs and (vers range, version) pairs from the Postmarket
corpus and record what `univers` (the oracle) answers, as a TSV that the Rust
test `tests/univers_oracle.rs` compares against (env POSTMARKET_UNIVERS_PAIRS).

Sources (never copied, only read): the OSV version-ordering vectors
(04-osv/version-ordering-osv-scalibr/*.txt) and real OSV records
(04-osv/**.json, 04-osv/pypi-pysec/**.yaml).

TSV columns: kind  scheme  a  b  univers
  kind=cmp       a, b versions; univers = -1 | 0 | 1 | ERR
  kind=contains  a = vers range, b = version; univers = true | false | ERR
"""
import argparse
import glob
import json
import os
import random
import sys

from univers.version_range import VersionRange
from univers.versions import DebianVersion, MavenVersion, PypiVersion, RpmVersion, SemverVersion

SCHEMES = {
    "pypi": PypiVersion,
    "npm": SemverVersion,
    "cargo": SemverVersion,
    "maven": MavenVersion,
    "deb": DebianVersion,
    "rpm": RpmVersion,
}
ORDER_FILES = {
    "pypi": ["pypi-versions.txt", "pypi-versions-generated.txt"],
    "npm": ["semver-versions.txt"],
    "cargo": ["semver-versions.txt"],
    "maven": ["maven-versions.txt", "maven-versions-generated.txt"],
    "deb": ["debian-versions.txt", "debian-versions-generated.txt"],
    "rpm": ["redhat-versions.txt"],
}
OSV_ECOSYSTEMS = {"PyPI": "pypi", "npm": "npm", "Go": "npm", "crates.io": "cargo", "Maven": "maven", "Debian": "deb"}


def find_corpus(explicit):
    if explicit:
        return explicit
    if os.environ.get("POSTMARKET_CORPUS"):
        return os.environ["POSTMARKET_CORPUS"]
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    while True:
        cand = os.path.join(d, "..", "shared", "data")
        if os.path.isdir(cand):
            return os.path.normpath(cand)
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("corpus not found: pass --corpus or set POSTMARKET_CORPUS")
        d = parent


def ordering_lines(corpus, scheme):
    out = []
    for f in ORDER_FILES[scheme]:
        p = os.path.join(corpus, "04-osv", "version-ordering-osv-scalibr", f)
        for line in open(p, encoding="utf-8"):
            parts = line.strip().split(" ")
            if len(parts) == 3 and parts[1] in "<=>" and not line.startswith(("#", "//")):
                out.append((parts[0], parts[2]))
    return out


def osv_affected(corpus):
    """Yield (scheme, affected-dict) from JSON and YAML OSV records."""
    files = glob.glob(os.path.join(corpus, "04-osv", "**", "*.json"), recursive=True)
    yamls = glob.glob(os.path.join(corpus, "04-osv", "pypi-pysec", "**", "*.yaml"), recursive=True)
    docs = []
    for f in sorted(files):
        try:
            docs.append(json.load(open(f, encoding="utf-8")))
        except Exception:
            pass
    try:
        import yaml

        for f in sorted(yamls):
            try:
                docs.append(yaml.safe_load(open(f, encoding="utf-8")))
            except Exception:
                pass
    except ImportError:
        print("pyyaml missing: PyPI YAML records skipped", file=sys.stderr)
    for d in docs:
        if not isinstance(d, dict):
            continue
        for a in d.get("affected", []) or []:
            eco = ((a.get("package") or {}).get("ecosystem") or "").split(":")[0]
            if eco in OSV_ECOSYSTEMS:
                yield OSV_ECOSYSTEMS[eco], a


def univers_cmp(cls, a, b):
    try:
        x, y = cls(a), cls(b)
        return "-1" if x < y else ("1" if x > y else "0")
    except Exception:
        return "ERR"


def univers_contains(vers, v):
    try:
        r = VersionRange.from_string(vers)
        return "true" if r.version_class(v) in r else "false"
    except Exception:
        return "ERR"


def clean(s):
    return "\t" not in s and "\n" not in s and "|" not in s and s.strip() == s and s != ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--pairs", type=int, default=3000, help="random version pairs per scheme")
    ap.add_argument("--ranges", type=int, default=2000, help="(range, version) pairs per scheme")
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args()
    corpus = find_corpus(args.corpus)
    rng = random.Random(args.seed)

    pools = {s: set() for s in SCHEMES}
    adjacent = {s: [] for s in SCHEMES}
    for s in SCHEMES:
        for a, b in ordering_lines(corpus, s):
            pools[s].update([a, b])
            adjacent[s].append((a, b))
    osv_ranges = {s: [] for s in SCHEMES}
    for s, a in osv_affected(corpus):
        for v in a.get("versions", []) or []:
            pools[s].add(str(v))
        for r in a.get("ranges", []) or []:
            if r.get("type") not in ("ECOSYSTEM", "SEMVER"):
                continue
            evs = []
            for e in r.get("events", []):
                for k, v in e.items():
                    v = str(v)
                    if v != "0":
                        pools[s].add(v)
                    evs.append((k, v))
            osv_ranges[s].append(evs)
    # Go versions in OSV are plain semver; npm pool also gets crates versions
    pools = {s: sorted(v for v in p if clean(v)) for s, p in pools.items()}

    rows = []
    for s, cls in SCHEMES.items():
        pool = pools[s]
        pairs = [p for p in adjacent[s] if clean(p[0]) and clean(p[1])]
        rng.shuffle(pairs)
        pairs = pairs[: args.pairs // 3]
        while len(pairs) < args.pairs and len(pool) > 1:
            pairs.append((rng.choice(pool), rng.choice(pool)))
        for a, b in pairs:
            rows.append(("cmp", s, a, b, univers_cmp(cls, a, b)))
        # ranges: real OSV introduced/fixed/last_affected pairs as vers, plus
        # synthetic two-bound ranges from pool versions ordered by univers
        made = 0
        for evs in osv_ranges[s]:
            if made >= args.ranges // 2:
                break
            cons = []
            for k, v in evs:
                if k == "introduced" and v != "0":
                    cons.append(">=" + v)
                elif k == "fixed":
                    cons.append("<" + v)
                elif k == "last_affected":
                    cons.append("<=" + v)
            if not cons or len(cons) > 2 or not all(clean(c) for c in cons):
                continue
            try:
                vr = VersionRange.from_string(f"vers:{s}/" + "|".join(cons))
                vers = str(vr)
            except Exception:
                continue
            for _ in range(3):
                v = rng.choice(pool)
                rows.append(("contains", s, vers, v, univers_contains(vers, v)))
                made += 1
        attempts = 0
        while made < args.ranges and attempts < args.ranges * 5 and len(pool) > 2:
            attempts += 1
            lo, hi = rng.choice(pool), rng.choice(pool)
            if univers_cmp(cls, lo, hi) != "-1":
                continue
            op_lo = rng.choice([">=", ">"])
            op_hi = rng.choice(["<", "<="])
            vers = f"vers:{s}/{op_lo}{lo}|{op_hi}{hi}"
            v = rng.choice(pool + [lo, hi])
            rows.append(("contains", s, vers, v, univers_contains(vers, v)))
            made += 1
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# kind\tscheme\ta\tb\tunivers\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    by = {}
    for r in rows:
        by.setdefault((r[1], r[0]), 0)
        by[(r[1], r[0])] += 1
    for k in sorted(by):
        print(f"{k[0]:<6} {k[1]:<9} {by[k]:>6}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Random CVSS vectors scored by the Red Hat `cvss` library (the oracle).

Usage: gen_random.py OUT.json N [SEED] [CORPUS_DIR]

Writes N random vectors for each of CVSS 2.0, 3.0, 3.1 and 4.0. Each vector has all base
metrics and a random subset of the temporal/threat and environmental (and, for 4.0,
supplemental) metrics, including explicit Not Defined values; a fifth of the vectors have
their metrics shuffled out of specification order. If CORPUS_DIR is given, every vector in
03-nvd-cve/vulnrichment-cvss-oracle.csv is added too (source "vulnrichment").

Each row: {"source", "version", "vector", "base", "temporal", "environmental", "severity"}
(temporal/environmental are null for 4.0, whose single score is "base").
"""
import csv, json, os, random, sys

from cvss import CVSS2, CVSS3, CVSS4

V2_BASE = dict(AV="LAN", AC="HML", Au="MSN", C="NPC", I="NPC", A="NPC")
V2_OPT = dict(E=["ND", "U", "POC", "F", "H"], RL=["ND", "OF", "TF", "W", "U"],
              RC=["ND", "UC", "UR", "C"], CDP=["ND", "N", "L", "LM", "MH", "H"],
              TD=["ND", "N", "L", "M", "H"], CR=["ND", "L", "M", "H"],
              IR=["ND", "L", "M", "H"], AR=["ND", "L", "M", "H"])
V3_BASE = dict(AV="NALP", AC="LH", PR="NLH", UI="NR", S="UC", C="NLH", I="NLH", A="NLH")
V3_OPT = dict(E="XUPFH", RL="XOTWU", RC="XURC", CR="XLMH", IR="XLMH", AR="XLMH",
              MAV="XNALP", MAC="XLH", MPR="XNLH", MUI="XNR", MS="XUC", MC="XNLH",
              MI="XNLH", MA="XNLH")
V4_BASE = dict(AV="NALP", AC="LH", AT="NP", PR="NLH", UI="NPA", VC="HLN", VI="HLN",
               VA="HLN", SC="HLN", SI="HLN", SA="HLN")
V4_OPT = dict(E="XAPU", CR="XHML", IR="XHML", AR="XHML", MAV="XNALP", MAC="XLH",
              MAT="XNP", MPR="XNLH", MUI="XNPA", MVC="XHLN", MVI="XHLN", MVA="XHLN",
              MSC="XHLN", MSI="XSHLN", MSA="XSHLN", S="XNP", AU="XNY", R="XAUI",
              V="XDC", RE="XLMH", U=["X", "Clear", "Green", "Amber", "Red"])


def rand_vector(rng, prefix, base, opt):
    parts = [f"{k}:{rng.choice(list(v))}" for k, v in base.items()]
    p = rng.random()  # how dense the optional metrics are: none, some, all
    for k, v in opt.items():
        if p < 0.1:
            break
        if p > 0.8 or rng.random() < p:
            parts.append(f"{k}:{rng.choice(list(v))}")
    if rng.random() < 0.2:
        rng.shuffle(parts)
    return (prefix + "/" if prefix else "") + "/".join(parts)


def score(version, vector):
    f = lambda x: None if x is None else float(x)
    if version == "4.0":
        c = CVSS4(vector)
        return dict(base=float(c.base_score), temporal=None, environmental=None, severity=c.severity)
    c = CVSS2(vector) if version == "2.0" else CVSS3(vector)
    b, t, e = c.scores()
    return dict(base=f(b), temporal=f(t), environmental=f(e), severity=c.severities()[0])


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20240601)
    corpus = sys.argv[4] if len(sys.argv) > 4 else None
    rows = []
    for version, prefix, base, opt in [("2.0", "", V2_BASE, V2_OPT),
                                       ("3.0", "CVSS:3.0", V3_BASE, V3_OPT),
                                       ("3.1", "CVSS:3.1", V3_BASE, V3_OPT),
                                       ("4.0", "CVSS:4.0", V4_BASE, V4_OPT)]:
        for _ in range(n):
            v = rand_vector(rng, prefix, base, opt)
            rows.append(dict(source="random", version=version, vector=v, **score(version, v)))
    if corpus:
        path = os.path.join(corpus, "03-nvd-cve", "vulnrichment-cvss-oracle.csv")
        for r in csv.DictReader(open(path)):
            rows.append(dict(source="vulnrichment", version=r["cvss_version"], vector=r["vector"],
                             **score(r["cvss_version"], r["vector"])))
    with open(out, "w") as fh:
        json.dump(rows, fh)
    print(f"wrote {len(rows)} oracle-scored vectors to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

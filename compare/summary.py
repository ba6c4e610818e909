#!/usr/bin/env python3
"""Summarises compare/samael/run.sh output (JSON lines): per implementation
and input, the best round's median time per verify (other processes on a
shared 2-core machine only ever add time, so the least disturbed round is
the fairest figure for every implementation alike), and the ratios against
the goals of the "Verify SAML Responses" issue."""
import json
import os
import statistics
import sys

GOALS = {  # (input, our build): minimum speed-up over samael
    ("assertion-signed.xml", "saml-sp (rsa)"): 3,
    ("assertion-signed.xml", "saml-sp (aws-lc-rs)"): 15,
    ("azure-100k-groups.xml", "saml-sp (rsa)"): 100,
    ("azure-100k-groups.xml", "saml-sp (aws-lc-rs)"): 100,
}


def main(path):
    runs = {}
    sizes = {}
    for line in open(path):
        r = json.loads(line)
        f = os.path.basename(r["file"])
        sizes[f] = r["bytes"]
        runs.setdefault((f, r["impl"]), []).append(r["median_ns"])
    med = {k: min(v) for k, v in runs.items()}
    spread = {k: statistics.median(v) / min(v) for k, v in runs.items()}
    files = sorted(sizes, key=sizes.get)
    impls = ["samael 0.0.22 (xmlsec)", "saml-sp (rsa)", "saml-sp (aws-lc-rs)"]
    print("\n%-24s %8s %14s %14s %18s" % ("input", "bytes", "samael", "saml-sp (rsa)", "saml-sp (aws-lc-rs)"))
    for f in files:
        cells = ["%11.1f us" % (med[(f, i)] / 1000) if (f, i) in med else "-" for i in impls]
        print("%-24s %8d %14s %14s %18s" % (f, sizes[f], *cells))
    worst = max(spread.items(), key=lambda kv: kv[1])
    print("(best of %d rounds; the median round is up to %.0f%% slower: %s, %s)"
          % (max(len(v) for v in runs.values()), (worst[1] - 1) * 100, *worst[0]))
    print()
    for f in files:
        s = med.get((f, impls[0]))
        for i in impls[1:]:
            if s is None or (f, i) not in med:
                continue
            x = s / med[(f, i)]
            goal = GOALS.get((f, i))
            verdict = "" if goal is None else ("  goal >= %dx: %s" % (goal, "met" if x >= goal else "NOT met"))
            print("%-24s %-20s %7.1fx faster than samael%s" % (f, i, x, verdict))
    small, big = files[0], files[-1]
    for i in impls:
        if (small, i) in med and (big, i) in med:
            print("%-22s %s -> %s: %.1fx the time for %.1fx the bytes"
                  % (i, small, big, med[(big, i)] / med[(small, i)], sizes[big] / sizes[small]))


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""After `cargo bench --bench verify [--features aws-lc-rs]`: prints, per
input, verify and its stages (criterion's mean point estimates) and
verify / (parse + digests + RSA), the overhead of everything else (SAML
checks, the signature structure, base64, the reads of the verified fields).

    for i in 1 2 3; do cargo bench --bench verify -- --save-baseline run$i; done
    python3 compare/criterion_summary.py [TARGET_DIR]
"""
import glob
import json
import os
import sys


def estimate(path):
    """The median in microseconds; with several saved runs (criterion's
    `--save-baseline NAME`), the lowest: other processes on the machine
    only ever add time."""
    best = None
    for f in glob.glob(os.path.join(path, "*", "estimates.json")):
        if os.path.basename(os.path.dirname(f)) in ("base", "change"):
            continue
        with open(f) as fh:
            t = json.load(fh)["median"]["point_estimate"] / 1000.0
        best = t if best is None else min(best, t)
    return best


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARGO_TARGET_DIR", "target")
    for group in sorted(glob.glob(os.path.join(target, "criterion", "verify_*"))):
        backend = os.path.basename(group)[len("verify_"):]
        print("backend: %s" % backend)
        print("  %-28s %10s %10s %14s %12s %10s %8s" % ("input", "verify", "parse", "parse+digests", "rsa", "sum", "ratio"))
        for inp in sorted(os.listdir(os.path.join(group, "verify"))):
            if inp == "report":
                continue
            v = estimate(os.path.join(group, "verify", inp))
            p = estimate(os.path.join(group, "parse", inp))
            d = estimate(os.path.join(group, "parse+digests", inp))
            # the RSA of this build's backend: aws-lc-rs if present, else ours
            # ("as verify runs it" sorts before "rsa crate")
            rsa_dirs = sorted(glob.glob(os.path.join(group, "rsa x*", inp)))
            aws = [r for r in rsa_dirs if "aws-lc-rs" in r]
            r = estimate((aws or rsa_dirs)[0])
            print("  %-28s %8.1fus %8.1fus %12.1fus %10.1fus %8.1fus %7.2fx"
                  % (inp, v, p, d, r, d + r, v / (d + r)))


if __name__ == "__main__":
    main()

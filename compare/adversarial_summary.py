#!/usr/bin/env python3
"""Prints the adversarial bench's results: per case, the hostile input's
median time, its size, ns per byte, and the ratio to a plain response of the
same size (criterion's estimates in target/criterion/adversarial/).

    cargo bench --bench adversarial
    python3 compare/adversarial_summary.py
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "criterion", "adversarial")


def median_ns(case, which):
    path = os.path.join(ROOT, case, which, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def size(case):
    path = os.path.join(ROOT, case, "hostile", "new", "benchmark.json")
    with open(path) as f:
        return json.load(f)["throughput"]["Bytes"]


def main():
    if not os.path.isdir(ROOT):
        sys.exit("no results: run `cargo bench --bench adversarial` first")
    rows = []
    for case in sorted(os.listdir(ROOT)):
        if not os.path.isdir(os.path.join(ROOT, case, "hostile")):
            continue
        hostile, plain, n = median_ns(case, "hostile"), median_ns(case, "plain"), size(case)
        rows.append((case, hostile, plain, n))
    print("| case | bytes | hostile | plain, same size | hostile ns/B | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for case, hostile, plain, n in sorted(rows, key=lambda r: -r[1] / r[2]):
        print("| %s | %d | %.2f ms | %.2f ms | %.1f | %.2fx |" % (
            case, n, hostile / 1e6, plain / 1e6, hostile / n, hostile / plain))
    worst = max(rows, key=lambda r: r[1] / r[2])
    slowest = max(rows, key=lambda r: r[1])
    print()
    print("worst ratio: %s %.2fx; slowest: %s %.2f ms" % (
        worst[0], worst[1] / worst[2], slowest[0], slowest[1] / 1e6))


if __name__ == "__main__":
    main()

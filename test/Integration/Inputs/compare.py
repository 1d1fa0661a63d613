#!/usr/bin/env python3
"""Compares two output files (rows of numbers) elementwise.

Error of each element: |got - expected| / max(|expected|, floor). Prints the
worst and its place, exits 1 if it exceeds rtol.
"""
import argparse
import math
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("got")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--floor", type=float, default=1e-6)
    ap.add_argument("--what", default="")
    args = ap.parse_args()
    exp = [[float(v) for v in l.split()] for l in open(args.expected)]
    got = [[float(v) for v in l.split()] for l in open(args.got)]
    if len(exp) != len(got) or any(len(a) != len(b) for a, b in zip(exp, got)):
        sys.exit(f"FAIL {args.what}: shapes differ")
    worst, where = 0.0, None
    for r, (er, gr) in enumerate(zip(exp, got)):
        for j, (e, g) in enumerate(zip(er, gr)):
            err = abs(g - e) / max(abs(e), args.floor)
            if math.isnan(err) or err > worst:
                worst, where = (math.inf if math.isnan(err) else err), (r, j, e, g)
    verdict = "OK" if worst <= args.rtol else "FAIL"
    detail = "" if where is None else \
        f" at row {where[0]} output {where[1]}: expected {where[2]:.9g}, got {where[3]:.9g}"
    print(f"{verdict} {args.what}: max relative error {worst:.3g}{detail}")
    sys.exit(0 if verdict == "OK" else 1)


if __name__ == "__main__":
    main()

"""Writes a CSV of three Gaussian blobs in 4-D: make_blobs.py OUT ROWS SEED."""
import random
import sys

out, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
centers = [(2, 0, 0, 1), (-2, 1, 0, 0), (0, -2, 1, 0)]
with open(out, "w") as f:
    f.write("a,b,c,d,label\n")
    for _ in range(rows):
        k = rng.randrange(3)
        x = [c + rng.gauss(0, 1) for c in centers[k]]
        f.write(",".join("%.5f" % v for v in x) + ",%d\n" % k)

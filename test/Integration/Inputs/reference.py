#!/usr/bin/env python3
"""Independent reference for compiled Kiln models.

Reads a model dumped by `flatc --json --strict-json --raw-binary` (so no
Kiln code is involved in reading it), evaluates the forward pass in double
precision, and either writes random inputs (`--make-inputs`) or compares a
compiled library's outputs (`--check`) within a relative tolerance:
|got - ref| <= rtol * max(|ref|, floor). The floor (default 1e-6) only keeps
the ratio defined at exact zeros.
"""
import argparse
import json
import math
import random
import struct
import sys

TYPES = {"F32": "f"}


def tensor(t):
    dtype = t.get("dtype", "F32")
    if dtype not in TYPES:
        sys.exit(f"reference.py: dtype {dtype} not supported")
    data = bytes(t.get("data", []))
    n = len(data) // 4
    return list(struct.unpack(f"<{n}f", data)), t.get("shape", [])


def activation(a, xs, slope=None):
    kind = a.get("kind", "Identity") if a else "Identity"
    alpha = a.get("alpha", 0.0) if a else 0.0
    if kind == "Identity":
        return xs
    if kind == "Relu":
        return [max(x, 0.0) for x in xs]
    if kind == "LeakyRelu":
        return [x if x > 0 else alpha * x for x in xs]
    if kind == "RRelu":
        s = (a["lower"] + a["upper"]) / 2
        return [x if x > 0 else s * x for x in xs]
    if kind == "PRelu":
        return [x if x > 0 else s * x for x, s in zip(xs, slope)]
    if kind == "Elu":
        return [x if x > 0 else alpha * math.expm1(x) for x in xs]
    if kind == "Selu":
        return [a["scale"] * (x if x > 0 else alpha * math.expm1(x)) for x in xs]
    if kind == "Sigmoid":
        return [1 / (1 + math.exp(-x)) for x in xs]
    if kind == "Tanh":
        return [math.tanh(x) for x in xs]
    if kind == "Gelu":
        return [0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs]
    if kind == "Swish":
        return [x / (1 + math.exp(-x)) for x in xs]
    if kind == "Softmax":
        m = max(xs)
        e = [math.exp(x - m) for x in xs]
        s = sum(e)
        return [v / s for v in e]
    sys.exit(f"reference.py: activation {kind} not supported")


def forward(model, x):
    if "normalization" in model:
        mean, _ = tensor(model["normalization"]["mean"])
        std, _ = tensor(model["normalization"]["std"])
        x = [(v - m) / s for v, m, s in zip(x, mean, std)]
    for layer in model["layers"]:
        kind, p = layer["params_type"], layer.get("params", {})
        if kind == "DenseLayer":
            w, (n_in, n_out) = tensor(p["kernel"])
            b = tensor(p["bias"])[0] if "bias" in p else [0.0] * n_out
            y = [b[j] + sum(x[i] * w[i * n_out + j] for i in range(n_in))
                 for j in range(n_out)]
            slope = tensor(p["activation"]["prelu_alpha"])[0] if (
                "prelu_alpha" in p.get("activation", {})) else None
            x = activation(p.get("activation"), y, slope)
        elif kind == "BatchNormLayer":
            g, bt = tensor(p["gamma"])[0], tensor(p["beta"])[0]
            mu, var = tensor(p["moving_mean"])[0], tensor(p["moving_variance"])[0]
            eps = p.get("epsilon", 1e-3)
            x = [gi * (v - m) / math.sqrt(va + eps) + be
                 for v, gi, be, m, va in zip(x, g, bt, mu, var)]
        elif kind == "ActivationLayer":
            a = p.get("activation", {})
            slope = tensor(a["prelu_alpha"])[0] if "prelu_alpha" in a else None
            x = activation(a, x, slope)
        elif kind in ("FlattenLayer", "DropoutLayer"):
            pass  # flatten: inputs are already flat; dropout: inference
        else:
            sys.exit(f"reference.py: layer {kind} not supported")
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_json")
    ap.add_argument("--make-inputs", type=int, metavar="BATCH")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs")
    ap.add_argument("--check")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--floor", type=float, default=1e-6)
    args = ap.parse_args()
    model = json.load(open(args.model_json))
    size = math.prod(model["input_shape"])
    if args.make_inputs:
        rng = random.Random(args.seed)
        print(args.make_inputs)
        for _ in range(args.make_inputs):
            print(" ".join("%.9g" % rng.uniform(-3, 3) for _ in range(size)))
        return
    words = open(args.inputs).read().split()
    batch = int(words[0])
    xs = [float(v) for v in words[1:]]
    got = [[float(v) for v in line.split()] for line in open(args.check)]
    if len(got) != batch:
        sys.exit(f"expected {batch} output rows, got {len(got)}")
    worst = 0.0
    for r in range(batch):
        ref = forward(model, xs[r * size:(r + 1) * size])
        if len(got[r]) != len(ref):
            sys.exit(f"row {r}: {len(got[r])} outputs, expected {len(ref)}")
        for g, e in zip(got[r], ref):
            worst = max(worst, abs(g - e) / max(abs(e), args.floor))
    verdict = "OK" if worst <= args.rtol else "FAIL"
    print(f"{verdict}: {batch} rows, max relative error {worst:.3g} "
          f"(tolerance {args.rtol:g})")
    sys.exit(0 if verdict == "OK" else 1)


if __name__ == "__main__":
    main()

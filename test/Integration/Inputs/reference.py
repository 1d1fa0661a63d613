#!/usr/bin/env python3
"""Independent reference for compiled Kiln models.

Reads a model dumped by `flatc --json --strict-json --raw-binary` (so no
Kiln code is involved in reading it), evaluates the forward pass in double
precision, and either writes random inputs (`--make-inputs`) or compares a
compiled library's outputs (`--check`) within a relative tolerance:
|got - ref| <= rtol * max(|ref|, floor). The floor (default 1e-6) only keeps
the ratio defined at exact zeros.

With `--mc-samples S`, the reference is every Monte-Carlo sample's outputs
(NAME_predict_mc_samples' layout: example i, sample s in row i·S + s) with
the masks drawn by this file's own Philox4x32-10 (checked against the
paper's test vectors by `--self-test`) in kiln/rng.h's kiln_rng_u16_at
layout: unit u of dropout layer l (stream l, 1-based) in sample s is kept
iff its 16 bits >= ceil(rate·2^16).
"""
import argparse
import json
import math
import random
import struct
import sys

# struct codes of the stored types (BF16: its 16 bits, widened below).
TYPES = {"F32": "f", "F16": "e", "BF16": "H", "I8": "b", "I16": "h", "I32": "i"}


def tensor(t):
    """A tensor's real values: floats widened, integers dequantized with
    real = scale·(q − zero_point), per channel along `axis` when there is
    more than one scale (schema/model.fbs). As Kiln's loader, quantization
    on a float tensor is ignored."""
    dtype = t.get("dtype", "F32")
    if dtype not in TYPES:
        sys.exit(f"reference.py: dtype {dtype} not supported")
    code = TYPES[dtype]
    data = bytes(t.get("data", []))
    n = len(data) // struct.calcsize(code)
    values = list(struct.unpack(f"<{n}{code}", data))
    shape = t.get("shape", [])
    if dtype == "BF16":
        values = [struct.unpack("<f", struct.pack("<I", v << 16))[0]
                  for v in values]
    q = t.get("quantization")
    if q is not None and dtype.startswith("I"):
        scales = q.get("scale", [])
        zeros = q.get("zero_point", [])
        axis = q.get("axis", -1)
        inner = 1
        if len(scales) > 1:
            for d in shape[axis % len(shape) + 1:]:
                inner *= d
        out = []
        for i, v in enumerate(values):
            c = (i // inner) % len(scales) if len(scales) > 1 else 0
            zero = zeros[c] if c < len(zeros) else 0
            out.append(scales[c] * (v - zero))
        values = out
    elif dtype.startswith("I"):
        sys.exit(f"reference.py: {dtype} tensor without quantization")
    return [float(v) for v in values], shape


M32 = 0xFFFFFFFF


def philox4x32_10(counter, key):
    x, k = list(counter), list(key)
    for r in range(10):
        if r:
            k = [(k[0] + 0x9E3779B9) & M32, (k[1] + 0xBB67AE85) & M32]
        p0, p1 = 0xD2511F53 * x[0], 0xCD9E8D57 * x[2]
        x = [(p1 >> 32) ^ x[1] ^ k[0], p1 & M32, (p0 >> 32) ^ x[3] ^ k[1],
             p0 & M32]
    return x


def u16_at(seed, stream, sample, index):
    """kiln_rng_u16_at: 128 indices per 16 blocks, laid out for 16 lanes."""
    block = (index >> 7) * 16 + index % 16
    d = (index % 128) // 16
    words = philox4x32_10(
        [block & M32, block >> 32, sample, stream | 0x80000000],
        [seed & M32, seed >> 32])
    return (words[d // 2] >> (16 * (d % 2))) & 0xFFFF


def self_test():
    # Salmon et al. (Random123 kat_vectors): philox4x32_10. Compared
    # explicitly: `assert` would vanish under python -O.
    kats = [
        ([0, 0, 0, 0], [0, 0],
         [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([M32] * 4, [M32, M32],
         [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
         [0xa4093822, 0x299f31d0],
         [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
    ]
    for counter, key, want in kats:
        got = philox4x32_10(counter, key)
        if got != want:
            sys.exit(f"reference.py: philox4x32_10({counter}, {key}) = "
                     f"{[hex(w) for w in got]}, expected "
                     f"{[hex(w) for w in want]}")
    print("reference.py: Philox4x32-10 test vectors OK")


def dropout(p, xs, seed, stream, sample):
    # flatc prints the float rate with 6 significant digits, so the file's
    # rate is within 5e-6 (relative) of this one: refuse a rate whose
    # threshold that could change rather than guess.
    rate = p.get("rate", 0.0)
    if rate <= 0:
        return xs
    threshold = math.ceil(rate * 65536)
    slack = 5e-6 * rate * 65536
    if math.ceil(rate * 65536 - slack) != math.ceil(rate * 65536 + slack):
        sys.exit(f"reference.py: rate {rate} (6 digits) is too close to a "
                 "multiple of 2^-16 to know its threshold")
    keep = [u16_at(seed, stream, sample, u) >= threshold
            for u in range(len(xs))]
    if p.get("kind", "Standard") == "Alpha":
        ap = -1.0507009873554805 * 1.6732632423543772
        a = 1 / math.sqrt((1 - rate) * (1 + rate * ap * ap))
        b = -a * ap * rate
        return [a * x + b if k else a * ap + b for x, k in zip(xs, keep)]
    return [x / (1 - rate) if k else 0.0 for x, k in zip(xs, keep)]


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


def forward(model, x, mc=None):
    """mc = (seed, sample): dropout active, as Monte-Carlo sampling."""
    if "normalization" in model:
        mean, _ = tensor(model["normalization"]["mean"])
        std, _ = tensor(model["normalization"]["std"])
        x = [(v - m) / s for v, m, s in zip(x, mean, std)]
    for position, layer in enumerate(model["layers"], start=1):
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
        elif kind == "DropoutLayer" and mc:
            x = dropout(p, x, mc[0], position, mc[1])
        elif kind in ("FlattenLayer", "DropoutLayer"):
            pass  # flatten: inputs are already flat; dropout: inference
        else:
            sys.exit(f"reference.py: layer {kind} not supported")
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_json", nargs="?")
    ap.add_argument("--make-inputs", type=int, metavar="BATCH")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs")
    ap.add_argument("--check")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--floor", type=float, default=1e-6)
    ap.add_argument("--mc-samples", type=int, default=0)
    ap.add_argument("--mc-seed", type=int, default=12345)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--what", default="")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if not args.model_json:
        ap.error("a model is needed (or --self-test)")
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
    # The inputs as float32, which is what the library and the trainer are
    # given: a text value read as a double can differ from its float by
    # 2^-25 relative, which a tiny std (a constant feature's 1e-7) magnifies.
    xs = [struct.unpack("<f", struct.pack("<f", float(v)))[0]
          for v in words[1:]]
    got = [[float(v) for v in line.split()] for line in open(args.check)]
    samples = max(args.mc_samples, 1)
    if len(got) != batch * samples:
        sys.exit(f"expected {batch * samples} output rows, got {len(got)}")
    worst = 0.0
    for r in range(batch * samples):
        x = xs[r // samples * size:(r // samples + 1) * size]
        mc = (args.mc_seed, r % samples) if args.mc_samples else None
        ref = forward(model, x, mc)
        if len(got[r]) != len(ref):
            sys.exit(f"row {r}: {len(got[r])} outputs, expected {len(ref)}")
        for g, e in zip(got[r], ref):
            err = abs(g - e) / max(abs(e), args.floor)
            worst = math.inf if math.isnan(err) else max(worst, err)
    verdict = "OK" if worst <= args.rtol else "FAIL"
    print(f"{verdict}{' ' + args.what if args.what else ''}: "
          f"{len(got)} rows, max relative error {worst:.3g} "
          f"(tolerance {args.rtol:g})")
    sys.exit(0 if verdict == "OK" else 1)


if __name__ == "__main__":
    main()

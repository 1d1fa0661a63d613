#!/usr/bin/python3
"""Issue 3's PyTorch reference, to run beside Kiln on the same machine.

784 -> Dense300 ELU he_normal -> Dense100 ELU he_normal -> Dense10 softmax,
SGD lr 0.01, batch 32, Fashion-MNIST with the last 5,000 training images held
out for validation, one thread. Prints seconds per epoch and accuracies.
Pixels are scaled to [0, 1]; --standardize then standardizes each pixel with
the training rows' mean and std (std floored at 1e-7), as kiln-train's
dataset.standardize does.
Needs Debian's python3-torch (run with /usr/bin/python3); not part of the
build or the tests.

    /usr/bin/python3 benchmarks/peers/pytorch_fmnist.py --epochs 3
"""
import argparse
import gzip
import struct
import time

import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        x = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8)
        return x.view(n, rows * cols).float() / 255.0
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--standardize", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    x = idx(f"{DATA}/train-images-idx3-ubyte.gz")
    y = idx(f"{DATA}/train-labels-idx1-ubyte.gz")
    xt = idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
    yt = idx(f"{DATA}/t10k-labels-idx1-ubyte.gz")
    xv, yv, x, y = x[-5000:], y[-5000:], x[:-5000], y[:-5000]
    if args.standardize:
        x64 = x.double()
        mean = x64.mean(0)
        std = ((x64 - mean) ** 2).mean(0).sqrt().clamp(min=1e-7)
        mean, std = mean.float(), std.float()
        x, xv, xt = (x - mean) / std, (xv - mean) / std, (xt - mean) / std
    model = nn.Sequential(nn.Linear(784, 300), nn.ELU(), nn.Linear(300, 100),
                          nn.ELU(), nn.Linear(100, 10))
    for layer in (model[0], model[2]):
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.zeros_(layer.bias)
    nn.init.xavier_uniform_(model[4].weight)
    nn.init.zeros_(model[4].bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def accuracy(xs, ys):
        with torch.no_grad():
            return (model(xs).argmax(1) == ys).float().mean().item()

    times = []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 32):
            idx_ = perm[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(model(x[idx_]), y[idx_])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: {times[-1]:.2f} s, "
              f"val_accuracy {accuracy(xv, yv):.4f}", flush=True)
    print(f"pytorch {torch.__version__}: {sum(times) / len(times):.3f} s per "
          f"epoch, test accuracy {accuracy(xt, yt):.4f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The scikit-learn and numpy baselines for the trainer's benchmark (BENCHMARKS.md, "Trainer").

Reads the CSV that `trainer generate --kind wide` writes (label last), z-scores it as `train --standardize` does
(population std), and times:
  * LogisticRegression(solver="lbfgs", C=1) fits: the same objective as `train --l2 1/m` (mean log-loss +
    (lambda/2)|w|^2 with lambda = 1/(C m)), stopping at scikit-learn's default tol=1e-4 on the largest gradient component;
  * one numpy pass computing the loss and the gradient (what one trainer pass computes).
Prints the objective and the largest gradient component at scikit-learn's solution, in the trainer's terms.

Usage: python3 sklearn_baseline.py DATA.csv [REPEATS]   (caches the parsed data as DATA.csv.npz)
"""
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def load(path):
    cache = path + ".npz"
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(path):
        d = np.load(cache)
        return d["x"], d["y"]
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = data[:, :-1].copy(), data[:, -1].copy()
    np.savez(cache, x=x, y=y)
    return x, y


def objective(x, y, w, b, lam):
    z = x @ w + b
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))
    residual = 1.0 / (1.0 + np.exp(-z)) - y
    grad = np.concatenate(([residual.mean()], x.T @ residual / len(y) + lam * w))
    return loss + 0.5 * lam * (w @ w), np.max(np.abs(grad))


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    x, y = load(path)
    m = len(y)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; {m} rows x {x.shape[1]} features")
    times = []
    for _ in range(repeats):
        model = LogisticRegression(solver="lbfgs", C=1.0)
        start = time.perf_counter()
        model.fit(x, y)
        times.append(time.perf_counter() - start)
    f, g = objective(x, y, model.coef_[0], model.intercept_[0], 1.0 / m)
    print(f"sklearn lbfgs fit: median {sorted(times)[len(times) // 2]:.3f} s of {repeats} "
          f"({', '.join(f'{t:.3f}' for t in times)}), {model.n_iter_[0]} iterations, "
          f"objective {f:.10f}, largest gradient component {g:.3g}")
    w = np.random.default_rng(1).uniform(-0.5, 0.5, x.shape[1])
    passes = []
    for _ in range(10):
        start = time.perf_counter()
        objective(x, y, w, 0.1, 1.0 / m)
        passes.append(time.perf_counter() - start)
    print(f"numpy loss+gradient pass: median {1000 * sorted(passes)[5]:.1f} ms of 10")


if __name__ == "__main__":
    main()

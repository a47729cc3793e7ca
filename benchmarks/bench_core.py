"""Speed of the nn/ core against references measured in the same run.

    python benchmarks/bench_core.py [--repeats 5]

1. One epoch of a 784-256-10 relu network, batch 128, SGD with momentum, on 60,000 MNIST rows given
   as a user has them (X / 255.0, float64): nn/ (float32 by default), scikit-learn's MLPClassifier
   (same architecture and batch size, its own default dtype), and the floor: the five float32
   matrix products of the same shapes per batch (two forward, three backward), nothing else.
   Two views of each library: one epoch from input already in its dtype (nn/: float32, timed in
   turn with the floor; scikit-learn: a partial_fit pass), and a whole fit of one epoch from
   float64 input, which for nn/ includes casting it to float32 once (the first touch of 188 MB of
   fresh memory is slow on this machine).
2. Tutorial A: 20,000 full-batch passes of a 2-3-2 tanh network on 200 moons: nn/ against the
   tutorial's own loop (written out below as the tutorial has it).
Reads real digits from ../shared/data/mnist-full.npz when it is there, else random data of that shape.
Each figure is the median of --repeats runs.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nn import MLP  # noqa: E402

FULL_MNIST = ROOT.parent / "shared" / "data" / "mnist-full.npz"


def median_time(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def mnist_rows() -> tuple[np.ndarray, np.ndarray, str]:
    if FULL_MNIST.exists():
        with np.load(FULL_MNIST) as data:
            return data["Xtr"] / 255.0, data["ytr"].astype(np.int64), "full MNIST training split"
    rng = np.random.default_rng(0)
    return rng.random((60_000, 784)), rng.integers(0, 10, 60_000), "random data (mnist-full.npz absent)"


def nn_model() -> MLP:
    return MLP([784, 256, 10], activation="relu", init="he", seed=0)


def nn_fit_one_epoch(X: np.ndarray, y: np.ndarray) -> None:
    nn_model().fit(X, y, epochs=1, batch_size=128, optimizer="momentum", lr=0.05, momentum=0.9)


def sklearn_model():
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier((256,), activation="relu", solver="sgd", batch_size=128, learning_rate_init=0.05,
                         momentum=0.9, nesterovs_momentum=False, max_iter=1, shuffle=True, random_state=0)


def sklearn_fit_one_epoch(X: np.ndarray, y: np.ndarray) -> None:
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sklearn_model().fit(X, y)


def sklearn_epochs(X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    """Seconds of each further epoch (partial_fit: one pass each) after a first one."""
    model, classes = sklearn_model(), np.arange(10)
    model.partial_fit(X, y, classes=classes)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.partial_fit(X, y)
        times.append(time.perf_counter() - start)
    return times


def matmul_floor(n: int) -> Callable[[], None]:
    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    W1 = rng.random((784, 256), dtype=np.float32)
    W2 = rng.random((256, 10), dtype=np.float32)
    delta2 = rng.random((128, 10), dtype=np.float32)

    def run() -> None:
        for _ in range(0, n, 128):
            a = x @ W1  # forward, layer 1
            a @ W2  # forward, layer 2
            a.T @ delta2  # dW2
            delta1 = delta2 @ W2.T  # back to the hidden layer
            x.T @ delta1  # dW1
    return run


def tutorial_a_loop(X: np.ndarray, y: np.ndarray, passes: int = 20_000) -> None:
    """Tutorial A's training loop as the tutorial writes it (summed gradients, L2 0.01)."""
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((2, 3)) / np.sqrt(2)
    b1 = np.zeros((1, 3))
    W2 = rng.standard_normal((3, 2)) / np.sqrt(3)
    b2 = np.zeros((1, 2))
    for _ in range(passes):
        z1 = X.dot(W1) + b1
        a1 = np.tanh(z1)
        z2 = a1.dot(W2) + b2
        exp_scores = np.exp(z2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        delta3 = probs
        delta3[range(len(X)), y] -= 1
        dW2 = (a1.T).dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = np.dot(X.T, delta2)
        db1 = np.sum(delta2, axis=0)
        dW2 += 0.01 * W2
        dW1 += 0.01 * W1
        W1 += -0.01 * dW1
        b1 += -0.01 * db1
        W2 += -0.01 * dW2
        b2 += -0.01 * db2


def nn_tutorial_a(X: np.ndarray, y: np.ndarray) -> None:
    model = MLP([2, 3, 2], activation="tanh", init="scaled_normal", l2=0.01, reduction="sum",
                seed=0, dtype="float64")
    model.fit(X, y, epochs=20_000, lr=0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-sklearn", action="store_true", help="skip the slowest reference")
    args = parser.parse_args()

    from sklearn.datasets import make_moons
    from threadpoolctl import threadpool_info

    X, y, source = mnist_rows()
    blas = ", ".join(f"{i['internal_api']} {i.get('architecture', '')} {i['num_threads']} threads"
                     for i in threadpool_info())
    print(f"data: {source}; BLAS: {blas}; median of {args.repeats} runs\n")

    # The machine's speed drifts: time the floor and nn/ in turn and compare them run by run.
    X32 = X.astype(np.float32)
    floors, epochs, ratios = [], [], []
    for _ in range(args.repeats):
        floors.append(median_time(matmul_floor(len(X)), 1))
        epochs.append(median_time(lambda: nn_fit_one_epoch(X32, y), 1))
        ratios.append(epochs[-1] / floors[-1])
    floor, ours = statistics.median(floors), statistics.median(epochs)
    rows = [("1 epoch 784-256-10, batch 128", "float32 matrix products alone (floor)", floor),
            ("", "nn/: fit(X, epochs=1), X already float32", ours)]
    ours_once = median_time(lambda: nn_fit_one_epoch(X, y), args.repeats)
    rows.append(("", "nn/: fit(X / 255.0, epochs=1), float64 X", ours_once))
    if not args.skip_sklearn:
        theirs = statistics.median(sklearn_epochs(X, y, max(2, args.repeats // 2)))
        rows.append(("", "MLPClassifier, float64: a partial_fit epoch", theirs))
        theirs_once = median_time(lambda: sklearn_fit_one_epoch(X, y), max(1, args.repeats // 2))
        rows.append(("", "MLPClassifier: fit(X / 255.0, max_iter=1)", theirs_once))

    X_moons, y_moons = make_moons(200, noise=0.20, random_state=0)
    naive = median_time(lambda: tutorial_a_loop(X_moons, y_moons), args.repeats)
    rows.append(("tutorial A, 20,000 passes", "the tutorial's own loop", naive))
    tuned = median_time(lambda: nn_tutorial_a(X_moons, y_moons), args.repeats)
    rows.append(("", "nn/ MLP.fit(epochs=20000)", tuned))

    print(f"| {'benchmark':31} | {'what':46} | seconds |")
    print(f"|{'-' * 33}|{'-' * 48}|---------|")
    for bench, what, seconds in rows:
        print(f"| {bench:31} | {what:46} | {seconds:7.3f} |")
    print()
    print(f"nn/ epoch / floor: {statistics.median(ratios):.2f}x, median of run-by-run ratios "
          f"{' '.join(f'{r:.2f}' for r in ratios)} (goal <= 1.8x); with the float64 -> float32 "
          f"cast of the input: {ours_once / floor:.2f}x")
    if not args.skip_sklearn:
        print(f"MLPClassifier epoch / nn/ epoch: {theirs / ours:.2f}x (goal >= 3x); "
              f"fit(one epoch) / fit(one epoch): {theirs_once / ours_once:.2f}x")
    print(f"tutorial A: nn/ {tuned:.2f} s (goal < 1 s), {naive / tuned:.2f}x faster than the tutorial's loop")


if __name__ == "__main__":
    main()

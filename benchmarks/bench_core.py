"""Speed of the nn/ core against references measured in the same run, as medians of run-by-run ratios.

    python benchmarks/bench_core.py [--rounds 5] [--threads N] [--skip-sklearn]

Each round times, one after the other (the machine's speed drifts from minute to minute, so every
figure is compared with its reference from the same round, and the median of those ratios is kept):
1. One epoch of a 784-256-10 relu network, batch 128, SGD with momentum, on 60,000 MNIST rows:
   - the floor: the five float32 matrix products of those shapes per batch (two forward, three
     backward), written into kept arrays (np.dot(..., out=)), nothing else;
   - nn/ ``fit(X, epochs=1)`` from float32 X, and from X / 255.0 as a user has it (float64), which
     nn/ casts batch by batch into its float32 batch buffer;
   - scikit-learn's MLPClassifier, same architecture, batch and optimiser, at its default dtype
     (float64): ``fit(X / 255.0, max_iter=1)``.
2. Tutorial A: 20,000 full-batch passes of a 2-3-2 tanh network on 200 moons, nn/ against the
   tutorial's own loop (written out below as the tutorial has it), and nn/'s L-BFGS to the loss
   those passes reach.
3. Two references for what nn/'s own calls cost, with nothing around them: the NumPy calls nn/ makes
   for one MNIST epoch and for tutorial A's passes, written out inline (no layers loop, no history,
   no callbacks; the MNIST one is the timed breakdown below, whose 14 clock readings a batch add about
   1 ms). However its Python is arranged, nn/ cannot be faster than these without making fewer or cheaper NumPy calls.
Each ratio is also given in processor time (all threads'), which other jobs on a shared machine
disturb less than the clock (with one BLAS thread it is the honest figure; with two, a waiting
OpenBLAS thread spins and counts). Then, outside the timed rounds: where an nn/ epoch's time goes
beyond the products (the same operations as nn/ runs them, timed group by group), and the memory
fit allocates (tracemalloc peak).
Reads real digits from ../shared/data/mnist-full.npz when it is there, else random data of that shape.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nn import MLP  # noqa: E402

from nn.optimizers import Momentum  # noqa: E402

# ../shared/data from the repository; from a git worktree under wt/, two levels up
DATA_PLACES = [base / "shared" / "data" / "mnist-full.npz" for base in (ROOT.parent, ROOT.parent.parent)]
FULL_MNIST = next((path for path in DATA_PLACES if path.exists()), DATA_PLACES[0])


CPU_SECONDS: dict[str, list[float]] = {}  # the same runs' processor time (all threads), by name


def seconds(run: Callable[[], object], name: str = "") -> float:
    """Wall-clock seconds of run(); its processor seconds go to CPU_SECONDS[name]."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    CPU_SECONDS.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start


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


def matmul_floor(n: int) -> Callable[[], None]:
    """One epoch's matrix products alone: per batch of 128, the five products of nn/'s step, into kept arrays."""
    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    W1 = rng.random((784, 256), dtype=np.float32)
    W2 = rng.random((256, 10), dtype=np.float32)
    delta2 = rng.random((128, 10), dtype=np.float32)
    a, z2, delta1 = (np.empty((128, k), np.float32) for k in (256, 10, 256))
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)

    def run() -> None:
        for _ in range(0, n, 128):
            np.dot(x, W1, out=a)  # forward, layer 1
            np.dot(a, W2, out=z2)  # forward, layer 2
            np.dot(a.T, delta2, out=dW2)
            np.dot(delta2, W2.T, out=delta1)  # back to the hidden layer
            np.dot(x.T, delta1, out=dW1)
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


def tutorial_a_inline(X: np.ndarray, y: np.ndarray, passes: int = 20_000) -> np.ndarray:
    """The NumPy calls nn/ makes for tutorial A's passes (forward, softmax and loss, the accuracy and
    penalty its history records, backward with lr folded into the output delta, L2, the step, the
    copy kept in case of divergence), written out inline. Returns theta: the same numbers as nn/."""
    model = tutorial_a_model()
    T, labels = model.targets(y, len(X)), y.astype(bool)
    (W1, W2), (b1, b2), (dW1, dW2), (db1, db2) = model.W, model.b, model.dW, model.db
    theta, grad, theta_w, grad_w = model.theta, model.grad, model.theta_w, model.grad_w
    z1, z2, d1, d2, s1 = (np.empty((len(X), k)) for k in (3, 2, 3, 2, 3))
    scratch, last, ones, ones_k = np.empty_like(theta_w), theta.copy(), np.ones(len(X)), np.ones((2, 2))
    lr, l2 = 0.01, 0.01
    for _ in range(passes):
        np.dot(X, W1, out=z1)
        z1 += b1
        np.tanh(z1, out=z1)
        np.dot(z1, W2, out=z2)
        z2 += b2
        top, bottom = np.maximum.reduce(z2, axis=None), np.minimum.reduce(z2, axis=None)
        z2 -= top if top - bottom < 30 else z2.max(axis=1, keepdims=True)
        z_y = float(np.vdot(z2, T))
        np.exp(z2, out=z2)
        total = np.dot(z2, ones_k)
        z2 /= total
        loss = float(np.vdot(np.log(total, out=total), T)) - z_y
        if not np.isfinite(loss):
            break
        np.copyto(last, theta)
        penalty = 0.5 * l2 * float(np.dot(theta_w, theta_w))  # noqa: F841 (the history's)
        correct = int(np.count_nonzero(np.greater(z2[:, 1], z2[:, 0]) == labels))  # noqa: F841
        np.subtract(z2, T, out=d2)
        d2 *= lr
        np.dot(z1.T, d2, out=dW2)
        np.dot(ones, d2, out=db2)
        np.dot(d2, W2.T, out=d1)
        np.multiply(z1, z1, out=s1)
        np.subtract(1.0, s1, out=s1)
        d1 *= s1
        np.dot(X.T, d1, out=dW1)
        np.dot(ones, d1, out=db1)
        grad_w += np.multiply(theta_w, l2 * lr, out=scratch)
        theta -= grad
    return theta


def tutorial_a_model() -> MLP:
    return MLP([2, 3, 2], activation="tanh", init="scaled_normal", l2=0.01, reduction="sum", seed=0, dtype="float64")


def epoch_breakdown(X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Seconds of one epoch of nn/ (float64 X, momentum), split into groups: the same calls as
    MLP.forward, MLP.backward, Momentum.step_scaled and the trainer make, in the same order."""
    from nn.training import minibatches

    model = nn_model()
    T = model.targets(y, len(X))
    labels = T.argmax(axis=1)
    work, opt = model.workspace(128), Momentum(0.9)
    (W1, W2), (b1, b2), (dW1, dW2), (db1, db2) = model.W, model.b, model.dW, model.db
    ones, act, softmax = model._ones(128), model.act, model.loss_fn.forward
    spent = dict.fromkeys(["gather and cast the batch", "matrix products", "bias add and relu", "softmax and loss",
                           "delta, relu', bias gradients", "momentum step", "accuracy and the rest"], 0.0)
    names = list(spent)
    clock = time.perf_counter
    start = clock()
    batches = minibatches(X, T, labels, 128, model.rng, model.dtype)
    while True:
        t0 = clock()
        try:
            x, t, yb = next(batches)
        except StopIteration:
            break
        n = len(x)
        w = work if n == 128 else work.rows(n)
        o = ones if n == 128 else model._ones(n)
        t1 = clock()
        z1 = np.dot(x, W1, out=w.z[0])
        t2 = clock()
        z1 += b1
        a1 = act.f(z1, out=z1)
        t3 = clock()
        z2 = np.dot(a1, W2, out=w.z[1])
        t4 = clock()
        z2 += b2
        p, loss = softmax(z2, t)
        t5 = clock()
        correct = int(np.count_nonzero(p.argmax(axis=1) == yb))  # noqa: F841
        t6 = clock()
        d2 = np.subtract(p, t, out=w.delta[1])
        d2 *= 0.05 / n
        t7 = clock()
        np.dot(a1.T, d2, out=dW2)
        t8 = clock()
        np.dot(o, d2, out=db2)
        t9 = clock()
        d1 = np.dot(d2, W2.T, out=w.delta[0])
        t10 = clock()
        d1 *= act.df(a1, out=w.slope[0])
        t11 = clock()
        np.dot(x.T, d1, out=dW1)
        t12 = clock()
        np.dot(o, d1, out=db1)
        t13 = clock()
        opt.step_scaled(model.theta, model.grad)
        t14 = clock()
        for name, seconds_ in zip(names, [t1 - t0, (t2 - t1) + (t4 - t3) + (t8 - t7) + (t10 - t9) + (t12 - t11),
                                          t3 - t2, t5 - t4, (t7 - t6) + (t9 - t8) + (t11 - t10) + (t13 - t12),
                                          t14 - t13, t6 - t5]):
            spent[name] += seconds_
    spent["total"] = clock() - start
    return spent


def fit_peak_memory(X: np.ndarray, y: np.ndarray) -> float:
    """Bytes tracemalloc sees allocated at most while nn/ trains one epoch on X."""
    tracemalloc.start()
    try:
        nn_fit_one_epoch(X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: the library's)")
    parser.add_argument("--skip-sklearn", action="store_true", help="skip the slowest reference")
    args = parser.parse_args()

    from sklearn.datasets import make_moons
    from threadpoolctl import threadpool_info, threadpool_limits

    import scipy.optimize  # noqa: F401  (L-BFGS's first use imports it: not part of its time)

    if args.threads:
        threadpool_limits(args.threads)
    X, y, source = mnist_rows()
    X32 = X.astype(np.float32)
    X_moons, y_moons = make_moons(200, noise=0.20, random_state=0)
    blas = ", ".join(f"{i['internal_api']} {i.get('architecture', '')} {i['num_threads']} threads"
                     for i in threadpool_info())
    print(f"data: {source}; BLAS: {blas}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"{args.rounds} rounds; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")

    names = ["floor", "nn float32", "nn float64", "sklearn", "nn inline", "loop", "nn tutorial A", "inline A",
             "nn L-BFGS"]
    times = {name: [] for name in names}
    losses, inline_theta, breakdowns = {}, [], []
    for _ in range(args.rounds):
        times["floor"].append(seconds(matmul_floor(len(X)), "floor"))
        times["nn float32"].append(seconds(lambda: nn_fit_one_epoch(X32, y), "nn float32"))
        times["nn float64"].append(seconds(lambda: nn_fit_one_epoch(X, y), "nn float64"))
        if not args.skip_sklearn:
            times["sklearn"].append(seconds(lambda: sklearn_fit_one_epoch(X, y), "sklearn"))
        times["nn inline"].append(seconds(lambda: breakdowns.append(epoch_breakdown(X, y)), "nn inline"))
        times["loop"].append(seconds(lambda: tutorial_a_loop(X_moons, y_moons), "loop"))
        times["inline A"].append(seconds(lambda: inline_theta.append(tutorial_a_inline(X_moons, y_moons)), "inline A"))
        descent, lbfgs = tutorial_a_model(), tutorial_a_model()
        times["nn tutorial A"].append(seconds(lambda: descent.fit(X_moons, y_moons, epochs=20_000, lr=0.01),
                                              "nn tutorial A"))
        times["nn L-BFGS"].append(seconds(lambda: losses.setdefault(
            "lbfgs iterations", len(lbfgs.fit(X_moons, y_moons, epochs=20_000, optimizer="lbfgs").epoch)),
            "nn L-BFGS"))
        losses["descent"], losses["lbfgs"] = descent.loss(X_moons, y_moons), lbfgs.loss(X_moons, y_moons)
        losses["inline gap"] = float(np.abs(inline_theta.pop() - descent.theta).max())
    median = {name: statistics.median(t) for name, t in times.items() if t}

    def ratio(top: str, bottom: str) -> tuple[float, str, float]:
        """Median of the rounds' wall-clock ratios, each round's, and the median processor-time ratio."""
        ratios = [a / b for a, b in zip(times[top], times[bottom])]
        cpu = statistics.median(a / b for a, b in zip(CPU_SECONDS[top], CPU_SECONDS[bottom]))
        return statistics.median(ratios), " ".join(f"{r:.2f}" for r in ratios), cpu

    rows = [("1 epoch 784-256-10, batch 128", "float32 matrix products alone (floor)", median["floor"]),
            ("", "nn/: fit(X, epochs=1), X float32", median["nn float32"]),
            ("", "nn/: fit(X / 255.0, epochs=1), X float64", median["nn float64"])]
    if "sklearn" in median:
        rows.append(("", "MLPClassifier: fit(X / 255.0, max_iter=1)", median["sklearn"]))
    rows.append(("", "nn/'s NumPy calls inline (reference)", median["nn inline"]))
    rows += [("tutorial A, 20,000 passes", "the tutorial's own loop", median["loop"]),
             ("", "nn/ MLP.fit(epochs=20000)", median["nn tutorial A"]),
             ("", "nn/'s NumPy calls inline (reference)", median["inline A"]),
             ("", f"nn/ L-BFGS ({losses['lbfgs iterations']} iterations)", median["nn L-BFGS"])]
    print(f"| {'benchmark':31} | {'what':46} | seconds |")
    print(f"|{'-' * 33}|{'-' * 48}|---------|")
    for bench, what, value in rows:
        print(f"| {bench:31} | {what:46} | {value:7.3f} |")
    print()
    goals = [("float64 / float32 epoch", ratio("nn float64", "nn float32"), "<= 1.1"),
             ("epoch (float64 X) / floor", ratio("nn float64", "floor"), "<= 1.6"),
             ("epoch (float32 X) / floor", ratio("nn float32", "floor"), "")]
    if "sklearn" in median:
        goals += [("MLPClassifier / nn/ epoch", ratio("sklearn", "nn float64"), ">= 3"),
                  ("MLPClassifier / nn/'s calls inline", ratio("sklearn", "nn inline"), "")]
    goals += [("tutorial A: nn/ / its loop", ratio("nn tutorial A", "loop"), "<= 0.5"),
              ("tutorial A: nn/'s calls inline / its loop", ratio("inline A", "loop"), ""),
              ("tutorial A: L-BFGS / 20,000 passes", ratio("nn L-BFGS", "nn tutorial A"), "")]
    print("| ratio, median of the rounds' | median | each round | processor time | goal |")
    print("|---|---|---|---|---|")
    for name, (value, each, cpu), goal in goals:
        print(f"| {name} | {value:.2f} | {each} | {cpu:.2f} | {goal} |")
    print(f"\ntutorial A's loss (summed, with the L2 penalty): 20,000 passes {losses['descent']:.4f}, "
          f"L-BFGS {losses['lbfgs']:.4f}; nn/'s calls inline end {losses['inline gap']:.1e} from nn/'s weights")

    spent = breakdowns[-1]  # the last round's
    total = spent.pop("total")
    print(f"\nwhere one nn/ epoch goes (float64 X, timed group by group: {total:.3f} s in all)")
    print("| part | seconds | share |")
    print("|---|---|---|")
    for name, value in spent.items():
        print(f"| {name} | {value:.3f} | {value / total:.0%} |")
    peak = fit_peak_memory(X, y)
    print(f"\nmemory: fit(X / 255.0, epochs=1) allocated at most {peak / 1e6:.1f} MB "
          f"(X itself: {X.nbytes / 1e6:.0f} MB float64; a float32 copy would be {X.nbytes / 2e6:.0f} MB)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

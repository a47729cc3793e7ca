"""MNIST page benchmark: time to accuracy on full MNIST through the page's own training path.

    python benchmarks/bench_mnist.py            # from the repo root; about 2 minutes

Drives lab.mnist.training.run_training with the page's ProgressPanel as its callback (Streamlit in
bare mode: every st.progress / plotly_chart call is made and marshalled, only the websocket send is
missing), on full MNIST read from ../shared/data/mnist-full.npz. Measures:
  * the default ("Fast") preset: training seconds to >= 98% test accuracy, and the final accuracy;
  * the "Best" preset: seconds to >= 98.5% (training stops at 98.5% or after MAX_BEST_SECONDS);
  * the cost of the progress reporting: the same run with and without the callback;
  * one epoch with 1 and with 2 BLAS threads (why the driver uses one).
Test accuracy is measured after every epoch outside the timed training (its time is subtracted).
"""
from __future__ import annotations

import logging
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "mnist-full.npz"
MAX_BEST_SECONDS = 90.0
OVERHEAD_EPOCHS = 2
OVERHEAD_REPEATS = 5


def quiet_streamlit() -> None:
    """Bare mode warns about the missing script context on every st call: silence warnings."""
    logging.disable(logging.WARNING)


def timed_run(config, X, y, X_test, y_test, target: float | None = None, stop_at_target: bool = False,
              max_seconds: float | None = None, report: bool = True, blas_threads: int | None = 1) -> dict:
    """One run through the page's driver; returns seconds to ``target``, final accuracy, overhead."""
    import streamlit as st

    from lab.mnist.data import to_network_input
    from lab.mnist.widgets import ProgressPanel
    from lab.mnist.training import run_training, start_run

    X_test = to_network_input(X_test)
    run = start_run(config, "mnist")
    panel = ProgressPanel(st.container())
    eval_seconds, reached, accuracies = 0.0, None, []

    def on_epoch(p) -> None:
        nonlocal eval_seconds, reached
        t0 = time.perf_counter()
        accuracy = run.model.score(X_test, y_test)
        accuracies.append(accuracy)
        training_seconds = p.history.elapsed[-1] - eval_seconds  # elapsed so far minus earlier evals
        if target is not None and reached is None and accuracy >= target:
            reached = (training_seconds, p.epoch + 1)
        eval_seconds += time.perf_counter() - t0

    def on_update(p) -> bool:
        panel.update(p)
        over_time = max_seconds is not None and p.elapsed - eval_seconds > max_seconds
        return (stop_at_target and reached is not None) or over_time

    cpu = time.process_time()
    history = run_training(run, X, y, on_update=on_update if report else None, report=report,
                           on_epoch=on_epoch if target is not None else None, blas_threads=blas_threads)
    cpu = time.process_time() - cpu
    return dict(reached=reached, accuracies=accuracies, seconds=run.seconds - eval_seconds, cpu=cpu,
                report_seconds=run.report_seconds, epochs=len(history.epoch), status=history.status)


def throttled_call_seconds(calls: int = 100_000) -> float:
    """What every batch pays: nn builds a Progress, the reporter finds it is too early to draw."""
    from lab.mnist.settings import PRESETS
    from lab.mnist.training import ThrottledReporter, start_run
    from nn import History, Progress

    reporter = ThrottledReporter(start_run(PRESETS["Fast"], "mnist"), lambda p: None, interval=1e9)
    reporter.last = time.perf_counter()
    history = History()
    start = time.perf_counter()
    for b in range(calls):
        reporter(Progress("batch", 0, 8, b, 1000, 0.1, 0.1, time.perf_counter() - start, history))
    return (time.perf_counter() - start) / calls


def main() -> int:
    if not DATA.is_file():
        print(f"SKIP: {DATA} not found (full MNIST as uint8 arrays Xtr, ytr, Xte, yte); nothing measured.")
        return 0
    quiet_streamlit()
    from lab.mnist.settings import PRESETS

    with np.load(DATA) as d:
        X, y = d["Xtr"], d["ytr"].astype(np.int64)
        X_test, y_test = d["Xte"], d["yte"].astype(np.int64)
    rows = []

    fast = PRESETS["Fast"]
    r = timed_run(fast, X, y, X_test, y_test, target=0.98)
    rows.append(("Fast preset (" + fast.network_name() + f", {r['epochs']} epochs): seconds to >= 98% test accuracy",
                 f"{r['reached'][0]:.1f} s (epoch {r['reached'][1]})" if r["reached"] else "not reached"))
    rows.append(("Fast preset: final test accuracy / training seconds",
                 f"{r['accuracies'][-1]:.2%} / {r['seconds']:.1f} s"))

    best = PRESETS["Best"]
    r = timed_run(best, X, y, X_test, y_test, target=0.985, stop_at_target=True, max_seconds=MAX_BEST_SECONDS)
    rows.append((f"Best preset ({best.network_name()}, dropout {best.dropout}): seconds to >= 98.5%",
                 f"{r['reached'][0]:.1f} s (epoch {r['reached'][1]})" if r["reached"]
                 else f"not reached in {r['seconds']:.0f} s (best {max(r['accuracies']):.2%})"))

    short = fast.replace(epochs=OVERHEAD_EPOCHS)
    runs = {False: [], True: []}
    for _ in range(OVERHEAD_REPEATS):  # alternate, so drifting machine load hits both alike
        for report in (False, True):
            runs[report].append(timed_run(short, X, y, X_test, y_test, report=report))
    for clock, what in (("seconds", "wall"), ("cpu", "CPU")):
        t_without, t_with = (statistics.median(r[clock] for r in runs[report]) for report in (False, True))
        rows.append((f"Progress reporting, {what} time: {OVERHEAD_EPOCHS} epochs without / with the callback "
                     f"(median of {OVERHEAD_REPEATS})",
                     f"{t_without:.2f} s / {t_with:.2f} s ({t_with / t_without - 1:+.1%})"))
    inside = [r["report_seconds"] / r["seconds"] for r in runs[True]]
    rows.append(("Progress reporting: time inside the page's progress updates (drawing bars, curves)",
                 f"{statistics.median(inside):.2%} of training time"))
    per_call = throttled_call_seconds()
    batches = math.ceil(round(len(X) * (1 - short.val_fraction)) / short.batch_size) * OVERHEAD_EPOCHS
    batch_seconds = statistics.median(r["seconds"] for r in runs[False]) / batches
    rows.append(("Progress reporting: a batch's callback when nothing is drawn (Progress + throttle check)",
                 f"{per_call * 1e6:.1f} us, {per_call / batch_seconds:.2%} of a batch"))

    one = fast.replace(epochs=1, val_fraction=0.0)
    for threads in (1, 2):
        times = [timed_run(one, X, y, X_test, y_test, report=False, blas_threads=threads)["seconds"]
                 for _ in range(2)]
        rows.append((f"One epoch of the Fast preset, {threads} BLAS thread{'s' * (threads > 1)} (best of 2)",
                     f"{min(times):.2f} s"))

    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in __import__('os').getloadavg())} "
          f"(2 cores, shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

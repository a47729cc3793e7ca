"""Compare runs: the Moons page keeps this session's last runs (settings and results, small arrays only).

    records = remember(records, run)       # a new list: the run added (a repeat replaces its older copy)
    differing(records)                     # the settings that are not the same in every kept run
    same_start(records)                    # groups of runs that started from the same weights

A record holds the run's settings, its four numbers and its boundary on the small grid (40 x 40),
never a live model; it lives in the session of the student who trained it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from nn.datasets import PlanarData

from lab.moons.settings import KNOBS, MoonsSettings
from lab.moons.run import Grid, Kind, MoonsRun

MAX_RUNS = 6


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One kept run: what was set and what came out."""

    number: int  # 1, 2, ... in the order trained in this session
    settings: MoonsSettings
    kind: Kind
    starts_from: tuple  # equal for two runs exactly when their initial weights are equal
    train_accuracy: float  # R² for regression
    test_accuracy: float | None
    train_loss: float
    test_loss: float | None
    small_grid: Grid
    proba: np.ndarray  # the trained network's output over ``small_grid``
    data: PlanarData

    @classmethod
    def of(cls, run: MoonsRun, number: int) -> "RunRecord":
        start = (tuple(run.config["layer_sizes"]), run.settings.init, run.settings.init_seed)
        return cls(number, run.settings, run.kind, start, run.train_accuracy, run.test_accuracy,
                   run.train_loss, run.test_loss, run.small_grid, run.snapshots[-1].proba, run.data)

    def shown(self, name: str) -> str:
        """Setting ``name`` of this run as the sidebar shows it."""
        return KNOBS[name].text(getattr(self.settings, name))


def remember(records: list[RunRecord], run: MoonsRun, limit: int = MAX_RUNS) -> list[RunRecord]:
    """``records`` with ``run`` last (numbered after the others; a run already kept moves to the end)."""
    if records and records[-1].settings == run.settings:
        return records  # the same run as the last one: nothing new
    number = max((r.number for r in records), default=0) + 1
    return ([r for r in records if r.settings != run.settings] + [RunRecord.of(run, number)])[-limit:]


def differing(records: list[RunRecord]) -> list[str]:
    """Names of the settings (fields) whose value is not the same in every record, in the sidebar's order."""
    return [f.name for f in fields(MoonsSettings) if len(records) > 1 and f.name != "discretize"
            and len({getattr(r.settings, f.name) for r in records}) > 1]


def same_start(records: list[RunRecord]) -> list[list[int]]:
    """Run numbers grouped by identical starting weights (groups of two or more only)."""
    groups: dict[tuple, list[int]] = {}
    for r in records:
        groups.setdefault(r.starts_from, []).append(r.number)
    return [numbers for numbers in groups.values() if len(numbers) > 1]


def settings_text(record: RunRecord, names: list[str]) -> str:
    """E.g. 'lr 0.1, neurons 5': the given settings of one run, as the sidebar labels them."""
    return ", ".join(f"{KNOBS[n].label} {record.shown(n)}" for n in names)


def table_rows(records: list[RunRecord]) -> list[dict]:
    """One row per run for st.dataframe: its number, the settings that differ, its four numbers."""
    names, rows = differing(records), []
    for r in records:
        score = "R²" if r.kind == "regression" else "accuracy"
        rows.append({"run": r.number, **{KNOBS[n].label: r.shown(n) for n in names},
                     f"train {score}": r.train_accuracy, f"test {score}": r.test_accuracy,
                     "train loss": r.train_loss, "test loss": r.test_loss})
    return rows


def same_start_note(records: list[RunRecord]) -> str:
    """'Same starting weights': which runs began from identical weights, in one sentence."""
    groups = same_start(records)
    if not groups:
        return ("No two of these runs started from the same weights (the weight seed, the initialisation or the "
                "network's shape differ), so part of their difference is luck of the draw.")
    runs = ["runs " + ", ".join(map(str, g[:-1])) + f" and {g[-1]}" for g in groups]
    return ("**Same starting weights:** " + "; ".join(runs) + ". Runs that start from the same weights "
            "differ only because of the settings that changed, not by chance.")

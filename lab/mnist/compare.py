"""The MNIST page's table of runs: what changed from one run to the next."""
from __future__ import annotations

from lab.mnist.data import SOURCE_TITLES

DATA_SHORT = {title: name for name, title in SOURCE_TITLES.items()}  # "the bundled sample" -> "sample"
DIFFERS = "differs from the previous run"
MNIST_SETTINGS = ("data", "network", "init", "optimizer", "lr", "schedule", "batch", "epochs", "l2", "l1", "dropout")


def with_differences(rows: list[dict], names: tuple[str, ...] = MNIST_SETTINGS) -> list[dict]:
    """``rows`` (oldest first) each with a DIFFERS column: 'lr 0.1 → 0.05, epochs 8 → 4' against the row
    before it ('first run' for the first; 'same settings' when nothing changed)."""
    out = []
    for k, row in enumerate(rows):
        if k == 0:
            change = "first run"
        else:
            before = rows[k - 1]
            changes = [f"{n} {before.get(n)} → {row.get(n)}" for n in names if before.get(n) != row.get(n)]
            change = ", ".join(changes) or "same settings"
        out.append({**row, DIFFERS: change})
    return out


def runs_rows(runs: list[dict]) -> list[dict]:
    """This session's runs (oldest first) as the table's rows, newest first and narrow enough for the
    page: how far each ran in one column ("3 of 16, stopped"), its settings in another instead of
    ten, what differs from the run before; data by their short names ("sample", "mnist", ...)."""
    def settings(row: dict) -> str:
        extras = [f"{name} {row[name]:g}" for name in ("l2", "l1", "dropout") if row.get(name)]
        return ", ".join([f"{row['optimizer']} lr {row['lr']:g}", row["schedule"].removesuffix(" 0"),
                          f"batch {row['batch']}", row["init"], *extras])

    def ran(row: dict) -> str:
        done = f"{row['epochs run']} of {row['epochs']}"
        return done if row["status"] == "completed" else f"{done}, {row['status']}"
    return [{"run": row["run"], "data": DATA_SHORT.get(row["data"], row["data"]), "network": row["network"],
             "test accuracy": row["test accuracy"], "epochs": ran(row), "seconds": row["seconds"],
             "settings": settings(row), DIFFERS: row[DIFFERS]} for row in reversed(with_differences(runs))]

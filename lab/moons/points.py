"""A student's own points: add by clicking, remove, upload and download as CSV.

``Points`` is an immutable set of labelled points, each a training or a test point; every edit
returns a new one, so a cached run trained on it can never change under the page.

    points = Points.from_data(load_data(settings))          # start from the generated set
    points = points.add(0.3, -0.2, label=1)                  # a click: a new training point
    points = parse_csv(b"x,y,label\\n0,0,0\\n1,1,1\\n")     # CsvError (a ValueError) names the line
    text = points.to_csv()                                   # x,y,label,split rows
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from nn.datasets import PlanarData

MAX_ROWS = 2000  # a cap that keeps a retrain on every click within a few seconds
MAX_CLASSES = 6
MAX_COORDINATE = 1000.0  # |x|, |y| at most this: the plane, its grid and x² features stay drawable
COLUMNS = ("x", "y", "label")  # required, in this order when the file has no header
SPLITS = ("train", "test")


class CsvError(ValueError):
    """A refused file; ``line`` is the 1-based line of the file at fault (None: the file as a whole)."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line, self.reason = line, reason
        super().__init__(f"Line {line}: {reason}" if line else reason)


@dataclass(frozen=True, eq=False)
class Points:
    """X float64 (n, 2), labels y int64 (n,) from 0 to 5, train bool (n,): True for training points."""

    X: np.ndarray
    y: np.ndarray
    train: np.ndarray

    def __post_init__(self) -> None:
        for array in (self.X, self.y, self.train):
            array.flags.writeable = False  # shared by cached runs: never changed in place

    @classmethod
    def empty(cls) -> "Points":
        return cls(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, bool))

    @classmethod
    def from_data(cls, data: PlanarData) -> "Points":
        return cls(np.vstack([data.X_train, data.X_test]).astype(np.float64),
                   np.concatenate([data.y_train, data.y_test]).astype(np.int64),
                   np.r_[np.ones(len(data.X_train), bool), np.zeros(len(data.X_test), bool)])

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        """Outputs the network needs: the largest label + 1 (a label never used is a class never seen)."""
        return int(self.y.max()) + 1 if len(self.y) else 0

    def data(self, name: str = "your points") -> PlanarData:
        return PlanarData(self.X[self.train], self.y[self.train], self.X[~self.train], self.y[~self.train], name)

    def problem(self) -> str | None:
        """Why a network cannot be trained on these points, or None if it can."""
        classes = np.unique(self.y[self.train])
        if len(classes) < 2:
            have = "no training points" if not len(classes) else f"training points of class {classes[0]} only"
            return f"There are {have}: add points of at least two classes to train a classifier."
        return None

    def add(self, x: float, y: float, label: int) -> "Points":
        """A new training point at (x, y) of class ``label`` (if the cap allows it)."""
        if len(self) >= MAX_ROWS:
            return self
        return Points(np.vstack([self.X, [[x, y]]]), np.r_[self.y, int(label)], np.r_[self.train, True])

    def remove_nearest(self, x: float, y: float) -> "Points":
        if not len(self):
            return self
        keep = np.ones(len(self), bool)
        keep[np.argmin(((self.X - [x, y]) ** 2).sum(axis=1))] = False
        return Points(self.X[keep], self.y[keep], self.train[keep])

    def to_csv(self) -> str:
        """x,y,label,split rows with a header; ``parse_csv`` reads it back exactly."""
        out = io.StringIO()
        out.write("x,y,label,split\n")
        for (x, y), label, train in zip(self.X.tolist(), self.y.tolist(), self.train.tolist()):
            out.write(f"{x!r},{y!r},{label},{'train' if train else 'test'}\n")
        return out.getvalue()


def parse_csv(raw: bytes | str, train_ratio: float = 0.8, seed: int = 0, max_rows: int = MAX_ROWS) -> Points:
    """Points from CSV text: rows x, y, label (0 to 5), optionally a header and a 'split' column.

    Without a split column the rows are split by ``train_ratio`` (stratified, seeded) when every
    class has points enough for both sides, else all are training points. Raises CsvError naming
    the line and the reason: missing columns, non-numeric values, NaN or infinity, a label out of
    range, more than ``max_rows`` rows, fewer than two classes.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvError(None, "The file is not UTF-8 text: save it as CSV (comma-separated values).") from None
    reader = csv.reader(io.StringIO(raw))
    columns, rows = None, []
    try:
        for row in reader:
            line = reader.line_num
            if not any(field.strip() for field in row):
                continue
            if columns is None:
                columns = _columns(row, line)
                if columns is not None:
                    continue
                columns = {name: i for i, name in enumerate(COLUMNS + ("split",)[:max(0, len(row) - 3)])}
                if len(row) > 4:
                    raise CsvError(line, f"{len(row)} values; expected x, y, label and optionally split.")
            if len(rows) == max_rows:
                raise CsvError(line, f"more than {max_rows:,} points: the playground keeps at most "
                                     f"{max_rows:,}, so that it can retrain on every click.")
            rows.append(_row(row, columns, line))
    except csv.Error as error:  # a field over the csv module's 131,072 characters, a NUL byte, ...
        raise CsvError(reader.line_num or None, f"not readable as CSV ({error}).") from None
    if not rows:
        raise CsvError(None, "The file has no data rows: expected rows of x, y, label.")
    X = np.array([r[0] for r in rows], np.float64)
    y = np.array([r[1] for r in rows], np.int64)
    if len(np.unique(y)) < 2:
        raise CsvError(None, f"Every row has label {y[0]}: a classifier needs points of at least two classes.")
    if "split" in columns:
        return Points(X, y, np.array([r[2] for r in rows], bool))
    return Points(X, y, _split(y, train_ratio, seed))


def _columns(row: list[str], line: int) -> dict[str, int] | None:
    """The header's column positions, or None if ``row`` is data (its first value is a number)."""
    if _is_number(row[0]):
        return None
    names = [field.strip().lower() for field in row]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise CsvError(line, f"the header has no column {', '.join(missing)} (it has {', '.join(names)[:80]}); "
                             "expected x, y, label.")
    return {name: names.index(name) for name in COLUMNS + ("split",) if name in names}


def _row(row: list[str], columns: dict[str, int], line: int) -> tuple[tuple[float, float], int, bool]:
    """(x, y), label, is-training of one data row; CsvError with the reason."""
    if len(row) <= max(columns.values()):
        found = len(row)
        raise CsvError(line, f"{found} value{'s' * (found != 1)}; expected {len(columns)} "
                             f"({', '.join(columns)}).")
    values = []
    for name in ("x", "y"):
        text = row[columns[name]].strip()
        try:
            value = float(text)
        except ValueError:
            raise CsvError(line, f"{name} is {text[:40]!r}, not a number.") from None
        if not abs(value) <= MAX_COORDINATE:  # also NaN and infinity
            raise CsvError(line, f"{name} is {text[:40]}: every coordinate must be a number from "
                                 f"{-MAX_COORDINATE:,.0f} to {MAX_COORDINATE:,.0f}.")
        values.append(value)
    text = row[columns["label"]].strip()
    label = float(text) if _is_number(text) else math.nan
    if not (label.is_integer() and 0 <= label < MAX_CLASSES):  # also NaN and infinity
        raise CsvError(line, f"label is {text[:40]!r}, not a class number from 0 to {MAX_CLASSES - 1}.")
    train = True
    if "split" in columns:
        split = row[columns["split"]].strip().lower()
        if split not in SPLITS:
            raise CsvError(line, f"split is {split[:40]!r}, not train or test.")
        train = split == "train"
    return (values[0], values[1]), int(label), train


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _split(y: np.ndarray, train_ratio: float, seed: int) -> np.ndarray:
    """Training mask (n,): stratified by ``train_ratio`` when every class can give points to both sides."""
    n, classes = len(y), len(np.unique(y))
    n_test = math.ceil(round(1 - train_ratio, 10) * n)
    train = np.ones(n, bool)
    if n_test == 0 or min(n_test, n - n_test) < classes or np.bincount(y)[np.unique(y)].min() < 2:
        return train
    _, test = train_test_split(np.arange(n), test_size=n_test, stratify=y, random_state=seed)
    train[test] = False
    return train

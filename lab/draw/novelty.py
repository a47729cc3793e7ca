"""Is a drawing like the digits the network learnt from? A check that needs no network.

MNIST's digits are alike: 50 patterns (the principal components of the bundled sample's 8,000
training digits, each drawn on the canvas and prepared as a drawing) rebuild most of any of them.
Two things give a drawing away as unlike them:

- **residual**: the share of it the 50 patterns cannot rebuild, ||x - x̂|| / ||x|| (a scribble, a
  few random strokes);
- **ink**: its mean pixel (a tiny digit drawn with a wide pen becomes a fat blob once scaled up to
  MNIST's 20 px box; a filled shape).

Each threshold is a high percentile of the training digits' own values, so about 1 real digit in
100 is flagged (benchmarks/draw_novelty.py and benchmarks/README.md have the measurements). The
basis ships in ``digit_novelty.npz`` beside this file; ``scripts/fit_digit_novelty.py`` fits it.

    basis = load_basis()
    basis.reasons(x)        # x (784,) prepared: [] for a digit-like drawing, else what is odd, in words
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

BASIS_PATH = Path(__file__).parent / "digit_novelty.npz"


@dataclass(frozen=True)
class NoveltyBasis:
    """The mean prepared digit (784,), its main patterns (k, 784, orthonormal rows), two thresholds."""

    mean: np.ndarray
    components: np.ndarray
    residual_cut: float
    ink_cut: float

    def residual(self, X: np.ndarray) -> np.ndarray:
        """The share of each image (n, 784) (or one (784,)) the patterns cannot rebuild: (n,) in [0, 1]."""
        X = np.atleast_2d(np.asarray(X, np.float64))
        centred = X - self.mean
        rebuilt = (centred @ self.components.T) @ self.components
        return np.linalg.norm(centred - rebuilt, axis=1) / np.maximum(np.linalg.norm(X, axis=1), 1e-12)

    def unusual(self, X: np.ndarray) -> np.ndarray:
        """(n,) True where an image is unlike the training digits: too much left over, or too much ink."""
        X = np.atleast_2d(np.asarray(X, np.float64))
        return (self.residual(X) > self.residual_cut) | (X.mean(axis=1) > self.ink_cut)

    def reasons(self, x: np.ndarray) -> list[str]:
        """What makes one prepared drawing x (784,) unlike the training digits, in words ([] if nothing)."""
        x = np.asarray(x, np.float64).reshape(-1)
        found = []
        ink, residual = float(x.mean()), float(self.residual(x)[0])
        if ink > self.ink_cut:
            found.append(f"it has more ink than 99.5% of the training digits ({ink:.0%} of the image is ink, "
                         f"real digits up to {self.ink_cut:.0%}): so much ink comes from a dense scribble, a "
                         "filled shape, or a small drawing scaled up (draw the digit bigger, filling the square).")
        if residual > self.residual_cut:
            found.append(f"{residual:.0%} of it cannot be rebuilt from the {len(self.components)} patterns "
                         f"that rebuild real digits (real digits: under {self.residual_cut:.0%}): it is "
                         "shaped unlike any digit the network saw, like a scribble or loose strokes.")
        return found


@lru_cache(maxsize=1)
def load_basis(path: Path = BASIS_PATH) -> NoveltyBasis:
    """The shipped basis (read-only arrays: one copy shared by every session)."""
    with np.load(path) as f:
        mean, components, cuts = f["mean"].astype(np.float64), f["components"].astype(np.float64), f["cuts"]
    for array in (mean, components):
        array.flags.writeable = False
    return NoveltyBasis(mean, components, float(cuts[0]), float(cuts[1]))

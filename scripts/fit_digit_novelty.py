"""Regenerate lab/draw/digit_novelty.npz: the patterns of real digits behind the Draw page's
"unlike the digits it learnt from" warning (about 10 s on 2 cores).

    python scripts/fit_digit_novelty.py

The patterns are the principal components of the bundled sample's training digits, each drawn on
the canvas and prepared as a drawing (``as_drawn``); each threshold is a high percentile of the
training digits' own values, so about 1 real digit in 100 is flagged (benchmarks/draw_novelty.py).
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.draw.novelty import BASIS_PATH, NoveltyBasis  # noqa: E402
from lab.draw.preprocess import preprocess  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402

COMPONENTS = 50  # patterns kept
RESIDUAL_PERCENTILE = 99.3  # of the training digits' residuals: the threshold ...
INK_PERCENTILE = 99.5  # ... and of their ink (together about 1% of real test digits flagged)
CANVAS = 280  # the Draw page's canvas, 10x MNIST's 28 px


def as_drawn(digits: np.ndarray) -> np.ndarray:
    """Digits (n, 784) in [0, 1] drawn 10 times larger on the canvas (a 200 px digit, strokes about
    the default pen's width) and prepared as a drawing: (n, 784) float32, what the network reads."""
    out = []
    for digit in np.asarray(digits, np.float32).reshape(-1, 28, 28):
        big = Image.fromarray((digit * 255).astype(np.uint8)).resize((CANVAS, CANVAS), Image.Resampling.BILINEAR)
        prepared = preprocess(np.asarray(big))
        out.append(np.zeros(784, np.float32) if prepared is None else prepared)
    return np.stack(out)


def fit_basis(X: np.ndarray, components: int = COMPONENTS) -> NoveltyBasis:
    """From prepared training digits X (n, 784) in [0, 1] (see ``as_drawn``)."""
    X = np.asarray(X, np.float64)
    mean = X.mean(axis=0)
    centred = X - mean
    _, vectors = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues: the last are the main
    basis = NoveltyBasis(mean, vectors[:, ::-1][:, :components].T.copy(), 0.0, 0.0)
    return NoveltyBasis(mean, basis.components, float(np.percentile(basis.residual(X), RESIDUAL_PERCENTILE)),
                        float(np.percentile(X.mean(axis=1), INK_PERCENTILE)))


def save_basis(basis: NoveltyBasis, path: Path = BASIS_PATH) -> None:
    """Write ``basis`` to ``path`` (float32 arrays), through a temporary file."""
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, mean=basis.mean.astype(np.float32), components=basis.components.astype(np.float32),
                        cuts=np.array([basis.residual_cut, basis.ink_cut]))
    tmp.replace(path)


if __name__ == "__main__":
    X_train, _, _, _ = load_mnist("sample", scale=True)
    basis = fit_basis(as_drawn(X_train))
    save_basis(basis)
    print(f"wrote {BASIS_PATH}: {len(basis.components)} patterns, residual cut {basis.residual_cut:.3f}, "
          f"ink cut {basis.ink_cut:.3f}")

"""Regenerate lab/draw/digit_novelty.npz: the patterns of real digits behind the Draw page's
"unlike the digits it learnt from" warning (about 10 s on 2 cores).

    python scripts/fit_digit_novelty.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.draw.novelty import BASIS_PATH, NoveltyBasis, as_drawn  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402

if __name__ == "__main__":
    X_train, _, _, _ = load_mnist("sample", scale=True)
    basis = NoveltyBasis.fit(as_drawn(X_train))
    basis.save()
    print(f"wrote {BASIS_PATH}: {len(basis.components)} patterns, residual cut {basis.residual_cut:.3f}, "
          f"ink cut {basis.ink_cut:.3f}")

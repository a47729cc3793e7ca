"""The Draw page's "unlike the digits it learnt from" check (lab/draw/novelty.py), without Streamlit.

The thresholds were chosen on measurements (benchmarks/draw_novelty.py); these tests check the
shipped basis keeps what was measured: few real digits flagged, the obvious non-digits caught.
"""
import numpy as np
from PIL import Image, ImageDraw

from lab.draw.novelty import load_basis
from lab.draw.preprocess import preprocess
from nn.datasets import load_mnist
from scripts.fit_digit_novelty import as_drawn, fit_basis, save_basis  # how the shipped basis is made


def scribble(seed: int) -> np.ndarray:
    """A tangle drawn with the canvas's default 22 px pen, prepared as the page prepares drawings."""
    rng = np.random.default_rng(seed)
    image = Image.new("L", (280, 280), 0)
    points = [tuple(p) for p in rng.uniform(30, 250, (30, 2))]  # a tangle of 29 strokes
    ImageDraw.Draw(image).line(points, fill=255, width=22, joint="curve")
    return preprocess(np.asarray(image))


def tiny_corner_digit(digit: np.ndarray) -> np.ndarray:
    """A digit 40 px tall in the top left corner, its strokes as wide as the pen: a blob once scaled up."""
    from scipy import ndimage
    canvas = np.zeros((280, 280), np.uint8)
    canvas[5:45, 5:45] = np.asarray(Image.fromarray(digit.reshape(28, 28)).resize((40, 40)))
    return preprocess(ndimage.grey_dilation(canvas, footprint=np.hypot(*np.mgrid[-8:9, -8:9]) <= 8))


def test_real_test_digits_are_rarely_flagged():
    _, _, X_test, _ = load_mnist("sample", scale=True)
    flagged = load_basis().unusual(as_drawn(X_test))
    assert flagged.mean() < 0.02  # measured: 1.1% (benchmarks/README.md)


def test_scribbles_and_tiny_corner_digits_are_flagged_in_words():
    basis = load_basis()
    scribbles = np.stack([scribble(seed) for seed in range(20)])
    assert basis.unusual(scribbles).mean() >= 0.8  # measured: 97.5% of 40 such tangles
    _, _, X_test, _ = load_mnist("sample")
    tiny = tiny_corner_digit(X_test[0])
    reasons = basis.reasons(tiny)
    assert reasons and "more ink than 99.5% of the training digits" in reasons[0] and "bigger" in reasons[0]
    assert basis.reasons(as_drawn(X_test[:1] / 255.0)[0]) == []  # the same digit, drawn big: a digit


def test_fit_sets_thresholds_at_the_training_percentiles():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (400, 784)) * (rng.uniform(0, 1, (400, 1)) < 0.5)
    basis = fit_basis(X, components=5)
    assert basis.components.shape == (5, 784)
    assert np.allclose(basis.components @ basis.components.T, np.eye(5), atol=1e-8)  # orthonormal patterns
    assert 0.002 <= basis.unusual(X).mean() <= 0.02
    assert basis.residual(basis.mean)[0] < 1e-9  # the mean digit is rebuilt exactly
    assert basis.residual(np.zeros(784))[0] >= 0  # an empty image: no division by zero


def test_the_shipped_basis_is_read_only_and_round_trips(tmp_path):
    basis = load_basis()
    assert not basis.components.flags.writeable and basis.components.shape == (50, 784)
    save_basis(basis, tmp_path / "b.npz")
    again = load_basis.__wrapped__(tmp_path / "b.npz")
    assert np.allclose(again.components, basis.components) and again.ink_cut == basis.ink_cut

"""What tells a real digit from a drawing unlike any digit? Measured for the Draw page's warning.

Real digits: the test digits of the bundled sample (2,000) and, when present, of full MNIST
(10,000; /work/shared/data/mnist-full.npz or the cache), each drawn onto the 280x280 canvas as a
student would (the 28x28 digit scaled up 10 times: a 200 px digit, strokes about the default pen's
22 px) and prepared like a drawing (lab.draw.preprocess.preprocess). Unlike anything: scribbles
(a smooth random walk), random strokes (1 to 4 straight lines), zigzags of 10 and tangles of 30
straight strokes, tiny digits in a corner (a test
digit 30 to 60 px tall drawn with the 22 px pen: a blob once scaled up to MNIST's 20 px box), and
filled shapes. Features, measured on the 28x28 image the network reads and on the default network:

- ink: the mean pixel (MNIST digits: about 0.13); - margin: top probability minus the second;
- energy: logsumexp of the output scores (logits); - hidden: the hidden layer's norm;
- residual: the part of the image the 50 main patterns (principal components) of the 8,000
  training digits cannot build, as a share of the image (lab.draw.novelty).

Each feature's threshold is set on the 8,000 training digits (their 99.5th percentile on the
unusual side), then applied to unseen test digits (false alarms) and to each kind of drawing
(detections). Prints one table; the figures are copied into benchmarks/README.md.

    python benchmarks/draw_novelty.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.draw.model import MODEL_PATH  # noqa: E402
from lab.draw.novelty import NoveltyBasis, load_basis  # noqa: E402
from scripts.fit_digit_novelty import as_drawn  # noqa: E402
from lab.draw.preprocess import preprocess  # noqa: E402
from nn import MLP  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402

CANVAS, PEN = 280, 22
FULL = Path("/work/shared/data/mnist-full.npz")
PER_KIND = 300


def _draw(lines: list[list[tuple[float, float]]]) -> np.ndarray:
    image = Image.new("L", (CANVAS, CANVAS), 0)
    pen = ImageDraw.Draw(image)
    for points in lines:
        pen.line(points, fill=255, width=PEN, joint="curve")
        for x, y in (points[0], points[-1]):  # round ends, as the canvas's pen
            pen.ellipse([x - PEN / 2, y - PEN / 2, x + PEN / 2, y + PEN / 2], fill=255)
    return np.asarray(image)


def scribble(rng: np.random.Generator) -> np.ndarray:
    """A smooth random walk of 40 to 120 steps."""
    n = int(rng.integers(40, 120))
    turn = np.cumsum(rng.normal(0, 0.5, n))
    step = rng.uniform(6, 14)
    xy = np.cumsum(np.c_[np.cos(turn), np.sin(turn)] * step, axis=0)
    xy = (xy - xy.min(0)) / max(np.ptp(xy, 0).max(), 1) * rng.uniform(120, 240) + rng.uniform(10, 40, 2)
    return _draw([[tuple(p) for p in np.clip(xy, 5, CANVAS - 5)]])


def random_strokes(rng: np.random.Generator) -> np.ndarray:
    return _draw([[tuple(rng.uniform(20, 260, 2)), tuple(rng.uniform(20, 260, 2))]
                  for _ in range(int(rng.integers(1, 5)))])


def tangle(rng: np.random.Generator, strokes: int) -> np.ndarray:
    """A zigzag of ``strokes`` straight strokes between random points: a scrawl."""
    return _draw([[tuple(p) for p in rng.uniform(30, 250, (strokes + 1, 2))]])


def tiny_corner_digit(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A digit 30 to 60 px tall in a corner, its strokes as wide as the 22 px pen."""
    size = int(rng.integers(30, 61))
    small = np.asarray(Image.fromarray((digit.reshape(28, 28) * 255).astype(np.uint8)).resize((size, size)))
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    corner = rng.integers(0, 2, 2) * (CANVAS - size - 10) + 5
    canvas[corner[0]:corner[0] + size, corner[1]:corner[1] + size] = small
    disk = np.hypot(*np.mgrid[-8:9, -8:9]) <= 8  # the pen adds about 16 px to the ~5 px scaled stroke
    return ndimage.grey_dilation(canvas, footprint=disk)


def filled_shape(rng: np.random.Generator) -> np.ndarray:
    image = Image.new("L", (CANVAS, CANVAS), 0)
    box = sorted(rng.uniform(30, 250, 2)), sorted(rng.uniform(30, 250, 2))
    shape = [box[0][0], box[1][0], box[0][1] + 20, box[1][1] + 20]
    (ImageDraw.Draw(image).ellipse if rng.random() < 0.5 else ImageDraw.Draw(image).rectangle)(shape, fill=255)
    return np.asarray(image)


def features(model: MLP, basis: NoveltyBasis, X: np.ndarray) -> dict[str, np.ndarray]:
    """Each feature for prepared images X (n, 784); larger = more unusual for every feature."""
    forward = model.forward(model.check_X(X))
    hidden, proba = forward.outputs[-2], forward.outputs[-1]  # a1 (n, 128), softmax (n, 10)
    scores = hidden @ model.W[-1] + model.b[-1]  # (n, 10): the logits
    top2 = np.sort(proba, axis=1)[:, -2:]
    m = scores.max(axis=1, keepdims=True)
    energy = (m + np.log(np.exp(scores - m).sum(axis=1, keepdims=True)))[:, 0]
    return {"ink (mean pixel)": X.mean(axis=1), "low margin (p1 - p2)": -(top2[:, 1] - top2[:, 0]),
            "low energy (logsumexp z)": -energy, "hidden norm": np.linalg.norm(hidden, axis=1),
            "low hidden norm": -np.linalg.norm(hidden, axis=1), "residual (50 patterns)": basis.residual(X)}


def main() -> None:
    rng = np.random.default_rng(0)
    X_train, _, X_test, _ = load_mnist("sample", scale=True)
    model = MLP.load(MODEL_PATH)
    basis = load_basis()  # the page's rule: fitted on the training digits as drawn (scripts/fit_digit_novelty.py)
    real = {"sample test digits (2,000)": as_drawn(X_test)}
    if FULL.exists():
        real["full MNIST test digits (10,000)"] = as_drawn(np.load(FULL)["Xte"].astype(np.float32) / 255)
    odd = {"scribbles": np.stack([preprocess(scribble(rng)) for _ in range(PER_KIND)]),
           "random strokes": np.stack([preprocess(random_strokes(rng)) for _ in range(PER_KIND)]),
           "zigzags of 10 strokes": np.stack([preprocess(tangle(rng, 10)) for _ in range(PER_KIND)]),
           "tangles of 30 strokes": np.stack([preprocess(tangle(rng, 30)) for _ in range(PER_KIND)]),
           "tiny corner digits": np.stack([preprocess(tiny_corner_digit(X_test[i], rng))
                                           for i in rng.choice(len(X_test), PER_KIND, replace=False)]),
           "filled shapes": np.stack([preprocess(filled_shape(rng)) for _ in range(PER_KIND)])}
    train = features(model, basis, as_drawn(X_train))
    sets = {**real, **odd}
    measured = {name: features(model, basis, X) for name, X in sets.items()}
    names = list(sets)
    print("Flagged (%) when a feature exceeds its 99.5th percentile on the 8,000 training digits (as drawn)\n")
    print(f"| feature | threshold | " + " | ".join(names) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in names) + " |")
    for feature, values in train.items():
        cut = float(np.percentile(values, 99.5))
        row = [f"{100 * np.mean(measured[n][feature] > cut):.1f}" for n in names]
        print(f"| {feature} | {cut:.3g} | " + " | ".join(row) + " |")
    rule = [f"**{100 * np.mean(basis.unusual(sets[n])):.1f}**" for n in names]
    print(f"| **the page's rule**: residual > {basis.residual_cut:.3f} or ink > {basis.ink_cut:.3f} | | "
          + " | ".join(rule) + " |")


if __name__ == "__main__":
    main()

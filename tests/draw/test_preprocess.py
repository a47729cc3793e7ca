"""The Draw page's preprocessing and default model, against real MNIST digits drawn big on a canvas."""
import json

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from lab.draw.model import INFO_PATH, NOT_SURE_BELOW, digit_model_problem, load_default_model, read_drawing
from lab.draw.preprocess import CENTRE, ink_box, is_blank, naive_resize, preprocess, to_grey
from lab.app.session import TrainedModel
from nn import MLP
from nn.datasets import load_mnist

CANVAS = 280
N_DIGITS = 1000


def on_canvas(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A (280, 280, 4) uint8 RGBA canvas, white ink on opaque black, holding ``digit`` (784,)
    in [0, 1] cropped to its ink, scaled up 4x to 10x and placed at a random spot."""
    image = digit.reshape(28, 28)
    rows, cols = ink_box(image)
    ink = image[rows, cols]
    k = rng.uniform(4, 10)
    size = (round(ink.shape[1] * k), round(ink.shape[0] * k))
    big = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize(size, Image.Resampling.BILINEAR))
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    canvas[..., 3] = 255
    top = rng.integers(0, CANVAS - big.shape[0] + 1)
    left = rng.integers(0, CANVAS - big.shape[1] + 1)
    canvas[top:top + big.shape[0], left:left + big.shape[1], :3] = big[..., None]
    return canvas


@pytest.fixture(scope="module")
def sample_test():
    _, _, X_test, y_test = load_mnist("sample", scale=True)
    return X_test, y_test


@pytest.fixture(scope="module")
def drawn(sample_test):
    """The first N_DIGITS sample test digits, drawn big and off-centre on canvases."""
    X, y = sample_test
    rng = np.random.default_rng(0)
    return [on_canvas(x, rng) for x in X[:N_DIGITS]], X[:N_DIGITS], y[:N_DIGITS]


def test_preprocessing_reads_drawn_digits_as_well_as_the_originals(drawn):
    canvases, X, y = drawn
    model = load_default_model().model
    original = model.score(X, y)
    prepared = np.array([preprocess(c) for c in canvases])
    naive = np.array([naive_resize(c) for c in canvases])
    assert prepared.shape == (N_DIGITS, 784) and prepared.dtype == np.float32
    assert prepared.min() >= 0 and prepared.max() <= 1
    ours = model.score(prepared, y)
    assert original > 0.95
    assert abs(ours - original) <= 0.02, (ours, original)
    # The test can tell: shrinking the whole canvas loses most digits.
    assert model.score(naive, y) < original - 0.4
    # ...and the prepared digits are close to MNIST's own, pixel for pixel.
    assert np.abs(prepared - X).mean() < 0.03


def test_prepared_digit_is_20px_and_centred_by_mass():
    tall = np.zeros((CANVAS, CANVAS), np.float32)
    tall[40:240, 200:240] = 1.0  # a "1": 200 px tall, 40 wide, far right of the canvas
    x = preprocess(tall).reshape(28, 28)
    rows, cols = ink_box(x)
    assert rows.stop - rows.start == 20  # longer side scaled to 20 px
    assert 3 <= cols.stop - cols.start <= 6  # 40 * 20/200 = 4 px, aspect kept (+ anti-aliased edge)
    assert np.allclose(ndimage.center_of_mass(x), CENTRE, atol=0.5)


def test_empty_and_almost_empty_canvases_give_no_prediction():
    empty = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    assert preprocess(empty) is None
    dot = empty.copy()
    dot[..., 3] = 255
    yy, xx = np.mgrid[:CANVAS, :CANVAS]
    dot[(yy - 100) ** 2 + (xx - 100) ** 2 <= 8 ** 2, :3] = 255  # one tap of a 16 px pen
    assert is_blank(to_grey(dot)) and preprocess(dot) is None
    invisible = np.full((CANVAS, CANVAS, 4), 255, np.uint8)
    invisible[..., 3] = 0  # white but fully transparent: no ink
    assert preprocess(invisible) is None


def test_a_canvas_full_of_ink_does_not_crash():
    full = np.full((CANVAS, CANVAS, 4), 255, np.uint8)
    x = preprocess(full)
    assert x.shape == (784,) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    reading = read_drawing(load_default_model().model, x)
    assert np.isclose(reading.probabilities.sum(), 1, atol=1e-5)


def test_bad_images_raise_value_errors():
    for bad in (np.zeros((28, 28, 2)), np.zeros(784), np.zeros((0, 5)), np.array([["a"]])):
        with pytest.raises(ValueError):
            preprocess(bad)


def test_default_model_is_shared_read_only_and_its_recorded_accuracy_is_true(sample_test):
    trained = load_default_model()
    assert trained is load_default_model()  # one copy for every user
    for array in (trained.model.theta, *trained.model.params):
        with pytest.raises(ValueError):
            array[...] = 0
    X, y = sample_test
    info = json.loads(INFO_PATH.read_text())
    assert trained.test_accuracy == info["test_accuracy"] == round(trained.model.score(X, y), 4)
    assert trained.class_names == tuple("0123456789")


def test_shifted_copies_move_whole_digits():
    from scripts.train_default_digit_model import shifted_copies  # the default model's training code

    image = np.zeros((1, 784), np.float32)
    image[0, 14 * 28 + 14] = 1.0
    out = shifted_copies(image, copies=50, max_shift=2, rng=np.random.default_rng(0))
    assert out.shape == (50, 784) and np.all(out.sum(axis=1) == 1)  # nothing lost near the centre
    rows, cols = np.divmod(out.argmax(axis=1), 28)
    assert set(rows - 14) == set(cols - 14) == {-2, -1, 0, 1, 2}


def test_reading_a_drawing(sample_test):
    model = load_default_model().model
    X, y = sample_test
    reading = read_drawing(model, X[0])
    assert reading.top == int(model.predict(X[:1])[0])
    assert reading.saliency.shape == (28, 28) and [a.shape for a in reading.hidden] == [(128,)]
    assert reading.sure == (reading.confidence >= NOT_SURE_BELOW)
    unsure = read_drawing(MLP([784, 4, 10], seed=0), np.full(784, 0.5))  # an untrained net is flat
    assert not unsure.sure


def test_which_models_can_read_drawings():
    fashion = TrainedModel(MLP([784, 8, 10]), "tiny", "fashion", 0.5,
                           ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"))
    assert digit_model_problem(fashion) is None
    assert "28x28" in digit_model_problem(TrainedModel(MLP([2, 3, 2]), "moons", "moons", None, ("a", "b")))
    assert "class names" in digit_model_problem(TrainedModel(MLP([784, 3, 10]), "x", "sample", None, ("a",)))
    assert digit_model_problem("a string") == "it is not a network"

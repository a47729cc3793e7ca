"""The Draw page under AppTest (a drawing fed through the canvas's session state), and its figures."""
import numpy as np
import pytest
from PIL import Image

from lab.draw.model import load_default_model
from lab.draw.figures import digit_image, hidden_activations, probability_chart, saliency_map
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from nn import MLP
from nn.datasets import class_names, load_mnist
from tests.support.drawings import canvas_value, drawn_digit

PAGE = "pages/draw.py"
CANVAS_KEY = "draw_canvas_0"  # the canvas's key before any Clear


@pytest.fixture(scope="module")
def digit():
    """A sample test digit the default model reads right on the 28x28 original, and its label."""
    _, _, X, y = load_mnist("sample")
    model = load_default_model().model
    i = next(i for i in range(len(y)) if y[i] == 7 and model.predict(X[i:i + 1] / 255.0)[0] == 7)
    return X[i], int(y[i])


def run_with(app_test, drawing: np.ndarray | None = None, trained: TrainedModel | None = None):
    at = app_test(PAGE)
    if trained is not None:
        at.session_state[TRAINED_MODEL_KEY] = trained
    if drawing is not None:
        at.session_state[CANVAS_KEY] = canvas_value(drawing)
    at.run()
    assert not at.exception
    return at


def test_empty_canvas_prompts_and_predicts_nothing(app_test):
    at = run_with(app_test)
    assert at.title[0].value.startswith("Draw a digit")
    assert "Draw a digit on the black square" in at.info[0].value
    assert not at.metric and not at.get("plotly_chart")
    accuracy = load_default_model().test_accuracy
    assert f"test accuracy {accuracy:.1%}" in at.caption[0].value


def test_a_drawn_digit_is_read_and_shown(app_test, digit):
    pixels, label = digit
    at = run_with(app_test, drawn_digit(pixels))
    assert [(m.label, m.value) for m in at.metric] == [("Prediction", str(label))]
    assert any("with probability" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 4  # 28x28 preview, probabilities, saliency, hidden units
    assert not at.info and not at.warning  # a real digit, drawn big: no "unlike the digits" warning


def test_a_drawing_unlike_any_digit_says_so(app_test, digit):
    # A tiny digit in a corner, as the canvas sends it: 40 px tall, drawn with a wide pen.
    from scipy import ndimage
    tiny = np.zeros((280, 280, 4), np.uint8)
    tiny[..., 3] = 255
    grey = np.zeros((280, 280), np.uint8)
    grey[5:45, 5:45] = np.asarray(Image.fromarray(digit[0].reshape(28, 28)).resize((40, 40)))
    grey = ndimage.grey_dilation(grey, footprint=np.hypot(*np.mgrid[-8:9, -8:9]) <= 8)
    tiny[..., :3] = grey[..., None]
    at = run_with(app_test, tiny)
    warning = " ".join(w.value for w in at.warning)
    assert "Unlike the digits the network learnt from" in warning and "draw the digit bigger" in warning
    assert any(m.value.startswith("**a guess**") for m in at.markdown)
    assert not any("with probability" in m.value for m in at.markdown)


def test_a_dot_is_not_a_digit(app_test):
    dot = np.zeros((280, 280, 4), np.uint8)
    dot[..., 3] = 255
    dot[100:110, 100:110, :3] = 255
    at = run_with(app_test, dot)
    assert not at.metric and at.info


def test_clear_empties_the_canvas(app_test, digit):
    at = run_with(app_test, drawn_digit(digit[0]))
    assert at.metric
    at.button(key="draw_clear").click().run()
    assert not at.exception and not at.metric and at.info


def test_a_fashion_model_from_the_mnist_page_names_clothes(app_test, digit):
    names = class_names("fashion")
    trained = TrainedModel(MLP([784, 8, 10], seed=0), "784-8-10 test net", "fashion", 0.42, names)
    at = run_with(app_test, drawn_digit(digit[0]), trained)
    assert "Fashion-MNIST" in at.warning[0].value
    assert "784-8-10 test net" in at.caption[0].value and "42.0%" in at.caption[0].value
    assert at.metric[0].value in names
    assert any(m.value.startswith("**not sure**") for m in at.markdown)  # an untrained net is unsure
    at.radio(key="draw_model").set_value("default").run()
    assert at.metric[0].value == str(digit[1]) and not at.warning


def test_an_unusable_session_model_falls_back_to_the_default(app_test, digit):
    moons = TrainedModel(MLP([2, 3, 2]), "moons net", "moons", None, ("a", "b"))
    at = run_with(app_test, drawn_digit(digit[0]), moons)
    assert "can't read drawings" in at.warning[0].value
    assert at.metric[0].value == str(digit[1])


# ---- the figures, without Streamlit -----------------------------------------------------------
def test_probability_chart_highlights_the_top_class():
    p = np.array([0.05, 0.05, 0.7, 0.2] + [0.0] * 6)
    bar = probability_chart(p, tuple("0123456789")).data[0]
    assert list(bar.x) == list("0123456789") and np.allclose(bar.y, p)
    assert len({c for i, c in enumerate(bar.marker.color) if i != 2}) == 1 != bar.marker.color[2]
    with pytest.raises(ValueError):
        probability_chart(p[:9], tuple("0123456789"))


def test_images_are_28x28_and_saliency_is_symmetric():
    pixels = np.linspace(0, 1, 784)
    assert np.asarray(digit_image(pixels).data[0].z).shape == (28, 28)
    gradient = np.linspace(-3, 1, 784)
    image, heat = saliency_map(pixels, gradient, "7").data
    assert (heat.zmin, heat.zmax) == (-3, 3) and np.asarray(heat.z).shape == (28, 28)
    with pytest.raises(ValueError):
        digit_image(np.zeros(100))


def test_hidden_activations_one_panel_per_layer():
    fig = hidden_activations([np.arange(5.0), np.arange(3.0)])
    assert [len(t.y) for t in fig.data] == [5, 3]
    with pytest.raises(ValueError):
        hidden_activations([])

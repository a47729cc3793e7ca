"""The Moons page's settings: one typed object whose fields are the knobs.

Each field of ``MoonsSettings`` carries a ``Knob`` (in its dataclass metadata): the widget that
sets it, the values it may take and, in one line, why its default is what it is. The sidebar, the
URL query string and the presets all read this one table, so a new knob is one new field.
Defaults are tutorial A exactly (moons, 200 points, noise 0.20, inputs x1 and x2, a 2-3-2 tanh network,
summed loss, full-batch SGD at lr 0.01 with L2 0.01, 20,000 passes); the one addition is a held-out
test set.

    settings, problems = settings_from_query({"lr": "0.1", "neurons": "banana"})
    # settings.lr == 0.1; settings.neurons == 3, and problems[0] says why
    to_query(settings)    # {"dataset": "moons", ..., "lr": "0.1", ...}: every field, as text
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, Mapping

from nn import ACTIVATIONS, FULL_BATCH_OPTIMIZERS, INITIALIZERS, OPTIMIZERS
from nn.datasets import PLANAR_DATASETS

from lab.moons.data import FEATURES, REGRESSION_SETS
from lab.app.text import quoted

Widget = Literal["select", "select_slider", "slider", "number", "toggle", "checkbox"]
GROUPS = ("Data", "Features", "Network", "Training", "Display")
PROBLEMS = {"classification": tuple(PLANAR_DATASETS), "regression": tuple(REGRESSION_SETS)}
MAX_CLASSES = max(generator.max_classes for generator in PLANAR_DATASETS.values())

# Learning rates and penalties on a roughly x3 log ladder, as TensorFlow Playground offers them.
RATES = (0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PENALTIES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
PASSES = (100, 200, 500, 1000, 2000, 5000, 10000, 20000)
BATCHES = (None, 100, 50, 20)  # None: the full batch; 20 already means 8 steps per pass on 160 points


@dataclass(frozen=True)
class Knob:
    """How one setting is shown and checked: a widget over ``options`` or over low..high by step."""

    label: str
    why: str  # one line: the reason for the default (shown as the widget's help)
    group: str  # one of GROUPS: where the sidebar puts it
    widget: Widget
    options: tuple = ()  # for select / select_slider
    low: float | None = None  # for slider / number
    high: float | None = None
    step: float | None = None

    def text(self, value: Any) -> str:
        """How a value reads on screen."""
        if value is None:
            return "full batch"
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)


def knob(default: Any, **spec: Any) -> Any:
    return field(default=default, metadata={"knob": Knob(**spec)})


@dataclass(frozen=True)
class MoonsSettings:
    """Everything that decides what the Moons page computes: same settings, same pictures."""

    # ---- Data
    dataset: str = knob("moons", label="Dataset", group="Data", widget="select",
                        options=PROBLEMS["classification"] + PROBLEMS["regression"],
                        why="Tutorial A's two interleaving half-moons: no straight line separates them. "
                            "'plane' and 'bump' are regression sets: the network predicts a number.")
    classes: int = knob(2, label="Classes (spiral, blobs)", group="Data", widget="select_slider",
                        options=tuple(range(2, MAX_CLASSES + 1)),
                        why="Two, as tutorial A. The spiral has up to 3 arms and the blobs up to 4; "
                            "the other sets always have 2 classes.")
    n_points: int = knob(200, label="Points", group="Data", widget="slider", low=40, high=1000, step=10,
                         why="Tutorial A: make_moons(200, noise=0.20, random_state=0).")
    noise: float = knob(0.2, label="Noise", group="Data", widget="slider", low=0.0, high=0.5, step=0.05,
                        why="Tutorial A's noise: the moons touch but stay mostly separable.")
    train_ratio: float = knob(0.8, label="Train ratio", group="Data", widget="slider",
                              low=0.5, high=1.0, step=0.05,
                              why="Tutorial A trains on all 200 points; holding 40 out (20%) lets the test "
                                  "accuracy show overfitting. 1.0 trains on all, as the tutorial.")
    data_seed: int = knob(0, label="Data seed", group="Data", widget="number", low=0, high=9999, step=1,
                          why="Tutorial A's random_state=0; 'New sample' draws the next seed.")
    # ---- Features: what the network reads (TensorFlow Playground's inputs)
    x1: bool = knob(True, label="x₁", group="Features", widget="checkbox", why="Tutorial A feeds the point itself.")
    x2: bool = knob(True, label="x₂", group="Features", widget="checkbox", why="Tutorial A feeds the point itself.")
    x1_sq: bool = knob(False, label="x₁²", group="Features", widget="checkbox",
                       why="Off, as tutorial A. With x₁² and x₂² a circle is a straight line in the inputs.")
    x2_sq: bool = knob(False, label="x₂²", group="Features", widget="checkbox",
                       why="Off, as tutorial A. With x₁² and x₂² a circle is a straight line in the inputs.")
    x1_x2: bool = knob(False, label="x₁·x₂", group="Features", widget="checkbox",
                       why="Off, as tutorial A. Its sign alone tells the quadrants of 'xor' apart.")
    sin_x1: bool = knob(False, label="sin x₁", group="Features", widget="checkbox",
                        why="Off, as tutorial A. A wave along x₁.")
    sin_x2: bool = knob(False, label="sin x₂", group="Features", widget="checkbox",
                        why="Off, as tutorial A. A wave along x₂.")
    # ---- Network
    hidden_layers: int = knob(1, label="Hidden layers", group="Network", widget="slider", low=0, high=6, step=1,
                              why="Tutorial A has one hidden layer; with none the network is logistic "
                                  "regression on its inputs.")
    neurons: int = knob(3, label="Neurons per hidden layer", group="Network", widget="slider",
                        low=1, high=50, step=1,
                        why="Tutorial A's 3 hidden units; its sweep goes up to 50.")
    activation: str = knob("tanh", label="Activation", group="Network", widget="select",
                           options=tuple(ACTIVATIONS),
                           why="Tutorial A uses tanh: smooth, and centred on 0.")
    init: str = knob("scaled_normal", label="Initialisation", group="Network", widget="select",
                     options=tuple(INITIALIZERS),
                     why="Tutorial A: standard normal / sqrt(fan_in), so each z starts with unit variance.")
    init_seed: int = knob(0, label="Weight seed", group="Network", widget="number", low=0, high=9999, step=1,
                          why="Tutorial A seeds NumPy with 0 before drawing the weights.")
    # ---- Training
    optimizer: str = knob("sgd", label="Optimiser", group="Training", widget="select",
                          options=tuple(OPTIMIZERS) + FULL_BATCH_OPTIMIZERS,
                          why="Tutorial A: plain gradient descent, W <- W - lr * dL/dW. 'lbfgs' uses curvature, "
                              "not a learning rate: it trains on the full batch and chooses its own steps.")
    lr: float = knob(0.01, label="Learning rate", group="Training", widget="select_slider", options=RATES,
                     why="Tutorial A's epsilon = 0.01, with gradients summed over the points.")
    l2: float = knob(0.01, label="L2 penalty", group="Training", widget="select_slider", options=PENALTIES,
                     why="Tutorial A's reg_lambda = 0.01: adds (lambda/2) * sum(W^2) to the loss.")
    l1: float = knob(0.0, label="L1 penalty", group="Training", widget="select_slider", options=PENALTIES,
                     why="Off, as in tutorial A; L1 pushes weights to exactly 0.")
    batch_size: int | None = knob(None, label="Batch size", group="Training", widget="select_slider",
                                  options=BATCHES,
                                  why="Full batch, as tutorial A: one step per pass uses every point.")
    passes: int = knob(20000, label="Passes (at most)", group="Training", widget="select_slider", options=PASSES,
                       why="Tutorial A's num_passes = 20,000 full-batch steps.")
    reduction: str = knob("sum", label="Loss over the points", group="Training", widget="select",
                          options=("sum", "mean"),
                          why="Tutorial A sums the gradients over the points; 'mean' divides them by n.")
    stop_when_flat: bool = knob(True, label="Stop when the loss levels off", group="Training", widget="toggle",
                                why="Keeps sliders live: the boundary stops moving long before pass 20,000.")
    # ---- Display (changes the pictures, not the training)
    discretize: bool = knob(False, label="Discretize output", group="Display", widget="toggle",
                            why="Off: the background shades how sure the network is. On: only the class it "
                                "predicts.")

    @property
    def problem(self) -> str:
        return "regression" if self.dataset in REGRESSION_SETS else "classification"

    @property
    def features(self) -> tuple[str, ...]:
        """The ticked feature inputs, in FEATURES order: one input unit each."""
        return tuple(name for name in FEATURES if getattr(self, name))

    @property
    def n_classes(self) -> int:
        """Classes of the generated set: ``classes`` where the set has that many (spiral, blobs), else 2."""
        generator = PLANAR_DATASETS.get(self.dataset)
        return max(2, min(self.classes, generator.max_classes)) if generator else 0

    @property
    def layer_sizes(self) -> list[int]:
        """[inputs, hidden..., outputs]: one input per feature; one output per class, or 1 for regression."""
        outputs = 1 if self.problem == "regression" else self.n_classes
        return [len(self.features)] + [self.neurons] * self.hidden_layers + [outputs]

    @property
    def architecture(self) -> str:
        return architecture(self.layer_sizes, self.activation)

    def for_training(self) -> "MoonsSettings":
        """The same network and data with every knob that cannot change the training at its default
        (display options, classes a set does not have, the width of no hidden layer): the cache key."""
        full_batch = self.optimizer in FULL_BATCH_OPTIMIZERS  # L-BFGS: no learning rate, no minibatches
        return replace(self, discretize=DEFAULTS.discretize,
                       classes=self.n_classes if self.problem == "classification" else DEFAULTS.classes,
                       neurons=self.neurons if self.hidden_layers else DEFAULTS.neurons,
                       lr=DEFAULTS.lr if full_batch else self.lr, batch_size=None if full_batch else self.batch_size)

    def only(self, names: tuple[str, ...]) -> "MoonsSettings":
        """These settings for the fields ``names``, defaults elsewhere (a narrower cache key)."""
        return replace(DEFAULTS, **{name: getattr(self, name) for name in names})


def architecture(sizes: list[int], activation: str) -> str:
    """E.g. '2-3-2 tanh', or '2-2, no hidden layer'."""
    text = "-".join(map(str, sizes))
    return f"{text} {activation}" if len(sizes) > 2 else f"{text}, no hidden layer"


DATA_FIELDS = ("dataset", "classes", "n_points", "noise", "train_ratio", "data_seed")
KNOBS: dict[str, Knob] = {f.name: f.metadata["knob"] for f in fields(MoonsSettings)}
DEFAULTS = MoonsSettings()


# ---- the URL query string -------------------------------------------------------------------
@dataclass(frozen=True)
class QueryProblem:
    """A query parameter that could not be used as it was; ``value`` is what was used instead."""

    param: str
    raw: str | None  # None: the parameter was missing
    reason: str
    value: Any

    @property
    def message(self) -> str:
        used = KNOBS[self.param].text(self.value) if self.param in KNOBS else ""
        if self.raw is None:
            return f"{quoted(self.param)} was not in the link: using the default, {used}."
        if self.param not in KNOBS:
            return f"{quoted(f'{self.param}={self.raw}')} is not a setting of this page: ignored."
        return f"{quoted(f'{self.param}={self.raw}')} {self.reason}: using the default, {used}."


def to_token(value: Any) -> str:
    """A setting's value as it appears in the URL."""
    if value is None:
        return "full"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    return str(value)


def to_query(settings: MoonsSettings) -> dict[str, str]:
    """Every setting as a query parameter (name: the field's name)."""
    return {name: to_token(getattr(settings, name)) for name in KNOBS}


def query_string(settings: MoonsSettings) -> str:
    """``to_query`` as the text after the "?" of a link: "dataset=moons&classes=2&..."."""
    return "&".join(f"{k}={v}" for k, v in to_query(settings).items())


def parse_value(name: str, raw: str) -> Any:
    """The value of setting ``name`` that ``raw`` (URL text) spells; ValueError with the reason if none."""
    spec, default = KNOBS[name], getattr(DEFAULTS, name)
    raw = raw.strip()
    if spec.options:
        for option in spec.options:
            if raw.lower() == to_token(option).lower() or _same_number(raw, option):
                return option
        shown = ", ".join(to_token(o) for o in spec.options)
        raise ValueError(f"is not one of {shown}")
    if isinstance(default, bool):
        words = {"true": True, "1": True, "yes": True, "on": True,
                 "false": False, "0": False, "no": False, "off": False}
        if raw.lower() not in words:
            raise ValueError("is not true or false")
        return words[raw.lower()]
    try:
        value = int(raw) if isinstance(default, int) else float(raw)
    except ValueError:
        raise ValueError(f"is not {'a whole number' if isinstance(default, int) else 'a number'}") from None
    if not spec.low <= value <= spec.high:  # also refuses NaN and infinity; exact for huge ints
        raise ValueError(f"is outside {to_token(spec.low)} to {to_token(spec.high)}")
    steps = (value - spec.low) / spec.step
    if abs(steps - round(steps)) > 1e-6:
        raise ValueError(f"is not a multiple of {to_token(spec.step)}")
    return type(default)(round(spec.low + round(steps) * spec.step, 10))


def _same_number(raw: str, option: Any) -> bool:
    if option is None or isinstance(option, (bool, str)):
        return False
    try:
        return math.isclose(float(raw), option, rel_tol=1e-9)
    except ValueError:
        return False


def settings_from_query(query: Mapping[str, str | list[str]],
                        report_missing: bool = True) -> tuple[MoonsSettings, list[QueryProblem]]:
    """Settings from URL parameters: each missing or unusable one falls back to its default.

    An empty query is tutorial A's setup and no problem. Otherwise every parameter that is
    missing, out of range or garbage gets a QueryProblem naming it (missing ones only with
    ``report_missing``), and unknown parameters are reported as ignored.
    """
    values, problems = {}, []
    for name, raw in query.items():
        raw = raw[-1] if isinstance(raw, list) else raw
        if name not in KNOBS:
            problems.append(QueryProblem(name, raw, "unknown", None))
            continue
        try:
            values[name] = parse_value(name, raw)
        except ValueError as error:
            problems.append(QueryProblem(name, raw, str(error), getattr(DEFAULTS, name)))
    if query and report_missing:
        problems += [QueryProblem(name, None, "missing", getattr(DEFAULTS, name))
                     for name in KNOBS if name not in query]
    return replace(DEFAULTS, **values), problems


# ---- experiments to try ---------------------------------------------------------------------
@dataclass(frozen=True)
class Preset:
    """One click that sets every knob to show one idea (tutorial A's settings elsewhere)."""

    name: str
    idea: str  # one sentence
    settings: MoonsSettings


PRESETS: tuple[Preset, ...] = (
    Preset("Tutorial A", "The tutorial's 2-3-2 tanh network: three hidden units are enough to bend "
           "the boundary around the moons.", DEFAULTS),
    Preset("Learning rate too high", "At lr 0.3 each step overshoots the valley: the loss jumps up and down "
           "instead of falling, and the boundary never settles.", replace(DEFAULTS, lr=0.3)),
    Preset("50 neurons overfit", "With 50 hidden units, no penalty and noisy points, the network draws "
           "islands around single training points: train accuracy 100%, test accuracy far lower.",
           replace(DEFAULTS, neurons=50, noise=0.35, l2=0.0)),
    Preset("A linear network", "With the identity activation every layer is linear, so the whole network "
           "is: its boundary is a straight line, however many neurons it has.",
           replace(DEFAULTS, activation="identity")),
    Preset("Deep sigmoid", "Four sigmoid layers each pass back at most a quarter of the gradient: the loss "
           "sits on a plateau at ln 2 ≈ 0.69 per point (a coin toss) for hundreds of passes, then escapes. "
           "'Stop when the loss levels off' is off here: switched on, it would stop on the plateau, having "
           "barely learnt.",
           replace(DEFAULTS, hidden_layers=4, neurons=3, activation="sigmoid", stop_when_flat=False)),
    Preset("Squared inputs", "Fed x₁² and x₂² instead of x₁ and x₂, a network without any hidden layer "
           "separates the circles: the circle x₁² + x₂² = r² is a straight line in those inputs.",
           replace(DEFAULTS, dataset="circles", noise=0.1, x1=False, x2=False, x1_sq=True, x2_sq=True,
                   hidden_layers=0)),
)

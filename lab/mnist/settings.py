"""The MNIST page's settings: one typed object whose fields are the knobs.

Each field of ``TrainingConfig`` carries a ``Knob`` (in its dataclass metadata): the widget that sets
it, where it sits, the values a teacher's link may give it. The widgets, the links (``KNOBS``) and the
presets all read this one table, so a new knob is one new field. Widget keys are "mnist_<field>".

    config = config_from_widgets(st.session_state)   # ValueError for unreadable hidden sizes
    st.session_state.update(widget_values(PRESETS["Best"]))

What the page keeps in st.session_state (this user's only): ACTIVE_RUN_KEY, the training job under
way; OUTCOME_KEY, the Outcome the results show; RUNS_KEY, the table of runs (the last MAX_RUNS);
and TRAINED_MODEL_KEY (lab.app.session), the model the Draw page uses.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from nn import ACTIVATIONS, INITIALIZERS, MLP, OPTIMIZERS, SCHEDULES
from nn.validation import parameter_count

from lab.app.knobs import LinkKnob
from lab.mnist.data import N_CLASSES, N_PIXELS

ACTIVE_RUN_KEY = "mnist_active_run"
OUTCOME_KEY = "mnist_outcome"
RUNS_KEY = "mnist_runs"
MAX_RUNS = 20
BATCH_SIZES = (16, 32, 64, 128, 256, 512, None)  # None: the full training set in one batch
BATCH_LABELS = ["full" if size is None else str(size) for size in BATCH_SIZES]
# One server holds a whole class, so no single run may take a large share of its memory: 2 million
# parameters (8 MB a copy; training keeps 4 or 5 copies) and, all in, about 400 MB for one run
# (one run's float copy of full MNIST is 170 MB of it). See "Run it for a class" in README.md.
MAX_PARAMETERS = 2_000_000
MAX_HIDDEN_LAYERS = 5  # with MAX_PARAMETERS: what one forward pass may cost (an upload is held to it too)
MAX_WIDTH = 4096  # units in one hidden layer
MAX_TRAINING_BYTES = 400 * 2**20
OPTIMIZER_BUFFERS = {"sgd": 0, "momentum": 1, "nesterov": 1, "adam": 2}  # parameter-sized buffers


@dataclass(frozen=True)
class Knob:
    """How one field is shown: ``widget`` (an st method name) in ``column``, with its extra keyword
    arguments, and the values a link may set (``options``, or ``low``..``high``)."""

    label: str
    column: str  # "network", "optimiser" or "loop": the page's three columns
    widget: str
    options: tuple = ()
    low: float | None = None
    high: float | None = None
    args: Mapping[str, Any] = field(default_factory=dict)


def knob(default: Any, **spec: Any) -> Any:
    """A dataclass field with ``default`` whose metadata is ``Knob(**spec)``."""
    return field(default=default, metadata={"knob": Knob(**spec)})


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer sizes from text like "256" or "128, 64"; "" means no hidden layer.

    Raises ValueError with a message fit for the page.
    """
    sizes = []
    for part in (p for p in text.replace(";", ",").replace(" ", ",").split(",") if p):
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise ValueError(f"hidden layer sizes must be whole numbers from 1 to {MAX_WIDTH}, "
                             f"separated by commas; got {part!r}")
        sizes.append(int(part))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


def network_name(layer_sizes: list[int] | tuple[int, ...], activation: str) -> str:
    """E.g. "784-256-10 relu"."""
    return "-".join(str(s) for s in layer_sizes) + f" {activation}"


@dataclass(frozen=True)
class TrainingConfig:
    """Every knob of the MNIST page. Defaults: the fast preset (>= 98% on full MNIST in seconds)."""

    hidden: tuple[int, ...] = knob(  # one wide layer learns MNIST fast; depth helps little here
        (256,), label="Hidden layer sizes", column="network", widget="text_input", args=dict(
            help="Comma-separated, e.g. 256 or 128, 64. Empty: no hidden layer (a linear classifier)."))
    activation: str = knob("relu", label="Activation", column="network", widget="selectbox",
                           options=tuple(ACTIVATIONS))  # no saturation, so large learning rates work
    init: str = knob(  # variance 2 / fan_in keeps relu activations at a sane scale
        "he", label="Initial weights", column="network", widget="selectbox", options=tuple(INITIALIZERS),
        args=dict(help="uniform: in [-1, 1] (tutorial B); xavier, he: scaled to the layer's width"))
    dropout: float = knob(0.0, label="Dropout (hidden layers)", column="network", widget="slider",
                          low=0.0, high=0.7, args=dict(step=0.05))
    l2: float = knob(0.0, label="L2 penalty", column="network", widget="number_input", low=0.0, high=1.0,
                     args=dict(step=1e-4, format="%g"))  # not needed for a short run
    l1: float = knob(0.0, label="L1 penalty", column="network", widget="number_input", low=0.0, high=1.0,
                     args=dict(step=1e-5, format="%g"))
    optimizer: str = knob("momentum", label="Optimiser", column="optimiser", widget="selectbox",
                          options=tuple(OPTIMIZERS))  # SGD with momentum: cheap steps, fast progress
    lr: float = knob(  # the largest rate that stays stable for this net with batch 64
        0.1, label="Learning rate", column="optimiser", widget="number_input", low=1e-5, high=10.0,
        args=dict(step=0.01, format="%g", help="Too large and the loss blows up; Adam wants about 0.001."))
    momentum: float = knob(0.9, label="Momentum", column="optimiser", widget="slider", low=0.0, high=0.99,
                           args=dict(step=0.01))  # used by "momentum" and "nesterov" only
    schedule: str = knob(  # lr x (1 - decay) per epoch: big steps first, fine ones later
        "exponential", label="Learning-rate schedule", column="optimiser", widget="selectbox",
        options=tuple(SCHEDULES))
    decay: float = knob(  # lr x 0.8 per epoch
        0.2, label="Decay", column="optimiser", widget="number_input", low=0.0, high=1.0, args=dict(
            step=0.01, format="%g",
            help="inverse_time, compounding: lr / (1 + decay·t); exponential: lr·(1 − decay)^t"))
    batch_size: int | None = knob(  # small batches: many updates per epoch; None = full batch
        64, label="Batch size", column="loop", widget="select_slider", options=tuple(BATCH_LABELS))
    epochs: int = knob(8, label="Epochs", column="loop", widget="slider",
                       low=1, high=50)  # 98% on full MNIST after 3-4 epochs; the rest polishes
    val_fraction: float = knob(  # held out of the training set to draw the validation curves
        0.1, label="Validation fraction", column="loop", widget="slider", low=0.0, high=0.3,
        args=dict(step=0.05, help="Held out of the training images to draw the validation curves."))
    seed: int = knob(  # one seed fixes the initial weights, the shuffling, dropout and the split
        0, label="Seed", column="loop", widget="number_input", low=0, high=2**31 - 1, args=dict(step=1))

    def layer_sizes(self) -> list[int]:
        return [N_PIXELS, *self.hidden, N_CLASSES]

    def training_bytes(self, n_rows: int) -> int:
        """About how much memory training on ``n_rows`` images takes (float32): the float copy of the
        images, the parameters with their gradient, optimiser buffers and the saved initial weights,
        and one batch's activations, deltas and dropout masks."""
        parameters = parameter_count(self.layer_sizes())
        copies = 3 + OPTIMIZER_BUFFERS.get(self.optimizer, 2)
        batch = min(self.batch_size or n_rows, n_rows)
        return 4 * (n_rows * N_PIXELS + parameters * copies + 3 * batch * sum(self.layer_sizes()))

    def check_budget(self, n_rows: int) -> None:
        """ValueError, with a message for the page, if this run would be too big for a shared server."""
        parameters = parameter_count(self.layer_sizes())
        if parameters > MAX_PARAMETERS:
            raise ValueError(f"a {self.network_name()} network has {parameters:,} weights and biases; "
                             f"this app trains at most {MAX_PARAMETERS:,}: use fewer or smaller hidden layers")
        needed = self.training_bytes(n_rows)
        if needed > MAX_TRAINING_BYTES:
            raise ValueError(f"training it on {n_rows:,} images with batch size "
                             f"{self.batch_size or 'full'} would take about {needed / 2**20:,.0f} MB of the "
                             f"shared server's memory (the limit is {MAX_TRAINING_BYTES / 2**20:,.0f} MB): "
                             "choose a smaller batch size or smaller hidden layers")

    def build_model(self) -> MLP:
        """A fresh network with these settings (float32; ValueError for a bad setting)."""
        return MLP(self.layer_sizes(), activation=self.activation, init=self.init, l2=self.l2,
                   l1=self.l1, dropout=self.dropout, seed=self.seed)

    def fit_options(self) -> dict:
        """Keyword arguments of ``MLP.fit`` for these settings."""
        return dict(epochs=self.epochs, batch_size=self.batch_size, optimizer=self.optimizer,
                    lr=self.lr, momentum=self.momentum if self.optimizer in ("momentum", "nesterov")
                    else None, schedule=self.schedule, decay=self.decay)

    def network_name(self) -> str:
        return network_name(self.layer_sizes(), self.activation)

    def summary(self) -> dict:
        """The settings as one flat row, for the table of runs."""
        schedule = f"{self.schedule} {self.decay:g}" if self.decay or self.schedule != "constant" else "constant"
        return {"network": self.network_name(), "init": self.init, "optimizer": self.optimizer,
                "lr": self.lr, "schedule": schedule, "batch": self.batch_size or "full",
                "epochs": self.epochs, "l2": self.l2, "l1": self.l1, "dropout": self.dropout}

    def replace(self, **changes) -> "TrainingConfig":
        return dataclasses.replace(self, **changes)


PRESETS: dict[str, TrainingConfig] = {
    # The default: >= 98% on full MNIST within seconds (see benchmarks/README.md).
    "Fast": TrainingConfig(),
    # Tutorial B: 784-30-10 tanh, weights uniform in [-1, 1], momentum, a compounding decay.
    # Its large initial weights saturate tanh: a lesson in why initialisation matters.
    "Tutorial B": TrainingConfig(hidden=(30,), activation="tanh", init="uniform", optimizer="momentum",
                                 lr=0.05, momentum=0.9, schedule="compounding", decay=0.01,
                                 batch_size=32, epochs=10),
    # The best within a minute: wider, dropout and L2 against overfitting, a cosine schedule.
    "Best": TrainingConfig(hidden=(512,), dropout=0.2, l2=1e-4, lr=0.1, schedule="cosine", decay=0.0,
                           batch_size=64, epochs=16, val_fraction=0.05),
}
FIELDS: dict[str, Knob] = {f.name: f.metadata["knob"] for f in fields(TrainingConfig)}


def widget_values(config: TrainingConfig) -> dict[str, Any]:
    """Session-state values of the page's knob widgets (keys "mnist_<field>") for ``config``."""
    values = {f"mnist_{name}": getattr(config, name) for name in FIELDS}
    values["mnist_hidden"] = ", ".join(str(h) for h in config.hidden)
    values["mnist_batch_size"] = "full" if config.batch_size is None else str(config.batch_size)
    return values


def config_from_widgets(state: Mapping[str, Any]) -> TrainingConfig:
    """The TrainingConfig the knob widgets describe (ValueError for unreadable hidden sizes)."""
    values = {name: state[f"mnist_{name}"] for name in FIELDS}
    batch = values["batch_size"]
    return TrainingConfig(**{**values, "hidden": parse_hidden(values["hidden"]), "epochs": int(values["epochs"]),
                             "seed": int(values["seed"]), "batch_size": None if batch == "full" else int(batch)})


def _link_knob(name: str, spec: Knob, default: Any) -> LinkKnob:
    if name == "hidden":  # link text "128,64" <-> widget text "128, 64"
        return LinkKnob(f"mnist_{name}", spec.label, default, write=lambda text: text.replace(" ", ""),
                        read=lambda raw: ", ".join(str(size) for size in parse_hidden(raw)))
    return LinkKnob(f"mnist_{name}", spec.label, default, spec.low, spec.high, spec.options)


# What a teacher's link sets, locks (lock=lr,epochs) or hides (hide=l1): one LinkKnob per field.
_DEFAULTS = widget_values(TrainingConfig())
KNOBS = {name: _link_knob(name, spec, _DEFAULTS[f"mnist_{name}"]) for name, spec in FIELDS.items()}

"""'Copy as Python': a short script that reproduces a run on screen with nn alone.

    print(moons_script(settings))        # the Moons playground's run for these settings
    print(mnist_script(config, "sample"))  # the MNIST page's run for this TrainingConfig

The scripts are plain text built from the settings; run from the repository root (``PYTHONPATH=.``)
they train the same network on the same data with the same options, and their last line prints
the test accuracy (R² for regression) that the page shows. tests/test_python_script.py runs them.
"""
from __future__ import annotations

import math

from .mnist_data import N_CLASSES, N_PIXELS
from .mnist_training import TrainingConfig
from .playground import PlaygroundSettings
from .playground_data import PLAIN, SPAN

# What each feature input is, as NumPy code over the points X (n, 2): the same expressions as
# lab.playground_data.FEATURES, so the numbers are identical to the last bit.
FEATURE_CODE = {
    "x1": "X[:, 0]", "x2": "X[:, 1]", "x1_sq": "X[:, 0] ** 2", "x2_sq": "X[:, 1] ** 2",
    "x1_x2": "X[:, 0] * X[:, 1]", "sin_x1": "np.sin(X[:, 0])", "sin_x2": "np.sin(X[:, 1])",
}
# The regression sets of lab.playground_data.REGRESSION_SETS, as code.
TARGET_CODE = {
    "plane": "(X[:, 0] + X[:, 1]) / {twice_span!r}",
    "bump": "2 * np.exp(-(X ** 2).sum(axis=1) / (2 * 0.6 ** 2)) - 1",
}


def _text(value: str) -> str:
    """A string literal in double quotes, as the house style writes them."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _call(name: str, args: list[str], indent: int = 4, width: int = 100) -> str:
    """``name(arg, arg, ...)`` on one line, or wrapped under the opening parenthesis when too long."""
    line = f"{name}({', '.join(args)})"
    if len(line) <= width:
        return line
    lines, current = [], f"{name}("
    pad = " " * indent
    for i, arg in enumerate(args):
        piece = arg + (", " if i < len(args) - 1 else ")")
        if len(current) + len(piece.rstrip()) > width and current.strip():
            lines.append(current.rstrip())
            current = pad
        current += piece
    lines.append(current)
    return "\n".join(lines)


def _last_line(has_test: bool, regression: bool) -> str:
    score = "R²" if regression else "accuracy"
    if not has_test:  # no held-out points: the page's "Test" metric says n/a; show the training score
        return f'print(f"train {score} {{model.score(X_train, y_train):.3f}}")'
    return f'print(f"test {score} {{model.score(X_test, y_test):.3f}}")'


def moons_script(settings: PlaygroundSettings) -> str:
    """A script that trains the Moons playground's network for ``settings`` (generated data only)."""
    s = settings.for_training()
    regression = s.problem == "regression"
    test_ratio = round(1.0 - s.train_ratio, 10)
    features = s.features
    uses_numpy = regression or features != PLAIN
    lines = [f'"""The Moons playground\'s run: {s.dataset}, {s.n_points} points, noise {s.noise:g}, '
             f'a {s.architecture} network."""']
    if uses_numpy:
        lines.append("import numpy as np")
    if regression and test_ratio > 0:
        lines.append("from sklearn.model_selection import train_test_split")
    lines.append("")
    lines.append("from nn import MLP")
    if not regression:
        lines.append("from nn.datasets import make_planar")
    if s.stop_when_flat:
        lines.append("from nn.stopping import StopWhenFlat")
    lines.append("")

    if regression:
        target = TARGET_CODE[s.dataset].format(twice_span=2 * SPAN)
        lines += [f"# {s.n_points} points uniform on the square [-{SPAN:g}, {SPAN:g}]², "
                  f"target = {s.dataset} + noise {s.noise:g} · N(0, 1)",
                  f"rng = np.random.default_rng({s.data_seed})",
                  f"X = rng.uniform(-{SPAN!r}, {SPAN!r}, size=({s.n_points}, 2))",
                  f"y = {target} + {s.noise!r} * rng.standard_normal({s.n_points})"]
        if test_ratio > 0:
            n_test = math.ceil(test_ratio * s.n_points)
            lines.append(f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={n_test}, "
                         f"random_state={s.data_seed})")
        else:
            lines.append("X_train, y_train = X, y  # train ratio 1: no test points")
    else:
        args = [_text(s.dataset), str(s.n_points), f"noise={s.noise!r}", f"seed={s.data_seed}"]
        if s.dataset in ("spiral", "blobs"):
            args.append(f"classes={s.n_classes}")
        if test_ratio > 0:
            args.append(f"test_ratio={test_ratio!r}")
        lines += ["# points (n, 2) and labels (n,), split into train and test as the page splits them",
                  f"data = {_call('make_planar', args)}",
                  "X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test"]
    has_test = test_ratio > 0

    if features != PLAIN:
        labels = ", ".join(_label(f) for f in features)
        columns = ", ".join(FEATURE_CODE[f] for f in features)
        lines += ["", "", "def inputs(X):",
                  f'    """What the network reads for points X (n, 2): {labels}, one column each."""',
                  f"    return np.column_stack([{columns}])", "", ""]
        lines.append("X_train, X_test = inputs(X_train), inputs(X_test)" if has_test
                     else "X_train = inputs(X_train)")
    lines.append("")

    model_args = [repr(s.layer_sizes), f"activation={_text(s.activation)}", f"init={_text(s.init)}"]
    if s.l2:
        model_args.append(f"l2={s.l2!r}")
    if s.l1:
        model_args.append(f"l1={s.l1!r}")
    model_args += [f"loss={_text('mse' if regression else 'cross_entropy')}", f"reduction={_text(s.reduction)}",
                   f"seed={s.init_seed}", 'dtype="float64"']
    lines.append(f"model = {_call('MLP', model_args)}")
    fit_args = ["X_train", "y_train", f"epochs={s.passes}"]
    if s.batch_size is not None:
        fit_args.append(f"batch_size={s.batch_size}")
    if s.optimizer != "sgd":
        fit_args.append(f"optimizer={_text(s.optimizer)}")
    fit_args.append(f"lr={s.lr!r}")
    if s.stop_when_flat:
        fit_args.append("callback=StopWhenFlat()")
    lines.append(f"history = {_call('model.fit', fit_args)}")
    lines.append('print(f"trained {len(history.epoch)} passes, final loss {history.train_loss[-1]:.4g}")')
    lines.append(_last_line(has_test, regression))
    return "\n".join(lines) + "\n"


def _label(feature: str) -> str:
    from .playground_data import FEATURES

    return FEATURES[feature].label


def mnist_script(config: TrainingConfig, dataset: str) -> str:
    """A script that trains the MNIST page's network for ``config`` on ``dataset`` ("sample", ...)."""
    c = config
    sizes = [N_PIXELS, *c.hidden, N_CLASSES]
    lines = [f'"""The MNIST page\'s run: a {c.network_name()} network on {_text(dataset)}."""',
             "import numpy as np", "", "from nn import MLP", "from nn.datasets import load_mnist", "",
             f"X_train, y_train, X_test, y_test = load_mnist({_text(dataset)})  # uint8 images (n, 784), labels (n,)",
             "", "", "def pixels(X):",
             '    """Pixels as the network reads them: float32 in [0, 1]."""',
             "    return X.astype(np.float32) * np.float32(1 / 255)", "", ""]
    validation = round(c.val_fraction, 10) > 0
    if validation:
        lines += [f"# Hold out {c.val_fraction:.0%} of the training images for the validation curves, "
                  f"as the page does (seed {c.seed}).",
                  f"order = np.random.default_rng({c.seed}).permutation(len(X_train))",
                  f"n_val = round(len(X_train) * {c.val_fraction!r})",
                  "X_val, y_val = pixels(X_train[order[:n_val]]), y_train[order[:n_val]]",
                  "X_fit, y_fit = pixels(X_train[order[n_val:]]), y_train[order[n_val:]]"]
    else:
        lines.append("X_fit, y_fit = pixels(X_train), y_train")
    lines.append("X_test = pixels(X_test)")
    lines.append("")
    model_args = [repr(sizes), f"activation={_text(c.activation)}", f"init={_text(c.init)}"]
    for name in ("l2", "l1", "dropout"):
        if getattr(c, name):
            model_args.append(f"{name}={getattr(c, name)!r}")
    model_args.append(f"seed={c.seed}")
    lines.append(f"model = {_call('MLP', model_args)}")
    options = c.fit_options()
    fit_args = ["X_fit", "y_fit", f"epochs={options['epochs']}", f"batch_size={options['batch_size']!r}",
                f"optimizer={_text(options['optimizer'])}", f"lr={options['lr']!r}"]
    if options["momentum"] is not None:
        fit_args.append(f"momentum={options['momentum']!r}")
    fit_args += [f"schedule={_text(options['schedule'])}", f"decay={options['decay']!r}"]
    if validation:
        fit_args.append("validation_data=(X_val, y_val)")
    lines.append(f"history = {_call('model.fit', fit_args)}")
    lines.append('print(f"{history.message}; final training loss {history.train_loss[-1]:.4f}")')
    lines.append(_last_line(True, False))
    return "\n".join(lines) + "\n"

"""'Copy as Python' for the Moons page: a script that trains the run on screen with nn alone."""
from __future__ import annotations

import math

from lab.app.script import call, last_line, literal
from lab.moons.settings import MoonsSettings
from lab.moons.data import PLAIN, SPAN

# What each feature input is, as NumPy code over the points X (n, 2): the same expressions as
# lab.moons.data.FEATURES, so the numbers are identical to the last bit.
FEATURE_CODE = {
    "x1": "X[:, 0]", "x2": "X[:, 1]", "x1_sq": "X[:, 0] ** 2", "x2_sq": "X[:, 1] ** 2",
    "x1_x2": "X[:, 0] * X[:, 1]", "sin_x1": "np.sin(X[:, 0])", "sin_x2": "np.sin(X[:, 1])",
}
# The regression sets of lab.moons.data.REGRESSION_SETS, as code.
TARGET_CODE = {
    "plane": "(X[:, 0] + X[:, 1]) / {twice_span!r}",
    "bump": "2 * np.exp(-(X ** 2).sum(axis=1) / (2 * 0.6 ** 2)) - 1",
}



def moons_script(settings: MoonsSettings) -> str:
    """A script that trains the Moons page's network for ``settings`` (generated data only)."""
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
        args = [literal(s.dataset), str(s.n_points), f"noise={s.noise!r}", f"seed={s.data_seed}"]
        if s.dataset in ("spiral", "blobs"):
            args.append(f"classes={s.n_classes}")
        if test_ratio > 0:
            args.append(f"test_ratio={test_ratio!r}")
        lines += ["# points (n, 2) and labels (n,), split into train and test as the page splits them",
                  f"data = {call('make_planar', args)}",
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

    model_args = [repr(s.layer_sizes), f"activation={literal(s.activation)}", f"init={literal(s.init)}"]
    if s.l2:
        model_args.append(f"l2={s.l2!r}")
    if s.l1:
        model_args.append(f"l1={s.l1!r}")
    model_args += [f"loss={literal('mse' if regression else 'cross_entropy')}", f"reduction={literal(s.reduction)}",
                   f"seed={s.init_seed}", 'dtype="float64"']
    lines.append(f"model = {call('MLP', model_args)}")
    fit_args = ["X_train", "y_train", f"epochs={s.passes}"]
    if s.batch_size is not None:
        fit_args.append(f"batch_size={s.batch_size}")
    if s.optimizer != "sgd":
        fit_args.append(f"optimizer={literal(s.optimizer)}")
    fit_args.append(f"lr={s.lr!r}")
    if s.stop_when_flat:
        fit_args.append("callback=StopWhenFlat()")
    lines.append(f"history = {call('model.fit', fit_args)}")
    lines.append('print(f"trained {len(history.epoch)} passes, final loss {history.train_loss[-1]:.4g}")')
    lines.append(last_line(has_test, regression))
    return "\n".join(lines) + "\n"


def _label(feature: str) -> str:
    from lab.moons.data import FEATURES

    return FEATURES[feature].label

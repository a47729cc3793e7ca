"""'Copy as Python' for the Moons page: a script that trains the run on screen with nn alone."""
from __future__ import annotations

import math

from lab.app.script import call, last_line, literal
from lab.moons.settings import MoonsSettings
from lab.moons.data import FEATURES, PLAIN, REGRESSION_SETS, SPAN


def moons_script(settings: MoonsSettings) -> str:
    """A script that trains the Moons page's network for ``settings`` (generated data only)."""
    s = settings.for_training()
    regression = s.problem == "regression"
    test_ratio = round(1.0 - s.train_ratio, 10)
    has_test, features = test_ratio > 0, s.features
    lines = [f'"""The Moons playground\'s run: {s.dataset}, {s.n_points} points, noise {s.noise:g}, '
             f'a {s.architecture} network."""',
             "import numpy as np" if regression or features != PLAIN else None,
             "from sklearn.model_selection import train_test_split" if regression and has_test else None,
             "", "from nn import MLP",
             None if regression else "from nn.datasets import make_planar",
             "from nn.stopping import StopWhenFlat" if s.stop_when_flat else None, ""]
    if regression:
        lines += [f"# {s.n_points} points uniform on the square [-{SPAN:g}, {SPAN:g}]², "
                  f"target = {s.dataset} + noise {s.noise:g} · N(0, 1)",
                  f"rng = np.random.default_rng({s.data_seed})",
                  f"X = rng.uniform(-{SPAN!r}, {SPAN!r}, size=({s.n_points}, 2))",
                  f"y = {REGRESSION_SETS[s.dataset].code} + {s.noise!r} * rng.standard_normal({s.n_points})",
                  f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size="
                  f"{math.ceil(test_ratio * s.n_points)}, random_state={s.data_seed})" if has_test
                  else "X_train, y_train = X, y  # train ratio 1: no test points"]
    else:
        args = [literal(s.dataset), str(s.n_points), f"noise={s.noise!r}", f"seed={s.data_seed}"]
        args += [f"classes={s.n_classes}"] if s.dataset in ("spiral", "blobs") else []
        args += [f"test_ratio={test_ratio!r}"] if has_test else []
        lines += ["# points (n, 2) and labels (n,), split into train and test as the page splits them",
                  f"data = {call('make_planar', args)}",
                  "X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test"]
    if features != PLAIN:
        lines += ["", "", "def inputs(X):",
                  f'    """What the network reads for points X (n, 2): '
                  f'{", ".join(FEATURES[f].label for f in features)}, one column each."""',
                  f"    return np.column_stack([{', '.join(FEATURES[f].code for f in features)}])", "", "",
                  "X_train, X_test = inputs(X_train), inputs(X_test)" if has_test
                  else "X_train = inputs(X_train)"]
    model_args = [repr(s.layer_sizes), f"activation={literal(s.activation)}", f"init={literal(s.init)}",
                  *([f"l2={s.l2!r}"] if s.l2 else []), *([f"l1={s.l1!r}"] if s.l1 else []),
                  f"loss={literal('mse' if regression else 'cross_entropy')}",
                  f"reduction={literal(s.reduction)}", f"seed={s.init_seed}", 'dtype="float64"']
    fit_args = ["X_train", "y_train", f"epochs={s.passes}",
                *([f"batch_size={s.batch_size}"] if s.batch_size is not None else []),
                *([f"optimizer={literal(s.optimizer)}"] if s.optimizer != "sgd" else []), f"lr={s.lr!r}",
                *(["callback=StopWhenFlat()"] if s.stop_when_flat else [])]
    lines += ["", f"model = {call('MLP', model_args)}", f"history = {call('model.fit', fit_args)}",
              'print(f"trained {len(history.epoch)} passes, final loss {history.train_loss[-1]:.4g}")',
              last_line(has_test, regression)]
    return "\n".join(line for line in lines if line is not None) + "\n"

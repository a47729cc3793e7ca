"""'Copy as Python': the generated scripts, run on their own, print the numbers the pages show.

Each script runs in a subprocess from the repository root with PYTHONPATH=. (as a student would run
it), so it can only use what it imports: nn, NumPy and the data loaders.
"""
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lab.mnist.data import to_network_input
from lab.mnist.results import evaluate
from lab.mnist.training import TrainingConfig, run_training, start_run
from lab.moons.settings import DEFAULTS, PRESETS, to_query
from lab.moons.run import run_moons
from lab.mnist.script import mnist_script
from lab.moons.script import moons_script
from nn.datasets import load_mnist
from nn.stopping import StopWhenFlat, levelled_off

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/moons.py"


def run_script(code: str) -> str:
    """Run ``code`` as a file from the repository root; its standard output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def printed(output: str, what: str = "test accuracy") -> float:
    return float(re.search(rf"^{what} (-?\d+\.\d+)$", output, re.M).group(1))


# ---- the Moons page, through the page itself -------------------------------------------------------
PAGE_SETTINGS = {
    "tutorial A": DEFAULTS,
    "squared inputs, no hidden layer": next(p.settings for p in PRESETS if p.name == "Squared inputs"),
    "adam, minibatches, stop rule off": replace(DEFAULTS, optimizer="adam", batch_size=50, passes=1000,
                                                stop_when_flat=False, neurons=5),
    "momentum, x1·x2 input, 3 spiral arms": replace(DEFAULTS, dataset="spiral", classes=3, x1_x2=True,
                                                    optimizer="momentum", lr=0.003, passes=2000, neurons=8),
}


@pytest.mark.parametrize("name", list(PAGE_SETTINGS))
def test_the_pages_script_prints_the_pages_test_accuracy(app_test, name):
    settings = PAGE_SETTINGS[name]
    at = app_test(PAGE, default_timeout=180)
    for key, value in to_query(settings).items():
        at.query_params[key] = value
    at.session_state["moons_python"] = True  # open the 'Copy as Python' expander
    at.run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}["Test accuracy"]
    scripts = [c.value for c in at.code if "print(f\"test accuracy" in c.value]
    assert len(scripts) == 1
    script = scripts[0]
    assert script.rstrip().splitlines()[-1] == 'print(f"test accuracy {model.score(X_test, y_test):.3f}")'
    assert ("StopWhenFlat()" in script) == settings.stop_when_flat
    accuracy = printed(run_script(script))
    assert f"{accuracy:.1%}" == shown, (name, accuracy, shown)


# ---- the Moons scripts against the page's computation ---------------------------------------------------
@pytest.mark.parametrize("settings", [
    replace(DEFAULTS, dataset="bump", lr=0.003, passes=1000, stop_when_flat=False),  # regression: R²
    replace(DEFAULTS, dataset="plane", lr=0.003, x1_sq=True, sin_x2=True, optimizer="nesterov"),
    replace(DEFAULTS, dataset="xor", train_ratio=1.0, x1=False, x2=False, x1_x2=True, passes=500),  # no test set
], ids=["bump regression", "plane, features, nesterov", "xor, train ratio 1"])
def test_moons_script_reproduces_the_run(settings):
    run = run_moons(settings)
    output = run_script(moons_script(settings))
    assert f"trained {run.passes_run} passes" in output
    if run.kind == "regression":
        assert printed(output, "test R²") == round(run.test_accuracy, 3)
    elif run.test_accuracy is None:
        assert printed(output, "train accuracy") == round(run.train_accuracy, 3)
    else:
        assert printed(output) == round(run.test_accuracy, 3)


def test_moons_script_is_short_and_uses_nn_only():
    script = moons_script(DEFAULTS)
    imports = [line for line in script.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["from nn import MLP", "from nn.datasets import make_planar",
                       "from nn.stopping import StopWhenFlat"]
    assert len(script.splitlines()) < 20
    compile(script, "run.py", "exec")


# ---- the stop rule, in nn --------------------------------------------------------------------------------
def test_stop_when_flat_stops_where_the_page_does():
    run = run_moons(DEFAULTS)
    assert run.flat_at is not None
    assert levelled_off(run.history.train_loss) is not None
    rule = StopWhenFlat()
    model = run.model(run.snapshots[0].theta)
    history = model.fit(run.inputs(run.data.X_train), run.data.y_train, epochs=20000, lr=0.01, callback=rule)
    assert rule.stopped_at == run.flat_at == len(history.epoch) and history.status == "stopped"


# ---- the MNIST page --------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", [
    TrainingConfig(hidden=(16,), dropout=0.2, l2=1e-4, epochs=1, batch_size=64),  # momentum, dropout, validation
    TrainingConfig(hidden=(), optimizer="adam", lr=0.001, schedule="constant", decay=0.0, epochs=1, batch_size=128,
                   val_fraction=0.0, seed=3),
], ids=["momentum dropout", "adam linear"])
def test_mnist_script_prints_the_pages_accuracy(config):
    X_train, y_train, X_test, y_test = load_mnist("sample")
    run = start_run(config, "sample", len(X_train))
    run_training(run, X_train, y_train, report=False)
    accuracy = evaluate(run.model, X_test, y_test).accuracy
    assert run.model.score(to_network_input(X_test), y_test) == accuracy
    script = mnist_script(config, "sample")
    assert script.rstrip().splitlines()[-1] == 'print(f"test accuracy {model.score(X_test, y_test):.3f}")'
    assert printed(run_script(script)) == round(accuracy, 3)

"""Issue 19 on the pages (AppTest): the explanations beside the charts, the runs kept and compared,
and the MNIST page's script and 'differs from the previous run' column."""
from dataclasses import replace

import numpy as np

from lab.app.widgets import LABEL
from lab.moons.chart_widgets import RUNS
from lab.moons.settings import DEFAULTS
from lab.moons.run import run_moons
from lab.mnist.compare import DIFFERS, with_differences
from lab.moons.compare import MAX_RUNS, differing, remember, same_start, same_start_note
from tests.support.mnist_page import PAGE as MNIST_PAGE, train
from tests.support.scripts import printed, run_script

MOONS = "pages/moons.py"


def _popovers(at) -> list[str]:
    return [p.proto.popover.label for p in at.get("popover")]


def test_moons_explains_each_chart_with_its_numbers(app_test):
    at = app_test(MOONS, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert _popovers(at).count(LABEL) >= 4  # boundary, diagram, loss curve, the open tab
    run = run_moons(DEFAULTS)
    text = " ".join(m.value for m in at.markdown)
    w = run.model().W[0]
    assert f"**h1.1** computes z = {'−' if w[0, 0] < 0 else ''}{abs(w[0, 0]):.2f}·x₁" in text
    assert f"{run.test_loss / run.train_loss:.1f}× the train loss" in text
    # Runs are kept as the settings change; the same settings again do not add one.
    at.query_params.clear()
    at.session_state["moons_lr"] = 0.03
    at.run()
    at.session_state["moons_lr"] = 0.03
    at.run()
    records = at.session_state[RUNS]
    assert [r.number for r in records] == [1, 2] and differing(records) == ["lr"]
    assert same_start(records) == [[1, 2]]


def test_run_records_keep_the_last_six():
    records = []
    for k, lr in enumerate((0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)):
        records = remember(records, run_moons(replace(DEFAULTS, lr=lr, passes=100, init_seed=k % 2)))
    assert len(records) == MAX_RUNS and [r.number for r in records] == [2, 3, 4, 5, 6, 7]
    assert set(differing(records)) == {"lr", "init_seed"}
    assert same_start(records) == [[2, 4, 6], [3, 5, 7]]
    assert "runs 2, 4 and 6; runs 3, 5 and 7" in same_start_note(records)
    # A run already kept moves to the end with a new number.
    again = remember(records, run_moons(replace(DEFAULTS, lr=0.003, passes=100, init_seed=1)))
    assert [r.number for r in again] == [3, 4, 5, 6, 7, 8]  # run 2 (lr 0.003, weight seed 1) moved to 8
    last = again[-1]
    assert last.settings.lr == 0.003 and np.isfinite(last.proba).all()


def test_differs_from_the_previous_run():
    rows = [{"run": 1, "lr": 0.1, "epochs": 8}, {"run": 2, "lr": 0.05, "epochs": 8},
            {"run": 3, "lr": 0.05, "epochs": 8}]
    shown = with_differences(rows, ("lr", "epochs"))
    assert [r[DIFFERS] for r in shown] == ["first run", "lr 0.1 → 0.05", "same settings"]


def test_mnist_explains_and_copies_as_python(app_test):
    at = app_test(MNIST_PAGE)
    at.session_state["mnist_python"] = True
    at = train(at, hidden="16", epochs=1)
    assert _popovers(at).count(LABEL) == 3  # curves, confusion matrix, weight images
    text = " ".join(m.value for m in at.markdown)
    assert "the diagonal holds the right answers" in text and "its weights run from" in text
    [script] = [c.value for c in at.code if "load_mnist" in c.value]
    shown = [m.value for m in at.metric if m.label == "Test accuracy"][0]
    accuracy = printed(run_script(script))
    assert abs(accuracy - float(shown.rstrip("%")) / 100) < 0.0006, (accuracy, shown)
    # A second run: the table says what changed.
    at.slider(key="mnist_epochs").set_value(2)
    at.button(key="mnist_train").click().run()
    [table] = [d.value for d in at.dataframe if DIFFERS in d.value.columns]
    assert list(table[DIFFERS]) == ["epochs 1 → 2", "first run"]  # newest first

"""A class on one server: sessions keep to themselves, what they share cannot change, memory is bounded.

Two AppTest sessions in one process share what two browsers on one server share: the module-level
caches (st.cache_data, st.cache_resource) and the training slots; each has its own session state.
"""
from __future__ import annotations

import ast
import dataclasses
import logging
import pickle
from pathlib import Path

import numpy as np
import pytest

from lab.draw.model import load_default_model
from lab.mnist.data import DigitData
from lab.mnist.settings import MAX_PARAMETERS, MAX_RUNS, OUTCOME_KEY, PRESETS, RUNS_KEY, TrainingConfig
from lab.mnist.training import start_run
from lab.mnist.widgets import data_overview, finish_run, load_data
from lab.app.session import TRAINED_MODEL_KEY
from nn.datasets import load_mnist
from nn.validation import parameter_count

REPO = Path(__file__).resolve().parents[2]
logging.getLogger("streamlit").setLevel(logging.ERROR)  # cached calls outside a server warn


@pytest.fixture
def one_session_app(app_test, monkeypatch):
    """app.py under AppTest, where a session moves between pages.

    AppTest resets Streamlit's legacy pages/ mode before every run, so lab.app.page.use_app_navigation
    would st.rerun() each run and a button's click would be spent on the first, discarded pass (a
    real server switches that mode off once). The pages run inside app.py's navigation anyway here.
    """
    monkeypatch.setattr("lab.app.page.use_app_navigation", lambda: None)
    return lambda: app_test("app.py")


def mnist_session(one_session_app, hidden: str = "8"):
    """A session of the whole app (app.py's navigation) that trained a tiny net on the MNIST page."""
    at = one_session_app()
    at.run()
    at.switch_page("pages/mnist.py").run()
    at.text_input(key="mnist_hidden").set_value(hidden)
    at.slider(key="mnist_epochs").set_value(1)
    at.button(key="mnist_train").click().run()
    assert not at.exception, at.exception
    return at


# ---- isolation ----------------------------------------------------------------------------------
def test_a_model_trained_in_one_session_is_not_seen_by_another(one_session_app):
    alice = mnist_session(one_session_app, hidden="8")
    bob = one_session_app()
    bob.run()
    bob.switch_page("pages/mnist.py").run()
    assert not bob.exception
    assert TRAINED_MODEL_KEY not in bob.session_state and OUTCOME_KEY not in bob.session_state
    assert bob.text_input(key="mnist_hidden").value == "256"  # his settings, not Alice's "8"
    assert not [m for m in bob.metric if m.label == "Test accuracy"]
    # On the Draw page Alice is offered her network; Bob only has the shared default one.
    alice.switch_page("pages/draw.py").run()
    bob.switch_page("pages/draw.py").run()
    assert not alice.exception and not bob.exception
    assert "784-8-10 relu" in str(alice.radio(key="draw_model").options)
    assert not bob.get("radio") and "784-128-10" in bob.caption[0].value  # the default network
    # Bob trains his own: Alice's network is untouched and a different object.
    alice_model = alice.session_state[TRAINED_MODEL_KEY].model
    weights = alice_model.theta.copy()
    bob.switch_page("pages/mnist.py").run()
    bob.text_input(key="mnist_hidden").set_value("12")
    bob.slider(key="mnist_epochs").set_value(1)
    bob.button(key="mnist_train").click().run()
    bob_model = bob.session_state[TRAINED_MODEL_KEY].model
    assert bob_model is not alice_model and bob_model.layer_sizes == (784, 12, 10)
    np.testing.assert_array_equal(alice.session_state[TRAINED_MODEL_KEY].model.theta, weights)
    assert len(alice.session_state[RUNS_KEY]) == len(bob.session_state[RUNS_KEY]) == 1


def test_moons_settings_stay_in_their_session(app_test):
    alice = app_test("pages/moons.py", default_timeout=120)
    alice.query_params["neurons"] = "5"
    alice.session_state["moons_show_sweep"] = False
    alice.run()
    bob = app_test("pages/moons.py", default_timeout=120)
    bob.session_state["moons_show_sweep"] = False
    bob.run()
    assert not alice.exception and not bob.exception
    assert alice.session_state["moons_neurons"] == 5 and bob.session_state["moons_neurons"] == 3
    assert alice.query_params["neurons"] in ("5", ["5"]) and bob.query_params["neurons"] in ("3", ["3"])


# ---- what is shared cannot be changed ------------------------------------------------------------
def test_the_shared_default_model_is_read_only():
    first, second = load_default_model(), load_default_model()
    assert first is second  # one cached copy (lru_cache): every session gets this very object
    model = first.model
    before = model.theta.copy()
    views = [model.theta, model.theta_w, *model.params, *model.W, *model.b, model.grad, *model.dW]
    for array in views:
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
        with pytest.raises(ValueError, match="read-only"):
            array.flat[0] += 1.0
    X, y, _, _ = load_mnist("sample", scale=True)
    with pytest.raises(ValueError, match="read-only"):
        model.fit(X[:64], y[:64], epochs=1)
    np.testing.assert_array_equal(model.theta, before)
    # Reading it still works (the Draw page only reads): the same answer twice.
    np.testing.assert_array_equal(model.predict_proba(X[:5]), model.predict_proba(X[:5]))
    np.testing.assert_array_equal(model.input_gradient(X[:1], 3), model.input_gradient(X[:1], 3))


def test_cached_data_is_shared_and_read_only():
    """The data sets live once in st.cache_resource, shared by every session without a copy, so
    their arrays are read-only: no session can scribble on what another one trains on. The small
    overview arrays come from st.cache_data, a fresh copy for every call."""
    first = load_data("sample")
    assert load_data("sample") is first
    for array in (first.X_train, first.y_train, first.X_test, first.y_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[:3] = 9
    counts, means, _ = data_overview("sample")
    counts[:] = -1
    means[:] = -1
    assert (data_overview("sample")[0] >= 0).all() and (data_overview("sample")[1] >= 0).all()


def _arrays(obj: object, depth: int = 3) -> list[np.ndarray]:
    """The arrays inside a result (dataclass fields, lists, tuples, dicts), a few levels deep."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if depth == 0:
        return []
    children = (list(obj.values()) if isinstance(obj, dict) else list(obj) if isinstance(obj, (list, tuple))
                else list(vars(obj).values()) if hasattr(obj, "__dict__") else [])
    return [a for child in children for a in _arrays(child, depth - 1)]


def test_cached_moons_runs_are_copies():
    from lab.moons.settings import DEFAULTS
    from lab.moons.widgets import cached_run

    def contents(run) -> list[bytes]:  # field by field (pickle's memo differs between copies)
        return [pickle.dumps(getattr(run, f.name)) for f in dataclasses.fields(run)]

    settings = dataclasses.replace(DEFAULTS, passes=200)
    first = cached_run(settings)
    pristine = contents(first)
    arrays = [a for a in _arrays(first) if a.flags.writeable and a.size]
    assert len(arrays) >= 3
    for a in arrays:
        a[...] = 0
    second = cached_run(settings)
    assert second is not first and contents(second) == pristine


# ---- memory stays bounded ------------------------------------------------------------------------
def _is_cache(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("cache_data", "cache_resource")


def _caches() -> list[tuple[str, set[str], bool]]:
    """Every st.cache_data / st.cache_resource in lab/ and pages/: (where, its keyword arguments,
    whether the cached function takes arguments; assumed so when it is wrapped by a call)."""
    found = []
    for path in sorted([*(REPO / "lab").rglob("*.py"), *(REPO / "pages").glob("*.py")]):
        tree = ast.parse(path.read_text())
        decorators = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if _is_cache(deco.func if isinstance(deco, ast.Call) else deco):
                        decorators.add(id(deco))
                        keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
                        found.append((f"{path.relative_to(REPO)}:{deco.lineno}", keywords, bool(node.args.args)))
        for node in ast.walk(tree):  # st.cache_data(max_entries=...)(function)
            if isinstance(node, ast.Call) and _is_cache(node.func) and id(node) not in decorators:
                found.append((f"{path.name}:{node.lineno}", {k.arg for k in node.keywords}, True))
    return found


def test_every_cache_is_bounded():
    """Each cache holds a bounded number of entries: max_entries, or a function without arguments."""
    caches = _caches()
    assert len(caches) >= 8  # the audit sees the caches that exist (mnist, draw, theory, moons)
    unbounded = [where for where, keywords, takes_arguments in caches
                 if takes_arguments and "max_entries" not in keywords]
    assert not unbounded, f"caches without max_entries: {unbounded}"


def test_the_runs_table_keeps_the_last_runs_only():
    X, y, Xt, yt = load_mnist("sample")
    data = DigitData("sample", X[:200], y[:200], Xt[:100], yt[:100], tuple("0123456789"))
    state: dict = {}
    for _ in range(MAX_RUNS + 5):
        finish_run(start_run(TrainingConfig(hidden=(4,)), "sample"), data, state)  # never trained: "stopped"
    runs = state[RUNS_KEY]
    assert len(runs) == MAX_RUNS and runs[-1]["run"] == MAX_RUNS + 5 and runs[0]["run"] == 6


def test_a_network_too_big_for_a_shared_server_is_refused_before_it_is_built(app_test):
    for preset in PRESETS.values():  # every preset fits, even on full MNIST
        preset.check_budget(60_000)
    with pytest.raises(ValueError, match="at most 2,000,000"):
        TrainingConfig(hidden=(4096, 4096)).check_budget(8_000)
    with pytest.raises(ValueError, match="smaller batch size"):
        TrainingConfig(batch_size=None).check_budget(60_000)  # full batch on full MNIST
    assert parameter_count([784, 2048, 10]) <= MAX_PARAMETERS
    at = app_test("pages/mnist.py")
    at.run()
    at.text_input(key="mnist_hidden").set_value("4096, 4096, 4096").run()
    at.button(key="mnist_train").click().run()
    assert not at.exception
    assert any("too big for a shared server" in e.value for e in at.error)
    assert TRAINED_MODEL_KEY not in at.session_state and RUNS_KEY not in at.session_state

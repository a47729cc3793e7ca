"""Teacher links on the MNIST and Theory pages (AppTest): the link's settings set the knobs, lock= disables
their widgets, hide= leaves them out (their value still applies), note= is shown; bad values are warned
about and ignored; the teacher panel's link, opened, gives the same settings. And the pure reader."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from lab.app.knobs import LinkKnob, link_settings, read_settings
from lab.mnist.settings import KNOBS as MNIST_KNOBS
from lab.mnist.settings import config_from_widgets
from lab.theory.network import BUGS, new_net
from lab.theory.settings import KNOBS as THEORY_KNOBS
from tests.support.app_pages import opened as page
from tests.support.markdown_text import injected, shown

BAD = ["banana", "x" * 10_000, "<img src=x onerror=alert(1)>", "](https://evil)"]


def widgets(at, key: str) -> list:
    """Every widget of the page with this key (of any kind)."""
    kinds = ("slider", "select_slider", "number_input", "text_input", "selectbox", "radio")
    return [w for kind in kinds for w in getattr(at, kind) if w.key == key]


def panel_link(at, page_name: str, lock: list[str], hide: list[str], note: str = "") -> str:
    at.session_state[f"teacher_{page_name}"] = True  # a click on the expander
    at.run()
    at.multiselect(key=f"teacher_{page_name}_lock").set_value(lock)
    at.multiselect(key=f"teacher_{page_name}_hide").set_value(hide)
    at.text_input(key=f"teacher_{page_name}_note").set_value(note).run()
    [code] = [c.value for c in at.code if "lock=" in c.value]
    return code


# ---- the reader (pure) -------------------------------------------------------------------------------------
def test_read_settings_takes_good_values_and_names_the_bad_ones():
    values, problems = read_settings(MNIST_KNOBS, {"hidden": "128,64", "lr": "0.05", "epochs": ["9", "3"],
                                                   "batch_size": "full", "activation": "<b>x</b>",
                                                   "seed": "1e99", "l1": "nan", "colour": "red", "lock": "lr"})
    assert values == {"hidden": "128, 64", "lr": 0.05, "epochs": 3, "batch_size": "full"}
    assert len(problems) == 4 and all(not injected(p) for p in problems)
    assert "activation=<b>x</b>" in shown(problems[0]) and "using the default, “relu”" in shown(problems[0])
    assert "not a whole number" in problems[1] and "outside 0 to 1" in problems[2]
    assert shown(problems[3]) == "Not settings of this page, ignored: “colour”."


def test_every_knob_round_trips_through_its_link_text():
    for knobs in (MNIST_KNOBS, THEORY_KNOBS):
        state = {knob.key: knob.default for knob in knobs.values()}
        values, problems = read_settings(knobs, link_settings(knobs, state))
        assert not problems and values == {name: knob.default for name, knob in knobs.items()}


def test_a_knob_refuses_out_of_range_and_unknown_options():
    knob = LinkKnob("k", "K", 5, low=1, high=10)
    assert knob.parse(" 7 ") == 7
    for raw in ("0", "11", "2.5", "inf", ""):
        with pytest.raises(ValueError):
            knob.parse(raw)
    assert THEORY_KNOBS["eps"].parse("0.0001") == 1e-4 and THEORY_KNOBS["eps"].parse("1e-04") == 1e-4
    with pytest.raises(ValueError, match="is not one of"):
        THEORY_KNOBS["eps"].parse("0.5")


# ---- MNIST -----------------------------------------------------------------------------------------------
def test_mnist_lock_hide_note_and_the_settings_of_the_link(app_test):
    at = page(app_test, "pages/mnist.py", {"lock": "lr,epochs", "hide": "l1", "note": "Week 3", "epochs": "3",
                                           "lr": "0.05", "hidden": "128,64", "l1": "0.001", "batch_size": "32"})
    assert at.slider(key="mnist_epochs").disabled and at.slider(key="mnist_epochs").value == 3
    assert at.number_input(key="mnist_lr").disabled and at.number_input(key="mnist_lr").value == 0.05
    assert not at.number_input(key="mnist_l2").disabled and not at.slider(key="mnist_dropout").disabled
    assert not widgets(at, "mnist_l1")
    assert any(i.value == "**Teacher's note:** Week 3" for i in at.info)
    assert not at.warning
    config = config_from_widgets(at.session_state)
    assert (config.hidden, config.lr, config.epochs, config.l1, config.batch_size) == ((128, 64), 0.05, 3, 0.001, 32)
    # another knob changes: the hidden value and the lock stay; a preset leaves the locked and hidden knobs
    at.number_input(key="mnist_l2").set_value(0.001).run()
    at.button(key="mnist_preset_Tutorial B").click().run()
    config = config_from_widgets(at.session_state)
    assert (config.hidden, config.activation, config.lr, config.epochs, config.l1) == ((30,), "tanh", 0.05, 3, 0.001)
    assert at.slider(key="mnist_epochs").disabled and not widgets(at, "mnist_l1")


def assert_one_plain_warning_each(at, params: tuple[str, ...]) -> None:
    """One warning names each bad parameter, shown as plain text and kept short."""
    warnings = [w.value for w in at.warning]
    for param in params:
        assert len([w for w in warnings if param in shown(w)]) == 1, param
    assert all(not injected(w) and len(w) < 600 for w in warnings)


@pytest.mark.parametrize("bad", BAD)
def test_mnist_bad_values_warn_and_are_ignored(app_test, bad):
    at = page(app_test, "pages/mnist.py", {"lock": bad, "hide": f"{bad},lr", "note": bad, "epochs": bad})
    assert_one_plain_warning_each(at, ("lock=", "hide=", "epochs="))
    assert not any(injected(i.value) for i in at.info)
    assert at.slider(key="mnist_epochs").value == 8 and not at.slider(key="mnist_epochs").disabled
    assert bool(widgets(at, "mnist_lr")) == (len(bad) > 500)  # a good name beside a bad one still hides
    assert at.button(key="mnist_train")


def test_mnist_teacher_panel_link_round_trips(app_test):
    at = page(app_test, "pages/mnist.py", {})
    at.text_input(key="mnist_hidden").set_value("128, 64")
    at.slider(key="mnist_epochs").set_value(5)
    at.number_input(key="mnist_lr").set_value(0.02)
    at.selectbox(key="mnist_optimizer").set_value("adam").run()
    link = panel_link(at, "mnist", ["lr", "epochs"], ["l1"], "Week 3")
    query = dict(parse_qsl(urlsplit(link).query))
    assert set(MNIST_KNOBS) <= set(query)
    assert query["lock"] == "lr,epochs" and query["hide"] == "l1" and query["note"] == "Week 3"
    assert (query["hidden"], query["epochs"], query["lr"], query["optimizer"]) == ("128,64", "5", "0.02", "adam")
    assert "hidden=128,64&" in link  # readable: no encoded spaces
    opened = page(app_test, "pages/mnist.py", query)
    assert not opened.warning
    assert config_from_widgets(opened.session_state) == config_from_widgets(at.session_state)
    assert opened.number_input(key="mnist_lr").disabled and not widgets(opened, "mnist_l1")


# ---- Theory ----------------------------------------------------------------------------------------------
def test_theory_lock_hide_note_and_the_settings_of_the_link(app_test):
    bug = list(BUGS)[1]
    at = page(app_test, "pages/theory.py", {"lock": "lr,bug", "hide": "eps", "note": "Week 3", "lr": "0.3",
                                            "bug": bug, "eps": "0.001", "steps": "20"})
    assert at.select_slider(key="theory_lr").disabled and at.select_slider(key="theory_lr").value == 0.3
    assert at.radio(key="theory_bug").disabled and at.radio(key="theory_bug").value == bug
    assert not widgets(at, "theory_eps") and at.session_state["theory_eps"] == 1e-3
    assert at.slider(key="theory_opt_steps").value == 20 and not at.slider(key="theory_opt_steps").disabled
    assert any(i.value == "**Teacher's note:** Week 3" for i in at.info)
    assert not at.warning
    assert any("Gradient check FAILED" in e.value for e in at.error)  # the link's bug is the one checked
    at.button(key="theory_step").click().run()  # a step uses the locked learning rate
    expected = new_net()
    expected.step(0.3)
    assert at.session_state["theory_net"].losses == expected.losses and at.session_state["theory_eps"] == 1e-3


@pytest.mark.parametrize("bad", BAD)
def test_theory_bad_values_warn_and_are_ignored(app_test, bad):
    at = page(app_test, "pages/theory.py", {"lock": bad, "hide": f"{bad},lr", "note": bad, "bug": bad})
    assert_one_plain_warning_each(at, ("lock=", "hide=", "bug="))
    assert at.radio(key="theory_bug").value == list(BUGS)[0]
    assert bool(widgets(at, "theory_lr")) == (len(bad) > 500)


def test_theory_teacher_panel_link_round_trips(app_test):
    at = page(app_test, "pages/theory.py", {})
    at.select_slider(key="theory_lr").set_value(1.0)
    at.radio(key="theory_bug").set_value(list(BUGS)[2])
    at.slider(key="theory_keep").set_value(0.7).run()
    link = panel_link(at, "theory", ["bug"], ["eps", "decay"])
    query = dict(parse_qsl(urlsplit(link).query))
    assert set(THEORY_KNOBS) <= set(query) and query["hide"] == "eps,decay" and "note" not in query
    opened = page(app_test, "pages/theory.py", query)
    assert not opened.warning
    for knob in THEORY_KNOBS.values():
        assert opened.session_state[knob.key] == at.session_state[knob.key], knob.key
    assert opened.radio(key="theory_bug").disabled and not widgets(opened, "theory_decay")

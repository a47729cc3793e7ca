"""Challenges through the pages (AppTest): each one met with the settings its explanation names, not
met at the page's defaults; the Challenges page; teacher links (lock=, hide=, note=) on Moons (MNIST and
Theory: tests/lessons/test_teacher_links.py)."""
from __future__ import annotations

import pytest

from lab.app.lessons.definitions import BY_ID, CHALLENGES, IDEAS
from lab.app.lessons.widgets import MET_KEY
from lab.moons.settings import KNOBS
from tests.support.challenge_cases import MNIST_LINEAR, MNIST_SMALL, MOONS_MET
from tests.support.app_pages import opened as page
from tests.support.markdown_text import injected, shown

DONE_WHEN = {"challenge": "circles-no-hidden", "dataset": "circles", "hidden_layers": "0", "x1_sq": "true",
             "x2_sq": "true", "noise": "0.1"}


def met(at) -> list[str]:
    return [s.value for s in at.success if s.value.startswith("Challenge met")]


def not_yet(at) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("Not yet")]


# ---- Moons -------------------------------------------------------------------------------------------
def test_done_when_circles_met_with_the_squared_inputs_and_not_without(app_test):
    at = page(app_test, "pages/moons.py", DONE_WHEN)
    [text] = met(at)
    assert text.startswith("Challenge met") and "x₁² and x₂²" in text
    assert "circles-no-hidden" in at.session_state[MET_KEY]
    assert at.query_params["challenge"] == ["circles-no-hidden"] or at.query_params["challenge"] == "circles-no-hidden"
    without = {k: v for k, v in DONE_WHEN.items() if k not in ("x1_sq", "x2_sq")}
    at = page(app_test, "pages/moons.py", without)
    assert not met(at)
    [progress] = not_yet(at)
    assert "test accuracy" in progress and "goal 95%" in progress
    assert not at.info or not any("Not in the link" in i.value for i in at.info)  # a lesson link is not partial


@pytest.mark.parametrize("challenge_id", sorted(MOONS_MET))
def test_moons_challenge_met_through_the_page(app_test, challenge_id):
    challenge = BY_ID[challenge_id]
    at = page(app_test, "pages/moons.py", {**challenge.start_query(), **MOONS_MET[challenge_id]})
    assert len(met(at)) == 1 and challenge.explanation[:40] in shown(met(at)[0]), [s.value for s in at.success]
    assert challenge_id in at.session_state[MET_KEY]


@pytest.mark.parametrize("challenge_id", sorted(MOONS_MET))
def test_moons_challenge_not_met_at_the_page_defaults(app_test, challenge_id):
    at = page(app_test, "pages/moons.py", {"challenge": challenge_id})
    assert not met(at) and len(not_yet(at)) == 1
    assert BY_ID[challenge_id].goal in shown(at.markdown[1].value) or any(
        BY_ID[challenge_id].goal in shown(m.value) for m in at.markdown)


def test_the_hint_is_shown_on_request(app_test):
    challenge = BY_ID["lr-diverge"]
    at = page(app_test, "pages/moons.py", {"challenge": challenge.id})
    assert not any(challenge.hint in c.value for c in at.caption)
    at.toggle(key="challenge_hint_moons").set_value(True).run()
    assert any(challenge.hint in c.value for c in at.caption)


@pytest.mark.parametrize("raw", ["no-such-challenge", "](https://evil) <script>x</script>", "x" * 10_000])
def test_an_unknown_challenge_is_a_warning_and_the_page_works(app_test, raw):
    at = page(app_test, "pages/moons.py", {"challenge": raw})
    [warning] = [w.value for w in at.warning if "does not exist" in w.value]
    assert not injected(warning) and len(warning) < 600
    assert [m.label for m in at.metric][:2] == ["Train accuracy", "Test accuracy"]


def test_a_challenge_of_another_page_points_there(app_test):
    at = page(app_test, "app.py", {})
    at.switch_page("pages/moons.py")
    at.query_params["challenge"] = "mnist-small"
    at.run()
    assert any("MNIST classifier page" in w.value for w in at.warning)
    assert at.get("page_link")


# ---- teacher links on Moons ------------------------------------------------------------------------------
def test_done_when_lock_hide_note(app_test):
    at = page(app_test, "pages/moons.py", {"lock": "lr,neurons", "hide": "l1", "note": "Week 3"})
    assert at.select_slider(key="moons_lr").disabled
    assert at.slider(key="moons_neurons").disabled
    assert not at.select_slider(key="moons_l2").disabled
    assert not [w for w in at.select_slider if w.key == "moons_l1"]
    assert any(i.value == "**Teacher's note:** Week 3" for i in at.info)
    assert not at.warning
    # the link's settings and the lesson stay in the address bar after the page rewrites it
    assert {k: at.query_params[k] for k in ("lock", "hide", "note")} in (
        {"lock": "lr,neurons", "hide": "l1", "note": "Week 3"},
        {"lock": ["lr,neurons"], "hide": ["l1"], "note": ["Week 3"]})
    # a rerun after another knob changes keeps the hidden value and the lock
    at.select_slider(key="moons_l2").set_value(0.0).run()
    assert at.session_state["moons_l1"] == 0.0 and at.select_slider(key="moons_lr").disabled
    assert not [w for w in at.select_slider if w.key == "moons_l1"]


def test_a_hidden_knob_keeps_the_value_of_the_link(app_test):
    at = page(app_test, "pages/moons.py", {"l1": "0.1", "neurons": "10", "l2": "0", "hide": "l1"})
    assert not [w for w in at.select_slider if w.key == "moons_l1"]
    at.slider(key="moons_neurons").set_value(11).run()
    assert not at.exception
    assert at.session_state["moons_l1"] == 0.1
    assert at.query_params["l1"] in ("0.1", ["0.1"])


def test_a_preset_does_not_change_a_locked_knob(app_test):
    at = page(app_test, "pages/moons.py", {"lock": "lr"})
    at.button(key="moons_preset_learning_rate_too_high").click().run()
    assert at.session_state["moons_lr"] == 0.01


@pytest.mark.parametrize("bad", ["banana", "x" * 10_000, "<img src=x onerror=alert(1)>", "](https://evil)"])
def test_bad_lock_and_hide_values_warn_and_are_ignored(app_test, bad):
    at = page(app_test, "pages/moons.py", {"lock": bad, "hide": f"{bad},lr", "note": bad})
    warnings = [w.value for w in at.warning]
    assert len([w for w in warnings if "lock=" in w]) == 1 and len([w for w in warnings if "hide=" in w]) == 1
    assert all(not injected(w) and len(w) < 600 for w in warnings)
    assert not any(injected(i.value) for i in at.info)
    lr_shown = bool([w for w in at.select_slider if w.key == "moons_lr"])
    assert lr_shown == (len(bad) > 500)  # a good name beside a bad one still works; a 10 kB list is refused whole
    assert [m.label for m in at.metric][:2] == ["Train accuracy", "Test accuracy"]


def test_the_teacher_panel_makes_the_link(app_test):
    at = page(app_test, "pages/moons.py", {})
    assert not at.code and not at.multiselect  # nothing of the panel is sent until it is opened
    at.session_state["teacher_moons"] = True  # a click on the expander
    at.run()
    at.multiselect(key="teacher_moons_lock").set_value(["lr", "neurons"])
    at.multiselect(key="teacher_moons_hide").set_value(["l1"])
    at.selectbox(key="teacher_moons_challenge").set_value("lr-diverge")
    at.text_input(key="teacher_moons_note").set_value("Week 3").run()
    [code] = [c.value for c in at.code if "lock=" in c.value]
    assert "?dataset=moons&" in code and code.endswith("&challenge=lr-diverge&lock=lr,neurons&hide=l1&note=Week+3")
    assert set(KNOBS) <= {part.split("=")[0] for part in code.split("?", 1)[1].split("&")}


# ---- MNIST, Draw, Theory ----------------------------------------------------------------------------------
def train_mnist(at, hidden: str, epochs: int):
    at.text_input(key="mnist_hidden").set_value(hidden)
    at.slider(key="mnist_epochs").set_value(epochs)
    at.button(key="mnist_train").click().run()
    assert not at.exception, at.exception
    return at


def test_mnist_small_met_through_the_page_and_not_at_its_defaults(app_test):
    at = page(app_test, "pages/mnist.py", {"challenge": "mnist-small"})
    assert not met(at) and any(BY_ID["mnist-small"].goal in shown(m.value) for m in at.markdown)
    train_mnist(at, **MNIST_SMALL)
    [text] = met(at)
    assert "47,710 weights and biases" in text
    train_mnist(at, "64", 5)  # as accurate, one layer of 64 units: 50,890 weights
    assert not met(at) and "goal at most 50,000" in not_yet(at)[0]


def test_mnist_linear_met_through_the_page(app_test):
    at = page(app_test, "pages/mnist.py", {"challenge": "mnist-linear"})
    train_mnist(at, **MNIST_LINEAR)
    assert met(at)


def test_draw_unsure_met_through_the_page_and_not_on_an_empty_canvas(app_test):
    from tests.support.drawings import unsure_canvas_value
    at = page(app_test, "pages/draw.py", {"challenge": "draw-unsure"})
    assert not met(at)
    at = app_test("pages/draw.py")
    at.query_params["challenge"] = "draw-unsure"
    at.session_state["draw_canvas_0"] = unsure_canvas_value()
    at.run()
    assert not at.exception and met(at)


def test_draw_sure_met_by_a_clean_digit(app_test):
    from tests.support.drawings import canvas_value, sure_canvas
    at = app_test("pages/draw.py")
    at.query_params["challenge"] = "draw-sure"
    at.session_state["draw_canvas_0"] = canvas_value(sure_canvas())
    at.run()
    assert not at.exception and met(at), [i.value for i in at.info]


def test_theory_find_bug_met_by_naming_layer_1(app_test):
    at = page(app_test, "pages/theory.py", {"challenge": "theory-find-bug"})
    assert not met(at) and not_yet(at) == ["Not yet: no layer named yet."]
    at.radio(key="theory_bug_answer").set_value("both layers").run()
    assert not met(at)
    at.radio(key="theory_bug_answer").set_value("layer 1").run()
    [text] = met(at)
    assert "W1 and b1" in text


# ---- the Challenges page ---------------------------------------------------------------------------------
def test_challenges_page_lists_groups_ticks_and_hints(app_test):
    at = page(app_test, "app.py", {})
    at.session_state[MET_KEY] = {"lr-diverge"}
    at.switch_page("pages/challenges.py").run()
    assert not at.exception
    assert at.title[0].value == "Challenges"
    assert [h.value for h in at.subheader] == [idea for idea in IDEAS if any(c.idea == idea for c in CHALLENGES)]
    assert len(at.get("page_link")) == len(CHALLENGES) >= 15
    assert f"1 of {len(CHALLENGES)} met" in at.get("progress")[0].proto.text
    [done] = [s.value for s in at.success]
    assert BY_ID["lr-diverge"].explanation in done
    ticked = [m.value for m in at.markdown if m.value.startswith(":green[:material/check_circle:]")]
    assert len(ticked) == 1 and "Blow it up" in ticked[0]
    hint = BY_ID["circles-no-hidden"].hint
    assert not any(hint in c.value for c in at.caption)
    at.toggle(key="hint_circles-no-hidden").set_value(True).run()
    assert any(hint in c.value for c in at.caption)


@pytest.mark.parametrize("path, name", [("pages/mnist.py", "mnist"), ("pages/theory.py", "theory")])
def test_mnist_and_theory_links_carry_a_challenge_and_a_note(app_test, path, name):
    at = page(app_test, path, {"note": "Week 4 <b>x</b>", "lock": "banana"})
    assert any(i.value.startswith("**Teacher's note:** Week 4") and not injected(i.value) for i in at.info)
    assert [shown(w.value) for w in at.warning] == ["The link's lock= names “banana”, not a setting of this page: ignored."]
    assert not at.code
    at.session_state[f"teacher_{name}"] = True  # a click on the expander
    at.run()
    challenge = "mnist-small" if name == "mnist" else "theory-find-bug"
    at.selectbox(key=f"teacher_{name}_challenge").set_value(challenge)
    at.text_input(key=f"teacher_{name}_note").set_value("Week 4").run()
    [code] = [c.value for c in at.code if "challenge=" in c.value]
    assert code.endswith(f"&challenge={challenge}&note=Week+4") and "lock=" not in code

"""Challenge conditions on real runs (met and not met), the challenge table, and teacher-link parsing."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from lab.app.lessons import conditions as c
from lab.app.lessons.definitions import BY_ID, CHALLENGES, IDEAS, PAGES, for_page
from lab.app.lessons.links import MAX_LIST, lesson_params, read_link, shown_note, teacher_query, without_lesson
from lab.draw.model import load_default_model, read_drawing
from lab.mnist.data import SOURCE_TITLES
from lab.mnist.results import Outcome, evaluate
from lab.mnist.training import TrainingConfig, run_training, start_run
from lab.moons.settings import DEFAULTS, KNOBS, settings_from_query
from lab.moons.run import run_moons
from lab.theory.state import BUGS, check, new_net
from nn.datasets import load_mnist
from tests.support.markdown_text import injected, shown
from tests.support.challenge_cases import MNIST_LINEAR, MNIST_SMALL, MOONS_MET

REQUIRED = ("circles-no-hidden", "moons-overfit", "lr-diverge", "mnist-small", "draw-unsure", "theory-find-bug")


@lru_cache(maxsize=None)
def moons_run(query: tuple[tuple[str, str], ...] = ()):
    settings, problems = settings_from_query(dict(query), report_missing=False)
    assert not problems, [p.message for p in problems]
    return run_moons(settings.for_training())


def met_query(challenge_id: str) -> tuple[tuple[str, str], ...]:
    return tuple({**BY_ID[challenge_id].start, **MOONS_MET[challenge_id]}.items())


# ---- the table -------------------------------------------------------------------------------------
def test_at_least_15_challenges_over_every_page_and_the_required_ids():
    assert len(CHALLENGES) >= 15 and len(BY_ID) == len(CHALLENGES)
    assert set(REQUIRED) <= set(BY_ID)
    assert {ch.page for ch in CHALLENGES} == set(PAGES)
    assert {ch.idea for ch in CHALLENGES} == set(IDEAS)
    for ch in CHALLENGES:
        assert ch.goal.endswith(".") and ch.hint and ch.explanation and ch.title
        assert all(name in KNOBS for name in ch.start) if ch.page == "moons" else not ch.start


def test_every_moons_challenge_has_its_winning_settings_here():
    assert set(MOONS_MET) == {ch.id for ch in for_page("moons")}


# ---- Moons: met with the explanation's settings, not met at the page's defaults -------------------
@pytest.mark.parametrize("challenge_id", sorted(MOONS_MET))
def test_moons_condition_met_on_a_real_run(challenge_id):
    check = BY_ID[challenge_id].condition(moons_run(met_query(challenge_id)))
    assert check.met, check.progress


@pytest.mark.parametrize("challenge_id", sorted(MOONS_MET))
def test_moons_condition_not_met_at_the_defaults_nor_at_its_start(challenge_id):
    challenge = BY_ID[challenge_id]
    for query in ((), tuple(challenge.start.items())):
        check = challenge.condition(moons_run(query))
        assert not check.met, (query, check.progress)
        assert check.progress


def test_circles_needs_the_squared_inputs_and_says_how_far():
    without = c.circles_no_hidden(moons_run(tuple(BY_ID["circles-no-hidden"].start.items())))
    assert not without.met and without.progress.startswith("test accuracy ") and "goal 95%" in without.progress
    at_defaults = c.circles_no_hidden(moons_run())
    assert "dataset is moons, needs circles" in at_defaults.progress
    assert "hidden_layers is 1, needs 0" in at_defaults.progress


def test_overfit_gap_is_measured_on_the_run():
    run = moons_run(met_query("moons-overfit"))
    assert c.train_test_gap(run) == pytest.approx(run.train_accuracy - run.test_accuracy)
    assert "goal at least 10" in c.moons_overfit(run).progress


def test_diverge_reads_nns_status():
    run = moons_run(met_query("lr-diverge"))
    assert run.history.status == "diverged"
    tanh_lr_10 = moons_run((("lr", "10"),))  # tanh saturates: a bad run, but nn never sees an infinite loss
    assert tanh_lr_10.history.status != "diverged" and not c.lr_diverge(tanh_lr_10).met


def test_l1_counts_the_zero_weights():
    run = moons_run(met_query("l1-sparse"))
    weights = np.concatenate([w.ravel() for w in run.model().W])
    assert c.small_weight_share(run) == pytest.approx(np.mean(np.abs(weights) < c.SMALL_WEIGHT))


# ---- MNIST: a real, small run on the bundled sample -----------------------------------------------
@pytest.fixture(scope="module")
def sample():
    return load_mnist("sample")


def mnist_outcome(sample, hidden: str, epochs: int) -> Outcome:
    X, y, X_test, y_test = sample
    config = TrainingConfig(hidden=tuple(int(h) for h in hidden.split(",") if h.strip()), epochs=epochs)
    run = start_run(config, "sample", len(X))
    run_training(run, X, y)
    return Outcome(run.model, config.network_name(), "sample", evaluate(run.model, X_test, y_test),
                   run.history.status, run.history.message, run.history, config=config)


def test_mnist_small_met_by_60_units_and_not_by_64(sample):
    small = mnist_outcome(sample, **MNIST_SMALL)
    assert c.mnist_small(small).met, c.mnist_small(small).progress
    wider = mnist_outcome(sample, "64", 5)  # as accurate, but 50,890 weights and biases
    assert wider.evaluation.accuracy >= 0.95
    check = c.mnist_small(wider)
    assert not check.met and "50,890 weights and biases, goal at most 50,000" in check.progress
    uploaded = replace(small, status="uploaded")
    assert not c.mnist_small(uploaded).met  # trained here, not brought along


def test_mnist_linear_met_without_a_hidden_layer(sample):
    linear = mnist_outcome(sample, **MNIST_LINEAR)
    assert c.mnist_linear(linear).met, c.mnist_linear(linear).progress
    assert not c.mnist_linear(mnist_outcome(sample, **MNIST_SMALL)).met
    assert SOURCE_TITLES["sample"]


# ---- Draw: readings of real digits by the default model -------------------------------------------
def test_draw_conditions_on_real_readings(sample):
    from tests.support.drawings import unsure_pixels
    _, _, X_test, _ = sample
    model = load_default_model().model
    readings = [read_drawing(model, X_test[i] / 255.0) for i in range(50)]
    sure = max(readings, key=lambda r: r.confidence)
    assert c.draw_sure(sure).met and not c.draw_unsure(sure).met
    unsure = read_drawing(model, unsure_pixels())
    assert unsure.confidence < 0.5
    assert c.draw_unsure(unsure).met and not c.draw_sure(unsure).met
    assert "goal below 50%" in c.draw_unsure(sure).progress


# ---- Theory: the answer is judged on nn's gradient check --------------------------------------------
def test_the_tanh_bug_breaks_layer_1_only():
    result = check(new_net(), "Bug: forget tanh' in delta2")
    assert c.broken_layer(result) == "layer 1"
    assert c.theory_find_bug(c.BugAnswer("layer 1", result)).met
    for wrong in ("layer 2", "both layers", None):
        assert not c.theory_find_bug(c.BugAnswer(wrong, result)).met
    assert c.broken_layer(check(new_net(), "Bug: forget the 1/N of a mean loss")) == "both layers"
    assert c.broken_layer(check(new_net(), "No bug: nn's backprop")) is None
    assert set(BUGS) >= {"Bug: forget tanh' in delta2"}


# ---- teacher links ----------------------------------------------------------------------------------
def test_lock_hide_note_are_read_and_bad_values_ignored_with_a_reason():
    link = read_link({"lock": "lr,neurons", "hide": "l1", "note": "Week 3", "challenge": "lr-diverge"}, KNOBS)
    assert link.lock == {"lr", "neurons"} and link.hide == {"l1"} and link.note == "Week 3"
    assert link.challenge == "lr-diverge" and not link.problems
    bad = read_link({"lock": "lr,banana,<b>x</b>", "hide": "x" * 10_000}, KNOBS)
    assert bad.lock == {"lr"} and not bad.hide
    assert len(bad.problems) == 2
    assert "banana" in bad.problems[0] and "<b>" not in bad.problems[0] and "\\<b\\>" in bad.problems[0]
    assert "10,000 characters" in bad.problems[1]
    assert read_link({}, KNOBS) == read_link({"lock": " ", "note": ""}, KNOBS)


def test_a_knob_both_locked_and_hidden_is_hidden():
    assert read_link({"lock": "lr", "hide": "lr"}, KNOBS).lock == frozenset()


def test_note_is_plain_text():
    note = "**bold** [x](https://evil) <b>hi</b> ![t](https://tracker)"
    assert shown(shown_note(note)) == note and not injected(shown_note(note))
    assert len(shown_note("x" * 5000)) <= 201


def test_teacher_query_round_trips_through_the_page_readers():
    from urllib.parse import parse_qsl
    query = dict(parse_qsl(teacher_query({"lr": "0.1"}, ["lr", "neurons"], ["l1"], "lr-diverge", "Week 3 & more")))
    assert query == {"lr": "0.1", "lock": "lr,neurons", "hide": "l1", "challenge": "lr-diverge",
                     "note": "Week 3 & more"}
    assert without_lesson(query) == {"lr": "0.1"}
    assert lesson_params(query) == {k: v for k, v in query.items() if k != "lr"}
    assert MAX_LIST < 10_000


# ---- any link: never an exception, never markup in what is shown ------------------------------------

LINK_TEXT = st.one_of(st.text(max_size=60), st.sampled_from(["lr,neurons", "<b>", "](https://x)", "x" * 600, ",,,",
                                                              "lr, l1 ,  ", "LR", "__class__", "\x00\n\u2028"]))


@hypothesis_settings(max_examples=300, deadline=None)
@given(lock=LINK_TEXT, hide=LINK_TEXT, note=LINK_TEXT, challenge=LINK_TEXT)
def test_any_lesson_parameters_are_read_safely(lock, hide, note, challenge):
    link = read_link({"lock": lock, "hide": hide, "note": note, "challenge": [challenge]}, KNOBS)
    assert link.lock <= set(KNOBS) and link.hide <= set(KNOBS) and not link.lock & link.hide
    assert len(link.problems) <= 2
    for problem in link.problems:
        assert not injected(problem) and len(problem) < 600
    if link.note is not None:
        assert not injected(shown_note(link.note)) and "\n" not in shown_note(link.note)

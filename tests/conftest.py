"""Shared pytest fixtures.

AppTest helper
--------------
    def test_home(app_test):
        at = app_test("app.py")          # path relative to the repo root
        at.run()
        assert not at.exception

`app_test(page_relpath, default_timeout=60)` returns an unrun
`streamlit.testing.v1.AppTest` built from the ABSOLUTE path of the script
(AppTest resolves relative paths against the calling test file, not the cwd).

A page that uses `st.page_link` / `st.switch_page` to other pages needs the
navigation from app.py: build `app_test("app.py")`, `run()` it (the default page
is pages/home.py), then `at.switch_page("pages/<page>.py").run()`.
"""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_test():
    from streamlit.testing.v1 import AppTest

    def _make(page_relpath: str, default_timeout: float = 60) -> AppTest:
        path = (REPO_ROOT / page_relpath).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no such app script: {path}")
        return AppTest.from_file(str(path), default_timeout=default_timeout)

    return _make


# ---- the `slow` marker ------------------------------------------------------------------------------
# Tests over about 0.6 s (`pytest -m "not browser" --durations=0`; the times are in benchmarks/README.md,
# "Test suite"), kept in one list rather than in each module so that the fast loop,
# `pytest -m "not slow and not browser"`, is decided in one place. An entry is a folder, a module (most of
# its tests are slow) or one test function (all its parameters). CI's full command runs them all. A new
# slow test can also say @pytest.mark.slow itself.
SLOW = (
    "tests/classroom/",  # live servers, HAProxy, many sessions
    "tests/lessons/test_pages.py",  # every challenge through its page
    "tests/nn/test_tutorials.py",  # the tutorials' full trainings
    "tests/app/test_python_script.py",  # each generated script run in a subprocess
    "tests/moons/test_page.py",
    "tests/mnist/test_page.py",  # trains through the page
    "tests/app/test_workers.py",  # worker processes started, hung, killed
    "tests/nn/test_serialization_fuzz.py",
    "tests/app/test_input_fuzz.py",
    "tests/app/test_readable_charts.py",
    "tests/app/test_explain_pages.py",
    "tests/app/test_error_details.py::test_an_exception_reaches_the_browser_without_its_details",
    "tests/app/test_plain_text.py::test_any_text_is_shown_as_itself",
    "tests/app/test_safe_input.py::test_equal_large_weights_do_not_break_the_mnist_page",
    "tests/app/test_streamlit_alone.py::test_each_step_changes_the_metric_and_all_four_figures",  # trains two runs
    "tests/draw/test_novelty.py::test_real_test_digits_are_rarely_flagged",
    "tests/draw/test_preprocess.py::test_preprocessing_reads_drawn_digits_as_well_as_the_originals",
    "tests/lessons/test_challenges.py::test_moons_condition_met_on_a_real_run",
    "tests/lessons/test_challenges.py::test_moons_condition_not_met_at_the_defaults_nor_at_its_start",
    "tests/lessons/test_teacher_links.py::test_mnist_teacher_panel_link_round_trips",
    "tests/lessons/test_teacher_links.py::test_theory_teacher_panel_link_round_trips",
    "tests/moons/test_compute.py::test_a_loss_that_bounces_around_a_level_stops_and_says_so",
    "tests/moons/test_compute.py::test_every_preset_loss_chart_spans_sane_ranges",
    "tests/moons/test_compute.py::"
    "test_lbfgs_ignores_the_learning_rate_and_batch_size_and_reaches_gradient_descents_loss",
    "tests/moons/test_compute.py::test_preset_deep_sigmoid_sits_on_a_plateau",
    "tests/moons/test_compute.py::test_preset_fifty_neurons_overfit",
    "tests/moons/test_page_widgets.py::test_a_click_adds_a_point_and_the_network_retrains",
    "tests/moons/test_page_widgets.py::test_a_good_csv_loads_and_bad_ones_are_refused_with_their_line",
    "tests/nn/test_datasets_mnist.py::test_scale_gives_float32_in_unit_interval",
    "tests/nn/test_lbfgs.py::test_on_tutorial_a_it_reaches_the_loss_of_20000_gradient_descent_passes",
    "tests/nn/test_lbfgs.py::test_refusals_and_other_settings",
    "tests/nn/test_readme_example.py::test_example_py_prints_what_the_readme_says",
    "tests/theory/test_page.py::test_gradient_check_passes_and_planted_bugs_fail_visibly",
    "tests/theory/test_page.py::test_softmax_sliders_move_the_probabilities",
    "tests/theory/test_page.py::test_step_lowers_the_loss_and_every_number_shown_is_numpys",
)


def _slow_entry(item: pytest.Item) -> str | None:
    path = Path(item.path).relative_to(REPO_ROOT).as_posix()
    name = f"{path}::{getattr(item, 'originalname', item.name)}"
    return next((e for e in SLOW if e == name or e == path or (e.endswith("/") and path.startswith(e))), None)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark SLOW's tests `slow`, and refuse a SLOW entry that names nothing (a test renamed or moved)."""
    modules = {}
    for item in items:
        if _slow_entry(item):
            item.add_marker(pytest.mark.slow)
        if isinstance(item, pytest.Function):
            modules[Path(item.path).relative_to(REPO_ROOT).as_posix()] = item.module
    stale = []
    for entry in SLOW:
        path, _, function = entry.partition("::")
        renamed = function and path in modules and not hasattr(modules[path], function)
        if renamed or not (REPO_ROOT / path).exists():
            stale.append(entry)
    if stale:
        raise pytest.UsageError("tests/conftest.py: SLOW names no test: " + ", ".join(stale))

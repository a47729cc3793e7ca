"""A class in real browsers through `scripts/serve_class.py --replicas 2`: HAProxy in front of two
Streamlit replicas. Students spread over both and stay on theirs (the NLSERVER cookie); when a
replica dies, new students land on the other and a student who was on it reconnects there.

HAProxy adds an X-Neural-Lab-Replica header naming the replica that answered: it shows which
process actually served a request, beside what the cookie claims.
"""
from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter

import pytest

from tests.support.browser import VIEWPORT, expect, screenshot, wait_for_app_idle
from tests.support.class_server import serving_class

FIRST_RUN_MS = 120_000  # a cold replica loads scikit-learn and trains tutorial A (seconds on a busy CI)


@pytest.fixture(scope="module")
def class_server(tmp_path_factory, chromium_path):
    with serving_class(replicas=2, logs=tmp_path_factory.mktemp("serve-class"), name="browser") as server:
        yield server


def student(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(FIRST_RUN_MS)
    return context, context.new_page()


def replica_cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "NLSERVER")


def open_moons(page, url: str) -> str:
    """Open the Moons page, wait for its chart; the replica that served the page (HAProxy's header)."""
    response = page.goto(url + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect_moons_chart(page)
    return response.headers["x-neural-lab-replica"]


def expect_moons_chart(page) -> None:
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".contourlayer, .heatmaplayer").first).to_be_attached(timeout=FIRST_RUN_MS)
    expect(chart.locator(".gtitle")).to_contain_text("2-3-2 tanh", timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def neurons_slider(page):
    return (page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
            .filter(has_text="Neurons per hidden layer").get_by_role("slider"))


def settled_neurons(page, timeout_s: float = 60) -> int:
    """The neurons the page shows once the slider and the chart's network agree (a run has ended)."""
    title = page.locator('[data-testid="stPlotlyChart"]').first.locator(".gtitle")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        wait_for_app_idle(page, timeout=FIRST_RUN_MS)
        neurons = int(neurons_slider(page).input_value())
        if f"2-{neurons}-2 tanh" in (title.text_content() or ""):
            return neurons
        page.wait_for_timeout(250)
    raise AssertionError(f"slider at {neurons_slider(page).input_value()}, chart: {title.text_content()}")


def fewer_neurons(page, network: str) -> None:
    """One neuron less with the keyboard (a rerun over the websocket); wait for ``network``'s chart."""
    slider = neurons_slider(page)
    slider.focus()
    page.keyboard.press("ArrowLeft")
    title = page.locator('[data-testid="stPlotlyChart"]').first.locator(".gtitle")
    expect(title).to_contain_text(network, timeout=FIRST_RUN_MS)
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_four_students_spread_over_both_replicas_and_each_draws_the_moons_chart(browser, class_server):
    students = [student(browser) for _ in range(4)]
    try:
        served = [open_moons(page, class_server.url) for _, page in students]
        cookies = [replica_cookie(context) for context, _ in students]
        assert cookies == served  # the cookie names the replica that served the page
        assert Counter(cookies) == {"r1": 2, "r2": 2}  # round robin for newcomers
        screenshot(students[-1][1], "replicas-moons")
    finally:
        for context, _ in students:
            context.close()


def test_a_student_keeps_their_replica_across_reruns_and_reloads(browser, class_server):
    context, page = student(browser)
    try:
        first = open_moons(page, class_server.url)
        for network in ("2-2-2 tanh", "2-1-2 tanh"):
            fewer_neurons(page, network)
            assert replica_cookie(context) == first
        for _ in range(3):  # each reload is new HTTP requests and a new websocket: all to the same replica
            response = page.reload()
            wait_for_app_idle(page, timeout=FIRST_RUN_MS)
            assert response.headers["x-neural-lab-replica"] == first
            assert replica_cookie(context) == first
        expect(page).to_have_url(re.compile(r"neurons=1"))
    finally:
        context.close()


def test_when_a_replica_dies_new_students_land_on_the_other_and_its_students_reconnect(browser, class_server):
    """Last in this module: it leaves one replica."""
    (on_r1, page_r1), (on_r2, page_r2) = student(browser), student(browser)
    newcomers = []
    try:
        served = {open_moons(page_r1, class_server.url), open_moons(page_r2, class_server.url)}
        if replica_cookie(on_r1) != "r1":  # round robin may have started on r2
            (on_r1, page_r1), (on_r2, page_r2) = (on_r2, page_r2), (on_r1, page_r1)
        assert served == {"r1", "r2"} and replica_cookie(on_r1) == "r1"

        os.killpg(class_server.replicas["r1"].pid, signal.SIGKILL)  # r1 crashes, workers and all
        killed = time.monotonic()
        class_server.wait_for_line(r"^replica r1 stopped")
        class_server.wait_for_line(r"Server replicas/r1 is DOWN", timeout=10)  # HAProxy's health check
        down_s = time.monotonic() - killed

        # The student who was on r1: Streamlit reconnects, HAProxy sends them to r2 and re-issues the
        # cookie. Their session is lost with r1: r2 starts a new one from the page's link (which holds
        # every setting) on their next move; the move after that is computed as usual.
        deadline = time.monotonic() + 60
        while replica_cookie(on_r1) != "r2" and time.monotonic() < deadline:
            page_r1.wait_for_timeout(250)
        assert replica_cookie(on_r1) == "r2"
        reconnected_s = time.monotonic() - killed
        wait_for_app_idle(page_r1, timeout=FIRST_RUN_MS)
        neurons_slider(page_r1).focus()
        page_r1.keyboard.press("ArrowLeft")
        neurons = settled_neurons(page_r1)
        fewer_neurons(page_r1, f"2-{neurons - 1}-2 tanh")
        assert replica_cookie(on_r1) == "r2"
        screenshot(page_r1, "replicas-after-r1-died")

        fewer_neurons(page_r2, "2-2-2 tanh")  # r2's students keep their sessions: their first move counts
        for _ in range(2):  # newcomers, one after the other: round robin would alternate if r1 were up
            context, page = student(browser)
            newcomers.append(context)
            assert open_moons(page, class_server.url) == "r2"
            assert replica_cookie(context) == "r2"
        print(f"r1 marked down {down_s:.1f} s after it died; its student reconnected to r2 "
              f"within {reconnected_s:.1f} s")
    finally:
        for context in [on_r1, on_r2, *newcomers]:
            context.close()

"""Several students on one live `streamlit run app.py`, each a real session over Streamlit's websocket
protocol (tests/support/streamlit_client.py): trainings that overlap go to a worker process and still show
the numbers the network computed, and one student's long MNIST run does not hold up another's page."""
from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from lab.moons.settings import DEFAULTS, query_string
from lab.moons.run import run_moons
from tests.support.browser import ARTIFACTS, running_app
from tests.support.server_process import process_tree, server_pid
from tests.support.streamlit_client import StreamlitSession, play

CHART = "moons_boundary"


@pytest.fixture(scope="module")
def server():
    with running_app(ARTIFACTS / "classroom-server.log") as url:
        yield url, server_pid(int(url.rsplit(":", 1)[1]))


def worker_processes(pid: int) -> list[int]:
    return [p for p in process_tree([pid])
            if b"lab.app.workers" in Path(f"/proc/{p}/cmdline").read_bytes()]


def test_overlapping_trainings_use_a_worker_and_show_what_the_network_computed(server):
    url, pid = server
    # Two networks that each train for a second or more, opened by two students at the same moment.
    wide = replace(DEFAULTS, hidden_layers=2, neurons=30, passes=2000, stop_when_flat=False)
    settings = [replace(wide, init_seed=1), replace(wide, init_seed=2)]

    async def class_of_two():
        students = [StreamlitSession(url), StreamlitSession(url)]
        for s in students:
            await s.connect()
        try:
            return await asyncio.gather(*[s.run(page="moons", query=query_string(x), chart=CHART, timeout=300)
                                          for s, x in zip(students, settings)])
        finally:
            for s in students:
                await s.close()

    runs = play(class_of_two())
    for run, chosen in zip(runs, settings):
        assert run.finished and not run.exceptions and not run.errors, (run.exceptions, run.errors)
        expected = run_moons(chosen)  # the same network, trained here in the test's own process
        assert run.metrics["Train accuracy"] == f"{expected.train_accuracy:.1%}"
        assert run.metrics["Train loss"] == f"{expected.train_loss:.3f}"
    assert len(worker_processes(pid)) == 1  # one of the two trained beside the other, in a worker


def test_a_long_mnist_run_does_not_hold_up_another_students_page(server):
    url, _ = server

    async def alice_trains_while_bob_moves_sliders():
        alice, bob = StreamlitSession(url), StreamlitSession(url)
        await alice.connect()
        await bob.connect()
        try:
            await bob.run(page="moons", chart=CHART)
            await alice.run(page="mnist")
            await alice.run(click="mnist_preset_Best")
            training = asyncio.create_task(alice.run(set={"mnist_epochs": 30}, click="mnist_train", timeout=600))
            await asyncio.sleep(1.0)  # her training is under way
            moves = [await bob.run(set={"moons_neurons": n}, chart=CHART) for n in (4, 5, 6)]
            bob_done = time.monotonic()
            trained = await training
            return moves, bob_done, trained, time.monotonic()
        finally:
            await alice.close()
            await bob.close()

    moves, bob_done, trained, alice_done = play(alice_trains_while_bob_moves_sliders())
    assert trained.finished and any(s.startswith("Trained 30 epochs") for s in trained.successes), trained.errors
    for move in moves:
        assert move.finished and move.seconds_to_chart is not None and not move.exceptions and not move.errors
    # Bob's three retrains were drawn while Alice's 30 epochs were still running.
    assert bob_done < alice_done - 1.0, (bob_done, alice_done)

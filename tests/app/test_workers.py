"""lab/app/workers.py: a training runs in the server process when it is the only one, in a worker
process while another is under way, and gives the same numbers either way."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace

import numpy as np
import pytest

from lab.app import workers as training_pool
from lab.moons.settings import DEFAULTS
from lab.moons.run import run_moons
from lab.app.workers import Pool
from tests.support.pool_helpers import die_unless_in, hang_unless_in, heavy_packages_after_a_fit, pid_after, refuse


@pytest.fixture
def pool():
    pool = Pool(2)
    yield pool
    pool.close()


def while_busy(pool: Pool, call, seconds: float = 0.3):
    """``call()`` made while another call keeps ``pool`` busy in this process for ``seconds``."""
    first = {}
    busy = threading.Thread(target=lambda: first.update(pid=pool.run(pid_after, seconds)))
    busy.start()
    while pool.in_flight == 0:  # the first call is under way
        threading.Event().wait(0.01)
    try:
        return call()
    finally:
        busy.join()
        assert first["pid"] == os.getpid()  # the first one ran here


def test_a_training_alone_runs_here_and_starts_no_process(pool):
    assert pool.run(pid_after, 0) == os.getpid()
    assert pool.started == 0


def test_a_training_beside_another_runs_in_a_worker(pool):
    pid = while_busy(pool, lambda: pool.run(pid_after, 0))
    assert pid != os.getpid() and pool.started == 1
    assert while_busy(pool, lambda: pool.run(pid_after, 0)) == pid  # the worker is reused


def test_an_error_in_a_worker_is_raised_here_as_it_was(pool):
    with pytest.raises(ValueError, match="refused: bad settings"):
        while_busy(pool, lambda: pool.run(refuse, "bad settings"))
    assert while_busy(pool, lambda: pool.run(pid_after, 0)) != os.getpid()  # and the worker carries on


def test_a_worker_that_dies_is_replaced_and_the_call_answered_here(pool, caplog):
    with caplog.at_level(logging.WARNING, logger="lab.app.workers"):
        answer = while_busy(pool, lambda: pool.run(die_unless_in, os.getpid()))
    assert answer == f"answered by {os.getpid()}"
    assert "ended" in caplog.text and "training in the server process instead" in caplog.text
    assert pool.started == 0 and not pool.idle
    assert while_busy(pool, lambda: pool.run(pid_after, 0)) != os.getpid()  # a fresh worker


def test_a_hung_worker_is_stopped_and_the_call_answered_here(caplog):
    """A worker that neither answers nor ends (stopped, swapping) used to block its student forever."""
    pool = Pool(2, silence=1.0)
    try:
        with caplog.at_level(logging.WARNING, logger="lab.app.workers"):
            answer = while_busy(pool, lambda: pool.run(hang_unless_in, os.getpid()))
        assert answer == f"answered by {os.getpid()}"
        assert "was silent for 1 s and was stopped" in caplog.text
        hung = int(caplog.text.split("worker ")[1].split()[0])
        with pytest.raises(ProcessLookupError):  # killed and reaped, not left behind
            os.kill(hung, 0)
        assert pool.started == 0 and not pool.idle
        assert while_busy(pool, lambda: pool.run(pid_after, 0)) not in (os.getpid(), hung)  # a fresh worker
    finally:
        pool.close()


def test_a_long_call_keeps_its_worker_by_its_heartbeat():
    """Silence, not length, counts: a call three times longer than the silence limit is answered by the worker."""
    pool = Pool(2, silence=0.5)
    try:
        assert while_busy(pool, lambda: pool.run(pid_after, 1.5)) != os.getpid()
        assert pool.started == 1 and len(pool.idle) == 1
    finally:
        pool.close()


def test_a_playground_run_trained_in_a_worker_is_the_same_run(pool, monkeypatch):
    """Numbers shown are the numbers computed: the same weights and loss curve, to the last bit."""
    settings = replace(DEFAULTS, neurons=5, passes=2000).for_training()
    here = run_moons(settings)
    monkeypatch.setattr(training_pool, "_pool", pool)
    in_worker = while_busy(pool, lambda: run_moons(settings))
    assert pool.started == 1  # it did go to a worker
    assert np.array_equal(in_worker.theta, here.theta)
    assert in_worker.history.train_loss == here.history.train_loss and in_worker.flat_at == here.flat_at
    assert [s.passes for s in in_worker.snapshots] == [s.passes for s in here.snapshots]


def test_no_workers_when_set_to_zero(monkeypatch):
    monkeypatch.setenv(training_pool.PROCESSES_VARIABLE, "0")
    pool = Pool(training_pool.processes())
    assert while_busy(pool, lambda: pool.run(pid_after, 0)) == os.getpid() and pool.started == 0


@pytest.mark.parametrize("value, expected", [("", 2), ("3", 3), ("0", 0), ("-4", 0), ("two", 2)])
def test_the_number_of_workers_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(training_pool.PROCESSES_VARIABLE, value)
    assert training_pool.processes() == expected


def test_where_workers_cannot_start_everything_trains_here(pool, monkeypatch):
    def forbidden(*args, **kwargs):
        raise PermissionError("process creation is not allowed here")

    monkeypatch.setattr(training_pool.subprocess, "Popen", forbidden)
    assert while_busy(pool, lambda: pool.run(pid_after, 0)) == os.getpid()
    assert "PermissionError" in pool.unavailable and pool.started == 0


def test_a_worker_loads_numpy_and_nn_only(pool):
    """What keeps a worker at about 40 MB: nn's core and the playground's loop import no scikit-learn
    (nn.metrics imports it on first use), SciPy, pandas, Streamlit or Plotly."""
    assert while_busy(pool, lambda: pool.run(heavy_packages_after_a_fit)) == []
    assert pool.started == 1

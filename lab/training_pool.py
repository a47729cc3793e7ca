"""Training in worker processes, so that a class's networks train on every core of the server.

Streamlit runs each session's script in a thread of one process, and Python runs one thread at a
time there (the GIL). The Moons playground's training is thousands of small NumPy steps, nearly all
of it Python holding the GIL, so 30 students moving sliders shared one core while the other idled
(benchmarks/README.md, "Classroom load"). ``run(fn, *args)`` returns ``fn(*args)``: computed right
here when no other training is under way (one student alone pays nothing), otherwise in one of a
few worker processes, while the waiting thread lets the server draw other students' pages.

A worker is ``python -m lab.training_pool``, started when first needed: a fresh interpreter that
loads NumPy and nn's core (about 40 MB) and answers calls over its stdin and stdout, one pickled
``(fn, args)`` in, one pickled ``(ok, result or exception)`` out. ``fn`` must be a module-level
function and its arguments and result plain values. Not ``multiprocessing``: its workers would
re-run Streamlit's current script (it poses as ``__main__``) before their first call.
NEURAL_LAB_TRAINING_PROCESSES sets how many workers there are at most (default 2, the cores of a
free Community Cloud app); 0, or a platform where they cannot start, trains everything here.
"""
from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Callable, TypeVar

PROCESSES_VARIABLE = "NEURAL_LAB_TRAINING_PROCESSES"
DEFAULT_PROCESSES = 2
REPO = Path(__file__).resolve().parents[1]

T = TypeVar("T")
log = logging.getLogger(__name__)


def processes() -> int:
    """The most worker processes to use, from NEURAL_LAB_TRAINING_PROCESSES (0: none)."""
    raw = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_PROCESSES
    try:
        return max(0, int(raw))
    except ValueError:
        log.warning("%s=%r is not a whole number; using %d", PROCESSES_VARIABLE, raw, DEFAULT_PROCESSES)
        return DEFAULT_PROCESSES


class WorkerDied(RuntimeError):
    """The worker process ended before answering (killed for memory, say)."""


class Worker:
    """One worker process and its two pipes; used by one thread at a time."""

    def __init__(self) -> None:
        # One BLAS thread each: the workers themselves are the parallelism.
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "lab.training_pool"], cwd=REPO, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, fn: Callable[..., T], args: tuple) -> T:
        request = pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)  # unpicklable: raises before anything is sent
        try:
            self.process.stdin.write(request)
            self.process.stdin.flush()
            ok, value = pickle.load(self.process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as err:
            self.stop()
            raise WorkerDied(f"worker {self.process.pid} ended ({type(err).__name__}: {err})") from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self.process.kill()  # it may be in the middle of a call nobody waits for any more
        self.process.wait()


class Pool:
    """At most ``size`` workers, started on demand and reused; a training waits for a free one."""

    def __init__(self, size: int) -> None:
        self.size, self.idle, self.started = size, [], 0
        self.in_flight = 0  # trainings under way in this process, here or in workers
        self.unavailable = ""  # why workers cannot start here, once that is known
        self.changed = threading.Condition()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self.changed:
            here = self.in_flight == 0 or self.size == 0 or bool(self.unavailable)
            self.in_flight += 1
        try:
            return fn(*args) if here else self._in_worker(fn, args)
        finally:
            with self.changed:
                self.in_flight -= 1

    def _in_worker(self, fn: Callable[..., T], args: tuple) -> T:
        worker = self._take()
        if worker is None:
            return fn(*args)
        try:
            result = worker.call(fn, args)
        except WorkerDied as err:
            log.warning("%s: training in the server process instead", err)
            self._drop()
            return fn(*args)
        except BaseException:
            self._give_back(worker)
            raise
        self._give_back(worker)
        return result

    def _take(self) -> Worker | None:
        with self.changed:
            while not self.idle and self.started >= self.size and not self.unavailable:
                self.changed.wait()
            if self.idle:
                return self.idle.pop()
            if self.unavailable:
                return None
            self.started += 1
        try:
            return Worker()
        except OSError as err:  # no processes may start here (a sandbox): train here from now on
            with self.changed:
                self.started -= 1
                self.unavailable = f"{type(err).__name__}: {err}"
                self.changed.notify_all()
            log.warning("no training worker processes (%s): training in the server process", self.unavailable)
            return None

    def _give_back(self, worker: Worker) -> None:
        with self.changed:
            self.idle.append(worker)
            self.changed.notify()

    def _drop(self) -> None:
        with self.changed:
            self.started -= 1
            self.changed.notify()

    def close(self) -> None:
        """Stop the idle workers (busy ones end when their pipes close with the server)."""
        with self.changed:
            idle, self.idle = self.idle, []
            self.started -= len(idle)
        for worker in idle:
            worker.stop()


_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool() -> Pool:
    """This process's pool, sized by NEURAL_LAB_TRAINING_PROCESSES when first asked for."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(processes())
        return _pool


def run(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, computed here or, while another training is under way, in a worker process."""
    return pool().run(fn, *args)


def serve(calls: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's side: answer pickled calls until the server closes the pipe."""
    while True:
        try:
            fn, args = pickle.load(calls)
        except EOFError:
            return
        try:
            answer = (True, fn(*args))
        except Exception as err:  # sent back and raised in the server, as if the call had been made there
            answer = (False, err)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # an exception that cannot be pickled: its text still can
            data = pickle.dumps((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}; {err}")))
        answers.write(data)
        answers.flush()


if __name__ == "__main__":
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt the answers
    serve(sys.stdin.buffer, answers)

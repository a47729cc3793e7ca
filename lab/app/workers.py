"""Training in worker processes, so that a class's networks train on every core of the server.

Streamlit runs each session's script in a thread of one process, and Python runs one thread at a
time there (the GIL). The Moons playground's training is thousands of small NumPy steps, nearly all
of it Python holding the GIL, so 30 students moving sliders shared one core while the other idled
(benchmarks/README.md, "Classroom load"). ``run(fn, *args)`` returns ``fn(*args)``: computed right
here when no other training is under way (one student alone pays nothing), otherwise in one of a
few worker processes, while the waiting thread lets the server draw other students' pages.

A worker is ``python -m lab.app.workers``, started when first needed: a fresh interpreter that
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
import time
from pathlib import Path
from typing import IO, Any, Callable, TypeVar

PROCESSES_VARIABLE = "NEURAL_LAB_TRAINING_PROCESSES"
DEFAULT_PROCESSES = 2
# A worker says "alive" every HEARTBEAT seconds while it computes. One silent for SILENCE seconds is
# taken for hung (stopped, swapping, deadlocked): it is killed and the training done here instead.
HEARTBEAT = 0.25
SILENCE = 10.0
ALIVE = "alive"
REPO = Path(__file__).resolve().parents[2]

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
    """The worker process ended before answering (killed for memory, say), or hung and was ended."""


class Worker:
    """One worker process and its two pipes; used by one thread at a time."""

    def __init__(self) -> None:
        # One BLAS thread each: the workers themselves are the parallelism.
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "lab.app.workers"], cwd=REPO, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, fn: Callable[..., T], args: tuple, silence: float = SILENCE) -> T:
        """``fn(*args)`` computed by the worker; WorkerDied if it ends, or goes ``silence`` s without a heartbeat."""
        request = pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)  # unpicklable: raises before anything is sent
        answer: list = []  # filled by the reader thread: (ok, value), or the error that ended the read
        heard = [time.monotonic()]

        def read() -> None:
            try:
                while (message := pickle.load(self.process.stdout)) == ALIVE:
                    heard[0] = time.monotonic()
                answer.append(message)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError) as err:
                answer.append(err)

        try:
            self.process.stdin.write(request)
            self.process.stdin.flush()
        except OSError as err:
            self.stop()
            raise WorkerDied(f"worker {self.process.pid} ended ({type(err).__name__}: {err})") from None
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        while reader.is_alive() and time.monotonic() - heard[0] < silence:
            reader.join(HEARTBEAT)
        if not answer:  # hung: killing it closes the pipe, which ends the reader too
            self.stop()
            reader.join()
            raise WorkerDied(f"worker {self.process.pid} was silent for {silence:g} s and was stopped")
        if isinstance(answer[0], BaseException):
            self.stop()
            raise WorkerDied(f"worker {self.process.pid} ended ({type(answer[0]).__name__}: {answer[0]})")
        ok, value = answer[0]
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        # Killed first: it may be in the middle of a call nobody waits for any more, and its end
        # gives a reader blocked on its stdout EOF (closing a pipe another thread reads would wait).
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class Pool:
    """At most ``size`` workers, started on demand and reused; a training waits for a free one."""

    def __init__(self, size: int, silence: float = SILENCE) -> None:
        self.size, self.silence, self.idle, self.started = size, silence, [], 0
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
            result = worker.call(fn, args, self.silence)
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
    """The worker's side: answer pickled calls until the server closes the pipe, saying ALIVE every
    HEARTBEAT seconds while a call is computed."""
    lock = threading.Lock()

    def send(message: object) -> None:
        with lock:
            answers.write(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
            answers.flush()

    def beat(done: threading.Event) -> None:
        while not done.wait(HEARTBEAT):
            send(ALIVE)

    while True:
        try:
            fn, args = pickle.load(calls)
        except EOFError:
            return
        done = threading.Event()
        beating = threading.Thread(target=beat, args=(done,), daemon=True)
        beating.start()
        try:
            answer = (True, fn(*args))
        except Exception as err:  # sent back and raised in the server, as if the call had been made there
            answer = (False, err)
        done.set()
        beating.join()
        try:
            send(answer)
        except Exception as err:  # an exception that cannot be pickled: its text still can
            send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}; {err}")))


if __name__ == "__main__":
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt the answers
    serve(sys.stdin.buffer, answers)

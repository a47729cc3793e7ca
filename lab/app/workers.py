"""Training off the script thread, for every page: ``run`` waits for the answer, ``start`` does not.

Streamlit runs each session's script in a thread of one process, where Python runs one thread at a
time (the GIL), and a click on any widget ends the script run under way. One pool counts every
training under way in the server process:

    workers.run(fn, *args)          # Moons: fn(*args) here, or in a worker process while another
                                    # training is under way (its small steps hold the GIL)
    job = workers.start(fn, *args)  # MNIST: fn(job, *args) in a thread of its own once a training
    job.progress; job.stop()        # slot is free; a rerun of the page does not end it

A worker is ``python -m lab.app.workers``: a fresh interpreter with NumPy and nn's core (about
40 MB) answering pickled ``(fn, args)`` calls over its pipes (``fn`` module-level, values plain).
Not ``multiprocessing``: its workers would re-run Streamlit's script (it poses as ``__main__``).
A job's thread shares the session's arrays and releases the GIL in its large matrix products.

    NEURAL_LAB_TRAINING_PROCESSES  worker processes at most (default 2; 0: every ``run`` here)
    NEURAL_LAB_TRAINING_SLOTS      jobs training at once (default 2); the others queue, first come
                                   first served, and ``job.ahead`` says how many runs are before them
"""
from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, TypeVar

PROCESSES_VARIABLE = "NEURAL_LAB_TRAINING_PROCESSES"
SLOTS_VARIABLE = "NEURAL_LAB_TRAINING_SLOTS"
DEFAULT_PROCESSES = DEFAULT_SLOTS = 2  # the cores of a free Community Cloud app
# A worker says "alive" every HEARTBEAT seconds while it computes. One silent for SILENCE seconds is
# taken for hung (stopped, swapping, deadlocked): it is killed and the training done here instead.
HEARTBEAT = 0.25
SILENCE = 10.0
ALIVE = "alive"
REPO = Path(__file__).resolve().parents[2]

T = TypeVar("T")
log = logging.getLogger(__name__)


def setting(variable: str, default: int, least: int = 0) -> int:
    """The whole number in environment ``variable`` (at least ``least``); ``default`` if unset or not a number."""
    raw = os.environ.get(variable, "").strip()
    try:
        return max(least, int(raw)) if raw else default
    except ValueError:
        log.warning("%s=%r is not a whole number; using %d", variable, raw, default)
        return default


def processes() -> int:
    """The most worker processes to use (0: none)."""
    return setting(PROCESSES_VARIABLE, DEFAULT_PROCESSES)


def slots() -> int:
    """How many jobs train at once (at least 1)."""
    return setting(SLOTS_VARIABLE, DEFAULT_SLOTS, least=1)


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


class Job:
    """One training in a thread of its own: ``fn(job, *args)``, which calls ``job.report(progress)``
    as it goes and ends early once ``job.stopping``. Kept in the user's session, so a rerun of the
    page (a click on an expander, a tab, Stop) finds it again and shows how far it got."""

    def __init__(self) -> None:
        self.progress: Any = None  # the last report
        self.result: Any = None
        self.error: BaseException | None = None
        self.ahead = 0  # runs training or queued before this one (0: it trains)
        self.stopping = threading.Event()
        self.finished = threading.Event()

    def report(self, progress: Any) -> bool:
        """Keep ``progress`` for the page; True once Stop was asked for (fit's callback contract)."""
        self.progress = progress
        return self.stopping.is_set()

    def stop(self) -> None:
        self.stopping.set()

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s; True once the job is over."""
        return self.finished.wait(timeout)


class Pool:
    """At most ``size`` worker processes, started on demand and reused, and ``slots`` jobs at once."""

    def __init__(self, size: int, silence: float = SILENCE, slots: int = DEFAULT_SLOTS) -> None:
        self.size, self.silence, self.idle, self.started = size, silence, [], 0
        self.slots = slots
        self.in_flight = 0  # trainings under way in this process, here, in jobs or in workers
        self.queue: deque[Job] = deque()  # jobs waiting for a slot, first come first served
        self.training = 0  # jobs holding a slot
        self.unavailable = ""  # why workers cannot start here, once that is known
        self.changed = threading.Condition()

    @contextmanager
    def busy(self) -> Iterator[bool]:
        """Count one training under way for the block; yields whether it is the only one."""
        with self.changed:
            alone = self.in_flight == 0
            self.in_flight += 1
        try:
            yield alone
        finally:
            with self.changed:
                self.in_flight -= 1

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self.busy() as alone:
            here = alone or self.size == 0 or bool(self.unavailable)
            return fn(*args) if here else self._in_worker(fn, args)

    def start(self, fn: Callable[..., Any], *args: Any) -> Job:
        """``fn(job, *args)`` in a new thread once a slot is free; returns the job at once."""
        job = Job()
        with self.changed:
            self.queue.append(job)
            self._count_ahead()
        threading.Thread(target=self._train, args=(job, fn, args), daemon=True).start()
        return job

    def _train(self, job: Job, fn: Callable[..., Any], args: tuple) -> None:
        with self.changed:
            while not (job.stopping.is_set() or (self.queue[0] is job and self.training < self.slots)):
                self.changed.wait(HEARTBEAT)  # a Stop sets no condition: look again now and then
            self.queue.remove(job)
            started = not job.stopping.is_set()  # Stop while queued: leave the queue, train nothing
            self.training += started
            self._count_ahead()
        try:
            if started:
                with self.busy():
                    job.result = fn(job, *args)
        except Exception as err:  # shown by the page that follows the job
            job.error = err
        finally:
            with self.changed:
                self.training -= started
                self._count_ahead()
            job.finished.set()

    def _count_ahead(self) -> None:
        """Tell each queued job how many runs are before it, and wake the one whose turn it is."""
        for place, job in enumerate(self.queue):
            job.ahead = self.training + place if place or self.training >= self.slots else 0
        self.changed.notify_all()

    def _in_worker(self, fn: Callable[..., T], args: tuple) -> T:
        worker = self._take()
        if worker is None:
            return fn(*args)
        try:
            result = worker.call(fn, args, self.silence)
        except WorkerDied as err:
            log.warning("%s: training in the server process instead", err)
            self._give_back(None)
            return fn(*args)
        except BaseException:
            self._give_back(worker)
            raise
        self._give_back(worker)
        return result

    def _take(self) -> Worker | None:
        with self.changed:
            self.changed.wait_for(lambda: self.idle or self.started < self.size or self.unavailable)
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

    def _give_back(self, worker: Worker | None) -> None:
        """Back to the idle ones; None: a worker that died, to be replaced."""
        with self.changed:
            if worker is None:
                self.started -= 1
            else:
                self.idle.append(worker)
            self.changed.notify_all()

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
    """This process's pool, sized from the environment when first asked for."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(processes(), slots=slots())
        return _pool


def run(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, computed here or, while another training is under way, in a worker process."""
    return pool().run(fn, *args)


def start(fn: Callable[..., Any], *args: Any) -> Job:
    """``fn(job, *args)`` in a thread of its own, once one of the server's training slots is free."""
    return pool().start(fn, *args)


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

"""A classroom at once: 30 students on one fresh `streamlit run app.py` on 127.0.0.1.

Each student is one real Streamlit session (tests/support/streamlit_client.py speaks the browser's
websocket protocol: the server creates a session, runs the page script in its thread, streams every
element). 30 Chromium tabs on this 2-core machine would measure the browsers' own Plotly rendering,
which in a classroom runs on 30 different laptops; cold_start.py measures a real browser.

Phases, on one server:
  1. one student alone: opens the Moons link, moves sliders, trains on MNIST (memory of one session)
  2. one student's long MNIST run (Best preset, many epochs) while another moves Moons sliders
  3. the class: 30 students arrive over ~20 s, each opens the Moons link and moves sliders with a
     few seconds' thought between moves; 10 of them go to the MNIST page and press Train together
     (bundled sample), then go back to the Moons page
  4. everyone leaves: server memory after their sessions expire (the server keeps a closed
     session STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL seconds for a reconnect: 10 here, 120 by
     default); then the class comes again (--rounds 2) to show memory is reused, not leaked

Latency: from sending the rerun (the slider released) to the arrival of the Moons decision-boundary
chart, and to the end of the run. Errors: tracebacks, st.error messages, runs that time out or
lose their connection. Memory: the server's and its training workers' proportional set sizes (PSS)
from /proc, summed, sampled every 0.2 s; CPU: their user + system time. Everything is bounded: a
fixed number of moves, a timeout per run, a deadline.

    python benchmarks/load_test.py                # about 6 minutes; prints the tables
    python benchmarks/load_test.py --students 10 --mnist 3 --rounds 1   # a quicker look

With --url the class plays against a server already running (HAProxy in front of replicas started
by scripts/serve_class.py, say) instead of fresh ones: only the class rounds run, and memory and CPU
are measured for the processes given with --pids (and everything they started), if any. Each
student's websocket is one new connection: HAProxy hands them to the replicas in turn, and the
whole session stays on that connection, so on that replica.

    STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL=10 python scripts/serve_class.py --replicas 2 --port 8650
    python benchmarks/load_test.py --url http://127.0.0.1:8650 --replicas 2 --pids <replicas' pids> ...
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.streamlit_client import Run, StreamlitSession  # noqa: E402

from tests.support.browser import ARTIFACTS, running_app  # noqa: E402
from tests.support.server_process import cpu_seconds, memory_mb, server_pid  # noqa: E402

SESSION_TTL = 10  # seconds a closed session is kept for a reconnect (Streamlit's default: 120)
CHART = "moons_boundary"
LONG_EPOCHS = 40  # the long MNIST run of phase 2 (Best preset: 784-512-10, dropout)


# ---- the server's memory -------------------------------------------------------------------
class Sampler(threading.Thread):
    """Memory of the servers every ``interval`` seconds; ``peak(since)`` is the largest since a moment."""

    def __init__(self, pids: list[int], interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval, self.samples = pids, interval, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while self.pids and not self.stopped.is_set():
            try:
                self.samples.append((time.monotonic(), memory_mb(self.pids)))
            except OSError:
                return
            time.sleep(self.interval)

    def peak(self, since: float) -> float:
        return max((mb for t, mb in self.samples if t >= since), default=float("nan"))


# ---- what students do ---------------------------------------------------------------------------
@dataclass
class Tally:
    """Every run of a phase: Moons moves, page opens, MNIST trainings."""

    moves: list[Run] = field(default_factory=list)
    opens: list[Run] = field(default_factory=list)
    trainings: list[Run] = field(default_factory=list)

    def all_runs(self) -> list[Run]:
        return self.moves + self.opens + self.trainings

    def problems(self) -> list[str]:
        found = []
        for run in self.all_runs():
            found += run.exceptions + [e for e in run.errors] + ([] if run.finished or run.errors else ["unfinished"])
        for run in self.trainings:
            if run.finished and not any(s.startswith("Trained") for s in run.successes):
                found.append("training did not finish: " + "; ".join(run.errors + run.infos)[:120])
        return found


def moons_move(session: StreamlitSession, rng: random.Random) -> dict:
    """One knob moved the way students move them: mostly the network and training knobs, now and
    then the data (which also retrains the page's hidden-size sweep)."""
    moves = []
    if "moons_neurons" in session.widgets:
        moves += [("moons_neurons", rng.randint(1, 8))] * 3
    for key, weight in (("moons_lr", 2), ("moons_l2", 1), ("moons_activation", 1)):
        if key in session.widgets:
            options = session.options(key)
            index = min(len(options) - 1, max(0, rng.randint(-2, 2) + len(options) // 2))
            moves += [(key, options[index] if key != "moons_activation" else rng.choice(options[:3]))] * weight
    if "moons_noise" in session.widgets:
        moves += [("moons_noise", rng.choice([0.1, 0.15, 0.25, 0.3]))]
    key, value = rng.choice(moves)
    return {key: value}


async def moons_moves(session: StreamlitSession, rng: random.Random, tally: Tally, moves: int,
                      think: tuple[float, float], deadline: float) -> None:
    for _ in range(moves):
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(rng.uniform(*think))
        tally.moves.append(await session.run(set=moons_move(session, rng), chart=CHART))


async def train_mnist(session: StreamlitSession, tally: Tally, epochs: int | None = None,
                      preset: str | None = None, timeout: float = 300.0) -> Run:
    tally.opens.append(await session.run(page="mnist"))
    if preset:
        await session.run(click=f"mnist_preset_{preset}")
    run = await session.run(set={"mnist_epochs": epochs} if epochs else None, click="mnist_train", timeout=timeout)
    tally.trainings.append(run)
    return run


async def student(base_url: str, index: int, tally: Tally, arrive: float, moves: int, trains: bool,
                  think: tuple[float, float], deadline: float, train_at: float | None = None) -> None:
    rng = random.Random(index)
    await asyncio.sleep(arrive)
    session = StreamlitSession(base_url)
    try:
        await session.connect()
        tally.opens.append(await session.run(page="moons", chart=CHART))
        if trains:
            await moons_moves(session, rng, tally, 2, think, deadline)
            await asyncio.sleep(max(0.0, (train_at or 0) - time.monotonic()))  # the MNIST group presses together
            await train_mnist(session, tally)
            tally.opens.append(await session.run(page="moons", chart=CHART))
            await moons_moves(session, rng, tally, max(0, moves - 2), think, deadline)
        else:
            await moons_moves(session, rng, tally, moves, think, deadline)
    except OSError as err:
        tally.opens.append(Run(seconds=0.0, errors=[f"connect: {err}"]))
    finally:
        await session.close()


# ---- the phases ---------------------------------------------------------------------------------
@dataclass
class Phase:
    name: str
    tally: Tally
    seconds: float
    cpu: float
    peak_mb: float


async def phase(name: str, pids: list[int], sampler: Sampler, work) -> Phase:
    """Run ``work``; its server CPU and peak memory are NaN when no process is measured (``pids`` empty)."""
    start, cpu = time.monotonic(), cpu_seconds(pids)
    tally = Tally()
    await work(tally)
    cpu = cpu_seconds(pids) - cpu if pids else float("nan")
    return Phase(name, tally, time.monotonic() - start, cpu, sampler.peak(start))


async def alone(url: str, tally: Tally, moves: int) -> None:
    session = StreamlitSession(url)
    await session.connect()
    tally.opens.append(await session.run(page="moons", chart=CHART))
    await moons_moves(session, random.Random(0), tally, moves, (0.5, 1.0), time.monotonic() + 300)
    await train_mnist(session, tally)
    await session.close()


async def long_run_beside_moons(url: str, tally: Tally, moves: int) -> None:
    """The same slider moves as the student alone (a new weight seed, so none is cached) while
    another session trains a long MNIST run."""
    trainer, mover = StreamlitSession(url), StreamlitSession(url)
    await trainer.connect()
    await mover.connect()
    tally.opens.append(await mover.run(page="moons", chart=CHART))
    tally.opens.append(await mover.run(set={"moons_init_seed": 1}, chart=CHART))
    training = asyncio.create_task(train_mnist(trainer, tally, epochs=LONG_EPOCHS, preset="Best", timeout=600))
    await asyncio.sleep(3.0)  # the long run is under way
    await moons_moves(mover, random.Random(0), tally, moves, (0.5, 1.0), time.monotonic() + 300)
    await training
    await trainer.close()
    await mover.close()


async def classroom(urls: list[str], tally: Tally, students: int, mnist: int, moves: int,
                    think: tuple[float, float], deadline: float) -> None:
    """The class; with several servers (replicas), student i always goes to server i mod n, as a
    load balancer with sticky sessions would send them."""
    arrivals = sorted(random.Random(7).uniform(0, 20) for _ in range(students))
    train_at = time.monotonic() + 30  # the MNIST group presses Train together, 30 s in
    await asyncio.gather(*[
        student(urls[i % len(urls)], i, tally, arrivals[i], moves, i % (students // mnist or 1) == 0
                and i // (students // mnist or 1) < mnist, think, deadline, train_at)
        for i in range(students)])


async def leave_and_settle(urls: list[str], pids: list[int], wait: float) -> tuple[float, float]:
    """Memory right after everyone left, and after their sessions expired (a new session's close
    reaps the expired ones from Streamlit's session store)."""
    right_after = memory_mb(pids)
    await asyncio.sleep(wait)
    for url in urls:
        passer_by = StreamlitSession(url)
        await passer_by.connect()
        await passer_by.run(page="")
        await passer_by.close()
    await asyncio.sleep(2.0)
    return right_after, memory_mb(pids)


# ---- the report ---------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def row(p: Phase) -> str:
    chart = [r.seconds_to_chart for r in p.tally.moves if r.seconds_to_chart is not None]
    done = [r.seconds for r in p.tally.moves if r.finished]
    train = [r.seconds for r in p.tally.trainings if r.finished]
    return (f"| {p.name} | {len(p.tally.moves)} | {percentile(chart, 0.5):.2f} | {percentile(chart, 0.95):.2f} | "
            f"{percentile(done, 0.5):.2f} | {percentile(done, 0.95):.2f} | "
            f"{(f'{min(train):.1f}-{max(train):.1f}' if train else '-')} | {len(p.tally.problems())} | "
            f"{p.peak_mb:.0f} | {p.cpu:.0f} s in {p.seconds:.0f} s |").replace("nan", "-")


def timeline(p: Phase, step: float = 10.0) -> list[str]:
    """Moves by when they were sent (buckets of ``step`` seconds): count, median and slowest wait to the
    chart, and how many MNIST trainings were under way then."""
    runs = p.tally.moves + p.tally.trainings
    if not runs:
        return []
    t0 = min(r.started for r in runs)
    lines = [f"\nTimeline of '{p.name}' (moves by when they were sent):",
             "| from s | moves | to chart p50 s | slowest s | MNIST trainings under way |", "|---|---|---|---|---|"]
    for lo in range(0, int(max(r.started for r in runs) - t0) + 1, int(step)):
        bucket = [r.seconds_to_chart for r in p.tally.moves
                  if lo <= r.started - t0 < lo + step and r.seconds_to_chart is not None]
        training = sum(1 for r in p.tally.trainings if r.started - t0 < lo + step and r.started + r.seconds - t0 > lo)
        if bucket or training:
            lines.append(f"| {lo} | {len(bucket)} | {percentile(bucket, 0.5):.2f} | "
                         f"{max(bucket, default=float('nan')):.2f} | {training} |")
    return lines


async def main(args: argparse.Namespace) -> int:
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(SESSION_TTL)
    deadline = time.monotonic() + args.deadline
    think = tuple(args.think)
    with contextlib.ExitStack() as servers:
        if args.url:  # one address in front of --replicas servers: students and passers-by all go there
            urls, pids = [args.url.rstrip("/")], args.pids
        else:
            urls = [servers.enter_context(running_app(ARTIFACTS / f"load-test-server-{i}.log"))
                    for i in range(args.replicas)]
            pids = [server_pid(int(url.rsplit(":", 1)[1])) for url in urls]
        sampler = Sampler(pids)
        sampler.start()
        idle_mb = memory_mb(pids) if pids else float("nan")
        phases = []
        if args.replicas == 1 and not args.url:
            phases.append(await phase("1 student alone", pids, sampler, lambda t: alone(urls[0], t, args.moves + 7)))
            phases.append(await phase(f"1 student moving sliders while another trains {LONG_EPOCHS} epochs", pids,
                                      sampler, lambda t: long_run_beside_moons(urls[0], t, args.moves + 7)))
        settled = []
        for round_ in range(1, args.rounds + 1):
            if time.monotonic() > deadline:
                break
            name = (f"class of {args.students} ({args.mnist} train MNIST), think {think[0]:g}-{think[1]:g} s, "
                    f"{args.replicas} server{'s' * (args.replicas > 1)}{' behind ' + args.url if args.url else ''}, "
                    f"round {round_}")
            phases.append(await phase(name, pids, sampler, lambda t: classroom(
                urls, t, args.students, args.mnist, args.moves, think, deadline)))
            if pids:
                settled.append(await leave_and_settle(urls * (args.replicas if args.url else 1), pids,
                                                      SESSION_TTL + 3))
        sampler.stopped.set()
    print(f"\nServer memory idle (before any session): {idle_mb:.0f} MB\n".replace("nan", "-"))
    print("| phase | Moons moves | to chart p50 s | to chart p95 s | run p50 s | run p95 s | MNIST training s | "
          "errors | peak memory MB | server CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for p in phases:
        print(row(p))
    if args.timeline:
        for p in phases[-len(settled) or None:]:
            print("\n".join(timeline(p)))
    for round_, (after, expired) in enumerate(settled, 1):
        print(f"\nRound {round_}: memory right after the class left {after:.0f} MB; "
              f"after their sessions expired {expired:.0f} MB")
    problems = [problem for p in phases for problem in p.tally.problems()]
    for problem in sorted(set(problems))[:20]:
        print("problem:", problem[:200])
    print(f"\n{len(problems)} errors in {sum(len(p.tally.all_runs()) for p in phases)} runs.")
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--mnist", type=int, default=10, help="how many of them train on the MNIST page")
    parser.add_argument("--moves", type=int, default=5, help="Moons slider moves per student")
    parser.add_argument("--rounds", type=int, default=2, help="classes one after the other")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 5.0), metavar=("LOW", "HIGH"),
                        help="seconds a student looks before moving the next knob (uniform)")
    parser.add_argument("--replicas", type=int, default=1,
                        help="servers the class is spread over (sticky: a student stays on one); with --url, "
                             "how many are behind it")
    parser.add_argument("--url", help="play against this running server (HAProxy's address) instead of fresh ones")
    parser.add_argument("--pids", type=int, nargs="*", default=[],
                        help="with --url: processes whose memory and CPU are measured, with all they started "
                             "(the replicas and HAProxy: serve_class.py prints their pids)")
    parser.add_argument("--timeline", action="store_true", help="also print each class's waits over time")
    parser.add_argument("--deadline", type=float, default=900, help="seconds; no new phase starts after it")
    sys.exit(asyncio.run(main(parser.parse_args())))

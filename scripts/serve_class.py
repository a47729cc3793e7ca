"""Serve Neural Lab to a class: N `streamlit run app.py` replicas behind HAProxy, with one command.

    python scripts/serve_class.py --replicas 2 --port 8650      # students open http://127.0.0.1:8650

Each replica is a Streamlit server on a free loopback port, in a process group of its own (with the
training workers it starts). HAProxy (deploy/haproxy.cfg, Debian's `haproxy` package) listens on
--address:--port, keeps each student on one replica with a cookie (NLSERVER) and takes a replica
out within about 2 s of it failing its health check. The replicas share one cookie secret and one
NEURAL_LAB_CACHE (given with --cache, else the usual one), so full MNIST is downloaded once.
Ctrl-C or SIGTERM stops HAProxy, then every replica's process group: nothing is left behind.
One replica per core; see README, "Run it for a class".
"""
from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "haproxy.cfg"
START_TIMEOUT = 120.0  # seconds for a replica (or HAProxy) to answer its health check
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL when stopping
MISSING_HAPROXY = """serve_class.py needs HAProxy, and it is not installed (or not at {where}).
Install it, then run this command again:
    Debian, Ubuntu:  sudo apt-get install haproxy
    Fedora:          sudo dnf install haproxy
    macOS:           brew install haproxy
Or give its path with --haproxy /path/to/haproxy."""


class Stop(Exception):
    """SIGINT (Ctrl-C) or SIGTERM arrived."""


_signals: list[str] = []  # names of the signals received; the handler only records them


def _on_signal(signum: int, frame: object) -> None:
    _signals.append(signal.Signals(signum).name)


def check_signals() -> None:
    """Raise Stop once a signal has arrived (checked between steps, never in the middle of one: a
    replica is never started without being recorded for the cleanup)."""
    if _signals:
        raise Stop(_signals[0])


def find_haproxy(given: str | None = None) -> str | None:
    """The haproxy executable: ``given``, else on PATH, else in the sbin folders (not on a user's PATH)."""
    if given:
        return given if os.path.isfile(given) and os.access(given, os.X_OK) else None
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin:/sbin")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def haproxy_config(bind: str, replicas: list[tuple[str, int]]) -> str:
    """deploy/haproxy.cfg with its placeholders filled: ``bind`` ("address:port") and one server line
    per (name, loopback port) replica; the name is also the value of the NLSERVER cookie."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{port} check cookie {name}" for name, port in replicas)
    return TEMPLATE.read_text().replace("{{BIND}}", bind).replace("{{SERVERS}}", servers)


def start(cmd: list[str], log: Path | None, env: dict[str, str]) -> subprocess.Popen:
    """Start ``cmd`` from the repository in a new process group (a session of its own, which Ctrl-C in
    the terminal does not reach: this script stops it); its output goes to ``log``, or to ours."""
    out = open(log, "w") if log else None
    try:
        return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        if out:
            out.close()


def wait_healthy(url: str, proc: subprocess.Popen, what: str, timeout: float = START_TIMEOUT) -> None:
    """Poll ``url``/_stcore/health until it answers 200; RuntimeError if ``proc`` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        check_signals()
        if proc.poll() is not None:
            raise RuntimeError(f"{what} stopped with exit code {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer {url}/_stcore/health within {timeout:.0f} s")
        time.sleep(0.2)


def stop(procs: list[subprocess.Popen], grace: float = STOP_GRACE) -> None:
    """SIGTERM to each process group, up to ``grace`` seconds to exit, then SIGKILL to what is left
    of each group (a training worker that outlived its server, say), and reap them."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):  # the group has ended already
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def serve(args: argparse.Namespace, haproxy: str) -> int:
    """Start the replicas and HAProxy, print the URL, watch them until a signal; stop everything."""
    logs = Path(args.logs or tempfile.mkdtemp(prefix="neural-lab-class-")).resolve()
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # Signed cookies must verify on every replica (Streamlit: "the same value across all replicas").
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    if args.cache:
        env["NEURAL_LAB_CACHE"] = str(Path(args.cache).expanduser().resolve())
        Path(env["NEURAL_LAB_CACHE"]).mkdir(parents=True, exist_ok=True)
    local = "127.0.0.1" if args.address in ("0.0.0.0", "::", "") else args.address
    url = f"http://{local if args.address == local else socket.gethostname()}:{args.port}"
    replicas_text = f"{args.replicas} replica{'s' * (args.replicas != 1)}"
    procs: list[subprocess.Popen] = []  # HAProxy first once started, so it stops first
    try:
        with socket.socket(socket.AF_INET6 if ":" in args.address else socket.AF_INET) as s:
            try:
                s.bind((args.address, args.port))
            except OSError as err:
                raise RuntimeError(f"cannot listen on {args.address}:{args.port} ({err.strerror}): "
                                   f"choose another --port") from None
        replicas = [(f"r{i}", free_port()) for i in range(1, args.replicas + 1)]
        for name, port in replicas:
            check_signals()
            procs.append(start([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                "--server.address", "127.0.0.1", "--server.port", str(port),
                                "--browser.gatherUsageStats", "false"], logs / f"replica-{name}.log", env))
        for (name, port), proc in zip(replicas, procs):
            wait_healthy(f"http://127.0.0.1:{port}", proc, f"replica {name} (log: {logs / f'replica-{name}.log'})")
            print(f"replica {name}: http://127.0.0.1:{port} (pid {proc.pid})", flush=True)
        config = logs / "haproxy.cfg"
        config.write_text(haproxy_config(f"{args.address}:{args.port}", replicas))
        procs.insert(0, start([haproxy, "-db", "-f", str(config)], None, env))
        wait_healthy(f"http://{local}:{args.port}", procs[0], f"haproxy -f {config}", timeout=20)
        print(f"haproxy: pid {procs[0].pid}, config {config}\nlogs: {logs}", flush=True)
        print(f"\nNeural Lab for a class: {url}\n({replicas_text}; Ctrl-C stops everything)", flush=True)
        return watch(procs[0], dict(zip((name for name, _ in replicas), procs[1:])))
    except Stop as signal_name:
        print(f"\n{signal_name}: stopping HAProxy and {replicas_text}", flush=True)
        return 0
    except RuntimeError as err:
        print(f"serve_class.py: {err}", file=sys.stderr, flush=True)
        return 1
    finally:
        stop(procs)  # a second Ctrl-C meanwhile is only recorded: the cleanup runs to its end


def watch(haproxy: subprocess.Popen, replicas: dict[str, subprocess.Popen]) -> int:
    """Report replicas that end (HAProxy sends their students to the others); return when HAProxy or
    every replica has ended (1); raise Stop on a signal."""
    reported: set[str] = set()
    while True:
        time.sleep(0.5)
        check_signals()
        for name, proc in replicas.items():
            if proc.poll() is not None and name not in reported:
                reported.add(name)
                print(f"replica {name} stopped (exit code {proc.returncode}); its students reconnect to "
                      f"the other replicas", flush=True)
        if haproxy.poll() is not None:
            print(f"serve_class.py: haproxy stopped (exit code {haproxy.returncode})", file=sys.stderr, flush=True)
            return 1
        if len(reported) == len(replicas):
            print("serve_class.py: every replica has stopped", file=sys.stderr, flush=True)
            return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit servers (one per core; default 2)")
    parser.add_argument("--port", type=int, default=8650, help="the port students open (default 8650)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="HAProxy's address (default 127.0.0.1; 0.0.0.0 for every network interface)")
    parser.add_argument("--cache", help="the folder the replicas share for datasets (NEURAL_LAB_CACHE)")
    parser.add_argument("--logs", help="folder for the replicas' logs and HAProxy's config (default: a new "
                                       "temporary folder)")
    parser.add_argument("--haproxy", help="path of the haproxy executable (default: found on PATH or in /usr/sbin)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    haproxy = find_haproxy(args.haproxy)
    if haproxy is None:
        print(MISSING_HAPROXY.format(where=args.haproxy or "PATH or /usr/sbin"), file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    return serve(args, haproxy)


if __name__ == "__main__":
    sys.exit(main())

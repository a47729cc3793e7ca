"""`scripts/serve_class.py` run by a test, as a teacher runs it: replicas behind HAProxy on a free port.

    with serving_class(replicas=2, logs=tmp_path) as server:
        server.url                  # "http://127.0.0.1:<port>", HAProxy
        server.replicas             # {"r1": Replica(port, pid), ...}; "r1" is also the NLSERVER cookie
        server.stop(signal.SIGINT)  # what Ctrl-C does; returns the exit code

Skipped when haproxy is missing, unless CI=true or NEURAL_LAB_REQUIRE_BROWSER=1 (then a failure).
The script's output goes to test-artifacts/serve-class-<name>.log as well as to ``server.lines``.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.serve_class import find_haproxy, free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
START_TIMEOUT = 180.0  # two replicas start in seconds, more on a busy CI machine


@dataclass(frozen=True)
class Replica:
    port: int
    pid: int  # also its process group: its training workers are in it


@dataclass
class ClassServer:
    url: str
    port: int
    logs: Path
    proc: subprocess.Popen
    replicas: dict[str, Replica] = field(default_factory=dict)
    haproxy_pid: int = 0
    lines: list[str] = field(default_factory=list)

    def stop(self, signum: int = signal.SIGINT, timeout: float = 60.0) -> int:
        """Send ``signum`` to serve_class.py and wait for it to exit; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.proc.wait(timeout=timeout)

    def wait_for_line(self, pattern: str, timeout: float = 30.0) -> str:
        """The first output line matching ``pattern`` (a regex), waiting for it up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        ended = False
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if re.search(pattern, line)), None)
            if found is not None:
                return found
            if ended:
                break
            ended = self.proc.poll() is not None  # one more look at its last lines, then give up
            time.sleep(0.2)
        raise AssertionError(f"serve_class.py printed no line matching {pattern!r}:\n" + "\n".join(self.lines))

    def leftovers(self) -> dict[int, str]:
        """Processes this server started that are still alive (the process table, from /proc): anything
        in a replica's or HAProxy's process group, or whose command line names a replica's port or
        the logs folder (HAProxy's config). Zombies (ended, not yet reaped by init) do not count."""
        groups = {r.pid for r in self.replicas.values()} | {self.haproxy_pid}
        markers = [str(self.logs).encode()] + [f"--server.port\0{r.port}\0".encode() for r in self.replicas.values()]
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and (int(fields[2]) in groups or any(m in cmdline for m in markers)):
                command = cmdline.replace(b"\0", b" ").decode(errors="replace")
                found[int(entry.name)] = f"pgid {fields[2]} state {fields[0]}: {command}"
        return found


def haproxy_or_skip() -> str:
    """The haproxy executable; skips the test when it is missing (fails on CI)."""
    found = find_haproxy()
    if found is None:
        message = "haproxy is not installed (apt-get install haproxy)"
        if os.environ.get("CI", "").lower() == "true" or os.environ.get("NEURAL_LAB_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; required on CI")
        pytest.skip(message)
    return found


def port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@contextlib.contextmanager
def serving_class(replicas: int, logs: Path, name: str = "test", args: tuple[str, ...] = ()
                  ) -> Iterator[ClassServer]:
    """Run serve_class.py (with more ``args``) until the block ends (then SIGINT, as Ctrl-C; SIGKILL
    for what is left)."""
    haproxy_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    cmd = [sys.executable, "scripts/serve_class.py", "--replicas", str(replicas), "--port", str(port),
           "--logs", str(logs), *args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = ClassServer(url=f"http://127.0.0.1:{port}", port=port, logs=logs, proc=proc)

    def read() -> None:
        with open(ARTIFACTS / f"serve-class-{name}.log", "w") as log:
            for line in proc.stdout:
                server.lines.append(line.rstrip("\n"))
                log.write(line)
                log.flush()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        server.wait_for_line(r"^Neural Lab for a class: ", timeout=START_TIMEOUT)
        for line in server.lines:
            if m := re.match(r"replica (r\d+): http://127.0.0.1:(\d+) \(pid (\d+)\)", line):
                server.replicas[m[1]] = Replica(int(m[2]), int(m[3]))
            elif m := re.match(r"haproxy: pid (\d+)", line):
                server.haproxy_pid = int(m[1])
        assert len(server.replicas) == replicas and server.haproxy_pid, server.lines
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid in server.leftovers():  # only if the script failed to stop them (the tests check it did)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        reader.join(timeout=5)

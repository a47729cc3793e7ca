"""scripts/serve_class.py: Streamlit replicas behind HAProxy with one command, stopped with nothing left.

Live: the script runs as a teacher runs it (a subprocess on a free port); students are real Streamlit
sessions over the websocket protocol (tests/support/streamlit_client.py) going through HAProxy. The browser
side (cookies, a replica that dies) is in tests/browser/test_replicas_browser.py.
"""
from __future__ import annotations

import asyncio
import gzip
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from lab.moons.settings import DEFAULTS, query_string
from scripts.serve_class import haproxy_config
from tests.support.class_server import REPO, haproxy_or_skip, port_is_closed, serving_class
from tests.support.server_process import process_tree
from tests.support.streamlit_client import StreamlitSession, play

CHART = "moons_boundary"


def test_the_config_is_valid_haproxy_with_cookie_stickiness_and_long_websocket_timeouts(tmp_path):
    haproxy = haproxy_or_skip()
    text = haproxy_config("127.0.0.1:8650", [("r1", 8651), ("r2", 8652), ("r3", 8653)])
    (tmp_path / "haproxy.cfg").write_text(text)
    check = subprocess.run([haproxy, "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    lines = [line.split("#")[0].split() for line in text.splitlines()]
    lines = [words for words in lines if words]
    assert ["bind", "127.0.0.1:8650"] in lines
    servers = [words for words in lines if words[0] == "server"]
    assert servers == [["server", f"r{i}", f"127.0.0.1:865{i}", "check", "cookie", f"r{i}"] for i in (1, 2, 3)]
    assert ["cookie", "NLSERVER", "insert", "indirect", "nocache"] == next(w for w in lines if w[0] == "cookie")[:5]
    assert not any(words[:2] in (["balance", "source"], ["hash-type", "consistent"]) for words in lines)  # no IP hash
    assert ["http-check", "send", "meth", "GET", "uri", "/_stcore/health"] in lines
    tunnel = next(words for words in lines if words[:2] == ["timeout", "tunnel"])
    assert tunnel[2].endswith("h")  # hours: a lesson's websocket stays open


def test_without_haproxy_it_says_what_to_install_and_starts_nothing(tmp_path):
    done = subprocess.run([sys.executable, "scripts/serve_class.py", "--haproxy", str(tmp_path / "haproxy"),
                           "--logs", str(tmp_path / "logs")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "apt-get install haproxy" in done.stderr and "--haproxy" in done.stderr
    assert done.stdout == "" and not (tmp_path / "logs").exists()


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    haproxy_or_skip()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "scripts/serve_class.py", "--port", str(port),
                               "--logs", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert "replica" not in done.stdout and list(tmp_path.iterdir()) == []  # no replica was started


def environment(pid: int) -> dict[str, str]:
    """The environment a process was started with (from /proc)."""
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


def worker_groups(server) -> dict[int, int]:
    """Training workers (python -m lab.app.workers) alive now -> their process group."""
    found = {}
    for pid in process_tree([r.pid for r in server.replicas.values()]):
        try:
            if b"lab.app.workers" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
        except OSError:
            pass
    return found


def get(url: str, gzip_ok: bool) -> tuple[str | None, bytes]:
    """(Content-Encoding, body as sent) of a GET, offering gzip or not."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get("Content-Encoding"), response.read()


def assert_static_files_compressed(proxy: str, replica: str) -> None:
    """HAProxy gzips Streamlit's page and JavaScript (which Streamlit sends uncompressed) to the same bytes."""
    page = get(replica + "/", gzip_ok=True)[1].decode()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', page)[1]
    for path in ("/", "/" + script):
        plain_encoding, plain = get(replica + path, gzip_ok=True)
        encoding, body = get(proxy + path, gzip_ok=True)
        assert plain_encoding is None and encoding == "gzip", (path, plain_encoding, encoding)
        assert gzip.decompress(body) == plain and len(body) < len(plain) / 2, path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_students_work_through_haproxy_and_a_signal_leaves_no_process_behind(tmp_path, signum):
    # Networks that train for many seconds: the signal arrives while one of them is in a worker.
    long = replace(DEFAULTS, hidden_layers=2, neurons=30, passes=20_000, stop_when_flat=False)
    cache = (tmp_path / "shared cache").resolve()
    with serving_class(replicas=2, logs=tmp_path / "logs", name=signum.name, args=("--cache", str(cache))) as server:
        assert server.leftovers()  # the check below sees the replicas and HAProxy while they run
        environments = [environment(r.pid) for r in server.replicas.values()]
        assert all(e["NEURAL_LAB_CACHE"] == str(cache) for e in environments) and cache.is_dir()
        assert len({e["STREAMLIT_SERVER_COOKIE_SECRET"] for e in environments}) == 1  # one secret for all
        r1 = f"http://127.0.0.1:{server.replicas['r1'].port}"
        assert_static_files_compressed(server.url, r1)

        async def class_stopped_mid_training():
            # Two students through HAProxy, then two straight at replica r1 who start long trainings
            # at the same moment, so that r1 hands one to a training worker; then the signal.
            sessions = [StreamlitSession(url) for url in (server.url, server.url, r1, r1)]
            for s in sessions:
                await s.connect()
            try:
                runs = [await s.run(page="moons", chart=CHART) for s in sessions[:2]]
                trainings = [asyncio.create_task(s.run(page="moons", query=query_string(replace(long, init_seed=seed)),
                                                       timeout=300)) for s, seed in zip(sessions[2:], (1, 2))]
                deadline = time.monotonic() + 60
                while not worker_groups(server) and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                workers = worker_groups(server)
                start = time.monotonic()
                code = await asyncio.to_thread(server.stop, signum)
                stopped_in = time.monotonic() - start
                interrupted = await asyncio.gather(*trainings)
                return runs, workers, code, stopped_in, interrupted
            finally:
                for s in sessions:
                    await s.close()

        runs, workers, code, stopped_in, interrupted = play(class_stopped_mid_training())
        for run in runs:
            assert run.finished and run.seconds_to_chart is not None and not run.exceptions, run
        assert set(workers.values()) == {server.replicas["r1"].pid}  # a worker, in r1's process group
        assert not any(run.finished for run in interrupted)  # the signal came mid-training
        assert code == 0
        assert server.wait_for_line(rf"^{signum.name}: stopping HAProxy and 2 replicas")
        assert server.leftovers() == {}, server.leftovers()  # the worker too, though it was training
        assert port_is_closed(server.port)
        assert all(port_is_closed(r.port) for r in server.replicas.values())
    print(f"serve_class.py stopped in {stopped_in:.1f} s after {signum.name}")

"""Downloads against a real HTTP server on 127.0.0.1 started by the tests.

The server serves small IDX files (built from the bundled sample) and
behaves according to the first path segment of the URL, so one server
can play several mirrors:

    /ok/<file>         the file
    /missing/<file>    404
    /broken/<file>     500
    /truncated/<file>  announces the full length, sends half, closes
    /hang/<file>       never answers (until the test ends)
"""

from __future__ import annotations

import dataclasses
import errno
import gzip
import hashlib
import http.server
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nn.datasets import SOURCES, CacheUnwritable, DatasetUnavailable, RemoteFile, cache_dir, load_mnist
from tests.support.idx_files import encode_idx

N_TRAIN, N_TEST = 300, 100
FILE_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


class MirrorServer:
    """A threaded HTTP server serving `root`, recording every request path."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        self.release = threading.Event()  # lets /hang/ handlers finish
        handler = self._handler_class()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/{mode}/"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                server.requests.append(self.path)
                _, mode, name = self.path.split("/", 2)
                if mode == "hang":
                    server.release.wait(10)
                    return
                if mode in ("missing", "broken"):
                    self.send_error(404 if mode == "missing" else 500)
                    return
                path = server.root / name
                if not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "truncated":
                    body = body[: len(body) // 2]
                    self.close_connection = True
                self.wfile.write(body)

        return Handler


def _gz_idx(array: np.ndarray) -> bytes:
    return gzip.compress(encode_idx(array), mtime=0)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def idx_files():
    """Four small gzipped IDX files built from the sample: name -> (array, bytes)."""
    X, y, X_test, y_test = load_mnist("sample")
    arrays = (X[:N_TRAIN].reshape(-1, 28, 28), y[:N_TRAIN].astype(np.uint8),
              X_test[:N_TEST].reshape(-1, 28, 28), y_test[:N_TEST].astype(np.uint8))
    return {name: (array, _gz_idx(array)) for name, array in zip(FILE_NAMES, arrays)}


@pytest.fixture
def served(idx_files, tmp_path, monkeypatch):
    """Serve the IDX files and patch SOURCES["mnist"] and ["fashion"] with their specs.

    Also points NEURAL_LAB_CACHE at an empty temporary folder.
    """
    root = tmp_path / "served"
    root.mkdir()
    specs = []
    for name, (_, body) in idx_files.items():
        (root / name).write_bytes(body)
        specs.append(RemoteFile(name, len(body), hashlib.md5(body).hexdigest()))
    for key in ("mnist", "fashion"):
        monkeypatch.setitem(SOURCES, key, dataclasses.replace(
            SOURCES[key], train_images=specs[0], train_labels=specs[1],
            test_images=specs[2], test_labels=specs[3]))
    monkeypatch.setenv("NEURAL_LAB_CACHE", str(tmp_path / "cache"))
    server = MirrorServer(root)
    server.arrays = [array for array, _ in idx_files.values()]
    server.specs = specs
    yield server
    server.close()


def _use_mirrors(monkeypatch, *urls: str, variable: str = "NEURAL_LAB_MNIST_MIRRORS") -> None:
    monkeypatch.setenv(variable, ",".join(urls))


def _cache_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "cache"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_download_succeeds_and_progress_reaches_total(served, monkeypatch, tmp_path):
    _use_mirrors(monkeypatch, served.url("ok"))
    calls = []
    X_train, y_train, X_test, y_test = load_mnist("mnist", progress=lambda d, t: calls.append((d, t)))

    assert X_train.shape == (N_TRAIN, 784) and X_test.shape == (N_TEST, 784)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train, served.arrays[0].reshape(N_TRAIN, 784))
    np.testing.assert_array_equal(y_test, served.arrays[3])
    total = sum(spec.size for spec in served.specs)
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert _cache_files(tmp_path) == sorted(FILE_NAMES)  # and no temporary files


def test_scale_gives_float32_in_unit_interval(served, monkeypatch):
    _use_mirrors(monkeypatch, served.url("ok"))
    X_train, _, X_test, _ = load_mnist("mnist", scale=True)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert 0.0 <= X_train.min() and X_train.max() == 1.0


def test_second_load_makes_no_request(served, monkeypatch):
    _use_mirrors(monkeypatch, served.url("ok"))
    first = load_mnist("mnist")
    served.requests.clear()
    second = load_mnist("mnist")
    assert served.requests == []
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_checksum_mismatch_is_refused_and_nothing_cached(served, monkeypatch, tmp_path):
    wrong = dataclasses.replace(served.specs[1], md5="0" * 32)
    monkeypatch.setitem(SOURCES, "mnist", dataclasses.replace(SOURCES["mnist"], train_labels=wrong))
    _use_mirrors(monkeypatch, served.url("ok"))
    with pytest.raises(DatasetUnavailable, match="MD5"):
        load_mnist("mnist")
    assert "train-labels-idx1-ubyte.gz" not in _cache_files(tmp_path)
    assert not [name for name in _cache_files(tmp_path) if name.endswith(".part")]


def test_truncated_body_is_refused(served, monkeypatch, tmp_path):
    _use_mirrors(monkeypatch, served.url("truncated"))
    with pytest.raises(DatasetUnavailable, match="got .* bytes"):
        load_mnist("mnist")
    assert _cache_files(tmp_path) == []


@pytest.mark.parametrize("first", ["closed port", "missing", "broken", "truncated"])
def test_failing_first_mirror_falls_over_to_second(served, monkeypatch, first):
    first_url = _closed_port_url() if first == "closed port" else served.url(first)
    _use_mirrors(monkeypatch, first_url, served.url("ok"))
    X_train, *_ = load_mnist("mnist")
    assert X_train.shape == (N_TRAIN, 784)
    assert sum(path.startswith("/ok/") for path in served.requests) == 4


def test_corrupted_cache_file_is_fetched_again(served, monkeypatch, tmp_path):
    _use_mirrors(monkeypatch, served.url("ok"))
    expected = load_mnist("mnist")
    cached = tmp_path / "cache" / "mnist" / "train-images-idx3-ubyte.gz"
    body = bytearray(cached.read_bytes())
    body[100] ^= 0xFF  # same size, different content
    cached.write_bytes(bytes(body))
    served.requests.clear()

    again = load_mnist("mnist")
    assert served.requests == ["/ok/train-images-idx3-ubyte.gz"]
    np.testing.assert_array_equal(again[0], expected[0])


def test_no_reachable_mirror_raises_dataset_unavailable(served, monkeypatch, tmp_path):
    urls = [_closed_port_url(), served.url("missing"), served.url("broken")]
    _use_mirrors(monkeypatch, *urls)
    with pytest.raises(DatasetUnavailable) as info:
        load_mnist("mnist")
    message = str(info.value)
    assert all(url in message for url in urls)  # says what was tried
    assert "NEURAL_LAB_MNIST_MIRRORS" in message
    assert isinstance(info.value, RuntimeError)
    assert _cache_files(tmp_path) == []


def test_cache_path_that_is_a_file_raises_dataset_unavailable(served, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("NEURAL_LAB_CACHE", str(blocker))
    _use_mirrors(monkeypatch, served.url("ok"))
    with pytest.raises(CacheUnwritable, match="cache folder") as info:
        load_mnist("mnist")
    assert isinstance(info.value, DatasetUnavailable)  # callers that catch the general case still do
    assert "NEURAL_LAB_CACHE" in str(info.value) and "mirror" not in str(info.value)  # what would help


def test_read_only_cache_folder_raises_dataset_unavailable(served, monkeypatch, tmp_path):
    folder = tmp_path / "read-only"
    (folder / "mnist").mkdir(parents=True)
    (folder / "mnist").chmod(0o500)
    try:
        try:
            (folder / "mnist" / "probe").write_text("")
            # root writes anywhere: make file creation fail as on a read-only file system
            (folder / "mnist" / "probe").unlink()

            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, "Read-only file system")

            monkeypatch.setattr(tempfile, "mkstemp", read_only)
        except PermissionError:
            pass
        monkeypatch.setenv("NEURAL_LAB_CACHE", str(folder))
        _use_mirrors(monkeypatch, served.url("ok"))
        with pytest.raises(CacheUnwritable, match="cache folder"):  # a DatasetUnavailable too
            load_mnist("mnist")
        assert list((folder / "mnist").iterdir()) == []
    finally:
        (folder / "mnist").chmod(0o700)


def test_hanging_server_times_out(served, monkeypatch):
    _use_mirrors(monkeypatch, served.url("hang"))
    start = time.monotonic()
    with pytest.raises(DatasetUnavailable, match="timed out"):
        load_mnist("mnist", timeout=0.2)
    assert time.monotonic() - start < 5


def test_fashion_uses_its_own_mirrors_and_cache_folder(served, monkeypatch, tmp_path):
    _use_mirrors(monkeypatch, served.url("missing"))  # MNIST's mirrors must not be used
    _use_mirrors(monkeypatch, served.url("ok"), variable="NEURAL_LAB_FASHION_MIRRORS")
    X_train, *_ = load_mnist("fashion")
    assert X_train.shape == (N_TRAIN, 784)
    assert sorted(p.name for p in (tmp_path / "cache" / "fashion").iterdir()) == sorted(FILE_NAMES)
    assert not (tmp_path / "cache" / "mnist").exists()


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("NEURAL_LAB_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "neural-lab"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "neural-lab"
    monkeypatch.setenv("NEURAL_LAB_CACHE", str(tmp_path / "lab"))
    assert cache_dir() == tmp_path / "lab"

"""Download files from a list of mirrors into a verified on-disk cache.

The rules, in the order they are applied:

* a cached file is used only if its size and MD5 match the published ones;
  otherwise it is fetched again;
* each mirror is tried in turn; any network problem (refused connection,
  HTTP 404/500, timeout, cut-off transfer) moves on to the next mirror;
* the body is streamed into a temporary file inside the cache folder and
  renamed onto its final name (os.replace, atomic) only after its checksum
  matched, so the cache never holds a half-written or wrong file;
* if no mirror delivers a verified file, DatasetUnavailable is raised; if
  the cache folder cannot be written to, its subclass CacheUnwritable,
  before anything is downloaded.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ProgressCallback = Callable[[int, int | None], None]
"""progress(done, total): bytes received so far, and the total if known."""

DEFAULT_TIMEOUT = 30.0
_CHUNK = 64 * 1024


class DatasetUnavailable(RuntimeError):
    """No mirror could deliver a verified file, or the cache is not writable."""


class CacheUnwritable(DatasetUnavailable):
    """The cache folder cannot be created or written to (a read-only disk, say): nothing was downloaded."""


@dataclass(frozen=True)
class RemoteFile:
    """One file as published: its name on the mirrors, size in bytes, MD5."""

    name: str
    size: int
    md5: str


def cache_dir() -> Path:
    """The per-user cache folder (read from the environment at each call).

    NEURAL_LAB_CACHE if set, else $XDG_CACHE_HOME/neural-lab,
    else ~/.cache/neural-lab.
    """
    if os.environ.get("NEURAL_LAB_CACHE"):
        return Path(os.environ["NEURAL_LAB_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "neural-lab"


def is_valid(path: Path, file: RemoteFile) -> bool:
    """True if `path` exists and has the size and MD5 published for `file`."""
    try:
        if path.stat().st_size != file.size:
            return False
        digest = hashlib.md5(usedforsecurity=False)  # integrity, not security
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == file.md5


def fetch_all(
    files: Sequence[RemoteFile],
    mirrors: Sequence[str],
    folder: Path,
    progress: ProgressCallback | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Path]:
    """Make sure every file is cached and verified in `folder`; return paths.

    Files already cached and valid touch no network. `progress` sees the
    bytes of all missing files together, against the sum of their sizes.
    `timeout` (seconds) bounds connecting and each wait for data.
    """
    paths = [folder / file.name for file in files]
    missing = [(file, path) for file, path in zip(files, paths) if not is_valid(path, file)]
    total = sum(file.size for file, _ in missing)
    finished = 0  # bytes of the files already downloaded

    def report(done_in_file: int) -> None:
        if progress is not None:
            progress(finished + done_in_file, total)

    for file, path in missing:
        _fetch(file, mirrors, path, report, timeout)
        finished += file.size
    return paths


def _fetch(file: RemoteFile, mirrors: Sequence[str], path: Path,
           report: Callable[[int], None], timeout: float) -> None:
    """Download `file` to `path` from the first mirror that delivers it intact."""
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + file.name
        handle, part = _open_temporary(path)
        try:
            problem = _download(url, handle, file, report, timeout)
            if problem is None:
                _commit(part, path)
                return
            failures.append(f"{url} ({problem})")
        finally:
            Path(part).unlink(missing_ok=True)  # no-op once renamed
    tried = "; ".join(failures) if failures else "no mirrors configured"
    raise DatasetUnavailable(f"could not download a verified {file.name}. Tried: {tried}")


def _download(url: str, handle: int, file: RemoteFile,
              report: Callable[[int], None], timeout: float) -> str | None:
    """Stream `url` into the open file `handle`; return None or what went wrong."""
    digest = hashlib.md5(usedforsecurity=False)  # integrity, not security
    done = 0
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            report(0)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                report(done)
    except (OSError, http.client.HTTPException, ValueError) as err:
        # URLError, HTTPError and timeouts are all OSErrors; ValueError
        # means a malformed mirror URL.
        return str(err) or type(err).__name__
    if done != file.size or digest.hexdigest() != file.md5:
        return (f"got {done} bytes with MD5 {digest.hexdigest()}, "
                f"expected {file.size} bytes with MD5 {file.md5}")
    return None


def _open_temporary(path: Path) -> tuple[int, str]:
    """Create the cache folder and a temporary file beside `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as err:
        raise CacheUnwritable(f"cannot write to the cache folder {path.parent}: {err}") from err


def _commit(part: str, path: Path) -> None:
    """Atomically move the verified temporary file onto its final name."""
    try:
        os.replace(part, path)
    except OSError as err:
        raise CacheUnwritable(f"cannot write {path} in the cache: {err}") from err

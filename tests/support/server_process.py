"""The processes of a `streamlit run app.py` started by a test or benchmark: its PID, its training
workers, their memory and CPU time (read from /proc, Linux)."""
from __future__ import annotations

import os
from pathlib import Path


def server_pid(port: int) -> int:
    """The PID of our `streamlit run` child serving ``port``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"streamlit" in b" ".join(cmdline) and str(port).encode() in cmdline:
            return int(entry.name)
    raise RuntimeError(f"no streamlit child process serving port {port}")


def process_tree(pids: list[int]) -> list[int]:
    """The servers and every process they started (the training workers), alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def memory_mb(pids: list[int]) -> float:
    """Memory of the servers and their workers together, MB: the sum of their proportional set sizes
    (PSS: a page shared by several of them, such as Python's own libraries, counts once in all)."""
    total = 0.0
    for pid in process_tree(pids):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
        except OSError:  # a worker that just ended
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the servers and their workers (live, or ended and waited for)."""
    total = 0.0
    for pid in process_tree(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15 if pid in pids else 13]) / os.sysconf("SC_CLK_TCK")
    return total

"""Functions the training-pool tests send to worker processes (workers import them by name)."""
import os
import time


def pid_after(seconds: float) -> int:
    """The process that ran this, after a pause (so that a call can be kept under way)."""
    time.sleep(seconds)
    return os.getpid()


def die_unless_in(pid: int) -> str:
    """End the process abruptly, as a worker killed for memory would, unless it is process ``pid``."""
    if os.getpid() != pid:
        os._exit(1)
    return f"answered by {pid}"


def refuse(text: str) -> None:
    raise ValueError(f"refused: {text}")


def heavy_packages_after_a_fit() -> list[str]:
    """Train a tiny network as the playground does, then list the big libraries this process loaded."""
    import sys

    import numpy as np

    from lab.moons.training import fit_with_snapshots

    X, y = np.random.default_rng(0).standard_normal((20, 2)), np.arange(20) % 2
    config = dict(layer_sizes=[2, 3, 2], activation="tanh", reduction="sum", dtype="float64")
    fit_with_snapshots(config, X, y, dict(epochs=300, lr=0.01), stop_when_flat=True)
    return sorted({m.split(".")[0] for m in sys.modules} & {"sklearn", "scipy", "pandas", "streamlit", "plotly"})


def hang_unless_in(pid: int) -> str:
    """Stop the process (SIGSTOP: it neither answers nor ends), as a hung worker would, unless it is ``pid``."""
    import signal

    if os.getpid() != pid:
        os.kill(os.getpid(), signal.SIGSTOP)
    return f"answered by {pid}"

"""Tutorial A's forward and backward pass written from scratch in NumPy: what the Theory page's
numbers are checked against (tests/theory/test_compute.py and test_page.py)."""
import numpy as np
from sklearn.datasets import make_moons


def tutorial_a_reference(W1, b1, W2, b2, X, y, lam):
    """Tutorial A's forward and backward pass, from scratch in NumPy (summed loss, L2 on weights)."""
    T = np.eye(W2.shape[1])[y]
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    yhat = e / e.sum(axis=1, keepdims=True)
    delta2 = yhat - T  # numbered as in nn/model.py: delta_l = dL/dz_l
    delta1 = (1 - a1 ** 2) * (delta2 @ W2.T)
    return {
        "x": X, "W1": W1, "b1": b1[None], "z1": z1, "a1": a1, "W2": W2, "b2": b2[None], "z2": z2,
        "yhat": yhat, "y": T, "delta2": delta2, "a1T": a1.T, "lamW2": lam * W2,
        "dW2": a1.T @ delta2 + lam * W2, "db2": delta2.sum(axis=0)[None], "tanh_slope": 1 - a1 ** 2,
        "delta2W2T": delta2 @ W2.T, "delta1": delta1, "xT": X.T, "lamW1": lam * W1,
        "dW1": X.T @ delta1 + lam * W1, "db1": delta1.sum(axis=0)[None],
        "loss": -np.log(yhat[np.arange(len(y)), y]).sum() + lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum()),
    }


def reference_for(net) -> dict:
    """Every panel's value for the Theory page's network ``net`` on its six points, recomputed here."""
    W1, b1, W2, b2 = (p.copy() for p in net.model.params)
    X, y = make_moons(6, noise=0.2, random_state=0)  # the page's six points, drawn independently
    return tutorial_a_reference(W1, b1, W2, b2, X, y, 0.01)

"""Tutorial A in a few lines, from Python: the README's example (run it from the repository root).

    python example.py
"""
from sklearn.datasets import make_moons
from nn import MLP, gradient_check

X, y = make_moons(200, noise=0.20, random_state=0)
model = MLP([2, 3, 2], activation="tanh", init="scaled_normal", l2=0.01, reduction="sum", dtype="float64")
history = model.fit(X, y, epochs=20000, lr=0.01)       # tutorial A: full batch, summed gradients
print(history.message, f"| accuracy {model.score(X, y):.3f} | loss {model.loss(X, y):.2f}")
print("worst gradient-check error:", f"{gradient_check(model, X[:10], y[:10]).max_error:.1e}")

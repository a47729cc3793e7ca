"""Neural Lab's core: a multilayer perceptron in NumPy, written to be read.

>>> from nn import MLP
>>> model = MLP([2, 3, 2], activation="tanh", init="scaled_normal", l2=0.01, reduction="sum")
>>> history = model.fit(X, y, epochs=20000, lr=0.01)      # doctest: +SKIP
>>> history = model.fit(X, y, epochs=500, optimizer="lbfgs")  # doctest: +SKIP (full batch, no lr)
"""
from .activations import ACTIVATIONS
from .gradcheck import GradientCheck, gradient_check
from .initializers import INITIALIZERS
from .losses import LOSSES
from .metrics import accuracy, confusion_matrix, precision_recall
from .model import MLP, Forward, Trace
from .optimizers import FULL_BATCH_OPTIMIZERS, OPTIMIZERS
from .schedules import SCHEDULES
from .training import History, Progress, train

__all__ = ["ACTIVATIONS", "INITIALIZERS", "LOSSES", "OPTIMIZERS", "FULL_BATCH_OPTIMIZERS", "SCHEDULES", "MLP",
           "Forward", "Trace", "History", "Progress", "train", "GradientCheck", "gradient_check", "accuracy",
           "confusion_matrix", "precision_recall"]

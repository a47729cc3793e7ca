"""The multilayer perceptron: forward and backward propagation, side by side.

Notation, the same as on the Theory page, for layer l = 1..L:
    z_l = h_{l-1} W_l + b_l          h_0 = x (after input dropout)
    a_l = f(z_l)                     f: the hidden activation; the last layer's is the loss's output
    h_l = a_l * mask_l               inverted dropout while training, else h_l = a_l
    delta_L = yhat - y               dL/dz at the output, for softmax + cross-entropy and identity + MSE
    dW_l = h_{l-1}^T delta_l         db_l = sum over the batch of delta_l
    delta_{l-1} = (delta_l W_l^T) * mask_{l-1} * f'(a_{l-1})
Every weight and bias lives in one flat vector ``theta`` (weights first, then biases); W_l and b_l
are views into it, so an optimiser updates the whole network with a few vector operations;
dW_l and db_l are views into the flat gradient ``grad`` in the same way.

Imports go one way: this module uses ``training`` (for ``fit``) and ``serialization`` (for ``save``
and ``load``), and neither of them imports it back (tests/nn/test_imports.py checks).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Sequence

import numpy as np

from .activations import get_activation
from .initializers import get_initializer
from .losses import get_loss
from .metrics import accuracy, r2
from .serialization import load_model, save_model
from .training import History, train
from .validation import (check_count, check_features, check_labels, check_number,
                         check_regression_targets, lookup, parameter_count)

DTYPES = {"float32": np.float32, "float64": np.float64}
REDUCTIONS = ("mean", "sum")
# Prediction runs over this many rows at a time: the input is cast, and activations kept, chunk by chunk.
CHUNK_ROWS = 4096


@dataclass(slots=True)
class Forward:
    """What one forward pass computed, for a batch of n rows.

    ``inputs[l]`` (n, fan_in) is what layer l reads (x or a dropped-out activation);
    ``outputs[l]`` (n, fan_out) is a_l = f(z_l); the last one is yhat.
    ``masks[l]`` scales ``inputs[l]`` (0 or 1/keep), None where dropout is off.
    ``loss_sum`` is the data loss summed over the rows, when targets were given.
    ``z`` holds the pre-activations only when asked for (the teaching trace).
    """

    inputs: list[np.ndarray]
    outputs: list[np.ndarray]
    masks: list[np.ndarray | None]
    loss_sum: float | None = None
    z: list[np.ndarray] = field(default_factory=list)

    @property
    def yhat(self) -> np.ndarray:
        return self.outputs[-1]


@dataclass(slots=True)
class Workspace:
    """Arrays reused from batch to batch while training, so that a step allocates nothing new.

    For a batch of n rows and each layer l: ``z[l]`` (n, fan_out) holds z_l, then a_l = f(z_l) in place
    (the output layer: yhat); ``delta[l]`` (n, fan_out) holds dL/dz_l; ``slope[l]`` (n, fan_out) f'(z_l).
    ``weights`` (n_weights,) is scratch for the regularisation gradient.
    """

    z: list[np.ndarray]
    delta: list[np.ndarray]
    slope: list[np.ndarray]
    weights: np.ndarray

    def rows(self, n: int) -> "Workspace":
        """The same buffers for a smaller batch of n rows (views of their first n rows)."""
        return Workspace([a[:n] for a in self.z], [a[:n] for a in self.delta], [a[:n] for a in self.slope],
                         self.weights)


@dataclass
class LayerTrace:
    """One layer's share of a training step; shapes for a batch of n rows."""

    z: np.ndarray  # (n, fan_out)
    a: np.ndarray  # (n, fan_out), f(z), before dropout
    mask: np.ndarray | None  # (n, fan_in) dropout mask on this layer's input, scaled by 1/keep
    delta: np.ndarray  # (n, fan_out), dL/dz
    dW: np.ndarray  # (fan_in, fan_out)
    db: np.ndarray  # (fan_out,)


@dataclass
class Trace:
    """Everything one step computes: per-layer values and the loss split into its terms."""

    x: np.ndarray
    targets: np.ndarray  # (n, k) one-hot labels, or regression targets
    layers: list[LayerTrace]
    data_loss: float
    l2_loss: float
    l1_loss: float

    @property
    def loss(self) -> float:
        return self.data_loss + self.l2_loss + self.l1_loss


class MLP:
    """A fully connected network; ``layer_sizes`` = [inputs, hidden..., outputs].

    loss = reduce(per-example loss) + (l2 / 2) * sum(W**2) + l1 * sum(|W|), over weights only,
    where reduce is the mean over the batch ("mean") or its sum ("sum", the tutorials' form).
    """

    def __init__(self, layer_sizes: Sequence[int], activation: str = "tanh", init: str = "xavier",
                 l2: float = 0.0, l1: float = 0.0, dropout: float = 0.0, input_dropout: float = 0.0,
                 loss: str = "cross_entropy", reduction: str = "mean", seed: int | None = 0,
                 dtype: str = "float32") -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence) \
                or len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes must be a list of at least 2 sizes, got {layer_sizes!r}")
        sizes = tuple(check_count(f"layer_sizes[{i}]", s) for i, s in enumerate(layer_sizes))
        self.act = get_activation(activation)
        self.loss_fn = get_loss(loss)
        if self.loss_fn.classifier and sizes[-1] < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got layer_sizes[-1]={sizes[-1]}")
        self.dtype = np.dtype(lookup(DTYPES, "dtype", dtype))
        if seed is not None:
            check_count("seed", seed, low=0)
        self.config = dict(layer_sizes=list(sizes), activation=activation, init=init,
                           l2=check_number("l2", l2, 0.0), l1=check_number("l1", l1, 0.0),
                           dropout=check_number("dropout", dropout, 0.0, 1.0, high_open=True),
                           input_dropout=check_number("input_dropout", input_dropout, 0.0, 1.0,
                                                      high_open=True),
                           loss=loss, reduction=lookup({r: r for r in REDUCTIONS}, "reduction", reduction),
                           seed=seed, dtype=dtype)
        self.layer_sizes = sizes
        self.l2, self.l1 = self.config["l2"], self.config["l1"]
        self.reduction = reduction
        self.keep = [1.0 - self.config["input_dropout"]] + [1.0 - self.config["dropout"]] * (len(sizes) - 2)
        self.rng = np.random.default_rng(seed)
        self.last = len(sizes) - 2  # index of the output layer
        self.no_masks = [None] * (len(sizes) - 1)

        shapes = list(zip(sizes[:-1], sizes[1:]))
        self.n_weights = sum(i * o for i, o in shapes)
        self.theta = np.zeros(parameter_count(sizes), self.dtype)
        self.grad = np.zeros_like(self.theta)
        self.W, self.b = self._views(self.theta, shapes)
        self.dW, self.db = self._views(self.grad, shapes)
        # All the weights, and their gradient, as one vector each: regularisation acts on these.
        self.theta_w, self.grad_w = self.theta[:self.n_weights], self.grad[:self.n_weights]
        initializer = get_initializer(init)
        for W in self.W:
            W[...] = initializer(self.rng, *W.shape)
        self.history = None
        self._ones_cache = np.ones(0, self.dtype)

    @staticmethod
    def _views(flat: np.ndarray, shapes: list[tuple[int, int]]) -> tuple[list, list]:
        """Split a flat vector into weight matrices (fan_in, fan_out), then bias vectors (fan_out,)."""
        Ws, bs, start = [], [], 0
        for i, o in shapes:
            Ws.append(flat[start:start + i * o].reshape(i, o))
            start += i * o
        for _, o in shapes:
            bs.append(flat[start:start + o])
            start += o
        return Ws, bs

    # ---- the public surface --------------------------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...]: views into ``theta``, editable in place."""
        return [p for pair in zip(self.W, self.b) for p in pair]

    @property
    def param_names(self) -> list[str]:
        return [f"{p}{l}" for l in range(1, len(self.W) + 1) for p in ("W", "b")]

    @property
    def n_classes(self) -> int:
        return self.layer_sizes[-1]

    def fit(self, X: np.ndarray, y: np.ndarray, **options) -> History:
        """Train on X (n, d) and y (n,); see ``nn.training.train`` for the options."""
        self.history = train(self, X, y, **options)
        return self.history

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k); rows sum to 1. No dropout."""
        if not self.loss_fn.classifier:
            raise ValueError("predict_proba needs a classifier (loss='cross_entropy'); use predict")
        return self._outputs(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,) for a classifier; predicted values (n, k) for regression."""
        if not self.loss_fn.classifier:
            return self._outputs(X)
        X = self.check_X(X, cast=False)
        labels = np.empty(len(X), np.int64)
        for rows, fwd in self.chunks(X):
            fwd.yhat.argmax(axis=1, out=labels[rows])
        return labels

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy for a classifier; the coefficient of determination R^2 for regression."""
        X = self.check_X(X, cast=False)
        if self.loss_fn.classifier:
            return accuracy(check_labels(y, len(X), self.n_classes), self.predict(X))
        return r2(self.targets(y, len(X)), self.predict(X))

    def loss(self, X: np.ndarray, y: np.ndarray, masks: list[np.ndarray | None] | None = None) -> float:
        """Data loss (summed or averaged) plus regularisation; no dropout unless ``masks`` fix one."""
        X = self.check_X(X, cast=False)
        T = self.targets(y, len(X))
        loss_sum = sum(fwd.loss_sum for _, fwd in self.chunks(X, T, masks))
        return self.data_loss(loss_sum, len(X)) + self.penalty()

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """yhat (n, k) for X (n, d), computed chunk by chunk."""
        X = self.check_X(X, cast=False)
        if len(X) <= CHUNK_ROWS:
            return self.forward(self.cast(X)).yhat
        yhat = np.empty((len(X), self.layer_sizes[-1]), self.dtype)
        for rows, fwd in self.chunks(X):
            yhat[rows] = fwd.yhat
        return yhat

    def chunks(self, X: np.ndarray, T: np.ndarray | None = None, masks: list[np.ndarray | None] | None = None
               ) -> Iterator[tuple[slice, Forward]]:
        """Forward passes over X (n, d) (checked, any numeric dtype), CHUNK_ROWS rows at a time.

        Each chunk is cast into one reused buffer of the model's dtype, so no copy of the whole of X
        is made. Yields (rows, Forward of those rows); targets T (n, k) and ``masks`` are split alike.
        """
        n = len(X)
        buffer = None if X.dtype == self.dtype else np.empty((min(n, CHUNK_ROWS), X.shape[1]), self.dtype)
        for lo in range(0, n, CHUNK_ROWS):
            rows = slice(lo, min(lo + CHUNK_ROWS, n))
            x = X[rows] if buffer is None else self.cast(X[rows], buffer)
            chunk_masks = None if masks is None else [m if m is None else m[rows] for m in masks]
            yield rows, self.forward(x, None if T is None else T[rows], chunk_masks)

    def cast(self, X: np.ndarray, buffer: np.ndarray | None = None) -> np.ndarray:
        """X in the model's dtype: X itself when it already is, else cast into ``buffer`` (its first len(X) rows)."""
        if X.dtype == self.dtype:
            return X
        if buffer is None:
            return X.astype(self.dtype)
        out = buffer[:len(X)]
        np.copyto(out, X, casting="unsafe")
        return out

    def gradients(self, X: np.ndarray, y: np.ndarray,
                  masks: list[np.ndarray | None] | None = None) -> list[np.ndarray]:
        """d loss / d params, in the order and shapes of ``params`` (copies).

        With ``masks`` (as in ``Forward.masks``), the loss is the one of that dropout draw.
        """
        X = self.check_X(X)
        T = self.targets(y, len(X))
        self.backward(self.forward(X, T, masks), T)
        return [g.copy() for g in self.param_views(self.grad)]

    def param_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """A flat vector shaped like ``theta`` as [W1, b1, W2, b2, ...] views."""
        Ws, bs = self._views(flat, [W.shape for W in self.W])
        return [p for pair in zip(Ws, bs) for p in pair]

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write the network to a .npz file (see ``nn.serialization.save_model``)."""
        save_model(self, path)

    @classmethod
    def load(cls, path: str | Path | IO[bytes] | bytes, **limits: int | None) -> "MLP":
        """A network saved by ``save``; ``limits``: ``max_parameters``, ``max_layers``, ``max_width``
        (see ``nn.serialization.load_model``)."""
        return load_model(path, cls, **limits)

    def copy(self, **overrides: object) -> "MLP":
        """An independent network with this one's config, changed by ``overrides`` (any argument of
        ``MLP``, e.g. ``copy(dtype="float64")``, ``copy(dropout=0.0)``), and this one's weights.

        The weights are copied, cast to the new dtype if there is one; the layer sizes cannot change.
        """
        config = {**self.config, **overrides}
        if list(config["layer_sizes"]) != list(self.layer_sizes):
            raise ValueError(f"copy keeps the layer sizes {list(self.layer_sizes)}, got {config['layer_sizes']!r}")
        clone = type(self)(**config)
        clone.theta[...] = self.theta
        return clone

    def freeze(self) -> "MLP":
        """Make every parameter read-only (for a model shared between users); returns self."""
        for array in [self.theta, self.grad, self.theta_w, self.grad_w, *self.W, *self.b, *self.dW, *self.db]:
            array.flags.writeable = False
        return self

    # ---- checks -------------------------------------------------------------------------
    def check_X(self, X: object, cast: bool = True) -> np.ndarray:
        """X as a finite (n, inputs) array of the model's dtype; with ``cast=False``, checked as it is
        (any numeric dtype, finite once cast) and not copied: training and prediction cast it batch by batch."""
        return check_features(X, self.layer_sizes[0], self.dtype, cast=cast)

    def targets(self, y: object, n: int) -> np.ndarray:
        """Targets as a (n, k) array: one-hot rows for class labels, else the values."""
        if not self.loss_fn.classifier:
            return check_regression_targets(y, n, self.n_classes, self.dtype)
        labels = check_labels(y, n, self.n_classes)
        T = np.zeros((n, self.n_classes), self.dtype)
        T[np.arange(n), labels] = 1
        return T

    # ---- forward and backward -----------------------------------------------------------
    def dropout_masks(self, n: int) -> list[np.ndarray | None]:
        """Fresh inverted-dropout masks for a batch of n rows: 1/keep where kept, else 0."""
        masks = []
        for keep, width in zip(self.keep, self.layer_sizes[:-1]):
            if keep == 1.0:
                masks.append(None)
                continue
            mask = self.rng.random((n, width), dtype=self.dtype) < keep
            masks.append(mask.astype(self.dtype) * self.dtype.type(1.0 / keep))
        return masks

    def workspace(self, n: int) -> Workspace:
        """Buffers for training on batches of at most n rows (see Workspace)."""
        widths = self.layer_sizes[1:]
        return Workspace([np.empty((n, w), self.dtype) for w in widths], [np.empty((n, w), self.dtype) for w in widths],
                         [np.empty((n, w), self.dtype) for w in widths], np.empty(self.n_weights, self.dtype))

    def forward(self, X: np.ndarray, T: np.ndarray | None = None, masks: list[np.ndarray | None] | None = None,
                keep_z: bool = False, work: Workspace | None = None) -> Forward:
        """Forward pass of checked X (n, d) of the model's dtype; with targets T (n, k), the per-example
        loss too. With ``work`` (for n rows), every z and a is written into its buffers."""
        masks = masks or self.no_masks
        fwd = Forward(inputs=[], outputs=[], masks=masks)
        h = X if masks[0] is None else X * masks[0]
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            fwd.inputs.append(h)
            # np.dot: the product h @ W, with less overhead than @ on small arrays
            z = np.dot(h, W, out=None if work is None else work.z[l])  # (n, fan_out)
            z += b
            if keep_z:
                fwd.z.append(z.copy())
            if l < self.last:
                a = self.act.f(z, out=z)  # (n, fan_out), computed in place
                h = a if masks[l + 1] is None else a * masks[l + 1]
            else:
                a, fwd.loss_sum = self.loss_fn.forward(z, T)
            fwd.outputs.append(a)
        return fwd

    def backward(self, fwd: Forward, T: np.ndarray, keep_deltas: bool = False, work: Workspace | None = None,
                 scale: float = 1.0) -> list[np.ndarray]:
        """Gradient of the loss into ``self.grad`` (flat; views dW, db). Returns the deltas if kept.

        ``scale`` multiplies the whole gradient (an optimiser may fold its learning rate in here, on
        the small output delta, instead of in a pass over every parameter). ``work``: as in forward.
        """
        # (n, k) dL/dz_L: softmax + cross-entropy and identity + MSE alike
        delta = np.subtract(fwd.yhat, T, out=None if work is None else work.delta[-1])
        factor = scale / len(T) if self.reduction == "mean" else scale
        if factor != 1.0:
            delta *= factor
        deltas = self.backpropagate(fwd, delta, self.dW, self.db, keep_deltas, work)
        # Regularisation acts on the weights only, not the biases.
        scratch = None if work is None else work.weights
        if self.l2:  # d/dW of (l2 / 2) W**2
            self.grad_w += np.multiply(self.theta_w, self.l2 * scale, out=scratch)
        if self.l1:  # d/dW of l1 |W|, taking 0 at W = 0
            sign = np.sign(self.theta_w, out=scratch)
            sign *= self.l1 * scale
            self.grad_w += sign
        return deltas

    def backpropagate(self, fwd: Forward, delta: np.ndarray, dW: list[np.ndarray],
                      db: list[np.ndarray] | None, keep_deltas: bool = False,
                      work: Workspace | None = None) -> list[np.ndarray]:
        """Chain rule from the output delta (n, k) back to the input; writes each dW_l, db_l into dW, db.

        Returns the deltas, last layer first (with ``keep_deltas``), and always, as the final
        entry, dL/dx (n, d) when ``db`` is None (the input gradient, for saliency maps).
        """
        deltas, ones = [], self._ones(len(delta))
        for l in reversed(range(len(self.W))):
            if keep_deltas:
                deltas.append(delta)
            if db is not None:
                np.dot(fwd.inputs[l].T, delta, out=dW[l])  # (fan_in, fan_out)
                np.dot(ones, delta, out=db[l])  # (fan_out,) column sums of delta
                if l == 0:
                    break
            # (n, fan_in): dL/dh_{l-1}
            delta = np.dot(delta, self.W[l].T, out=None if work is None else work.delta[l - 1])
            if fwd.masks[l] is not None:
                delta *= fwd.masks[l]
            if l > 0:  # dL/dz_{l-1} = dL/dh_{l-1} * f'(z_{l-1})
                delta *= self.act.df(fwd.outputs[l - 1], out=None if work is None else work.slope[l - 1])
        if db is None:
            deltas.append(delta)
        return deltas

    def _ones(self, n: int) -> np.ndarray:
        if len(self._ones_cache) != n:
            self._ones_cache = np.ones(n, self.dtype)
        return self._ones_cache

    def input_gradient(self, X: np.ndarray, k: int | np.ndarray) -> np.ndarray:
        """d z_k / d x (n, d): how each input moves the output score (logit) of class k."""
        X = self.check_X(X)
        fwd = self.forward(X)
        delta = np.zeros_like(fwd.yhat)
        delta[np.arange(len(X)), k] = 1
        return self.backpropagate(fwd, delta, [], None)[-1]

    def hidden_activations(self, X: np.ndarray) -> list[np.ndarray]:
        """a_l (n, width_l) of every hidden layer, without dropout."""
        return self.forward(self.check_X(X)).outputs[:-1]

    def data_loss(self, loss_sum: float, n: int) -> float:
        """The data term of the loss from its sum over n rows: the sum, or the mean."""
        return loss_sum if self.reduction == "sum" else loss_sum / n

    def penalty(self) -> float:
        """(l2 / 2) * sum(W**2) + l1 * sum(|W|) over all weights."""
        penalty = 0.5 * self.l2 * float(np.dot(self.theta_w, self.theta_w)) if self.l2 else 0.0
        return penalty + self.l1_penalty() if self.l1 else penalty

    def l2_penalty(self) -> float:
        return 0.5 * self.l2 * float(np.dot(self.theta_w, self.theta_w)) if self.l2 else 0.0

    def l1_penalty(self) -> float:
        return self.l1 * float(np.abs(self.theta_w).sum()) if self.l1 else 0.0

    def trace(self, X: np.ndarray, y: np.ndarray,
              masks: list[np.ndarray | None] | None = None) -> Trace:
        """Everything one gradient computation sees, per layer, by the same code that trains."""
        X = self.check_X(X)
        T = self.targets(y, len(X))
        fwd = self.forward(X, T, masks, keep_z=True)
        deltas = self.backward(fwd, T, keep_deltas=True)[::-1]
        layers = [LayerTrace(z, a, m, d, dW.copy(), db.copy())
                  for z, a, m, d, dW, db in zip(fwd.z, fwd.outputs, fwd.masks, deltas, self.dW, self.db)]
        return Trace(X, T, layers, self.data_loss(fwd.loss_sum, len(X)), self.l2_penalty(), self.l1_penalty())

    def __repr__(self) -> str:
        return f"MLP({list(self.layer_sizes)}, activation={self.config['activation']!r})"

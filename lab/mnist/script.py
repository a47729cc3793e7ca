"""'Copy as Python' for the MNIST page: a script that trains the run on screen with nn alone."""
from __future__ import annotations

from lab.app.script import call, last_line, literal
from lab.mnist.data import N_CLASSES, N_PIXELS
from lab.mnist.settings import TrainingConfig


def mnist_script(config: TrainingConfig, dataset: str) -> str:
    """A script that trains the MNIST page's network for ``config`` on ``dataset`` ("sample", ...)."""
    c = config
    sizes = [N_PIXELS, *c.hidden, N_CLASSES]
    lines = [f'"""The MNIST page\'s run: a {c.network_name()} network on {literal(dataset)}."""',
             "import numpy as np", "", "from nn import MLP", "from nn.datasets import load_mnist", "",
             f"X_train, y_train, X_test, y_test = load_mnist({literal(dataset)})  # uint8 images (n, 784), labels (n,)",
             "", "", "def pixels(X):",
             '    """Pixels as the network reads them: float32 in [0, 1]."""',
             "    return X.astype(np.float32) * np.float32(1 / 255)", "", ""]
    validation = round(c.val_fraction, 10) > 0
    if validation:
        lines += [f"# Hold out {c.val_fraction:.0%} of the training images for the validation curves, "
                  f"as the page does (seed {c.seed}).",
                  f"order = np.random.default_rng({c.seed}).permutation(len(X_train))",
                  f"n_val = round(len(X_train) * {c.val_fraction!r})",
                  "X_val, y_val = pixels(X_train[order[:n_val]]), y_train[order[:n_val]]",
                  "X_fit, y_fit = pixels(X_train[order[n_val:]]), y_train[order[n_val:]]"]
    else:
        lines.append("X_fit, y_fit = pixels(X_train), y_train")
    lines.append("X_test = pixels(X_test)")
    lines.append("")
    model_args = [repr(sizes), f"activation={literal(c.activation)}", f"init={literal(c.init)}"]
    for name in ("l2", "l1", "dropout"):
        if getattr(c, name):
            model_args.append(f"{name}={getattr(c, name)!r}")
    model_args.append(f"seed={c.seed}")
    lines.append(f"model = {call('MLP', model_args)}")
    options = c.fit_options()
    fit_args = ["X_fit", "y_fit", f"epochs={options['epochs']}", f"batch_size={options['batch_size']!r}",
                f"optimizer={literal(options['optimizer'])}", f"lr={options['lr']!r}"]
    if options["momentum"] is not None:
        fit_args.append(f"momentum={options['momentum']!r}")
    fit_args += [f"schedule={literal(options['schedule'])}", f"decay={options['decay']!r}"]
    if validation:
        fit_args.append("validation_data=(X_val, y_val)")
    lines.append(f"history = {call('model.fit', fit_args)}")
    lines.append('print(f"{history.message}; final training loss {history.train_loss[-1]:.4f}")')
    lines.append(last_line(True, False))
    return "\n".join(lines) + "\n"

"""The settings each challenge's explanation names (shared by the unit tests and the page tests).

MOONS_MET[id]: URL parameters that meet the Moons challenge ``id`` (beyond its Start link's own).
"""
MOONS_MET = {
    "spiral-capacity": {"hidden_layers": "2", "neurons": "20"},
    "moons-overfit": {"neurons": "50", "noise": "0.35", "l2": "0"},
    "overfit-l2": {"l2": "0.3"},
    "l1-sparse": {"l1": "0.1"},
    "lr-diverge": {"activation": "identity", "lr": "1"},
    "lr-bounce": {"lr": "0.3"},
    "circles-no-hidden": {"x1_sq": "true", "x2_sq": "true"},
    "xor-no-hidden": {"x1_x2": "true"},
    "deep-sigmoid": {"init": "xavier"},
    "fast-optimizer": {"optimizer": "momentum"},
    "batch-steps": {"batch_size": "50"},
}
MNIST_SMALL = {"hidden": "60", "epochs": 5}  # 784-60-10: 47,710 weights and biases
MNIST_LINEAR = {"hidden": "", "epochs": 5}

"""The Theory page's settings: the knobs a teacher's link sets, and the bug its challenge plants."""
from __future__ import annotations

from lab.app.knobs import LinkKnob
from lab.theory.network import BUGS

TANH_BUG = list(BUGS)[1]  # the theory-find-bug challenge's planted bug

# The knobs that a teacher's link sets, locks (lock=lr,bug) or hides (hide=eps): link name -> widget.
# The demonstration sliders of sections 1 to 3 (a neuron's weights, logits) are left out.
KNOBS = {
    "lr": LinkKnob("theory_lr", "Learning rate η", 0.1, options=(0.01, 0.03, 0.1, 0.3, 1.0)),
    "bug": LinkKnob("theory_bug", "Gradient to check", next(iter(BUGS)), options=tuple(BUGS)),
    "eps": LinkKnob("theory_eps", "ε", 1e-5, options=(1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9)),
    "strength": LinkKnob("theory_reg_strength", "Strength λ", 0.003, options=(0.001, 0.003, 0.01)),
    "keep": LinkKnob("theory_keep", "Keep probability p", 0.5, low=0.1, high=0.9),
    "opt_lr": LinkKnob("theory_opt_lr", "Learning rate η (SGD, momentum)", 0.05, low=0.005, high=0.25),
    "momentum": LinkKnob("theory_opt_momentum", "Momentum μ", 0.8, low=0.0, high=0.99),
    "adam_lr": LinkKnob("theory_opt_adam_lr", "Adam's η", 0.2, low=0.01, high=1.0),
    "steps": LinkKnob("theory_opt_steps", "Steps", 50, low=5, high=200),
    "decay": LinkKnob("theory_decay", "Decay d", 0.01, options=(0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)),
    "epochs": LinkKnob("theory_sched_epochs", "Epochs", 100, low=10, high=300),
}

"""The challenges: what each asks, on which page, how it is checked, and what it teaches.

A ``Challenge`` is data: a one-sentence goal, a hint, the explanation shown once it is met, the
page it runs on with the settings its Start link opens it with, and its condition (a pure function
in ``conditions``). Pages find theirs with ``for_page``; the Challenges page lists ``CHALLENGES``
grouped by ``IDEAS``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import conditions as c

# The ideas, in the order the Challenges page teaches them.
IDEAS = ("Capacity", "Overfitting and the train/test gap", "Regularisation", "Learning rate and divergence",
         "Feature inputs", "Initialisation", "Optimisers", "Batch size", "Backprop", "Reading a prediction")
PAGES = {"moons": "Moons playground", "mnist": "MNIST classifier", "draw": "Draw a digit", "theory": "Theory"}


@dataclass(frozen=True)
class Challenge:
    """One exercise the app states, checks and explains."""

    id: str  # in links: ?challenge=<id>
    page: str  # a key of PAGES: the url_path of the page it runs on
    idea: str  # one of IDEAS
    title: str
    goal: str  # one sentence
    hint: str  # shown on request
    explanation: str  # shown once met: names the settings that get there
    condition: Callable[[Any], c.Check]  # pure: the page's result -> Check
    start: dict[str, str] = field(default_factory=dict)  # query parameters the Start link sets

    def start_query(self) -> dict[str, str]:
        """The Start link's query parameters: the challenge, then its starting settings."""
        return {"challenge": self.id, **self.start}


CHALLENGES: tuple[Challenge, ...] = (
    # ---- Capacity
    Challenge("spiral-capacity", "moons", "Capacity", "Follow the spiral",
              "Reach at least 90% test accuracy on the two-arm spiral.",
              "Three tanh units cut the plane with three straight lines: the spiral needs more. Add units, "
              "then a second layer.",
              "Two hidden layers of 20 tanh units reach about 95%: the first layer cuts the plane along many "
              "lines, the second combines those pieces into curved regions that follow the arms.",
              c.spiral_capacity, {"dataset": "spiral"}),
    Challenge("mnist-small", "mnist", "Capacity", "A small digit reader",
              "Reach at least 95% test accuracy on MNIST with at most 50,000 weights and biases.",
              "The Fast preset's 784-256-10 has over 200,000 parameters. Almost all of them sit in the first "
              "layer (784 × width): the width is what costs.",
              "One hidden layer of 60 units (784-60-10: 47,710 weights and biases), trained 5 epochs on the "
              "bundled sample, reaches about 95.5%: a quarter of the Fast preset's size loses about a point.",
              c.mnist_small),
    Challenge("mnist-linear", "mnist", "Capacity", "No hidden layer at all",
              "Reach at least 90% test accuracy on MNIST with no hidden layer.",
              "Empty the hidden layer sizes: the network becomes a linear classifier, one weight per pixel "
              "and class.",
              "With the hidden layer sizes empty (784-10, 7,850 parameters), 5 to 8 epochs give about 91% on "
              "the bundled sample: each class is a template of pixel weights. The last few percent need "
              "hidden units that combine strokes.",
              c.mnist_linear),
    # ---- Overfitting
    Challenge("moons-overfit", "moons", "Overfitting and the train/test gap", "Make it overfit",
              "Get a training accuracy at least 10 points above the test accuracy on the moons.",
              "Give the network far more units than it needs, noisy data and no penalty.",
              "50 hidden neurons, noise 0.35 and L2 0 (the '50 neurons overfit' preset) give about 100% on "
              "the training points and 75% on the test points: the network draws islands around single "
              "noisy training points, which held-out points do not follow.",
              c.moons_overfit, {"dataset": "moons"}),
    # ---- Regularisation
    Challenge("overfit-l2", "moons", "Regularisation", "Tame the overfitting",
              "With 50 neurons and noise 0.35, reach at least 85% test accuracy with a train/test gap of "
              "at most 5 points.",
              "Keep the 50 neurons: make large weights cost something.",
              "L2 penalty 0.3 keeps the weights small, so the boundary stays smooth: about 89% train, 85% "
              "test, instead of 100% and 75% without it.",
              c.overfit_tamed, {"dataset": "moons", "neurons": "50", "noise": "0.35", "l2": "0"}),
    Challenge("l1-sparse", "moons", "Regularisation", "Switch weights off",
              "Get at least half the weights to zero (|w| < 0.001) and keep 95% test accuracy on the moons.",
              "L2 makes weights small; another penalty makes them exactly zero.",
              "With 10 neurons, L1 penalty 0.1 and L2 0, about 60% of the weights end at zero and the test "
              "accuracy stays at 95%: L1 pulls every weight towards 0 by the same amount per step, so the "
              "ones the data does not need stop there.",
              c.l1_sparse, {"dataset": "moons", "neurons": "10", "l2": "0"}),
    # ---- Learning rate
    Challenge("lr-diverge", "moons", "Learning rate and divergence", "Blow it up",
              "Find a learning rate at which nn stops training because it diverged.",
              "tanh saturates at ±1, which keeps the hidden layer bounded. An activation that does not "
              "saturate lets the numbers grow.",
              "With the identity activation and learning rate 1, the summed gradient makes each step "
              "overshoot by more than the last, the loss becomes infinite within a hundred passes, and nn "
              "stops with status 'diverged'. With tanh, even lr 10 only saturates the units.",
              c.lr_diverge),
    Challenge("lr-bounce", "moons", "Learning rate and divergence", "Make the loss bounce",
              "Make the full-batch loss on the moons bounce up and down, without diverging.",
              "Raise the learning rate until each step jumps across the valley.",
              "At learning rate 0.3 (the 'Learning rate too high' preset) each step overshoots the bottom "
              "of the valley, so the loss turns up and down from pass to pass instead of falling.",
              c.lr_bounce, {"dataset": "moons"}),
    # ---- Feature inputs
    Challenge("circles-no-hidden", "moons", "Feature inputs", "A circle with no hidden layer",
              "Reach at least 95% test accuracy on the circles with no hidden layer.",
              "Without a hidden layer the boundary is a straight line in the inputs. Which inputs make a "
              "circle a straight line?",
              "With x₁² and x₂² ticked (noise 0.1), the circle x₁² + x₂² = r² is a straight line in those "
              "inputs, so a network with no hidden layer separates the circles: about 100% test accuracy.",
              c.circles_no_hidden, {"dataset": "circles", "hidden_layers": "0", "noise": "0.1"}),
    Challenge("xor-no-hidden", "moons", "Feature inputs", "Xor with no hidden layer",
              "Reach at least 95% test accuracy on xor with no hidden layer.",
              "The class depends on whether x₁ and x₂ have the same sign.",
              "With x₁·x₂ ticked, its sign alone tells the quadrants apart, so a single weight on it "
              "separates xor: about 97% test accuracy with no hidden unit.",
              c.xor_no_hidden, {"dataset": "xor", "hidden_layers": "0"}),
    # ---- Initialisation
    Challenge("deep-sigmoid", "moons", "Initialisation", "Wake up a deep sigmoid network",
              "With 4 sigmoid hidden layers, reach at least 95% test accuracy on the moons.",
              "Each sigmoid layer passes back at most a quarter of the gradient. The starting weights "
              "decide how much of that survives.",
              "Initialisation 'xavier' scales each layer's starting weights to its width (variance "
              "2 / (fan_in + fan_out)), so the signal and the gradient keep their size through the four "
              "layers: about 95% test accuracy, where the default sits on the plateau at 62%.",
              c.deep_sigmoid, {"dataset": "moons", "hidden_layers": "4", "activation": "sigmoid"}),
    # ---- Optimisers
    Challenge("fast-optimizer", "moons", "Optimisers", "Learn in 100 passes",
              "Reach at least 97% training accuracy on the moons within 100 passes.",
              "Plain gradient descent takes the same small step in every direction. Another optimiser "
              "remembers where it was going.",
              "Optimiser 'momentum' at the default learning rate 0.01 reaches about 99% in 100 passes "
              "(plain SGD: 85%): the velocity adds up consistent steps along the valley's floor. Adam at "
              "lr 0.1 gets there too.",
              c.fast_optimizer, {"dataset": "moons", "passes": "100"}),
    # ---- Batch size
    Challenge("batch-steps", "moons", "Batch size", "Mini-batches at a large rate",
              "With plain SGD at learning rate 0.1, reach a test loss of at most 0.2 within 200 passes.",
              "At lr 0.1 the full batch overshoots. Change how many points each step sums over.",
              "Batch size 50 reaches a test loss of about 0.09: with a summed loss each step's gradient "
              "adds up 50 points instead of 160, so the same lr is a smaller step, and each pass takes "
              "several of them.",
              c.batch_steps, {"dataset": "moons", "lr": "0.1", "passes": "200"}),
    # ---- Backprop
    Challenge("theory-find-bug", "theory", "Backprop", "Find the bug",
              "Name the layer whose gradient the planted bug \"forget tanh' in delta1\" breaks.",
              "Run the gradient check of section 5 with that bug and read which parameters fail.",
              "Layer 1 (W1 and b1): δ₁ = δ₂W₂ᵀ ⊙ (1 − a₁²) feeds only dW1 and db1, so without the factor "
              "(1 − a₁²) their gradient check fails, while dW2 and db2, computed from δ₂ above it, still pass.",
              c.theory_find_bug),
    # ---- Reading a prediction
    Challenge("draw-unsure", "draw", "Reading a prediction", "Make it unsure",
              "Draw something whose most likely class gets a probability below 50%.",
              "Draw a digit halfway between two others, or two digits on top of each other.",
              "A drawing between two classes (a 4 that could be a 9, a 1 crossed like a 7) splits the "
              "softmax between them: no class reaches 50%, so the network's 'answer' is close to a coin toss.",
              c.draw_unsure),
    Challenge("draw-sure", "draw", "Reading a prediction", "Make it certain",
              "Draw a digit the network gives a probability of at least 99%.",
              "Draw large, in the middle, with a single clear stroke like the MNIST digits.",
              "A clean digit drawn like MNIST's (a 7, a 1 or a 0, large and centred) lands far on the right "
              "side of every boundary: its logit beats the others by 5 or more, which softmax turns into "
              "over 99%.",
              c.draw_sure),
)

BY_ID: dict[str, Challenge] = {challenge.id: challenge for challenge in CHALLENGES}


def for_page(page: str) -> tuple[Challenge, ...]:
    """The challenges that run on ``page`` (a key of PAGES)."""
    return tuple(challenge for challenge in CHALLENGES if challenge.page == page)

"""One training step of a 2-2-2 network, worked out by hand and checked to 1e-10.

The network: tanh hidden layer, softmax output, cross-entropy summed over the batch (as in
tutorial A), no regularisation, one example x = [1, 0] of class 0, learning rate 0.5.

    W1 = [[0.5, -0.5],      b1 = [0.0, 0.1]      W2 = [[1.0, -1.0],      b2 = [0.2, 0.0]
          [0.3,  0.8]]                                 [0.5,  0.5]]

Forward
    z1 = x W1 + b1 = [0.5, -0.5 + 0.1] = [0.5, -0.4]             (x = [1, 0] picks W1's first row)
    a1 = tanh(z1) = [0.46211715726000974, -0.3799489622552249]
    z2 = a1 W2 + b2 = [0.4621171572600097 - 0.5 * 0.3799489622552249 + 0.2,
                       -0.4621171572600097 - 0.5 * 0.3799489622552249]
       = [0.4721426761323973, -0.6520916383876222]
    yhat = softmax(z2) = [0.7547732933544251, 0.2452267066455749]
    L = -log(yhat_0) = 0.28133784852703553
Backward
    delta2 = yhat - y = [-0.2452267066455749, 0.2452267066455749]
    dW2 = a1^T delta2 = [[-0.1133234685592874,  0.1133234685592874],
                         [ 0.09317363270725264, -0.09317363270725264]]
    db2 = delta2
    delta2 W2^T = [-0.2452... - 0.2452..., 0.5 * (-0.2452...) + 0.5 * 0.2452...] = [-0.4904534132911498, 0]
        (the second hidden unit feeds both classes equally, so it gets no gradient at all)
    delta1 = (1 - a1**2) * delta2 W2^T = [-0.3857159750082258, 0.0]
    dW1 = x^T delta1 = [[-0.3857159750082258, 0], [0, 0]]          db1 = delta1
Step, W <- W - 0.5 dW
    W1 = [[0.6928579875041129, -0.5], [0.3, 0.8]]                  b1 = [0.1928579875041129, 0.1]
    W2 = [[1.0566617342796436, -1.0566617342796436],
          [0.4534131836463737,  0.5465868163536263]]               b2 = [0.32261335332278746, -0.12261335332278744]
"""
import numpy as np

from nn import MLP

X = np.array([[1.0, 0.0]])
Y = np.array([0])


def hand_network() -> MLP:
    model = MLP([2, 2, 2], activation="tanh", reduction="sum", dtype="float64")
    W1, b1, W2, b2 = model.params
    W1[...] = [[0.5, -0.5], [0.3, 0.8]]
    b1[...] = [0.0, 0.1]
    W2[...] = [[1.0, -1.0], [0.5, 0.5]]
    b2[...] = [0.2, 0.0]
    return model


def test_forward_backward_and_one_step_match_the_hand_computation():
    model = hand_network()
    trace = model.trace(X, Y)
    hidden, output = trace.layers
    np.testing.assert_allclose(hidden.z, [[0.5, -0.4]], atol=1e-10)
    np.testing.assert_allclose(hidden.a, [[0.46211715726000974, -0.3799489622552249]], atol=1e-10)
    np.testing.assert_allclose(output.z, [[0.4721426761323973, -0.6520916383876222]], atol=1e-10)
    np.testing.assert_allclose(output.a, [[0.7547732933544251, 0.2452267066455749]], atol=1e-10)
    assert abs(trace.loss - 0.28133784852703553) < 1e-10
    np.testing.assert_allclose(output.delta, [[-0.2452267066455749, 0.2452267066455749]], atol=1e-10)
    np.testing.assert_allclose(output.dW, [[-0.1133234685592874, 0.1133234685592874],
                                           [0.09317363270725264, -0.09317363270725264]], atol=1e-10)
    np.testing.assert_allclose(output.db, [-0.2452267066455749, 0.2452267066455749], atol=1e-10)
    np.testing.assert_allclose(hidden.delta, [[-0.3857159750082258, 0.0]], atol=1e-10)
    np.testing.assert_allclose(hidden.dW, [[-0.3857159750082258, 0.0], [0.0, 0.0]], atol=1e-10)
    np.testing.assert_allclose(hidden.db, [-0.3857159750082258, 0.0], atol=1e-10)

    model.fit(X, Y, epochs=1, lr=0.5)
    W1, b1, W2, b2 = model.params
    np.testing.assert_allclose(W1, [[0.6928579875041129, -0.5], [0.3, 0.8]], atol=1e-10)
    np.testing.assert_allclose(b1, [0.1928579875041129, 0.1], atol=1e-10)
    np.testing.assert_allclose(W2, [[1.0566617342796436, -1.0566617342796436],
                                    [0.4534131836463737, 0.5465868163536263]], atol=1e-10)
    np.testing.assert_allclose(b2, [0.32261335332278746, -0.12261335332278744], atol=1e-10)


def test_the_mean_reduction_divides_the_same_gradient_by_the_batch_size():
    model = hand_network()
    summed = model.gradients(np.vstack([X, X]), np.array([0, 0]))
    model.reduction = "mean"
    averaged = model.gradients(np.vstack([X, X]), np.array([0, 0]))
    for s, m in zip(summed, averaged):
        np.testing.assert_allclose(s, 2 * m, atol=1e-12)

"""The MNIST page under AppTest: its script and a small training through its own widgets."""
PAGE = "pages/mnist.py"


def train(at, hidden="32", epochs=2, activation="relu", **numbers):
    """Set a small configuration and press Train."""
    at.run()
    at.text_input(key="mnist_hidden").set_value(hidden)
    at.slider(key="mnist_epochs").set_value(epochs)
    at.selectbox(key="mnist_activation").set_value(activation)
    for key, value in numbers.items():
        at.number_input(key=f"mnist_{key}").set_value(value)
    at.button(key="mnist_train").click().run()
    assert not at.exception, at.exception
    return at

"""The scalar twin (ValueNeuron, ValueLayer, ValueMLP): labels, names, values, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tinygrad_edu.nn import scalar

from tinygrad_edu import ShapeError, Tensor, Value, gradcheck, nn


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_one_neuron_by_hand():
    """w = [1, −2], b = 1, x = [1, −1]: z = 1 + 2 + 1 = 4, a = σ(4);
    ∂a/∂wⱼ = σ'(4)·xⱼ, ∂a/∂b = σ'(4), σ' = σ(1 − σ)."""
    n = nn.ValueNeuron(2, weights=[1.0, -2.0], bias=1.0)
    a = n([1.0, -1.0])
    a.backward()
    s = sig(4.0)
    d = s * (1 - s)
    assert a.data == pytest.approx(s)
    assert [w.grad for w in n.w] == pytest.approx([d * 1.0, d * -1.0])
    assert n.b.grad == pytest.approx(d)
    z = a.parents[0]
    assert z.op == "Σwx+b"  # the neuron's sum is one node whose ∂z/∂wⱼ = xⱼ
    assert [lg.value for lg in z.local_grads][:2] == [1.0, -1.0]
    assert [w.label for w in n.w] + [n.b.label] == ["w[0]", "w[1]", "b"]


def test_labels_follow_the_lecture_and_names_are_dotted():
    net = nn.ValueMLP([2, 3, 1], seed=0)
    named = dict(net.named_parameters())
    assert len(named) == 2 * 3 + 3 + 3 * 1 + 1
    assert named["layers.0.neurons.1.w.0"].label == "w¹[1,0]"
    assert named["layers.0.neurons.1.b"].label == "b¹[1]"
    assert named["layers.1.neurons.0.w.2"].label == "w²[0,2]"
    assert named["layers.1.neurons.0.b"].label == "b²[0]"
    layer = nn.ValueLayer(2, 2, seed=0)
    assert [w.label for w in layer.neurons[1].w] == ["w[1,0]", "w[1,1]"]
    assert layer.neurons[1].b.label == "b[1]"
    assert scalar.MLP is nn.ValueMLP and scalar.Neuron is nn.ValueNeuron


def test_forward_names_each_neurons_z_and_a_like_the_lecture():
    net = nn.ValueMLP([2, 3, 1], activation="sigmoid", seed=0)
    out = net([1.0, -1.0])
    assert out.label == "z²[0]"  # no output activation: the output is z
    hidden = out.parents[3:6]  # Σwx+b's parents: w…, x…, b; here the x's are a¹[0..2]
    assert [h.label for h in hidden] == ["a¹[0]", "a¹[1]", "a¹[2]"]
    assert [h.parents[0].label for h in hidden] == ["z¹[0]", "z¹[1]", "z¹[2]"]
    lone = nn.ValueNeuron(2, weights=[1.0, 2.0])([1.0, 1.0])
    assert (lone.label, lone.parents[0].label) == ("a", "z")


def test_same_seed_same_weights_as_the_tensor_mlp_and_same_function():
    sizes = [3, 4, 2]
    twin = nn.ValueMLP(sizes, activation="tanh", seed=5)
    mlp = nn.MLP(sizes, activation="tanh", seed=5, dtype=np.float64)
    for lay_v, lay_t in zip(twin.layers, mlp.layers):
        w, b = lay_v.weight_array()
        assert np.array_equal(w, lay_t.weight.data) and np.array_equal(b, lay_t.bias.data)
    x = np.array([0.5, -1.0, 2.0])
    out_v = twin(x)
    out_t = mlp(x[None, :])
    assert [v.data for v in out_v] == pytest.approx(out_t.data[0].tolist(), rel=1e-12)


def test_gradients_equal_the_tensor_mlp():
    """Backprop through Values, neuron by neuron, equals the matrix form: the same loss
    C = −log softmax(z)_y gives the same ∂C/∂w for every weight."""
    sizes = [2, 3, 2]
    twin = nn.ValueMLP(sizes, seed=1)
    mlp = nn.MLP(sizes, seed=1, dtype=np.float64)
    x, y = [0.3, -0.7], 1
    z = twin(x)
    lse = Value.sum([zk.exp() for zk in z]).log()
    (lse - z[y]).backward()
    nn.cross_entropy(mlp(np.array([x])), [y]).backward()
    for l, (lay_v, lay_t) in enumerate(zip(twin.layers, mlp.layers)):
        gw = np.array([[w.grad for w in n.w] for n in lay_v.neurons])
        gb = np.array([n.b.grad for n in lay_v.neurons])
        assert gw == pytest.approx(lay_t.weight.grad, rel=1e-10), l
        assert gb == pytest.approx(lay_t.bias.grad, rel=1e-10), l


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_value_mlp_gradcheck(act):
    net = nn.ValueMLP([2, 3, 1], activation=act, output_activation="sigmoid", seed=2)
    x = [0.8, -0.4]
    res = gradcheck(lambda: net(x), net, mode="full")
    assert res.inputs[0].name == "layers.0.neurons.0.w.0"


def test_from_mlp_copies_the_weights():
    mlp = nn.MLP([2, 3, 2], activation="relu", seed=0)
    twin = nn.ValueMLP.from_mlp(mlp)
    x = np.array([[0.25, -1.5]], np.float32)
    assert [v.data for v in twin(x[0])] == pytest.approx(mlp(x).data[0].tolist(), rel=1e-6)
    with pytest.raises(TypeError, match="expected an nn.MLP"):
        nn.ValueMLP.from_mlp(twin)


def test_wrong_number_of_inputs_names_the_layer():
    net = nn.ValueMLP([2, 3, 1], seed=0)
    with pytest.raises(ShapeError, match=r"ValueLayer 'layers\.0' expects 2 inputs, got 3"):
        net([1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match=r"ValueNeuron expects 2 inputs, got 1"):
        nn.ValueNeuron(2, seed=0)([1.0])
    with pytest.raises(ShapeError, match=r"weights \(2, 2\) and biases \(2,\) must have shapes"):
        nn.ValueLayer(3, 2, weights=np.zeros((2, 2)))


def test_train_the_twin_on_xor():
    x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0.0, 1.0, 1.0, 0.0]
    net = nn.ValueMLP([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    opt = nn.Adam(net, lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        Value.sum([nn.mse(net(xi), yi) for xi, yi in zip(x, y)]).backward()
        opt.step()
    assert [round(net(xi).data) for xi in x] == [0, 1, 1, 0]


def test_tensor_input_is_refused_by_the_twin():
    with pytest.raises(TypeError):
        nn.ValueNeuron(1, seed=0)([Tensor([1.0])])


def test_number_inputs_become_shared_labelled_input_nodes() -> None:
    from tinygrad_edu.graph import topo_sort

    net = nn.ValueMLP([2, 3, 1], seed=0)
    out = net([0.5, -1.0])
    inputs = [n for n in topo_sort(out) if n.label in ("x1", "x2")]
    assert [(n.label, n.data, n.requires_grad) for n in inputs] == [
        ("x1", 0.5, False),
        ("x2", -1.0, False),
    ]
    # all three first-layer neurons read the same two input nodes
    first = [n for n in topo_sort(out) if n.op == "Σwx+b" and inputs[0] in n.parents]
    assert len(first) == 3

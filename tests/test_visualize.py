"""Tests for tinygrad_edu.visualize: DOT text, images, collapse/limits, the backprop trace.

Numbers read back from the DOT text are compared with the engine's own values; images are
checked by their file headers. Tests that need Graphviz's `dot` are skipped without it; the
missing-`dot` path is tested by emptying PATH.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from tinygrad_edu.visualize import (
    GraphSizeWarning,
    GraphvizNotFoundError,
    RenderInfo,
    dot_available,
    draw,
    render,
    to_dot,
    trace,
)
from tinygrad_edu.visualize import _io as vio

from tinygrad_edu import Tensor, Value, ops

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` not installed")

NODE_RE = re.compile(r"^\t(n\d+) \[label=<(.*)> shape=plain\]$", re.M)
EDGE_RE = re.compile(r'^\t(n\d+) -> (n\d+)_op \[label=<<font point-size="10">([^<]+)</font>', re.M)
GRAD_RE = re.compile(r"∂C/∂[zw] ([^<]+)</font>")
DATA_RE = re.compile(r"<td>data ([^<]+)</td>")


# -- graphs used below ---------------------------------------------------------------------------


def neuron() -> tuple[Value, Value, Value, Value]:
    """a = σ(w·x + b) with the lecture's numbers."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(1.0, label="b")
    return (w * x + b).sigmoid(), x, w, b


def net_231(micro: bool = False) -> Value:
    """A 2-3-1 tanh network of Values with parameters labelled like a module would."""
    xs = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    weights = [[0.69, 0.52, -0.16], [-0.48, 0.02, -0.19], [0.57, -0.39, -0.05]]
    h = []
    for j, (w0, w1, bb) in enumerate(weights):
        ws = [Value(w0, label=f"L1.n{j}.w0"), Value(w1, label=f"L1.n{j}.w1")]
        b = Value(bb, label=f"L1.n{j}.b")
        z = ws[0] * xs[0] + ws[1] * xs[1] + b if micro else Value.weighted_sum(ws, xs, b)
        h.append(z.tanh())
    ws2 = [Value(v, label=f"L2.n0.w{i}") for i, v in enumerate([0.17, 0.82, 0.01])]
    y = Value.weighted_sum(ws2, h, Value(0.1, label="L2.n0.b"))
    return (y - 1.0) ** 2


class FakeModule:
    """Anything with named_parameters() names parameters (duck typing, no nn import)."""

    def __init__(self, params: dict[str, Tensor]) -> None:
        self._p = params

    def named_parameters(self):  # noqa: ANN201
        return iter(self._p.items())


def mlp(sizes: tuple[int, ...] = (6, 5, 4, 3), batch: int = 4) -> tuple[Tensor, FakeModule]:
    rng = np.random.default_rng(0)
    params: dict[str, Tensor] = {}
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        params[f"layers.{2 * k}.weight"] = Tensor(rng.normal(size=(b, a)), requires_grad=True)
        params[f"layers.{2 * k}.bias"] = Tensor(rng.normal(size=b), requires_grad=True)
    h = Tensor(rng.normal(size=(batch, sizes[0])), label="x")
    n = len(sizes) - 1
    for k in range(n):
        h = ops.Linear.apply(h, params[f"layers.{2 * k}.weight"], params[f"layers.{2 * k}.bias"])
        if k < n - 1:
            h = h.relu()
    loss = ops.CrossEntropy.apply(h, target=rng.integers(0, sizes[-1], batch))
    return loss, FakeModule(params)


def fmt(x: float) -> str:
    s = f"{x:.4g}"
    return "0" if s == "-0" else s


# -- golden DOT ----------------------------------------------------------------------------------

GOLDEN_NEURON = """\
digraph tinygrad_edu {
// tinygrad_edu.visualize: 6 nodes drawn as 9 boxes
\tfontsize=11 nodesep=0.25 rankdir=LR ranksep=0.35
\tnode [fontname="DejaVu Sans,Helvetica,Arial" fontsize=11]
\tedge [arrowsize=0.7 fontname="DejaVu Sans,Helvetica,Arial" fontsize=10]
\tn0 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dcfce7"><tr><td><b>w</b></td><td>data -3</td><td><font color="#b91c1c">∂C/∂w 0.0133</font></td></tr></table>> shape=plain]
\tn1 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dbeafe"><tr><td><b>x</b></td><td>data 2</td><td><font color="#b91c1c">∂C/∂z -0.01994</font></td></tr></table>> shape=plain]
\tn2 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#ffffff"><tr><td><font color="#6b7280">n2</font></td><td>data -6</td><td><font color="#b91c1c">∂C/∂z 0.006648</font></td></tr></table>> shape=plain]
\tn2_op [label="*" fillcolor="#f3f4f6" margin=0.02 shape=circle style=filled]
\tn3 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dcfce7"><tr><td><b>b</b></td><td>data 1</td><td><font color="#b91c1c">∂C/∂w 0.006648</font></td></tr></table>> shape=plain]
\tn4 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#ffffff"><tr><td><font color="#6b7280">n4</font></td><td>data -5</td><td><font color="#b91c1c">∂C/∂z 0.006648</font></td></tr></table>> shape=plain]
\tn4_op [label="+" fillcolor="#f3f4f6" margin=0.02 shape=circle style=filled]
\tn5 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#fde68a"><tr><td><b>a</b></td><td>data 0.006693</td><td><font color="#b91c1c">∂C/∂z 1</font></td></tr></table>> shape=plain]
\tn5_op [label="σ" fillcolor="#f3f4f6" margin=0.02 shape=circle style=filled]
\tn2_op -> n2
\tn0 -> n2_op [label=<<font point-size="10">2</font><br/><font point-size="8" color="#6b7280">∂n2/∂w = x</font>>]
\tn1 -> n2_op [label=<<font point-size="10">-3</font><br/><font point-size="8" color="#6b7280">∂n2/∂x = w</font>>]
\tn4_op -> n4
\tn2 -> n4_op [label=<<font point-size="10">1</font><br/><font point-size="8" color="#6b7280">∂n4/∂n2 = 1</font>>]
\tn3 -> n4_op [label=<<font point-size="10">1</font><br/><font point-size="8" color="#6b7280">∂n4/∂b = 1</font>>]
\tn5_op -> n5
\tn4 -> n5_op [label=<<font point-size="10">0.006648</font><br/><font point-size="8" color="#6b7280">∂a/∂n4 = a(1−a)</font>>]
\tlegend [label=<<font point-size="9"><table border="0" cellborder="1" cellspacing="0" cellpadding="2" bgcolor="white"><tr><td bgcolor="#dbeafe"></td><td align="left">input (data leaf)</td></tr><tr><td bgcolor="#dcfce7"></td><td align="left">parameter (learned leaf)</td></tr><tr><td bgcolor="#ffffff"></td><td align="left">intermediate (op result)</td></tr><tr><td bgcolor="#fde68a"></td><td align="left">output / loss C</td></tr><tr><td bgcolor="#f3f4f6">op</td><td align="left">an op: arrows run input → op → result</td></tr><tr><td><font color="#b91c1c">∂C/∂w</font></td><td align="left">gradient in a parameter w (gradient descent uses it)</td></tr><tr><td><font color="#b91c1c">∂C/∂z</font></td><td align="left">in every other node z; C = a is the output</td></tr><tr><td>edge</td><td align="left">local ∂z/∂w from the forward pass; ∂C/∂w = Σ ∂z/∂w · ∂C/∂z</td></tr></table></font>> shape=plain]
}
"""  # noqa: E501


def test_golden_dot_of_a_neuron_after_backward() -> None:
    a, _, w, b = neuron()
    a.backward()
    assert to_dot(a, params={"w": w, "b": b}, output_label="a") == GOLDEN_NEURON


def test_dot_is_byte_identical_across_rebuilds() -> None:
    texts = []
    for _ in range(3):  # new objects each time: ids must not depend on id()
        loss = net_231(micro=True)
        loss.backward()
        texts.append(to_dot(loss))
    assert texts[0] == texts[1] == texts[2]
    assert "n0 [" in texts[0] and not re.search(r"\bn\d{6,}\b", texts[0])


def test_forward_view_has_no_gradients_until_backward() -> None:
    a, *_ = neuron()
    before = to_dot(a)
    assert "∂C/∂z" not in before.replace("∂C/∂z</font>", "")  # only in the legend, if at all
    assert "data -6" in before and "->" in before
    a.backward()
    assert "∂C/∂z 0.006648" in to_dot(a)


# -- numbers in the DOT are the right ones ---------------------------------------------------

LEAF_RE = re.compile(
    r"<td><b>([^<]+)</b></td><td>data ([^<]+)</td>"
    r'<td><font color="#b91c1c">∂C/∂[zw] ([^<]+)</font>'
)


def _leaves(dot: str) -> dict[str, tuple[float, float]]:
    """{name: (data, ∂C/∂z)} of every named node, read from the DOT text alone."""
    return {name: (float(d), float(g)) for name, d, g in LEAF_RE.findall(dot)}


def test_dot_shows_the_neurons_hand_computed_numbers() -> None:
    # a = σ(w·x + b) at x = 2, w = −3, b = 1: z = −5, a = σ(−5) = 0.0066929,
    # σ'(−5) = a(1 − a) = 0.0066481; ∂a/∂w = x σ' = 0.013296, ∂a/∂x = w σ' = −0.019944.
    a, _, w, b = neuron()
    a.backward()
    dot = to_dot(a, params={"w": w, "b": b}, output_label="a")
    got = _leaves(dot)
    want = {
        "x": (2, -0.019944),
        "w": (-3, 0.013296),
        "b": (1, 0.0066481),
        "a": (0.0066929, 1),
    }
    assert set(got) == set(want)
    for name, (data, grad) in want.items():
        assert got[name][0] == pytest.approx(data, rel=1e-3), name
        assert got[name][1] == pytest.approx(grad, rel=1e-3), name
    # The forward pass's local derivatives on the edges: ∂z/∂w = x = 2, ∂z/∂x = w = −3,
    # ∂z/∂b = 1, ∂a/∂z = σ'(−5).
    labels = sorted(float(lab) for _, _, lab in EDGE_RE.findall(dot))
    assert labels == pytest.approx(sorted([2, -3, 1, 1, 0.0066481]), rel=1e-3)


NAME_RE = re.compile(r'^\t(n\d+) \[label=<<table.*?<td>(?:<b>([^<]+)</b>|<font color="#6b7280">(n\d+)</font>)</td>', re.M)  # noqa: E501
LABEL_RE = re.compile(r'^\t(n\d+) -> (n\d+)_op \[label=<.*?(∂([^/<]+)/∂([^ <]+)) ', re.M)


@pytest.mark.parametrize("graph", ["neuron", "net_231", "micro", "mlp"])
def test_every_edge_label_names_its_own_child_and_parent(graph: str) -> None:
    """∂A/∂B on the edge parent -> child: A is the child's name, B the parent's, as the boxes
    of the same picture show them (the learner's names, never placeholders like z, a, b)."""
    if graph == "neuron":
        root, _, w, b = neuron()
        root.backward()
        dot, params = to_dot(root, params={"w": w, "b": b}), None
    elif graph == "mlp":
        root, params = mlp()
        root.backward()
        dot = to_dot(root, params=params)
    else:
        root = net_231(micro=graph == "micro")
        root.backward()
        dot = to_dot(root)
    names = {nid: bold or plain for nid, bold, plain in NAME_RE.findall(dot)}
    labels = LABEL_RE.findall(dot)
    n_edges = sum(len(n.parents) for n in root.walk())
    assert len(labels) == n_edges > 0
    for parent, child, _, top, bottom in labels:
        assert (top, bottom) == (html_unescape(names[child]), html_unescape(names[parent]))


def html_unescape(s: str) -> str:
    import html

    return html.unescape(s)


def _net_231_loss(p: dict[str, float]) -> float:
    """net_231's loss in plain Python, for finite differences."""
    x0, x1 = p["x0"], p["x1"]
    h = [
        math.tanh(p[f"L1.n{j}.w0"] * x0 + p[f"L1.n{j}.w1"] * x1 + p[f"L1.n{j}.b"]) for j in range(3)
    ]
    y = sum(p[f"L2.n0.w{i}"] * h[i] for i in range(3)) + p["L2.n0.b"]
    return (y - 1.0) ** 2


@pytest.mark.parametrize("micro", [False, True])
def test_dot_gradients_equal_finite_differences(micro: bool) -> None:
    loss = net_231(micro)
    loss.backward()
    leaves = _leaves(to_dot(loss))
    values = {name: data for name, (data, _) in leaves.items() if name[0] in "xL"}
    assert len(values) == 2 + 9 + 4
    for name in values:  # the DOT's ∂C/∂w against (C(w + ε) − C(w − ε)) / 2ε
        up, down = dict(values), dict(values)
        up[name] += 1e-6
        down[name] -= 1e-6
        slope = (_net_231_loss(up) - _net_231_loss(down)) / 2e-6
        assert leaves[name][1] == pytest.approx(slope, rel=2e-3, abs=1e-6), name


# -- numbers in the DOT agree with the engine --------------------------------------------------


@pytest.mark.parametrize("micro", [False, True])
def test_dot_numbers_equal_engine_values_and_chain_rule(micro: bool) -> None:
    loss = net_231(micro)
    loss.backward()
    dot = to_dot(loss)
    order = loss.walk()
    nodes = dict(NODE_RE.findall(dot))
    assert len(nodes) == len(order)
    grads: dict[int, float] = {}
    for i, node in enumerate(order):
        label = nodes[f"n{i}"]
        assert DATA_RE.search(label).group(1) == fmt(node.data)
        g = GRAD_RE.search(label)
        if node.requires_grad:
            assert g is not None and g.group(1) == fmt(node.grad)
            grads[i] = float(g.group(1))
        else:
            assert g is None  # constants carry no gradient
    # Every edge label is the engine's ∂z/∂parent for that edge, in parent order.
    edges = EDGE_RE.findall(dot)
    index = {id(n): i for i, n in enumerate(order)}
    expected = [
        (f"n{index[id(p)]}", f"n{c}", fmt(lg.value))
        for c, child in enumerate(order)
        for p, lg in zip(child.parents, child.local_grads)
    ]
    assert sorted(edges) == sorted(expected)
    # The chain rule read off the picture alone: ∂C/∂w = Σ (edge label) × (∂C/∂z of child).
    for i, g in grads.items():
        terms = [float(lab) * grads[int(c[1:])] for p, c, lab in edges if p == f"n{i}"]
        if not terms:
            continue
        assert abs(sum(terms) - g) <= 2e-3 * sum(abs(t) for t in terms) + 1e-9


def test_tensor_graph_shows_shapes_names_and_saved_quantities() -> None:
    loss, module = mlp()
    loss.backward()
    dot = to_dot(loss, params=module, output_label="loss")
    w0 = module._p["layers.0.weight"]
    assert "<b>layers.0.weight</b>" in dot and "<b>layers.4.bias</b>" in dot
    assert "5×6 float64" in dot  # shape and dtype of layers.0.weight
    mean, std = float(w0.data.mean()), float(w0.data.std())
    assert f"μ {fmt(mean)}  σ {fmt(std)}" in dot
    gmean, gmax = float(w0.grad.mean()), float(np.abs(w0.grad).max())
    assert f"∂C/∂w μ {fmt(gmean)}  max|·| {fmt(gmax)}" in dot  # a parameter: ∂C/∂w
    # Edge labels name the saved quantity and give its shape: ∂z/∂W = x is the 4×6 input.
    assert re.search(
        r"∂n3/∂layers.0.weight = x</font><br/><font point-size=\"8\" color=\"#6b7280\">4×6<", dot
    )
    assert "∂loss/∂n11 = softmax(n11) − y" in dot
    assert "<b>loss</b>" in dot and f"{fmt(loss.item())}" in dot


def test_kinds_are_coloured_and_explained() -> None:
    x = Value(3.0, label="x")
    p = Value(0.5, label="layer.w")  # a dotted label marks a module's parameter
    out = (p * x + 2.0).tanh()
    dot = to_dot(out)
    nodes = dict(NODE_RE.findall(dot))
    colors = {k: re.search(r'bgcolor="(#\w+)"', v).group(1) for k, v in nodes.items()}
    assert colors["n0"] == "#dcfce7"  # parameter
    assert colors["n1"] == "#dbeafe"  # input
    assert colors["n3"] == "#f3f4f6"  # the constant 2.0
    assert colors["n5"] == "#fde68a"  # output
    for text in ("parameter (learned leaf)", "input (data leaf)", "constant (a number)"):
        assert text in dot


def test_parameter_names_fill_in_missing_labels_and_output_gets_a_name() -> None:
    a, x, w, b = neuron()
    w.label = ""  # unlabeled: named from named_parameters(); labelled b keeps its label
    dot = to_dot(a, params=FakeModule({"fc.weight": w, "fc.bias": b}))
    assert "<b>fc.weight</b>" in dot and "<b>b</b>" in dot and "fc.bias" not in dot
    assert '#dcfce7"><tr><td><b>b</b>' in dot  # but b is drawn as a parameter
    assert "<b>out</b>" in dot  # default output name
    assert "<b>sigma</b>" in to_dot(a, output_label="sigma")


def lecture_style_net() -> tuple[Value, dict[str, Value]]:
    """Labels for the picture ("w¹[1,0]"), dotted names with list indices for the modules,
    as tinygrad_edu.nn.scalar does it."""
    xs = [Value(1.0, label="x0", requires_grad=False), Value(-1.0, label="x1", requires_grad=False)]
    params: dict[str, Value] = {}
    h = []
    for j in range(2):
        ws = [Value(0.5 + j - i, label=f"w¹[{j},{i}]") for i in range(2)]
        b = Value(0.1 * j, label=f"b¹[{j}]")
        params.update({f"layers.0.neurons.{j}.w.{i}": w for i, w in enumerate(ws)})
        params[f"layers.0.neurons.{j}.b"] = b
        h.append(Value.weighted_sum(ws, xs, b).sigmoid())
    ws2 = [Value(0.3, label="w²[0,0]"), Value(-0.2, label="w²[0,1]")]
    b2 = Value(0.05, label="b²[0]")
    params.update({f"layers.1.neurons.0.w.{i}": w for i, w in enumerate(ws2)})
    params["layers.1.neurons.0.b"] = b2
    return Value.weighted_sum(ws2, h, b2), params


def test_labels_are_drawn_and_parameter_names_decide_the_groups() -> None:
    y, params = lecture_style_net()
    y.backward()
    dot = to_dot(y, params=FakeModule(params))
    assert "<b>w¹[1,0]</b>" in dot and "layers.0.neurons" not in dot
    d = draw(y, params=FakeModule(params), collapse="neuron")
    groups = dict(d.info.groups)
    # w.0, w.1 (a list) and b belong to their neuron, with its Σwx+b and σ
    assert groups == {"layers.1.neurons.0": 3, "layers.0.neurons.0": 5, "layers.0.neurons.1": 5}
    assert dict(draw(y, params=params, collapse=2).info.groups) == {"layers.1": 3, "layers.0": 10}
    # Three parameters of layers.1.neurons.0 enter the output's op: one edge, no single label.
    gid = re.search(r"\t(g\d+) \[label=<.*?layers\.1\.neurons\.0<", d.source).group(1)
    root_op = f"n{len(y.walk()) - 1}_op"
    assert re.findall(rf"\t{gid} -> {root_op}(.*)", d.source) == [""]
    # Each hidden neuron is one input of that op: its edge keeps the local derivative w.
    h_edges = re.findall(
        rf"\tg\d+ -> {root_op} \[label=<<font point-size=\"10\">([^<]+)<", d.source
    )
    assert sorted(h_edges) == sorted([fmt(0.3), fmt(-0.2)])


def test_user_labels_are_escaped() -> None:
    x = Value(1.0, label='<b>"&x')
    dot = to_dot(x * 2.0)
    assert "&lt;b&gt;&quot;&amp;x" in dot and '<b>"&x' not in dot


def test_backward_direction_draws_gradient_flow() -> None:
    a, x, w, b = neuron()
    with pytest.raises(ValueError, match="backward\\(\\) has not run"):
        to_dot(a, direction="backward")
    a.backward()
    dot = to_dot(a, direction="backward")
    # w -> '*' sends ∂z/∂w × ∂C/∂z = x × ∂C/∂(w·x) back, which is w.grad
    wx = a.parents[0].parents[0]
    text = f"{fmt(x.data)} × {fmt(wx.grad)} = {fmt(x.data * wx.grad)}"
    assert text in dot and fmt(x.data * wx.grad) == fmt(w.grad)
    assert dot.count("dir=back") == dot.count("->")  # every input here requires grad
    c = Value(2.0, requires_grad=False)
    out = a * c
    out.backward()
    flow = to_dot(out, direction="backward")
    order = out.walk()
    i, r = next(k for k, n in enumerate(order) if n is c), len(order) - 1
    assert f'\tn{i} -> n{r}_op [color="#6b7280" dir=none style=dashed]\n' in flow
    assert flow.count("style=dashed") == 1


def test_bad_options_are_named() -> None:
    a, *_ = neuron()
    with pytest.raises(ValueError, match="direction"):
        to_dot(a, direction="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        to_dot(a, max_nodes=0)
    with pytest.raises(ValueError, match="collapse"):
        to_dot(a, collapse="layers")
    with pytest.raises(TypeError, match="named_parameters"):
        to_dot(a, params=[1, 2])
    with pytest.raises(TypeError, match="Value or Tensor"):
        to_dot([a])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unknown drawing option.*colour"):
        to_dot(a, colour="red")
    with pytest.raises(TypeError, match="colour"):
        draw(a, colour="red")


# -- collapse and size limits ------------------------------------------------------------------


@pytest.mark.parametrize("micro", [False, True])
def test_collapse_per_neuron_keeps_the_loss_visible(micro: bool) -> None:
    loss = net_231(micro)
    loss.backward()
    d = draw(loss, collapse="neuron")
    per_neuron = 8 if micro else 5  # micro: w0, w1, b, 2 ×, 2 +, tanh; else w0, w1, b, Σ, tanh
    assert dict(d.info.groups) == {
        "L1.n0": per_neuron,
        "L1.n1": per_neuron,
        "L1.n2": per_neuron,
        "L2.n0": 5,  # w0, w1, w2, b, Σwx+b
    }
    assert d.info.hidden == 0 and d.info.collapsed
    # inputs x0, x1 + 4 boxes + (y - 1) with its constant and op + the output with its op
    assert d.info.drawn == 2 + 4 + 3 + 2
    assert "// collapsed" in d.source and "L1.n0 (" in d.source
    assert 'label="-"' in d.source and 'label="**2"' in d.source
    # The box for L1.n0 shows its activation's value and gradient.
    h0 = loss.parents[0].parents[0].parents[3]  # (y-1) -> y -> h0 (4th parent of Σwx+b)
    box = re.search(r"\tg\d+ \[label=<(.*?L1\.n0.*)> shape=plain\]", d.source).group(1)
    assert f"data {fmt(h0.data)}" in box and f"∂C/∂z {fmt(h0.grad)}" in box


def test_collapse_by_module_and_by_top_level_name() -> None:
    loss, module = mlp()
    d = draw(loss, params=module, collapse="module")
    assert dict(d.info.groups) == {"layers.0": 4, "layers.2": 4, "layers.4": 3}
    assert d.info.drawn == 1 + 3 + 2  # x, three modules, CE op and loss
    top = draw(net_231(), collapse=1)
    assert dict(top.info.groups) == {"L1": 15, "L2": 5}
    custom = draw(net_231(), collapse=lambda name: "all" if name.startswith("L") else None)
    assert [g for g, _ in custom.info.groups] == ["all"]


def scalar_net(sizes: tuple[int, ...]) -> Value:
    rng = np.random.default_rng(1)
    h = [Value(float(v), label=f"x{i}") for i, v in enumerate(rng.uniform(-1, 1, sizes[0]))]
    for layer, n in enumerate(sizes[1:], start=1):
        out = []
        for j in range(n):
            z = Value(float(rng.uniform(-1, 1)), label=f"L{layer}.n{j}.b")
            for i, xi in enumerate(h):
                z = z + Value(float(rng.uniform(-1, 1)), label=f"L{layer}.n{j}.w{i}") * xi
            out.append(z.tanh())
        h = out
    return Value.sum(h)


def test_large_scalar_network_collapses_automatically_and_says_so() -> None:
    out = scalar_net((8, 16, 16, 4))
    n = len(out.walk())
    assert n > 1000
    with pytest.warns(GraphSizeWarning, match="collapsed by name prefix"):
        d = draw(out, max_nodes=100)
    assert d.info.nodes == n and d.info.drawn <= 100
    assert len(d.info.groups) == 16 + 16 + 4 and d.info.hidden == 0
    assert "exceed max_nodes=100" in d.source  # in the DOT comment and the legend


def test_size_warning_points_at_the_callers_line() -> None:
    v = Value(1.0, label="x")
    for _ in range(100):
        v = v.tanh()
    for fn in (to_dot, draw):
        with pytest.warns(GraphSizeWarning) as rec:
            fn(v, max_nodes=10)
        assert rec[0].filename == __file__


def test_every_registry_op_can_be_drawn_and_traced() -> None:
    from tinygrad_edu.registry import REGISTRY, make_inputs

    rng = np.random.default_rng(0)
    for case in REGISTRY:
        _, args = make_inputs(case, case.sample(rng))
        out = case.build(*args)
        if isinstance(out.data, np.ndarray) and out.data.size != 1:
            out = out.sum()
        out.backward()
        order = out.walk()
        dot = to_dot(out, max_nodes=None)
        ops_drawn = re.findall(r"^\tn\d+_op \[", dot, re.M)
        assert len(ops_drawn) == sum(1 for n in order if not n.is_leaf), case.name
        assert "direction" not in to_dot(out, direction="backward")
        steps = trace(out).steps
        assert len(steps) == len(order) + sum(1 for n in order if n.requires_grad), case.name


def test_chain_beyond_max_nodes_is_truncated_near_the_output() -> None:
    v = Value(1.0, label="x")
    for _ in range(1000):
        v = -v
    with pytest.warns(GraphSizeWarning, match="not drawn"):
        d = draw(v, max_nodes=51)
    # the output and its 24 nearest predecessors (2 boxes each) + the "hidden" box
    assert d.info.drawn == 51 and d.info.hidden == 1001 - 25
    assert f"n{1000} [" in d.source and "n975 [" not in d.source and "n976 [" in d.source
    assert "\thidden [" in d.source and "hidden -> n976_op" in d.source
    assert "976 nodes not drawn" in d.source


def test_100k_node_chain_converts_without_recursion_error() -> None:
    v = Value(0.5, label="x")
    for _ in range(100_000):
        v = -v
    v.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # max_nodes=None: nothing may be left out
        dot = to_dot(v, max_nodes=None)
    assert dot.count("_op -> n") == 100_000
    assert "\tn100000 [" in dot and "∂C/∂z 1<" in dot
    with pytest.warns(GraphSizeWarning):
        assert "hidden" in to_dot(v)  # the default limit keeps it drawable


# -- rendering -----------------------------------------------------------------------------------

HEADERS = {"svg": b"<svg", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@needs_dot
@pytest.mark.parametrize("fmt_", ["svg", "png", "pdf"])
def test_render_writes_a_valid_image(tmp_path: Path, fmt_: str) -> None:
    a, *_ = neuron()
    a.backward()
    path = tmp_path / f"neuron.{fmt_}"
    info = render(a, path)
    assert isinstance(info, RenderInfo) and info.path == path and info.format == fmt_
    data = path.read_bytes()
    if fmt_ == "svg":
        assert b"<svg" in data[:400] and data.rstrip().endswith(b"</svg>")
    else:
        assert data.startswith(HEADERS[fmt_])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_render_dot_format_needs_no_graphviz(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    a, *_ = neuron()
    info = render(a, tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == to_dot(a)
    assert info.format == "dot"


def test_missing_dot_raises_one_clear_error_and_saves_the_dot(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    a, *_ = neuron()
    target = tmp_path / "neuron.png"
    with pytest.raises(GraphvizNotFoundError) as err:
        render(a, target)
    msg = str(err.value)
    for needle in ("`dot`", "apt install graphviz", "brew install graphviz", "conda install"):
        assert needle in msg
    saved = tmp_path / "neuron.dot"
    assert str(saved) in msg and err.value.dot_path == saved
    assert saved.read_text(encoding="utf-8") == to_dot(a)
    assert not target.exists()


def test_render_rejects_unknown_formats(tmp_path: Path) -> None:
    a, *_ = neuron()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        render(a, tmp_path / "neuron.jpg")
    with pytest.raises(ValueError, match="format must be one of"):
        render(a, tmp_path / "neuron.svg", format="gif")


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "g.dot"
    target.write_text("old", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(vio.os, "replace", broken_replace)
    a, *_ = neuron()
    with pytest.raises(OSError, match="disk full"):
        render(a, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.dot"]


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    vio.atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
    with pytest.raises(FileNotFoundError, match="does not exist"):
        vio.atomic_write(tmp_path / "nope" / "f.bin", b"x")


@needs_dot
def test_jupyter_shows_svg_inline() -> None:
    a, *_ = neuron()
    bundle = draw(a)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_jupyter_without_dot_shows_the_reason_and_the_dot(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    a, *_ = neuron()
    d = draw(a)
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert "apt install graphviz" in bundle["text/plain"] and d.source in bundle["text/plain"]


# -- trace -------------------------------------------------------------------------------------


def test_trace_lists_forward_then_backward_with_engine_numbers() -> None:
    a, x, w, b = neuron()
    t = trace(a, backward=True)
    order = a.walk()
    fwd, bwd = t.forward, t.backward
    assert [s.index for s in fwd] == list(range(len(order)))
    assert [s.value for s in fwd] == [n.data for n in order]
    mul = fwd[2]
    assert (mul.op, mul.inputs) == ("*", ("w", "x"))
    assert [(tt.other, tt.local) for tt in mul.terms] == [("w", 2.0), ("x", -3.0)]
    # Backward: reverse order, and each ∂C/∂z is the sum of its products.
    assert [s.index for s in bwd] == list(reversed(range(len(order))))
    for s in bwd:
        assert s.grad == s.node.grad
        if s.terms:
            assert sum(tt.product for tt in s.terms) == pytest.approx(s.grad, rel=1e-12)
            for tt in s.terms:
                assert tt.product == pytest.approx(tt.local * tt.upstream, rel=1e-15)
    w_step = next(s for s in bwd if s.name == "w")
    assert w_step.terms[0].local == x.data and w_step.grad == w.grad


def test_trace_text_table() -> None:
    a, x, w, b = neuron()
    text = trace(a, backward=True).format()
    assert text.startswith("forward pass")
    assert "w: ∂n2/∂w = x = 2; x: ∂n2/∂x = w = -3" in text
    assert "seed: ∂C/∂C = 1" in text
    wx = a.parents[0].parents[0]
    assert f"n2: {fmt(x.data)} × {fmt(wx.grad)}" in text  # the product that gave ∂C/∂w
    lines = [ln for ln in text.splitlines() if ln.strip().startswith("n0 ")]
    assert lines[-1].split()[:3] == ["n0", "w", fmt(w.grad)]


def test_trace_sums_products_of_every_consumer() -> None:
    x = Value(3.0, label="x")
    y = x * x + x  # x feeds '*' twice and '+' once
    t = trace(y, backward=True)
    step = next(s for s in t.backward if s.name == "x")
    assert [tt.product for tt in step.terms] == [3.0, 3.0, 1.0]
    assert step.grad == 7.0 == x.grad


def test_trace_before_backward_says_how_to_get_it() -> None:
    a, *_ = neuron()
    t = trace(a)
    assert t.backward == [] and len(t.forward) == 6
    assert "call output.backward() first" in t.format()


def test_trace_of_tensor_graph_names_saved_quantities() -> None:
    loss, module = mlp()
    t = trace(loss, params=module, backward=True)
    w = next(s for s in t.backward if s.name == "layers.0.weight")
    assert w.grad is module._p["layers.0.weight"].grad
    assert [tt.name for tt in w.terms] == ["∂n3/∂layers.0.weight = x"]
    assert w.terms[0].product is None
    assert "layers.0.weight" in t.format()


def test_frames_as_dot_highlight_each_step(tmp_path: Path) -> None:
    a, *_ = neuron()  # ops: n2 = w*x, n4 = n2 + b, n5 = σ(n4); 6 nodes need grad
    t = trace(a, backward=True)
    paths = t.write_frames(tmp_path / "frames", format="dot")
    assert [p.name for p in paths] == [f"frame_{k:03d}.dot" for k in range(3 + 6)]
    current = ["n2", "n4", "n5", "n5", "n4", "n3", "n2", "n1", "n0"]
    unknown_values = [2, 1, 0, 0, 0, 0, 0, 0, 0]  # forward frames step through the ops
    unknown_grads = [6, 6, 6, 5, 4, 3, 2, 1, 0]
    for k, p in enumerate(paths):
        text = p.read_text(encoding="utf-8")
        focused = re.findall(r'\t(n\d+) \[label=<<table border="3" color="#dc2626"', text)
        assert focused == [current[k]]
        assert text.count('data <font color="#000000">?</font>') == unknown_values[k]
        assert text.count('∂C/∂w <font color="#b91c1c">?</font>') + text.count(
            '∂C/∂z <font color="#b91c1c">?</font>'
        ) == unknown_grads[k]


def test_frame_captions_write_the_numbers_out() -> None:
    a, x, w, b = neuron()
    frames = trace(a, params={"w": w, "b": b}, backward=True).schedule().frames
    assert frames[0].title == "forward pass · step 1 of 3"
    assert frames[0].lines[0] == "n2 = w × x = (−3) × 2 = −6"
    assert frames[2].lines[0] == "out = σ(n4) = σ(−5) = 0.006693"
    assert frames[3].lines[0].startswith("∂out/∂out = 1: the seed")
    assert frames[-1].title == "backward pass · step 6 of 6"
    # ∂C/∂w = ∂n2/∂w × ∂C/∂n2 = x × σ'(−5) = 2 × 0.006648
    assert frames[-1].caption.endswith("∂out/∂w = ∂n2/∂w × ∂out/∂n2 = 2×0.006648 = 0.0133")
    assert frames[-1].row.startswith("id: n0   node: w   ∂C/∂z: 0.0133")


def test_frames_of_the_flow_show_no_product_into_an_unknown_gradient(tmp_path: Path) -> None:
    a, x, w, b = neuron()
    t = trace(a, backward=True)
    sched = t.schedule("backward")
    paths = t.write_frames(tmp_path, "dot", direction="backward")
    product = "2 × 0.006648 = 0.0133"  # the product into w, on the edge w -> *
    for k, p in enumerate(paths):
        text = p.read_text(encoding="utf-8")
        visible = f'<font color="#b91c1c">{product}</font>' in text
        assert (product in text) and visible == (k == len(paths) - 1)  # w is the last frame
    assert sched.label_from[(2, 0)] == len(paths) - 1


@needs_dot
def test_frames_as_svg_share_one_layout_and_canvas(tmp_path: Path) -> None:
    loss = net_231()
    loss.backward()
    paths = trace(loss).write_frames(tmp_path, "svg")
    ops = sum(1 for n in loss.walk() if not n.is_leaf)
    assert len(paths) == ops + sum(1 for n in loss.walk() if n.requires_grad)
    geometry = set()
    for p in paths:
        svg = p.read_text(encoding="utf-8")
        size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
        boxes = tuple(re.findall(r'(?:points| d)="([^"]+)"', svg))  # boxes, edges, arrows
        geometry.add((size, boxes))
    assert len(geometry) == 1


def test_frames_without_dot_are_saved_as_dot(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    a, *_ = neuron()
    t = trace(a, backward=True)
    with pytest.raises(GraphvizNotFoundError, match="saved as DOT"):
        t.write_frames(tmp_path / "f", "svg")
    assert len(list((tmp_path / "f").glob("frame_*.dot"))) == 3 + 6
    with pytest.raises(ValueError, match="max_frames"):
        t.write_frames(tmp_path / "g", "dot", max_frames=3)


def test_precision_option() -> None:
    a, *_ = neuron()
    assert f"data {a.data:.2g}" in to_dot(a, precision=2)
    assert not math.isnan(a.data)


# -- the HTML player (its behaviour in a browser: tests/test_player_browser.py) -----------------


def _player_frames(page: str) -> list[dict]:
    import json

    payload = re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', page)
    return json.loads(payload.group(1))["frames"]


@needs_dot
def test_player_of_a_tensor_graph_and_of_a_forward_only_graph(tmp_path: Path) -> None:
    from tinygrad_edu.visualize.player import player_html

    loss, module = mlp()
    before = _player_frames(player_html(loss, params=module))
    ops = sum(1 for n in loss.walk() if not n.is_leaf)
    assert [f["phase"] for f in before] == ["forward"] * ops  # no backward() yet
    loss.backward()
    page = player_html(loss, params=module)
    frames = _player_frames(page)
    needs_grad = sum(1 for n in loss.walk() if n.requires_grad)
    assert len(frames) == ops + needs_grad
    w = next(f for f in frames if f["phase"] == "backward" and f["name"] == "layers.0.weight")
    g = module._p["layers.0.weight"].grad
    assert w["number"].startswith(f"5×6 μ {fmt(g.mean())}".replace("-", "−"))
    assert "∂C/∂w" in w["what"]
    # ids the script needs are in the SVG: every value box's cells, every labelled edge
    assert 'id="a_n0_data"' in page and 'id="e3_1"' in page
    info = render(loss, tmp_path / "mlp.html", params=module)
    assert info.format == "html" and info.path.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_player_without_dot_saves_the_dot_text(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    a, *_ = neuron()
    a.backward()
    with pytest.raises(GraphvizNotFoundError) as e:
        render(a, tmp_path / "g.html")
    assert e.value.dot_path == tmp_path / "g.dot" and (tmp_path / "g.dot").exists()
    assert not (tmp_path / "g.html").exists()
    assert draw(a)._repr_html_() is None  # Jupyter falls back to the text

"""In-place writes: version counters, PyTorch's in-place rules, leaves owning their gradients,
boolean masks. Every wrong gradient of issue 14 §3 either raises or is right."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import BackwardError, Tensor, nn, no_grad
from tinygrad_edu.errors import InputError, ShapeError

SAVED = "was modified in place after the forward pass"


# -- a changed saved array is reported by backward() ---------------------------------------------


def test_data_write_between_forward_and_backward_raises() -> None:
    x = Tensor(np.array([2.0]), requires_grad=True)
    y = (x * x).sum()
    x.data[...] = 3  # the gradient would be 2·3 = 6, not 2·2 = 4
    with pytest.raises(BackwardError, match=rf"op '\*': its input #0 .*{SAVED}.*version 0 → 1"):
        y.backward()


@pytest.mark.parametrize(
    "write",
    [
        lambda d: d.__setitem__(0, 7.0),
        lambda d: d.__iadd__(1.0),
        lambda d: np.multiply(d, 2.0, out=d),
        lambda d: d.fill(0.0),
        lambda d: np.copyto(d, np.zeros_like(d)),
        lambda d: d[:1].__isub__(1.0),  # through a slice of the view
        lambda d: d.reshape(-1).__setitem__(0, 1.0),
    ],
)
def test_every_visible_write_through_data_counts(write) -> None:  # noqa: ANN001
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    before = x.version
    write(x.data)
    assert x.version == before + 1


def test_reads_and_copies_do_not_count() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = x.data.copy()
    c[0] = 9.0
    _ = x.data * 2 + np.exp(x.data)
    assert x.version == 0 and x.data[0] == 1.0
    assert type(x.data * 2) is np.ndarray  # arithmetic gives plain arrays


def test_exp_output_changed_in_place_raises() -> None:
    x = Tensor(np.array([1.0]), requires_grad=True)
    z = x.exp()
    z.data *= 0  # ∂z/∂x = z would become 0
    with pytest.raises(BackwardError, match=rf"op 'exp': its output .*{SAVED}"):
        z.sum().backward()


def test_optimizer_step_between_forward_and_backward_raises() -> None:
    layer = nn.Linear(2, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(layer.parameters(), lr=0.1)
    loss = layer(Tensor(np.array([[1.0, 2.0]]))).sum()
    loss.backward()
    opt.step()  # fine: after backward
    loss = layer(Tensor(np.array([[1.0, 2.0]]))).sum()
    layer.zero_grad()
    (layer(Tensor(np.array([[3.0, 4.0]]))).sum()).backward()
    opt.step()  # W changes while `loss` (which saved W) waits for its backward
    with pytest.raises(BackwardError, match=SAVED):
        loss.backward()


def test_load_between_forward_and_backward_raises(tmp_path) -> None:  # noqa: ANN001
    layer = nn.Linear(2, 1, seed=0, dtype=np.float64)
    nn.save(nn.Linear(2, 1, seed=1, dtype=np.float64), tmp_path / "other.npz")
    loss = layer(Tensor(np.array([[1.0, 2.0]]))).sum()
    nn.load(layer, tmp_path / "other.npz")
    with pytest.raises(BackwardError, match=SAVED):
        loss.backward()


def test_change_to_an_unsaved_input_keeps_the_right_gradient() -> None:
    # z = a + b saves neither input: ∂z/∂a = 1 whatever a is now (PyTorch agrees).
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]))
    y = (a + b).sum()
    b.data[...] = 100.0
    y.backward()
    assert a.grad.tolist() == [1.0, 1.0]


def test_views_and_detach_share_the_counter() -> None:
    x = Tensor(np.array([[1.0, 2.0]]))
    w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    r = x.reshape(2)  # a view of x's memory
    y = (w * r).sum()  # saves r
    x.data[0, 0] = 10.0  # so this changes what the op saved
    with pytest.raises(BackwardError, match=SAVED):
        y.backward()
    y = (w * w).sum()
    w.detach().data[0] = 0.0
    with pytest.raises(BackwardError, match=SAVED):
        y.backward()


def test_a_fresh_forward_after_the_change_is_fine() -> None:
    x = Tensor(np.array([2.0]), requires_grad=True)
    (x * x).sum()
    x.data[...] = 3
    (x * x).sum().backward()
    assert x.grad.tolist() == [6.0]


def test_tensor_copies_the_callers_array() -> None:
    arr = np.array([2.0])
    x = Tensor(arr)
    w = Tensor(np.array([1.0]), requires_grad=True)
    y = (w * x).sum()
    arr[0] = 5.0  # the caller reuses their buffer
    y.backward()
    assert w.grad.tolist() == [2.0] and x.data[0] == 2.0


# -- every leaf owns its gradient ---------------------------------------------------------------


def test_leaves_do_not_share_a_gradient_array() -> None:
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 0.5  # a per-parameter scaling must not reach b
    assert a.grad.tolist() == [0.5, 0.5] and b.grad.tolist() == [1.0, 1.0]
    c = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (c.reshape(2, 1) * 1.0).sum().backward()  # reshape's gradient is a view of upstream's
    c.grad *= 3.0
    assert c.grad.tolist() == [3.0, 3.0]


def test_backward_copies_the_grad_it_is_given() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    g = np.array([1.0, 1.0])
    x.backward(grad=g)
    x.grad *= 2
    assert g.tolist() == [1.0, 1.0]
    y = x * 1.0
    g2 = np.array([5.0, 5.0])
    y.backward(grad=g2)
    y.grad[...] = 0.0
    assert g2.tolist() == [5.0, 5.0]


# -- PyTorch's in-place rules -------------------------------------------------------------------


def test_in_place_update_under_no_grad_keeps_the_parameter() -> None:
    w = nn.Parameter(np.array([1.0, 2.0]))
    array = w.data
    (w * w).sum().backward()  # ∂/∂w = 2w = (2, 4)
    with no_grad():
        w -= 0.5 * w.grad  # (0, 0)
        w += 1.0  # (1, 1)
        w *= Tensor(np.array([2.0, 3.0]))  # (2, 3)
        w /= 2.0  # (1, 1.5)
        w[0] = 4.0  # (4, 1.5)
    assert isinstance(w, nn.Parameter) and w.requires_grad and w.is_leaf
    assert w.data is array and w.data.tolist() == [4.0, 1.5]
    assert w.version == 5
    w.grad = None
    (w * w).sum().backward()
    assert w.grad.tolist() == [8.0, 3.0]


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "[]="])
def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad(op: str) -> None:
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="w")
    with pytest.raises(
        BackwardError, match=r"a leaf tensor 'w' that requires grad is being used in an in-place"
    ):
        if op == "[]=":
            w[0] = 3.0
        else:
            exec(f"w {op} 1.0")  # noqa: S102  (the statement under test, on a literal)
    assert w.data.tolist() == [1.0, 2.0] and w.version == 0


def test_in_place_on_a_graph_node_computes_a_new_node() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    h += 1.0  # h is now a new node h' = 3x + 1
    h.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(BackwardError, match="item assignment into a tensor computed"):
        h[0] = 0.0


def test_in_place_on_a_constant_and_bad_values() -> None:
    c = Tensor(np.array([1.0, 2.0]))
    c += 1
    c[np.array([True, False])] = 0.0
    assert c.data.tolist() == [0.0, 3.0] and c.version == 2
    with pytest.raises(ShapeError, match=r"shape \(2, 2\) into a tensor of shape \(2,\)"):
        c += np.ones((2, 2))
    with pytest.raises(TypeError, match="real numbers, got dtype complex128"):
        c *= 1 + 2j


# -- boolean masks are masks --------------------------------------------------------------------


def test_bool_mask_selects_and_scatters_back() -> None:
    x = Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    y = x[np.array([True, False, True])]
    assert y.data.tolist() == [10.0, 30.0]
    (y * Tensor(np.array([1.0, 2.0]))).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 2.0]
    m = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    picked = m[np.array([[True, False, True], [False, True, False]])]
    assert picked.data.tolist() == [0.0, 2.0, 4.0]
    picked.sum().backward()
    assert m.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_wrong_masks_and_float_indices_are_refused() -> None:
    x = Tensor(np.array([10.0, 20.0, 30.0]))
    with pytest.raises(ShapeError, match="size of axis is 3 but size of corresponding boolean"):
        x[np.array([True, False])]
    with pytest.raises(InputError, match="must hold integers or bools, got float64"):
        x[Tensor(np.array([True, False, True]))]  # became floats [1, 0, 1]: not positions
    with pytest.raises(InputError, match="got float64"):
        x[np.array([0.0, 2.0])]


def test_bool_tensors_are_masks_too() -> None:
    x = Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    y = x[x > 15]
    assert y.data.tolist() == [20.0, 30.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]
    assert x[Tensor(np.array([True, False, True]), dtype=bool)].data.tolist() == [10.0, 30.0]
    with pytest.raises(ShapeError, match="boolean"):
        x[Tensor(np.array([True, False]), dtype=bool)]

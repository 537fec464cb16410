"""tinygrad_edu.nn optimizers: each update rule against hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import InputError, Tensor, Value, nn


def param(values, dtype=np.float64) -> nn.Parameter:
    return nn.Parameter(np.array(values, dtype=dtype))


def set_grad(p: nn.Parameter, g) -> np.ndarray:
    p.grad = np.array(g, dtype=p.data.dtype)
    return p.grad


def test_sgd_plain_step():
    p = param([1.0, -2.0])
    opt = nn.SGD([p], lr=0.1)
    set_grad(p, [2.0, -4.0])
    opt.step()
    assert p.data == pytest.approx([0.8, -1.6])


def test_sgd_momentum_by_hand():
    """v ← μv − ηg; w ← w + v, with μ = 0.9, η = 0.1 and gradients 1, 1, −2."""
    p = param([0.0])
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    # v: −0.1, 0.9·(−0.1) − 0.1 = −0.19, 0.9·(−0.19) + 0.2 = 0.029; w: −0.1, −0.29, −0.261.
    for g, w in ((1.0, -0.1), (1.0, -0.29), (-2.0, -0.261)):
        set_grad(p, [g])
        opt.step()
        assert p.data[0] == pytest.approx(w, abs=1e-15)


def test_adagrad_by_hand():
    """w ← w − η g / √(Σ g²): gradients 3 then 4 give steps η·3/3 and η·4/5."""
    p = param([1.0])
    opt = nn.Adagrad([p], lr=0.5)
    set_grad(p, [3.0])
    opt.step()
    assert p.data[0] == pytest.approx(1.0 - 0.5 * 3 / 3)
    set_grad(p, [4.0])
    opt.step()
    assert p.data[0] == pytest.approx(0.5 - 0.5 * 4 / 5)


def test_adam_by_hand():
    p = param([1.0, 1.0])
    opt = nn.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    m = np.zeros(2)
    v = np.zeros(2)
    w = np.ones(2)
    for t, g in enumerate(([0.5, -3.0], [0.1, 2.0], [-1.0, 0.0]), start=1):
        set_grad(p, g)
        opt.step()
        g = np.array(g)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        assert p.data == pytest.approx(w, rel=1e-12)
    # Adam's first step moves each weight by about η, whatever the gradient's size.
    q = param([0.0, 0.0])
    opt = nn.Adam([q], lr=0.01)
    set_grad(q, [1e-3, -1e3])
    opt.step()
    assert q.data == pytest.approx([-0.01, 0.01], rel=1e-4)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.1),
        lambda ps: nn.SGD(ps, lr=0.1, momentum=0.5),
        lambda ps: nn.Adagrad(ps, lr=0.1),
        lambda ps: nn.Adam(ps, lr=0.1),
    ],
)
def test_step_never_modifies_the_gradient_and_updates_data_in_place(make):
    p = param([1.0, 2.0], dtype=np.float32)
    data = p.data
    opt = make([p])
    for _ in range(2):
        g = set_grad(p, [0.5, -0.25])
        shared = g  # the engine may hand the same array to several nodes
        opt.step()
        assert p.grad is g and shared.tolist() == [0.5, -0.25]
    assert p.data is data and p.data.dtype == np.float32
    assert not np.array_equal(p.data, [1.0, 2.0])


def test_lr_is_a_plain_attribute_changed_between_steps():
    p = param([0.0])
    opt = nn.SGD([p], lr=1.0)
    set_grad(p, [1.0])
    opt.step()
    opt.lr = 0.25
    opt.step()
    assert p.data[0] == pytest.approx(-1.25)
    opt.lr = -1
    with pytest.raises(InputError, match="lr must be finite and ≥ 0"):
        opt.step()
    opt.lr = "fast"
    with pytest.raises(InputError, match="lr must be a number"):
        opt.step()


def test_parameters_without_gradient_are_skipped_and_zero_grad():
    a, b = param([1.0]), param([1.0])
    opt = nn.SGD([a, b], lr=1.0)
    set_grad(a, [1.0])
    opt.step()
    assert (a.data[0], b.data[0]) == (0.0, 1.0)
    opt.zero_grad()
    assert a.grad is None


def test_optimizer_accepts_a_module_and_deduplicates():
    m = nn.MLP([2, 3, 1], seed=0)
    opt = nn.Adam(m)
    assert len(opt.params) == 4
    ps = m.parameters()
    assert len(nn.SGD(ps + ps, lr=0.1).params) == 4


def test_optimizer_given_no_parameters():
    with pytest.raises(InputError, match="SGD: got no parameters to optimize"):
        nn.SGD([], lr=0.1)
    m = nn.MLP([2, 3, 1], seed=0)
    gen = iter(m.parameters())
    list(gen)  # an exhausted generator is just as empty
    with pytest.raises(InputError, match="Adam: got no parameters to optimize"):
        nn.Adam(gen)
    with pytest.raises(InputError, match="Adagrad: got no parameters"):
        nn.Adagrad(nn.Module())


def test_optimizer_rejects_what_cannot_be_trained():
    with pytest.raises(InputError, match="not a leaf with requires_grad=True"):
        nn.SGD([Tensor([1.0])], lr=0.1)
    with pytest.raises(TypeError, match="parameter #0 is a ndarray"):
        nn.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(InputError, match="momentum must be in"):
        nn.SGD([param([1.0])], momentum=1.0)
    with pytest.raises(InputError, match="betas"):
        nn.Adam([param([1.0])], betas=(0.9, 1.5))


def test_optimizers_move_values_of_the_scalar_twin():
    w = Value(2.0)
    opt = nn.SGD([w], lr=0.1, momentum=0.9)
    (w * w).backward()  # ∂/∂w = 2w = 4
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.4)
    opt.zero_grad()
    assert w.grad == 0.0
    a = Value(1.0)
    opt = nn.Adagrad([a], lr=0.5)
    a.grad = 3.0
    opt.step()
    assert isinstance(a.data, float) and a.data == pytest.approx(0.5)


def test_sgd_descends_a_quadratic_to_its_minimum():
    """C = ‖w − c‖² has its minimum at c; every optimizer must get there."""
    c = np.array([1.0, -2.0, 0.5])
    for opt_cls, kw in ((nn.SGD, {"lr": 0.1, "momentum": 0.5}), (nn.Adam, {"lr": 0.1})):
        w = param([0.0, 0.0, 0.0])
        opt = opt_cls([w], **kw)
        for _ in range(300):
            opt.zero_grad()
            d = w - c
            (d * d).sum().backward()
            opt.step()
        assert w.data == pytest.approx(c, abs=1e-3), opt_cls.__name__
    w = param([0.0, 0.0, 0.0])
    opt = nn.Adagrad([w], lr=1.0)
    for _ in range(500):
        opt.zero_grad()
        d = w - c
        (d * d).sum().backward()
        opt.step()
    assert w.data == pytest.approx(c, abs=1e-3)
    assert math.isfinite(float(w.data.sum()))

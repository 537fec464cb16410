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


# --------------------------------------------------------------------------------------------
# weight decay, RMSprop, AdamW, state_dict, schedulers (by hand; tests/test_torch_nn.py
# compares every option with torch over several steps)
# --------------------------------------------------------------------------------------------


def test_sgd_weight_decay_adds_lambda_w_to_the_gradient():
    p = param([2.0])
    opt = nn.SGD([p], lr=0.1, weight_decay=0.5)
    g = set_grad(p, [1.0])
    opt.step()  # g + λw = 1 + 0.5·2 = 2 → w = 2 − 0.1·2
    assert p.data[0] == pytest.approx(1.8, abs=1e-15)
    assert g.tolist() == [1.0]  # the gradient itself is not changed


def test_adamw_decays_the_weight_apart_from_the_gradient():
    # Adam's first step moves by η·sign(g) (m̂/√v̂ = ±1 up to ε); AdamW first multiplies w by
    # 1 − ηλ. With L2 (Adam's weight_decay) the decay would go through m̂/√v̂ and vanish.
    p, q = param([10.0]), param([10.0])
    aw, a = nn.AdamW([p], lr=0.1, weight_decay=0.5), nn.Adam([q], lr=0.1, weight_decay=0.5)
    set_grad(p, [1e-3]), set_grad(q, [1e-3])
    aw.step(), a.step()
    assert p.data[0] == pytest.approx(10.0 * (1 - 0.1 * 0.5) - 0.1, rel=1e-6)
    assert q.data[0] == pytest.approx(10.0 - 0.1, rel=1e-6)


def test_rmsprop_by_hand():
    """v ← αv + (1−α)g²; w ← w − ηg/(√v + ε): α = 0.75, g = 2 then 1."""
    p = param([0.0])
    opt = nn.RMSprop([p], lr=0.1, alpha=0.75, eps=1e-300)
    set_grad(p, [2.0])
    opt.step()  # v = 0.25·4 = 1 → step 0.1·2/1
    assert p.data[0] == pytest.approx(-0.2, rel=1e-12)
    set_grad(p, [1.0])
    opt.step()  # v = 0.75 + 0.25 = 1 → step 0.1·1/1
    assert p.data[0] == pytest.approx(-0.3, rel=1e-12)


def test_state_dict_resumes_exactly_and_is_a_copy():
    def run(opt_cls, steps, resume_at=None, **kw):
        p = param([1.0, -1.0])
        opt = opt_cls([p], **kw)
        for k in range(steps):
            if k == resume_at:  # a new optimizer from the saved state
                sd = opt.state_dict()
                opt = opt_cls([p], lr=123.0)
                opt.load_state_dict(sd)
            set_grad(p, [math.sin(k) + p.data[0], math.cos(k) * p.data[1]])
            opt.step()
        return p.data.copy(), opt

    for opt_cls, kw in (
        (nn.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
        (nn.Adam, {"lr": 0.1, "amsgrad": True}),
        (nn.AdamW, {"lr": 0.1}),
        (nn.RMSprop, {"lr": 0.05, "centered": True, "momentum": 0.5}),
        (nn.Adagrad, {"lr": 0.1, "lr_decay": 0.1}),
    ):
        straight, _ = run(opt_cls, 6, **kw)
        resumed, opt = run(opt_cls, 6, resume_at=3, **kw)
        np.testing.assert_array_equal(straight, resumed)
        assert opt.lr == kw["lr"] and opt.t == 6
    p = param([1.0])
    opt = nn.Adam([p], lr=0.1)
    set_grad(p, [1.0])
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]  # torch's names
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    sd["state"][0]["exp_avg"][0] = 99.0
    assert opt.state[0]["exp_avg"][0] != 99.0


def test_load_state_dict_checks_before_changing():
    from tinygrad_edu.nn import CheckpointError

    a = nn.Adam([param([1.0, 2.0])], lr=0.1)
    set_grad(a.params[0], [1.0, 1.0])
    a.step()
    b = nn.Adam([param([1.0, 2.0, 3.0])], lr=0.5)
    with pytest.raises(CheckpointError, match=r"'exp_avg' of parameter #0 has shape \(2,\)"):
        b.load_state_dict(a.state_dict())
    assert b.lr == 0.5 and b.state == [{}]
    with pytest.raises(CheckpointError, match="for 1 parameters, this optimizer has 2"):
        nn.Adam([param([1.0]), param([2.0])]).load_state_dict(a.state_dict())
    with pytest.raises(CheckpointError, match="lacks"):
        nn.Adam([param([1.0, 2.0])]).load_state_dict(nn.SGD([param([0.0, 0.0])]).state_dict())
    bad = a.state_dict()
    bad["param_groups"][0]["betas"] = (0.9, 2.0)
    c = nn.Adam([param([1.0, 2.0])], lr=0.5)
    with pytest.raises(CheckpointError, match="betas must be in"):
        c.load_state_dict(bad)
    assert c.lr == 0.5 and c.betas == (0.9, 0.999)


def test_optimizer_hyperparameters_are_checked():
    p = [param([1.0])]
    with pytest.raises(InputError, match="weight_decay must be ≥ 0, got -1"):
        nn.SGD(p, weight_decay=-1)
    with pytest.raises(InputError, match="nesterov momentum requires a momentum"):
        nn.SGD(p, nesterov=True)
    with pytest.raises(InputError, match="alpha must be in"):
        nn.RMSprop(p, alpha=1.0)
    with pytest.raises(TypeError, match="momentum must be a number"):
        nn.RMSprop(p, momentum="0.9")


def test_step_lr_and_cosine_by_hand():
    opt = nn.SGD([param([0.0])], lr=1.0)
    sched = nn.StepLR(opt, step_size=2, gamma=0.5)
    seen = [opt.lr]
    for _ in range(5):
        sched.step()
        seen.append(sched.get_last_lr()[0])
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]  # η₀·γ^⌊e/2⌋
    opt = nn.SGD([param([0.0])], lr=1.0)
    cos = nn.CosineAnnealingLR(opt, T_max=4, eta_min=0.2)
    got = [opt.lr]
    for _ in range(8):
        cos.step()
        got.append(opt.lr)
    # 0.2 + 0.8·(1 + cos(πe/4))/2 at e = 0 … 8: down to η_min at T_max, back up at 2·T_max
    h = (1 + math.cos(math.pi / 4)) / 2
    want = [1.0, 0.2 + 0.8 * h, 0.6, 0.2 + 0.8 * (1 - h), 0.2, 0.2 + 0.8 * (1 - h), 0.6,
            0.2 + 0.8 * h, 1.0]
    assert got == pytest.approx(want, rel=1e-12)
    sd = cos.state_dict()
    again = nn.CosineAnnealingLR(nn.SGD([param([0.0])], lr=1.0), T_max=4, eta_min=0.2)
    again.load_state_dict(sd)
    assert again.last_epoch == 8 and again.optimizer.lr == pytest.approx(1.0)
    with pytest.raises(InputError, match="step_size must be a positive int"):
        nn.StepLR(opt, step_size=0)

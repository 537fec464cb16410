"""nn against PyTorch (float64, the same inputs/weights): every loss with its options, values and
gradients to 1e-9 relative. Skipped where torch is not installed (CI installs it)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn

torch = pytest.importorskip("torch")
F = torch.nn.functional
RTOL = 1e-9
REDUCTIONS = ["mean", "sum", "none"]


def close(ours: np.ndarray, theirs: torch.Tensor, what: str) -> None:
    want = theirs.detach().numpy()
    assert ours.shape == want.shape, what
    np.testing.assert_allclose(ours, want, rtol=RTOL, atol=1e-12, err_msg=what)


def compare(ours_fn, torch_fn, x: np.ndarray, *, grad_seed: int = 0) -> None:
    """Forward values and ∂(Σ g·loss)/∂x with the same random upstream g."""
    xt = Tensor(x.copy(), requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, tout = ours_fn(xt), torch_fn(tx)
    close(out.data, tout, "value")
    g = np.random.default_rng(grad_seed).normal(size=out.data.shape)
    out.backward(grad=g)
    tout.backward(torch.tensor(g))
    close(xt.grad, tx.grad, "gradient")


def t(a):
    return torch.tensor(np.asarray(a))


RNG = np.random.default_rng(0)
Z = RNG.normal(size=(6, 4)) * 2
Y = np.array([0, 3, 1, 1, 2, 0])
W = np.array([0.5, 2.0, 1.0, 3.0])


# --------------------------------------------------------------------------------------------
# cross entropy and nll
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, W])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_index_targets(reduction, weight, smoothing, ignore):
    y = Y.copy()
    if ignore:
        y[[1, 4]] = -100
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    tw = None if weight is None else t(weight)
    compare(
        lambda z: nn.cross_entropy(z, y, weight, **kw),
        lambda z: F.cross_entropy(z, t(y), tw, **kw),
        Z,
    )


def test_cross_entropy_custom_ignore_index_and_module():
    y = np.array([0, 3, 1, 7, 2, 7])
    loss = nn.CrossEntropyLoss(weight=W, ignore_index=7, label_smoothing=0.1, reduction="sum")
    tloss = torch.nn.CrossEntropyLoss(
        weight=t(W), ignore_index=7, label_smoothing=0.1, reduction="sum"
    )
    compare(lambda z: loss(z, y), lambda z: tloss(z, t(y)), Z)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, W])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(reduction, weight, smoothing):
    q = RNG.random((6, 4))
    q /= q.sum(axis=1, keepdims=True)
    tw = None if weight is None else t(weight)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    compare(
        lambda z: nn.cross_entropy(z, q, weight, **kw),
        lambda z: F.cross_entropy(z, t(q), tw, **kw),
        Z,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_axis_1_for_higher_rank_and_unbatched(reduction):
    z = RNG.normal(size=(2, 4, 3, 5))  # (N, C, d1, d2)
    y = RNG.integers(0, 4, (2, 3, 5))
    y[0, 1, 2] = -100
    compare(
        lambda a: nn.cross_entropy(a, y, W, reduction=reduction, label_smoothing=0.1),
        lambda a: F.cross_entropy(a, t(y), t(W), reduction=reduction, label_smoothing=0.1),
        z,
    )
    q = RNG.random((2, 4, 3))
    compare(
        lambda a: nn.cross_entropy(a, q, reduction=reduction),
        lambda a: F.cross_entropy(a, t(q), reduction=reduction),
        z[..., 0],
    )
    compare(  # one example without a batch axis: (C,) logits, a 0-d label
        lambda a: nn.cross_entropy(a, np.array(2), reduction=reduction),
        lambda a: F.cross_entropy(a, torch.tensor(2), reduction=reduction),
        Z[0],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, W])
def test_nll_loss(reduction, weight):
    y = Y.copy()
    y[2] = -100
    logp = np.log(np.random.default_rng(3).dirichlet(np.ones(4), 6))
    tw = None if weight is None else t(weight)
    compare(
        lambda a: nn.nll_loss(a, y, weight, reduction=reduction),
        lambda a: F.nll_loss(a, t(y), tw, reduction=reduction),
        logp,
    )
    compare(
        lambda a: nn.NLLLoss(weight, reduction=reduction)(a, y),
        lambda a: torch.nn.NLLLoss(tw, reduction=reduction)(a, t(y)),
        logp,
    )


def test_nll_loss_higher_rank():
    x = RNG.normal(size=(2, 4, 3))
    y = RNG.integers(0, 4, (2, 3))
    compare(lambda a: nn.nll_loss(a, y, W), lambda a: F.nll_loss(a, t(y), t(W)), x)


# --------------------------------------------------------------------------------------------
# binary cross entropy
# --------------------------------------------------------------------------------------------

YB = RNG.random((5, 3))
WB = RNG.random((5, 3)) + 0.5


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, WB, WB[0]])
def test_bce_probabilities(reduction, weight):
    p = RNG.uniform(0.02, 0.98, (5, 3))
    tw = None if weight is None else t(weight)
    compare(
        lambda a: nn.binary_cross_entropy(a, YB, weight, reduction=reduction),
        lambda a: F.binary_cross_entropy(a, t(YB), tw, reduction=reduction),
        p,
    )
    compare(
        lambda a: nn.BCELoss(weight, reduction=reduction)(a, YB),
        lambda a: torch.nn.BCELoss(tw, reduction=reduction)(a, t(YB)),
        p,
    )


def test_bce_default_is_torchs_default():
    # The silent difference of issue 10: the same call, the same number as torch.
    p = np.array([0.9, 0.2, 0.6])
    y = np.array([1.0, 0.0, 1.0])
    got = nn.binary_cross_entropy(Tensor(p), y).item()
    assert got == pytest.approx(F.binary_cross_entropy(t(p), t(y)).item(), rel=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, WB])
@pytest.mark.parametrize("pos_weight", [None, np.array([0.5, 2.0, 4.0]), 3.0])
def test_bce_with_logits(reduction, weight, pos_weight):
    z = RNG.normal(size=(5, 3)) * 4
    z[0, 0], z[1, 1] = 40.0, -40.0  # far out: the stable form
    tw = None if weight is None else t(weight)
    tpw = None if pos_weight is None else t(pos_weight)
    compare(
        lambda a: nn.binary_cross_entropy_with_logits(a, YB, weight, reduction, pos_weight),
        lambda a: F.binary_cross_entropy_with_logits(
            a, t(YB), tw, reduction=reduction, pos_weight=tpw
        ),
        z,
    )
    compare(
        lambda a: nn.BCEWithLogitsLoss(weight, reduction=reduction, pos_weight=pos_weight)(a, YB),
        lambda a: torch.nn.BCEWithLogitsLoss(tw, reduction=reduction, pos_weight=tpw)(a, t(YB)),
        z,
    )


# --------------------------------------------------------------------------------------------
# regression losses
# --------------------------------------------------------------------------------------------

P = RNG.normal(size=(4, 3)) * 2
T = RNG.normal(size=(4, 3))
T[0, 0] = P[0, 0]  # a zero difference: torch's subgradient 0 for l1


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_l1(reduction):
    r = reduction
    for ours, theirs in [
        (lambda a, b: nn.mse_loss(a, b, r), lambda a, b: F.mse_loss(a, b, reduction=r)),
        (lambda a, b: nn.l1_loss(a, b, r), lambda a, b: F.l1_loss(a, b, reduction=r)),
        (nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction)),
        (nn.L1Loss(reduction=reduction), torch.nn.L1Loss(reduction=reduction)),
    ]:
        compare(lambda a, f=ours: f(a, T), lambda a, f=theirs: f(a, t(T)), P)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.5, 2.5])
def test_huber_and_smooth_l1(reduction, delta):
    compare(
        lambda a: nn.HuberLoss(reduction=reduction, delta=delta)(a, T),
        lambda a: torch.nn.HuberLoss(reduction=reduction, delta=delta)(a, t(T)),
        P,
    )
    compare(
        lambda a: nn.huber_loss(a, T, reduction, delta),
        lambda a: F.huber_loss(a, t(T), reduction=reduction, delta=delta),
        P,
    )
    compare(
        lambda a: nn.SmoothL1Loss(reduction=reduction, beta=delta)(a, T),
        lambda a: torch.nn.SmoothL1Loss(reduction=reduction, beta=delta)(a, t(T)),
        P,
    )
    compare(
        lambda a: nn.smooth_l1_loss(a, T, reduction, beta=0.0),
        lambda a: F.smooth_l1_loss(a, t(T), reduction=reduction, beta=0.0),
        P,
    )


# --------------------------------------------------------------------------------------------
# optimizers and schedulers: the same parameters after several steps
# --------------------------------------------------------------------------------------------

X = RNG.normal(size=(8, 3))
TARGET = RNG.normal(size=(8, 2))
W0 = RNG.normal(size=(2, 3))
B0 = RNG.normal(size=(2,))
U0 = RNG.normal(size=(2,))  # used only on odd steps: its grad is None in between


def _run_ours(make_opt, steps, make_sched=None):
    w, b, u = nn.Parameter(W0), nn.Parameter(B0), nn.Parameter(U0)
    opt = make_opt([w, b, u])
    sched = make_sched(opt) if make_sched else None
    lrs = []
    for k in range(steps):
        opt.zero_grad()
        pred = Tensor(X) @ w.T + b
        if k % 2:
            pred = pred + u
        d = pred - TARGET
        ((d * d).sum() + (w * w * w).sum() * 0.1).backward()  # a cubic term: not a quadratic
        opt.step()
        if sched:
            sched.step()
            lrs.append(sched.get_last_lr()[0])
    return [w.data, b.data, u.data], lrs


def _run_torch(make_opt, steps, make_sched=None):
    w, b, u = (torch.tensor(a, requires_grad=True) for a in (W0, B0, U0))
    opt = make_opt([w, b, u])
    sched = make_sched(opt) if make_sched else None
    lrs = []
    for k in range(steps):
        opt.zero_grad()  # set_to_none: u gets no gradient on even steps, as ours
        pred = t(X) @ w.T + b
        if k % 2:
            pred = pred + u
        d = pred - t(TARGET)
        ((d * d).sum() + (w * w * w).sum() * 0.1).backward()
        opt.step()
        if sched:
            sched.step()
            lrs.append(sched.get_last_lr()[0])
    return [p.detach().numpy() for p in (w, b, u)], lrs


OPTIMIZERS = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.01, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.5}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.3}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
]


@pytest.mark.parametrize(("name", "kw"), OPTIMIZERS, ids=lambda v: str(v))
def test_optimizer_matches_torch_over_steps(name, kw):
    ours, _ = _run_ours(lambda ps: getattr(nn, name)(ps, **kw), 12)
    theirs, _ = _run_torch(lambda ps: getattr(torch.optim, name)(ps, **kw), 12)
    for a, b, what in zip(ours, theirs, ("w", "b", "u (skipped on even steps)")):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12, err_msg=f"{name} {kw}: {what}")


def test_defaults_are_torchs():
    import inspect

    for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW"):
        ours = inspect.signature(getattr(nn, name)).parameters
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        for arg, p in ours.items():
            if arg != "params":
                assert p.default == theirs[arg].default, (name, arg)


@pytest.mark.parametrize(
    ("ours_sched", "torch_sched"),
    [
        (lambda o: nn.StepLR(o, step_size=3, gamma=0.5),
         lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
        (lambda o: nn.CosineAnnealingLR(o, T_max=5),
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5)),
        (lambda o: nn.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01)),
    ],
)
def test_schedulers_match_torch(ours_sched, torch_sched):
    kw = {"lr": 0.05, "momentum": 0.9}
    ours, lrs = _run_ours(lambda ps: nn.SGD(ps, **kw), 14, ours_sched)
    theirs, tlrs = _run_torch(lambda ps: torch.optim.SGD(ps, **kw), 14, torch_sched)
    np.testing.assert_allclose(lrs, tlrs, rtol=RTOL, atol=1e-15)  # past T_max too
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


# --------------------------------------------------------------------------------------------
# activation modules and functions: torch's arguments reach the op
# --------------------------------------------------------------------------------------------

ACTS = [
    ("LeakyReLU", "leaky_relu", {}),
    ("LeakyReLU", "leaky_relu", {"negative_slope": 0.2}),
    ("ELU", "elu", {}),
    ("ELU", "elu", {"alpha": 0.5}),
    ("GELU", "gelu", {}),
    ("GELU", "gelu", {"approximate": "tanh"}),
    ("SiLU", "silu", {}),
    ("Softplus", "softplus", {}),
    ("Softplus", "softplus", {"beta": 2.0, "threshold": 3.0}),
    ("Hardtanh", "hardtanh", {}),
    ("Hardtanh", "hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("ReLU6", "relu6", {}),
    ("Softsign", "softsign", {}),
    ("Mish", "mish", {}),
    ("LogSigmoid", "logsigmoid", {}),
    ("Softmax", "softmax", {"dim": 0}),
    ("Softmax", "softmax", {"dim": -1}),
    ("LogSoftmax", "log_softmax", {"dim": 1}),
    ("LogSoftmax", "log_softmax", {"dim": 0}),
]
ACT_X = np.concatenate([np.linspace(-8, 8, 37) + 0.013, [-30.0, 25.0]]).reshape(3, 13)


@pytest.mark.parametrize(("module", "function", "kw"), ACTS, ids=lambda v: str(v))
def test_activations_match_torch(module, function, kw):
    ours, theirs = getattr(nn, module)(**kw), getattr(torch.nn, module)(**kw)
    compare(ours, theirs, ACT_X)
    compare(
        lambda a: getattr(nn.functional, function)(a, **kw),
        lambda a: getattr(F, function)(a, **kw),
        ACT_X,
    )


def test_loss_weights_are_buffers_in_state_dict_as_torch():
    ours = nn.CrossEntropyLoss(weight=W)
    theirs = torch.nn.CrossEntropyLoss(weight=t(W))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    np.testing.assert_array_equal(ours.state_dict()["weight"], theirs.state_dict()["weight"])
    both = nn.BCEWithLogitsLoss(weight=WB, pos_weight=[1.0, 2.0, 3.0])
    tboth = torch.nn.BCEWithLogitsLoss(weight=t(WB), pos_weight=t([1.0, 2.0, 3.0]))
    assert list(both.state_dict()) == list(tboth.state_dict()) == ["weight", "pos_weight"]
    assert nn.MSELoss().state_dict() == {} and nn.NLLLoss().state_dict() == {}
    assert ours.parameters() == []  # not learned

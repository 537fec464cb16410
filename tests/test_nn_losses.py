"""tinygrad_edu.nn losses: values by hand, gradients by finite differences, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import (
    AnomalyError,
    InputError,
    ShapeError,
    Tensor,
    Value,
    detect_anomaly,
    gradcheck,
    nn,
)

F64 = np.float64


def logits(n: int = 4, k: int = 3, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).normal(size=(n, k)) * 2, requires_grad=True)


# --------------------------------------------------------------------------------------------
# cross_entropy
# --------------------------------------------------------------------------------------------


def test_cross_entropy_hand_computed():
    """z = [1, 2, 3], class 2: C = −log(e³/(e¹+e²+e³)) = log(1 + e⁻¹ + e⁻²)."""
    c = nn.cross_entropy(Tensor([[1.0, 2.0, 3.0]]), [2])
    assert c.item() == pytest.approx(math.log(1 + math.exp(-1) + math.exp(-2)), rel=1e-12)
    assert c.item() == pytest.approx(0.40760596444437, rel=1e-12)
    # Two rows: class 0 of [0, 0] costs log 2; "sum" is the lecture's L = Σₙ Cⁿ.
    z = Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, -math.inf]])
    c1 = math.log(1 + math.exp(-1) + math.exp(-2))
    assert nn.cross_entropy(z, [2, 0], reduction="sum").item() == pytest.approx(c1 + math.log(2))
    assert nn.cross_entropy(z, [2, 0]).item() == pytest.approx((c1 + math.log(2)) / 2)
    none = nn.cross_entropy(z, [2, 0], reduction="none").data
    assert none.shape == (2,) and none == pytest.approx([c1, math.log(2)])


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    z = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    nn.cross_entropy(z, [0], reduction="sum").backward()
    s = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert z.grad == pytest.approx(np.array([s - [1, 0, 0]]), rel=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    z = Tensor([[1000.0, 0.0], [-1000.0, 0.0]], requires_grad=True)
    c = nn.cross_entropy(z, [1, 1], reduction="none")
    assert c.data == pytest.approx([1000.0, 0.0])
    c.sum().backward()
    assert np.isfinite(z.grad).all()
    z32 = Tensor(np.array([[90.0, -90.0]], np.float32))
    assert nn.cross_entropy(z32, [1]).item() == pytest.approx(180.0, rel=1e-6)


def test_cross_entropy_probability_and_one_hot_targets_agree_with_indices():
    z = logits()
    y = np.array([2, 0, 1, 1])
    onehot = np.eye(3)[y]
    assert nn.cross_entropy(z, onehot).item() == pytest.approx(nn.cross_entropy(z, y).item())
    # Soft targets: −Σₖ yₖ log softmax(z)ₖ by hand.
    p = np.full((4, 3), 1 / 3)
    logp = z.data - np.log(np.exp(z.data).sum(axis=1, keepdims=True))
    assert nn.cross_entropy(z, p, reduction="sum").item() == pytest.approx(-(p * logp).sum())
    # Labels stored as floats (e.g. a Tensor of labels) are class indices.
    assert nn.cross_entropy(z, Tensor(y)).item() == pytest.approx(nn.cross_entropy(z, y).item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradcheck_indices(reduction):
    z = logits(5, 4, seed=1)
    y = np.array([3, 0, 1, 2, 2])
    gradcheck(lambda t: nn.cross_entropy(t, y, reduction=reduction), [z], mode="full")


def test_cross_entropy_gradcheck_probabilities_and_one_sample():
    z = logits(3, 4, seed=2)
    y = np.random.default_rng(3).random((3, 4))
    y /= y.sum(axis=1, keepdims=True)
    gradcheck(lambda t: nn.cross_entropy(t, y), [z], mode="full")
    z1 = Tensor(np.array([0.3, -1.0, 2.0]), requires_grad=True)  # one example: 1-D logits
    gradcheck(lambda t: nn.cross_entropy(t, 1), [z1], mode="full")


def test_cross_entropy_class_index_out_of_range_or_negative():
    z = logits(3, 4)
    with pytest.raises(InputError, match=r"class index 4 at position 1 is out of range for 4"):
        nn.cross_entropy(z, [0, 4, 1])
    with pytest.raises(InputError, match=r"class index -1 at position 2 is negative"):
        nn.cross_entropy(z, [0, 1, -1])
    with pytest.raises(InputError, match=r"must be whole class indices; got e\.g\. 0\.5"):
        nn.cross_entropy(z, np.array([0.0, 0.5, 1.0]))


def test_cross_entropy_mismatched_batch_sizes():
    with pytest.raises(ShapeError, match=r"4 predictions but targets of shape \(3,\)"):
        nn.cross_entropy(logits(4, 3), [0, 1, 2])
    with pytest.raises(ShapeError, match=r"probability targets of shape \(3, 3\) must match"):
        nn.cross_entropy(logits(4, 3), np.eye(3))


def test_cross_entropy_bad_reduction_and_nan_targets():
    with pytest.raises(InputError, match="reduction must be 'mean', 'sum' or 'none'"):
        nn.cross_entropy(logits(), [0, 1, 2, 0], reduction="avg")
    y = np.full((4, 3), 1 / 3)
    y[2, 1] = np.nan
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"cross_entropy targets.*\(2, 1\)"):
        nn.cross_entropy(logits(), y)


# --------------------------------------------------------------------------------------------
# binary_cross_entropy
# --------------------------------------------------------------------------------------------


def test_bce_default_takes_probabilities_as_torch():
    # The silent difference of issue 10: binary_cross_entropy(p, y) treated p as a logit.
    # −log 0.9 = 0.10536…; as a logit it would be log(1 + e^−0.9) = 0.341153…
    assert nn.binary_cross_entropy(Tensor([0.9]), [1.0]).item() == pytest.approx(
        0.10536051565782628, rel=1e-12
    )
    assert nn.BCELoss()(Tensor([0.9]), [1.0]).item() == pytest.approx(0.10536051565782628)
    assert nn.binary_cross_entropy_with_logits(Tensor([0.9]), [1.0]).item() == pytest.approx(
        0.3411538747320878, rel=1e-12
    )


def test_bce_hand_computed_from_logits_and_probabilities():
    z = 0.5
    p = 1 / (1 + math.exp(-z))
    expected = -(0.3 * math.log(p) + 0.7 * math.log(1 - p))
    assert nn.binary_cross_entropy_with_logits(Tensor([z]), [0.3]).item() == pytest.approx(
        expected
    )
    assert nn.binary_cross_entropy(Tensor([p]), [0.3]).item() == pytest.approx(expected)
    # from_logits=True (the old spelling) is the logit form
    assert nn.binary_cross_entropy(Tensor([z]), [0.3], from_logits=True).item() == pytest.approx(
        expected
    )
    # The derivative of the logit form is σ(z) − y, of the probability form (p−y)/(p(1−p)).
    zt = Tensor([z], requires_grad=True)
    nn.binary_cross_entropy_with_logits(zt, [0.3]).backward()
    assert zt.grad[0] == pytest.approx(p - 0.3)
    pt = Tensor([p], requires_grad=True)
    nn.binary_cross_entropy(pt, [0.3]).backward()
    assert pt.grad[0] == pytest.approx((p - 0.3) / (p * (1 - p)))


def test_bce_is_stable_at_the_extremes():
    z = Tensor([800.0, -800.0], requires_grad=True)
    c = nn.binary_cross_entropy_with_logits(z, [0.0, 1.0], reduction="none")
    assert c.data == pytest.approx([800.0, 800.0])
    c.sum().backward()
    assert z.grad.tolist() == [1.0, -1.0]
    p = Tensor([0.0, 1.0, 1.0])  # a saturated sigmoid: log clamped at −100, as PyTorch
    c = nn.binary_cross_entropy(p, [1.0, 0.0, 1.0], reduction="none")
    assert c.data.tolist() == [100.0, 100.0, 0.0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("logits", [True, False])
def test_bce_gradcheck(reduction, logits):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 2)) if logits else rng.uniform(0.05, 0.95, (3, 2))
    y = rng.random((3, 2))
    t = Tensor(x, requires_grad=True)
    fn = nn.binary_cross_entropy_with_logits if logits else nn.binary_cross_entropy
    gradcheck(lambda a: fn(a, y, reduction=reduction), [t], mode="full")


def test_bce_bad_input():
    with pytest.raises(ShapeError, match=r"\(4, 1\) predictions but targets of shape \(4,\)"):
        nn.binary_cross_entropy_with_logits(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(InputError, match=r"targets must lie in \[0, 1\]"):
        nn.binary_cross_entropy_with_logits(Tensor([0.0]), [2.0])
    with pytest.raises(
        InputError, match=r"must be probabilities in \[0, 1\].*binary_cross_entropy_with_logits"
    ):
        nn.binary_cross_entropy(Tensor([1.5, 0.2]), [1.0, 0.0])


# --------------------------------------------------------------------------------------------
# mse and the L2 penalty
# --------------------------------------------------------------------------------------------


def test_mse_hand_computed_and_gradcheck():
    pred = Tensor([[1.0], [2.0], [4.0]], requires_grad=True)
    y = np.array([[0.0], [2.0], [1.0]])
    assert nn.mse(pred, y, reduction="sum").item() == 10.0  # 1 + 0 + 9: the lecture's L
    assert nn.mse(pred, y).item() == pytest.approx(10 / 3)
    assert nn.mse(pred, y, reduction="none").data.ravel().tolist() == [1.0, 0.0, 9.0]
    nn.mse(pred, y, reduction="sum").backward()
    assert pred.grad.ravel().tolist() == [2.0, 0.0, 6.0]  # 2(ŷ − y)
    for red in ("mean", "sum", "none"):
        gradcheck(lambda t, red=red: nn.mse(t, y, reduction=red), [pred], mode="full")
    v = Value(3.0)
    c = nn.mse(v, 1.0)
    c.backward()
    assert (c.data, v.grad) == (4.0, 4.0)


def test_mse_mismatched_shapes():
    with pytest.raises(
        ShapeError, match=r"predictions of shape \(4, 1\) but targets of shape \(4,\).*reshape"
    ):
        nn.mse(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(
        ShapeError, match=r"predictions of shape \(4,\) but targets of shape \(3,\)"
    ):
        nn.mse(Tensor(np.zeros(4)), np.zeros(3))
    with pytest.raises(InputError, match="reduction"):
        nn.mse(Tensor(np.zeros(4)), np.zeros(4), reduction="avg")


def test_l2_penalty_leaves_biases_out_by_default():
    m = nn.MLP([2, 2, 1], seed=0, dtype=F64)
    for p in m.parameters():
        p.data[...] = 1.0
    # weights: 2·2 + 2·1 = 6 ones; biases: 2 + 1 = 3 ones.
    assert nn.l2_penalty(m, 0.5).item() == pytest.approx(0.5 * 6)
    assert nn.l2_penalty(m, 0.5, include_bias=True).item() == pytest.approx(0.5 * 9)
    nn.l2_penalty(m, 0.5).backward()
    assert m.layers[0].weight.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]  # 2λw
    assert m.layers[0].bias.grad is None


def test_l2_penalty_gradcheck_and_scalar_twin():
    m = nn.MLP([3, 4, 2], seed=1, dtype=F64)
    gradcheck(lambda: nn.l2_penalty(m, 0.3), m, mode="full")
    twin = nn.ValueMLP([2, 2, 1], seed=0)
    expected = 0.1 * sum(w.data**2 for n, w in twin.named_parameters() if not n.endswith(".b"))
    assert nn.l2_penalty(twin, 0.1).data == pytest.approx(expected)
    with pytest.raises(InputError, match="λ must be ≥ 0"):
        nn.l2_penalty(m, -1)
    with pytest.raises(TypeError, match="give the model"):
        nn.l2_penalty(m.parameters(), 0.1)


# --------------------------------------------------------------------------------------------
# the torch-named options and losses, by hand (tests/test_torch_nn.py compares them with torch)
# --------------------------------------------------------------------------------------------

LN3 = math.log(3.0)


def test_label_smoothing_by_hand():
    # z = (ln 3, 0): p = (3/4, 1/4). ε = 0.2, C = 2: q = (0.9, 0.1).
    z = Tensor(np.array([[LN3, 0.0]]), requires_grad=True)
    loss = nn.cross_entropy(z, [0], label_smoothing=0.2)
    assert loss.item() == pytest.approx(-(0.9 * math.log(0.75) + 0.1 * math.log(0.25)), rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(z.grad, [[0.75 - 0.9, 0.25 - 0.1]], rtol=1e-12)  # p − q


def test_class_weights_make_the_mean_a_weighted_average():
    z = Tensor(np.array([[LN3, 0.0], [0.0, 0.0]]))
    c0, c1 = -math.log(0.75), math.log(2.0)  # row 0 label 0; row 1 label 1
    got = nn.cross_entropy(z, [0, 1], weight=[1.0, 3.0]).item()
    assert got == pytest.approx((1 * c0 + 3 * c1) / (1 + 3), rel=1e-12)
    got = nn.cross_entropy(z, [0, 1], weight=[1.0, 3.0], reduction="sum").item()
    assert got == pytest.approx(c0 + 3 * c1, rel=1e-12)


def test_ignore_index_rows_add_nothing_and_leave_the_mean():
    z = logits(4, 3)
    per = nn.cross_entropy(z, [0, -100, 2, 1], reduction="none")
    assert per.data[1] == 0.0
    mean = nn.cross_entropy(z, [0, -100, 2, 1])
    kept = nn.cross_entropy(Tensor(z.data[[0, 2, 3]]), [0, 2, 1])
    assert mean.item() == pytest.approx(kept.item(), rel=1e-12)
    mean.backward()
    assert z.grad[1].tolist() == [0.0, 0.0, 0.0]
    # an out-of-range label is still refused (the ignored value itself is not)
    with pytest.raises(IndexError, match="class index 3 at position 0"):
        nn.cross_entropy(z, [3, -100, 2, 1])


def test_nll_of_log_softmax_is_cross_entropy():
    z = logits(5, 4, seed=2)
    y = [0, 3, 1, 1, 2]
    a = nn.nll_loss(nn.log_softmax(z), y, weight=[1.0, 2.0, 0.5, 1.0])
    b = nn.cross_entropy(Tensor(z.data), y, weight=[1.0, 2.0, 0.5, 1.0])
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    x = Tensor(np.log([[0.5, 0.25, 0.25]]), requires_grad=True)
    nn.NLLLoss()(x, [1]).backward()
    assert x.grad.tolist() == [[0.0, -1.0, 0.0]]  # ∂C/∂x_k = −[k = y]


def test_pos_weight_by_hand():
    # z = 0: σ = ½; y = 1 with w₊ = 3 → −3 log ½ = 3 ln 2; ∂C/∂z = −l(1−σ) = −3/2.
    z = Tensor([0.0], requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(z, [1.0], pos_weight=[3.0])
    assert loss.item() == pytest.approx(3 * math.log(2), rel=1e-12)
    loss.backward()
    assert z.grad.tolist() == [-1.5]


def test_regression_losses_by_hand():
    pred = Tensor([[0.5], [3.0], [1.0]], requires_grad=True)
    target = np.array([[0.0], [0.0], [1.0]])  # d = 0.5, 3, 0
    np.testing.assert_allclose(nn.l1_loss(pred, target, "none").data, [[0.5], [3.0], [0.0]])
    # Huber δ = 1: ½·0.25, 1·(3 − ½), 0
    np.testing.assert_allclose(nn.huber_loss(pred, target, "none").data, [[0.125], [2.5], [0]])
    # smooth L1 β = 2: ½·0.25/2 (|d| < β), |3| − β/2 = 2, 0
    np.testing.assert_allclose(
        nn.smooth_l1_loss(pred, target, "none", beta=2.0).data, [[0.0625], [2.0], [0.0]]
    )
    nn.L1Loss(reduction="sum")(pred, target).backward()
    assert pred.grad.tolist() == [[1.0], [1.0], [0.0]]  # sign(d), 0 at d = 0 (as torch)
    pred.zero_grad()
    nn.HuberLoss(reduction="sum", delta=1.0)(pred, target).backward()
    assert pred.grad.tolist() == [[0.5], [1.0], [0.0]]  # d clipped to [−δ, δ]


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: nn.cross_entropy(a, [0, 2, -100], [1.0, 2.0, 0.5], label_smoothing=0.1),
        lambda a: nn.nll_loss(a, [0, 2, 1], [1.0, 2.0, 0.5]),
        lambda a: nn.l1_loss(a, np.full((3, 3), 0.05)),
        lambda a: nn.huber_loss(a, np.zeros((3, 3)), delta=0.8),
        lambda a: nn.binary_cross_entropy_with_logits(
            a, np.full((3, 3), 0.3), np.ones(3), pos_weight=[1.0, 2.0, 3.0]
        ),
    ],
)
def test_new_losses_gradcheck(fn):
    gradcheck(fn, [Tensor(np.random.default_rng(5).normal(size=(3, 3)), requires_grad=True)])


def test_new_losses_bad_input():
    z = logits(2, 3)
    with pytest.raises(InputError, match=r"label_smoothing must be in \[0, 1\]"):
        nn.cross_entropy(z, [0, 1], label_smoothing=1.5)
    with pytest.raises(ShapeError, match=r"one entry per class, shape \(3,\), got \(2,\)"):
        nn.cross_entropy(z, [0, 1], weight=[1.0, 2.0])
    with pytest.raises(InputError, match="reduction must be"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ShapeError, match="for probability targets use cross_entropy"):
        nn.nll_loss(z, np.full((2, 3), 1 / 3))
    with pytest.raises(ShapeError, match="pos_weight of shape"):
        nn.binary_cross_entropy_with_logits(z, np.zeros((2, 3)), pos_weight=np.ones(2))
    with pytest.raises(InputError, match="delta must be > 0"):
        nn.HuberLoss(delta=0)
    with pytest.raises(TypeError):  # options after weight are keyword-only, as a guard
        nn.CrossEntropyLoss(None, 3)

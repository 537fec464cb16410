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


def test_bce_hand_computed_from_logits_and_probabilities():
    z = 0.5
    p = 1 / (1 + math.exp(-z))
    expected = -(0.3 * math.log(p) + 0.7 * math.log(1 - p))
    assert nn.binary_cross_entropy(Tensor([z]), [0.3]).item() == pytest.approx(expected)
    got = nn.binary_cross_entropy(Tensor([p]), [0.3], from_logits=False).item()
    assert got == pytest.approx(expected)
    # The derivative of the logit form is σ(z) − y, of the probability form (p−y)/(p(1−p)).
    zt = Tensor([z], requires_grad=True)
    nn.binary_cross_entropy(zt, [0.3]).backward()
    assert zt.grad[0] == pytest.approx(p - 0.3)
    pt = Tensor([p], requires_grad=True)
    nn.binary_cross_entropy(pt, [0.3], from_logits=False).backward()
    assert pt.grad[0] == pytest.approx((p - 0.3) / (p * (1 - p)))


def test_bce_is_stable_at_the_extremes():
    z = Tensor([800.0, -800.0], requires_grad=True)
    c = nn.binary_cross_entropy(z, [0.0, 1.0], reduction="none")
    assert c.data == pytest.approx([800.0, 800.0])
    c.sum().backward()
    assert z.grad.tolist() == [1.0, -1.0]
    p = Tensor([0.0, 1.0, 1.0])  # a saturated sigmoid: log clamped at −100, as PyTorch
    c = nn.binary_cross_entropy(p, [1.0, 0.0, 1.0], from_logits=False, reduction="none")
    assert c.data.tolist() == [100.0, 100.0, 0.0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("from_logits", [True, False])
def test_bce_gradcheck(reduction, from_logits):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 2)) if from_logits else rng.uniform(0.05, 0.95, (3, 2))
    y = rng.random((3, 2))
    t = Tensor(x, requires_grad=True)
    gradcheck(
        lambda a: nn.binary_cross_entropy(a, y, from_logits=from_logits, reduction=reduction),
        [t],
        mode="full",
    )


def test_bce_bad_input():
    with pytest.raises(ShapeError, match=r"\(4, 1\) predictions but targets of shape \(4,\)"):
        nn.binary_cross_entropy(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(InputError, match=r"targets must lie in \[0, 1\]"):
        nn.binary_cross_entropy(Tensor([0.0]), [2.0])
    with pytest.raises(InputError, match=r"must be probabilities in \[0, 1\].*from_logits=True"):
        nn.binary_cross_entropy(Tensor([1.5, 0.2]), [1.0, 0.0], from_logits=False)


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

"""Every registry op against PyTorch in float64: forward values and gradients, on the registry's
own samplers, through one helper (teenygrad's test_ops style). An entry names its torch
counterpart (`OpCase.torch`) or says why it has none; a test checks that every entry does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value
from tinygrad_edu.registry import REGISTRY, OpCase, build_fn, make_inputs

torch = pytest.importorskip("torch")

RTOL = 1e-9
SEEDS = range(12)  # the samplers pick shapes, dims and options from the seed
WITH_TORCH = [c for c in REGISTRY if not isinstance(c.torch, str)]


def rel_err(ours: np.ndarray, theirs: np.ndarray) -> float:
    """‖ours − theirs‖∞ / max(‖theirs‖∞, 1e-300): the error relative to the result's scale."""
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    if ours.shape != theirs.shape:
        return np.inf
    if ours.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(theirs))), 1e-300)
    return float(np.max(np.abs(ours - theirs))) / scale


def _to_torch(x: Any) -> Any:
    """Non-differentiable arguments (masks, index arrays, targets) as torch expects them."""
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x.copy())
    if isinstance(x, tuple):
        return tuple(_to_torch(i) for i in x)
    return x


def compare_with_torch(case: OpCase, seed: int) -> None:
    """The one helper: the same inputs through our op and torch's, the same upstream
    gradient back, forward values and every input's gradient within RTOL."""
    rng = np.random.default_rng(seed)
    leaves, args = make_inputs(case, case.sample(rng))
    out = build_fn(case, args, leaves)(*leaves)

    mirror = {id(leaf): torch.tensor(np.float64(leaf.data), requires_grad=True) for leaf in leaves}
    targs = [mirror[id(a)] if id(a) in mirror else _to_torch(a) for a in args]
    try:
        tout = case.build(*targs) if case.torch is None else case.torch(torch, *targs)
    except Exception as e:  # noqa: BLE001  (the message says what to do)
        raise AssertionError(
            f"{case.name}: its torch counterpart failed ({type(e).__name__}: {e}). Give the "
            "registry entry torch=lambda t, *args: … (t is the torch module), or a string "
            "saying why it has none"
        ) from e

    ours = np.float64(out.data)
    theirs = tout.detach().numpy()
    assert rel_err(ours, theirs) <= RTOL, (
        f"{case.name} (seed {seed}): forward differs from torch: shapes {np.shape(ours)} vs "
        f"{theirs.shape}, rel err {rel_err(ours, theirs):.3g}"
    )
    if isinstance(out, Value):
        out.backward()
        tout.backward()
    else:
        g = rng.standard_normal(out.shape)
        out.backward(g)
        tout.backward(torch.from_numpy(g))
    for i, leaf in enumerate(leaves):
        tgrad = mirror[id(leaf)].grad
        tg = np.zeros(np.shape(leaf.data)) if tgrad is None else tgrad.numpy()
        ours_g = np.zeros(np.shape(leaf.data)) if leaf.grad is None else np.float64(leaf.grad)
        err = rel_err(ours_g, tg)
        assert err <= RTOL, f"{case.name} (seed {seed}): gradient of input {i}, rel err {err:.3g}"


@pytest.mark.parametrize("case", WITH_TORCH, ids=[c.name for c in WITH_TORCH])
def test_registry_op_matches_torch(case: OpCase) -> None:
    for seed in SEEDS:
        compare_with_torch(case, seed)


def test_every_entry_names_its_torch_counterpart_or_why_not() -> None:
    """None (the build runs on torch as written), a callable, or a reason of a few words."""
    for case in REGISTRY:
        assert (
            case.torch is None
            or callable(case.torch)
            or (isinstance(case.torch, str) and len(case.torch.split()) >= 3)
        ), f"{case.name}: torch= must be None, a callable or a reason"


def test_the_helper_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inject a bug (sqrt's gradient off by 1e-6 relative) and see the comparison fail."""
    from tinygrad_edu import ops

    case = next(c for c in REGISTRY if c.name == "sqrt")
    right = ops.Sqrt.backward
    monkeypatch.setattr(ops.Sqrt, "backward", lambda self, g: (right(self, g)[0] * (1 + 1e-6),))
    with pytest.raises(AssertionError, match="gradient of input 0"):
        compare_with_torch(case, 0)


# -- ops with no gradient: comparisons, argmax/argmin, constructors' semantics --------------------


def _pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(-2, 3, (3, 4)).astype(np.float64)
    return a, rng.integers(-2, 3, (4,)).astype(np.float64)  # many ties: == and != matter


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_comparisons_match_torch(op: str) -> None:
    for seed in range(5):
        a, b = _pair(seed)
        ours = getattr(Tensor(a), op)(Tensor(b))
        theirs = getattr(torch.from_numpy(a), op)(torch.from_numpy(b))
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        np.testing.assert_array_equal(
            getattr(Tensor(a), op)(0.0).data, getattr(torch.from_numpy(a), op)(0.0).numpy()
        )


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("dim, keep", [(None, False), (0, False), (-1, True), (1, False)])
def test_argmax_argmin_match_torch(fn: str, dim: Any, keep: bool) -> None:
    x = np.random.default_rng(3).normal(size=(3, 4, 5))
    ours = getattr(Tensor(x), fn)(dim, keepdim=keep)
    theirs = getattr(torch.from_numpy(x), fn)(dim, keepdim=keep)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_max_with_dim_returns_values_and_indices_as_torch() -> None:
    x = np.random.default_rng(4).normal(size=(3, 4))
    ours, theirs = Tensor(x).max(dim=1), torch.from_numpy(x).max(dim=1)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    values, indices = Tensor(x).min(0)
    np.testing.assert_array_equal(indices.data, torch.from_numpy(x).min(0).indices.numpy())

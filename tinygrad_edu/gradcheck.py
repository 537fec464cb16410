"""gradcheck: compare backward()'s gradients with central finite differences.

The reference check, for fn: inputs → output f and one input x:

    J_num[:, j] = (f(x + ε eⱼ) − f(x − ε eⱼ)) / 2ε         mode="full": every column of ∂f/∂x
    J_ana[k, :] = ∂fₖ/∂x from backward() seeded with eₖ   one backward per output element
    pass ⇔ |J_ana − J_num| ≤ atol + rtol·|J_num|           elementwise

    vᵀJu ≈ (vᵀf(x + εu) − vᵀf(x − εu)) / 2ε                mode="random": seeded u and v,
                                                           two evaluations per input

Finite differences always run in float64, whatever the inputs' dtype, so a correct float32 op
never fails for lack of resolution. A pass also rebuilds the graph and runs backward again, and
runs backward twice on one graph, to catch ops whose backward mutates what it saved. The steps
below, in order: `_Subject` (fn, its inputs, and how to put them back), `_check_full`,
`_check_random` (with `_locate` for a failure), `_repeat_problems`, `_result`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .errors import GradcheckError
from .graph import Node, no_grad, topo_sort
from .value import Value

# Above this many input elements (or output elements) "auto" checks along random directions.
_FULL_LIMIT_IN = 512
_FULL_LIMIT_OUT = 64


@dataclass
class InputReport:
    """How one input's analytical gradient compared with the numerical one."""

    name: str
    shape: tuple[int, ...]
    mode: str
    ok: bool
    n_checked: int
    n_mismatch: int
    max_abs_err: float
    max_rel_err: float
    worst_index: tuple[int | str, ...] | None
    numerical: float
    analytical: float

    def describe(self, atol: float, rtol: float) -> str:
        where = (
            f"worst at index {self.worst_index}"
            if self.worst_index is not None
            else "along a random direction u (vᵀJu)"
        )
        what = "elements" if self.mode == "full" else "directional derivatives"
        return (
            f"input {self.name!r} (shape {self.shape}): {self.n_mismatch} of {self.n_checked} "
            f"{what} mismatch (atol={atol:g}, rtol={rtol:g}); {where}: numerical "
            f"{self.numerical:.8g}, analytical {self.analytical:.8g}, abs err "
            f"{self.max_abs_err:.3g}, rel err {self.max_rel_err:.3g}"
        )


@dataclass
class GradcheckResult:
    """What gradcheck found; truthy when every check passed."""

    ok: bool
    inputs: list[InputReport]
    repeat_ok: bool = True
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"gradcheck passed ({len(self.inputs)} inputs)"
        return "gradcheck failed:\n  " + "\n  ".join(self.problems)


class _Tolerance(NamedTuple):
    """Step ε of the differences; an element passes when |ana − num| ≤ atol + rtol·|num|."""

    eps: float
    atol: float
    rtol: float


def _named_inputs(inputs: Any) -> tuple[list[tuple[str, Node]], bool]:
    """(name, node) pairs, and whether fn takes them as positional arguments."""
    if hasattr(inputs, "named_parameters"):
        return list(inputs.named_parameters()), False
    if isinstance(inputs, Mapping):
        return list(inputs.items()), False
    if isinstance(inputs, Node):
        inputs = [inputs]
    if not isinstance(inputs, Sequence):
        raise TypeError(
            "gradcheck: inputs must be a list of Value/Tensor (passed to fn as arguments), a "
            "dict name → node, or a module with named_parameters() (fn then takes no arguments)"
        )
    return [(n.label or f"input {i}", n) for i, n in enumerate(inputs)], True


def _check_inputs(named: list[tuple[str, Node]]) -> None:
    if not named:
        raise ValueError("gradcheck: no inputs to check")
    for name, n in named:
        if not isinstance(n, Node):
            raise TypeError(
                f"gradcheck: input {name!r} is a {type(n).__name__}, not a Value/Tensor"
            )
        if not n.requires_grad or not n.is_leaf:
            raise ValueError(
                f"gradcheck: input {name!r} must be a leaf with requires_grad=True "
                "(e.g. Tensor(x, requires_grad=True))"
            )


def _flat64(out: Node) -> np.ndarray:
    if isinstance(out, Value):
        return np.array([out.data], dtype=np.float64)
    return np.asarray(out.data, dtype=np.float64).reshape(-1)


def _grad_array(node: Node) -> np.ndarray:
    if isinstance(node, Value):
        return np.array([node.grad], dtype=np.float64)
    if node.grad is None:
        return np.zeros(node.data.size, dtype=np.float64)
    return np.asarray(node.grad, dtype=np.float64).reshape(-1)


def _get(node: Node) -> np.ndarray:
    return np.array([node.data], dtype=np.float64) if isinstance(node, Value) else node.data


def _set(node: Node, flat64: np.ndarray, original: Any) -> None:
    if isinstance(node, Value):
        node.data = float(flat64[0])
    else:
        node.data = flat64.reshape(original.shape)


def _shape(node: Node) -> tuple[int, ...]:
    return () if isinstance(node, Value) else node.data.shape


def _upstream(out: Node, v: np.ndarray) -> Any:
    """The vector v as the upstream gradient ∂C/∂out that backward() accepts for out."""
    if isinstance(out, Value):
        return float(v[0])
    return v.astype(out.data.dtype).reshape(out.data.shape)


class _Subject:
    """fn and its inputs: evaluate f in float64, run backward, and put every value back."""

    def __init__(self, fn: Callable[..., Node], named: list[tuple[str, Node]], positional: bool):
        self.fn, self.named, self.positional = fn, named, positional
        self.nodes = [n for _, n in named]
        self.originals = [n.data for n in self.nodes]
        self.x64 = [np.asarray(_get(n), dtype=np.float64).reshape(-1).copy() for n in self.nodes]
        self.saved_grads = {id(n): (n, n.grad) for n in self.nodes}
        self.leaves: list[Node] = []

    def call(self) -> Node:
        out = self.fn(*self.nodes) if self.positional else self.fn()
        if not isinstance(out, Node):
            raise TypeError(
                f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}"
            )
        return out

    def first_output(self) -> Node:
        """Build the graph once; remember every leaf it reaches, to restore their grads."""
        out = self.call()
        if not out.requires_grad:
            raise ValueError(
                "gradcheck: fn's output does not depend on any input that requires grad"
            )
        self.leaves = [n for n in topo_sort(out) if n.is_leaf and n.requires_grad]
        for leaf in self.leaves:
            self.saved_grads.setdefault(id(leaf), (leaf, leaf.grad))
        return out

    def evaluate(self, i: int, flat: np.ndarray) -> np.ndarray:
        """f in float64 with input i set to `flat` and the others at their float64 values."""
        for k, n in enumerate(self.nodes):
            _set(n, flat if k == i else self.x64[k], self.originals[k])
        with no_grad():
            return _flat64(self.call())

    def restore(self) -> None:
        for n, o in zip(self.nodes, self.originals):
            n.data = o

    def analytic(self, upstream: Any, graph: Node) -> list[np.ndarray]:
        """backward() from `graph` seeded with `upstream`: each input's gradient, flat float64."""
        for leaf in self.leaves:
            leaf.zero_grad()
        graph.backward(upstream)
        return [_grad_array(n) for n in self.nodes]

    def put_back(self) -> None:
        """The inputs' values and every leaf's gradient as they were before gradcheck."""
        self.restore()
        for node, grad in self.saved_grads.values():
            node.grad = grad


def gradcheck(
    fn: Callable[..., Node],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    mode: str = "auto",
    seed: int = 0,
    raise_exception: bool = True,
    check_repeat: bool = True,
) -> GradcheckResult:
    """Check fn's gradients with respect to `inputs` against central differences.

    inputs: a list of Value/Tensor leaves (fn(*inputs) is called), or a dict name → leaf, or a
    module with named_parameters() (fn() is called with no arguments). mode: "full" (whole
    Jacobian), "random" (seeded vᵀJu, two evaluations per input) or "auto" (full when small).
    An element passes when |analytical − numerical| ≤ atol + rtol·|numerical|.
    On failure raises GradcheckError naming the input, the worst element, both values and the
    errors; with raise_exception=False returns the GradcheckResult instead.
    """
    if mode not in ("auto", "full", "random"):
        raise ValueError(f"gradcheck: mode must be 'auto', 'full' or 'random', got {mode!r}")
    for name, v, low in (("eps", eps, "> 0"), ("atol", atol, "≥ 0"), ("rtol", rtol, "≥ 0")):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        if not ok or (v <= 0 if low == "> 0" else v < 0):
            raise ValueError(
                f"gradcheck: {name} must be a finite number {low}, got {v!r}"
                + (
                    " (the step of the central differences; 1e-6 suits float64)"
                    if name == "eps"
                    else ""
                )
            )
    named, positional = _named_inputs(inputs)
    _check_inputs(named)
    subject = _Subject(fn, named, positional)
    tol = _Tolerance(eps, atol, rtol)
    rng = np.random.default_rng(seed)
    try:
        out = subject.first_output()
        if _use_full(mode, subject, out):
            reports = _check_full(subject, out, tol)
        else:
            reports = _check_random(subject, out, tol, rng)
        repeat = _repeat_problems(subject, rng) if check_repeat else []
    finally:
        subject.put_back()
    return _result(reports, repeat, tol, raise_exception)


def _use_full(mode: str, subject: _Subject, out: Node) -> bool:
    total_in = sum(x.size for x in subject.x64)
    small = total_in <= _FULL_LIMIT_IN and _flat64(out).size <= _FULL_LIMIT_OUT
    return mode == "full" or (mode == "auto" and small)


def _check_full(subject: _Subject, out: Node, tol: _Tolerance) -> list[InputReport]:
    """Both whole Jacobians, compared element by element for every input."""
    jac_a = _analytical_jacobians(subject, out)
    reports = []
    for i, (name, n) in enumerate(subject.named):
        jac_n = _numerical_jacobian(subject.evaluate, i, subject.x64[i], tol.eps)
        subject.restore()
        reports.append(_compare(name, n, "full", jac_a[i], jac_n, tol, jac_a[i].shape[0]))
    return reports


def _analytical_jacobians(subject: _Subject, out: Node) -> list[np.ndarray]:
    """Row k of every input's Jacobian (out, n): backward() seeded with the one-hot eₖ."""
    out_size = _flat64(out).size
    jac = [np.empty((out_size, x.size)) for x in subject.x64]
    for k in range(out_size):
        onehot = np.zeros(out_size)
        onehot[k] = 1
        upstream = None if isinstance(out, Value) else _upstream(out, onehot)
        for i, g in enumerate(subject.analytic(upstream, out)):
            jac[i][k] = g
    return jac


def _numerical_jacobian(
    evaluate: Callable[[int, np.ndarray], np.ndarray], i: int, x: np.ndarray, eps: float
) -> np.ndarray:
    """∂f/∂xⱼ ≈ (f(x + ε eⱼ) − f(x − ε eⱼ)) / 2ε for every element j of input i: (out, n)."""
    columns = []
    for j in range(x.size):
        xp = x.copy()
        xp[j] += eps
        xm = x.copy()
        xm[j] -= eps
        columns.append((evaluate(i, xp) - evaluate(i, xm)) / (2 * eps))
    return np.stack(columns, axis=1)


def _check_random(
    subject: _Subject, out: Node, tol: _Tolerance, rng: np.random.Generator
) -> list[InputReport]:
    """vᵀJu per input along seeded random v (one backward) and u (two evaluations)."""
    v = rng.standard_normal(_flat64(out).size)
    grads = subject.analytic(_upstream(out, v), out)  # vᵀJ for every input
    reports = []
    for i, (name, n) in enumerate(subject.named):
        x = subject.x64[i]
        u = rng.standard_normal(x.size)
        plus, minus = subject.evaluate(i, x + tol.eps * u), subject.evaluate(i, x - tol.eps * u)
        num = (v @ plus - v @ minus) / (2 * tol.eps)
        subject.restore()
        ana = float(grads[i] @ u)
        rep = _compare(name, n, "random", np.array([[ana]]), np.array([[num]]), tol, 1)
        if not rep.ok and x.size <= 4 * _FULL_LIMIT_IN:
            rep = _locate(subject, i, v, grads[i], tol)
        reports.append(rep)
    return reports


def _locate(
    subject: _Subject, i: int, v: np.ndarray, grad: np.ndarray, tol: _Tolerance
) -> InputReport:
    """After a failed random-direction check, find the worst element of vᵀJ for that input."""
    num = v @ _numerical_jacobian(subject.evaluate, i, subject.x64[i], tol.eps)
    subject.restore()
    name, node = subject.named[i]
    return _compare(name, node, "full", grad[None, :], num[None, :], tol, 1)


def _compare(
    name: str,
    node: Node,
    mode: str,
    ana: np.ndarray,
    num: np.ndarray,
    tol: _Tolerance,
    out_size: int,
) -> InputReport:
    """One input's report from its analytical and numerical (out, n) Jacobians (or vᵀJu)."""
    shape = _shape(node)
    err = np.abs(ana - num)
    bad = ~(err <= tol.atol + tol.rtol * np.abs(num))  # NaN counts as a mismatch
    ratio = err / (tol.atol + tol.rtol * np.abs(num))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    k, j = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    worst: tuple[int | str, ...] | None = None
    if mode == "full":
        worst = tuple(int(t) for t in np.unravel_index(j, shape)) if shape else ()
        if out_size > 1:
            worst = worst + (f"output {k}",)
    rel = err / np.maximum(np.abs(num), 1e-300)
    return InputReport(
        name=name,
        shape=shape,
        mode=mode,
        ok=not bool(bad.any()),
        n_checked=int(ana.size),
        n_mismatch=int(bad.sum()),
        max_abs_err=float(err[k, j]),
        max_rel_err=float(rel[k, j]),
        worst_index=worst,
        numerical=float(num[k, j]),
        analytical=float(ana[k, j]),
    )


def _repeat_problems(subject: _Subject, rng: np.random.Generator) -> list[str]:
    """Backward on a fresh graph must equal the first; twice on one graph must give exactly 2×."""
    problems = []
    first = subject.call()
    up = _upstream(first, rng.standard_normal(_flat64(first).size))
    g1 = subject.analytic(up, first)
    second = subject.call()
    g2 = subject.analytic(up, second)
    g2 = [g.copy() for g in g2]  # the leaves' grads change below; keep these values
    second.backward(up)  # leaves accumulate: must now hold exactly twice g2
    g2twice = [_grad_array(n) for n in subject.nodes]
    for (name, _), node, a, b, d in zip(subject.named, subject.nodes, g1, g2, g2twice):
        # float32 rounds the sums of a leaf used twice differently on the second pass
        dtype = getattr(node.data, "dtype", np.dtype(np.float64))
        tol = max(1e-10, 16 * float(np.finfo(dtype).eps))
        scale = float(np.nanmax(np.abs(b), initial=0.0))
        rtol, atol = tol, max(1e-12, tol * scale)
        if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            problems.append(
                f"backward is not repeatable for input {name!r}: a fresh graph gave a different "
                f"gradient (max difference {np.nanmax(np.abs(a - b)):.3g})"
            )
        elif not np.allclose(d, 2 * b, rtol=rtol, atol=2 * atol, equal_nan=True):
            problems.append(
                f"backward is not repeatable for input {name!r}: a second backward() on the same "
                "graph did not add the same gradient again (a backward that mutates saved values?)"
            )
    return problems


def _result(
    reports: list[InputReport], repeat: list[str], tol: _Tolerance, raise_exception: bool
) -> GradcheckResult:
    """The report: every failed input's description, then the repeat problems."""
    problems = [r.describe(tol.atol, tol.rtol) for r in reports if not r.ok] + repeat
    if problems and raise_exception:
        raise GradcheckError("gradcheck failed: " + "; ".join(problems))
    return GradcheckResult(ok=not problems, inputs=reports, repeat_ok=not repeat, problems=problems)

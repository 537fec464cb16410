"""gradcheck: compare backward()'s gradients with central finite differences.

    numerical ∂f/∂xⱼ ≈ (f(x + ε eⱼ) − f(x − ε eⱼ)) / 2ε      (mode="full": the whole Jacobian)
    numerical vᵀJu  ≈ (vᵀf(x + εu) − vᵀf(x − εu)) / 2ε       (mode="random": 2 evaluations/input)

Finite differences always run in float64, whatever the inputs' dtype, so a correct float32 op
never fails for lack of resolution. A pass also rebuilds the graph and runs backward again, and
runs backward twice on one graph, to catch ops whose backward mutates what it saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    worst_index: tuple[int, ...] | None
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
    named, positional = _named_inputs(inputs)
    if not named:
        raise ValueError("gradcheck: no inputs to check")
    nodes = [n for _, n in named]
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

    def call() -> Node:
        out = fn(*nodes) if positional else fn()
        if not isinstance(out, Node):
            raise TypeError(
                f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}"
            )
        return out

    rng = np.random.default_rng(seed)
    originals = [n.data for n in nodes]
    saved_grads = {id(n): (n, n.grad) for n in nodes}
    try:
        out = call()
        if not out.requires_grad:
            raise ValueError(
                "gradcheck: fn's output does not depend on any input that requires grad"
            )
        out_shape = () if isinstance(out, Value) else out.data.shape
        out_size = 1 if isinstance(out, Value) else out.data.size
        leaves = [n for n in topo_sort(out) if n.is_leaf and n.requires_grad]
        for leaf in leaves:
            saved_grads.setdefault(id(leaf), (leaf, leaf.grad))
        total_in = sum(_get(n).size for n in nodes)
        use_full = mode == "full" or (
            mode == "auto" and total_in <= _FULL_LIMIT_IN and out_size <= _FULL_LIMIT_OUT
        )
        x64 = [np.asarray(_get(n), dtype=np.float64).reshape(-1).copy() for n in nodes]

        def evaluate(i: int, flat: np.ndarray) -> np.ndarray:
            """f in float64 with input i set to `flat` and the others at their float64 values."""
            for k, n in enumerate(nodes):
                _set(n, flat if k == i else x64[k], originals[k])
            with no_grad():
                y = _flat64(call())
            return y

        def restore() -> None:
            for n, o in zip(nodes, originals):
                n.data = o

        def analytic(upstream: Any, graph: Node) -> list[np.ndarray]:
            for leaf in leaves:
                leaf.zero_grad()
            graph.backward(upstream)
            return [_grad_array(n) for n in nodes]

        reports: list[InputReport] = []
        if use_full:
            jac_a = [np.empty((out_size, x.size)) for x in x64]
            for k in range(out_size):
                onehot = None
                if not isinstance(out, Value):
                    onehot = np.zeros(out_size, dtype=out.data.dtype)
                    onehot[k] = 1
                    onehot = onehot.reshape(out_shape)
                for i, g in enumerate(analytic(onehot, out)):
                    jac_a[i][k] = g
            for i, (name, n) in enumerate(named):
                jac_n = _numerical_jacobian(evaluate, i, x64[i], eps)
                restore()
                reports.append(_compare(name, n, "full", jac_a[i], jac_n, atol, rtol, out_size))
        else:
            v = rng.standard_normal(out_size)
            upstream = (
                float(v[0])
                if isinstance(out, Value)
                else v.astype(out.data.dtype).reshape(out_shape)
            )
            grads = analytic(upstream, out)
            for i, (name, n) in enumerate(named):
                u = rng.standard_normal(x64[i].size)
                num = (v @ evaluate(i, x64[i] + eps * u) - v @ evaluate(i, x64[i] - eps * u)) / (
                    2 * eps
                )
                restore()
                ana = float(grads[i] @ u)
                rep = _compare(
                    name, n, "random", np.array([[ana]]), np.array([[num]]), atol, rtol, 1
                )
                if not rep.ok and x64[i].size <= 4 * _FULL_LIMIT_IN:
                    rep = _locate(
                        name,
                        n,
                        i,
                        out,
                        out_size,
                        evaluate,
                        restore,
                        grads[i],
                        v,
                        x64,
                        eps,
                        atol,
                        rtol,
                    )
                reports.append(rep)

        problems = [r.describe(atol, rtol) for r in reports if not r.ok]
        repeat_ok = True
        if check_repeat:
            problems += _repeat_problems(call, analytic, nodes, named, out_shape, rng)
            repeat_ok = not any(p.startswith("backward is not repeatable") for p in problems)
    finally:
        for n, o in zip(nodes, originals):
            n.data = o
        for node, grad in saved_grads.values():
            node.grad = grad

    result = GradcheckResult(
        ok=not problems, inputs=reports, repeat_ok=repeat_ok, problems=problems
    )
    if problems and raise_exception:
        raise GradcheckError("gradcheck failed: " + "; ".join(problems))
    return result


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


def _compare(
    name: str,
    node: Node,
    mode: str,
    ana: np.ndarray,
    num: np.ndarray,
    atol: float,
    rtol: float,
    out_size: int,
) -> InputReport:
    shape = () if isinstance(node, Value) else node.data.shape
    err = np.abs(ana - num)
    bad = ~(err <= atol + rtol * np.abs(num))  # NaN counts as a mismatch
    ratio = err / (atol + rtol * np.abs(num))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    k, j = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    worst: tuple[int, ...] | None = None
    if mode == "full":
        worst = tuple(int(t) for t in np.unravel_index(j, shape)) if shape else ()
        if out_size > 1:
            worst = worst + (f"output {k}",)  # type: ignore[operator]
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


def _locate(name, node, i, out, out_size, evaluate, restore, grad, v, x64, eps, atol, rtol):  # type: ignore[no-untyped-def]
    """After a failed random-direction check, find the worst element of vᵀJ for that input."""
    num = v @ _numerical_jacobian(evaluate, i, x64[i], eps)
    restore()
    return _compare(name, node, "full", grad[None, :], num[None, :], atol, rtol, 1)


def _repeat_problems(call, analytic, nodes, named, out_shape, rng) -> list[str]:  # type: ignore[no-untyped-def]
    """Backward on a fresh graph must equal the first; twice on one graph must give exactly 2×."""
    problems = []
    first = call()
    v = rng.standard_normal(max(1, int(np.prod(out_shape))))
    up = float(v[0]) if isinstance(first, Value) else v.astype(first.data.dtype).reshape(out_shape)
    g1 = analytic(up, first)
    second = call()
    g2 = analytic(up, second)
    g2b = [g + 0 for g in g2]
    second.backward(up)  # leaves accumulate: must now hold exactly twice g2
    g2twice = [_grad_array(n) for n in nodes]
    for (name, _), a, b, c, d in zip(named, g1, g2, g2b, g2twice):
        if not np.allclose(a, b, rtol=1e-10, atol=1e-12, equal_nan=True):
            problems.append(
                f"backward is not repeatable for input {name!r}: a fresh graph gave a different "
                f"gradient (max difference {np.nanmax(np.abs(a - b)):.3g})"
            )
        elif not np.allclose(d, 2 * c, rtol=1e-10, atol=1e-12, equal_nan=True):
            problems.append(
                f"backward is not repeatable for input {name!r}: a second backward() on the same "
                "graph did not add the same gradient again (a backward that mutates saved values?)"
            )
    return problems

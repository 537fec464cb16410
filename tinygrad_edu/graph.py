"""The graph machinery that Value and Tensor share: one topological sort, one backward driver.

Every node records, in the forward pass, its op name (`op`), its inputs (`parents`) and its
local derivatives ∂z/∂parent (`local_grads`). `backward()` walks the graph once in reverse
topological order and leaves ∂C/∂z in every node's `.grad` (the backward pass):

    ∂C/∂parent += (∂z/∂parent)ᵀ · ∂C/∂z          for every edge parent → z

Leaves (nodes with no parents) accumulate gradients across backward() calls until
`zero_grad()`. Intermediate nodes are reset at the start of each backward(), so after any call
they hold ∂C/∂z for that call's output C. Calling backward() twice on the same graph is allowed
and adds the gradient twice into the leaves, as PyTorch does with retain_graph=True.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

from .errors import AnomalyError, BackwardError


class _GradMode(threading.local):
    """Per-thread switches read by every op; a class, not loose globals, so there is one place."""

    grad_enabled: bool = True
    anomaly: bool = False


MODE = _GradMode()


class no_grad:
    """Context manager (and decorator) in which ops record no graph: results have no parents."""

    def __enter__(self) -> None:
        self._prev = MODE.grad_enabled
        MODE.grad_enabled = False

    def __exit__(self, *exc: object) -> None:
        MODE.grad_enabled = self._prev

    def __call__(self, fn):  # type: ignore[no-untyped-def]
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Re-enable graph recording inside a no_grad block."""

    def __enter__(self) -> None:
        self._prev = MODE.grad_enabled
        MODE.grad_enabled = True


class detect_anomaly:
    """Inside this context every forward value and every gradient is checked for NaN/Inf.

    The first non-finite number raises AnomalyError naming the op (and the node's label) that
    produced it, in the forward or the backward pass. Costs one isfinite check per op.
    """

    def __enter__(self) -> detect_anomaly:
        self._prev = MODE.anomaly
        MODE.anomaly = True
        return self

    def __exit__(self, *exc: object) -> None:
        MODE.anomaly = self._prev


def is_grad_enabled() -> bool:
    """True unless inside no_grad()."""
    return MODE.grad_enabled


class LocalGrad(NamedTuple):
    """One edge's local derivative ∂z/∂parent, as recorded by the forward pass.

    `name` is the derivative it stands for ("∂z/∂W = xᵀ"); `value` is a float for Value ops,
    the saved numpy array for Tensor ops (None where the derivative is a constant such as 1).
    """

    name: str
    value: Any


def _describe(node: Node) -> str:
    label = getattr(node, "label", "")
    return f"'{node.op}'" + (f" (label '{label}')" if label else "")


class Node:
    """Base of Value and Tensor. Subclasses provide the slots data, grad, requires_grad,
    _parents, label, and the methods _reset_grad, _seed_grad, _propagate, _grad_is_finite."""

    __slots__ = ()
    # Nodes are compared and hashed by identity: the graph walk keeps them in sets.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # -- graph inspection (used by the renderer, the trace and the lecture tour) --------------
    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this node was computed from (empty for leaves)."""
        return self._parents  # type: ignore[attr-defined]

    @property
    def is_leaf(self) -> bool:
        """A leaf was made by the user, not by an op; its .grad accumulates until zero_grad()."""
        return not self._parents  # type: ignore[attr-defined]

    def walk(self) -> list[Node]:
        """All nodes this one depends on, itself last, parents always before children."""
        return topo_sort(self)

    def backward(self, grad: Any = None) -> None:
        """Backward pass: fill .grad = ∂C/∂z of every node that requires grad (C = self)."""
        backward(self, grad)

    def zero_grad(self) -> None:
        """Reset this node's gradient (0.0 for Value, None for Tensor)."""
        self._reset_grad()  # type: ignore[attr-defined]


def topo_sort(root: Node) -> list[Node]:
    """Nodes reachable from root, each after all its parents. Iterative: no recursion limit."""
    order: list[Node] = []
    seen = {root}
    # A stack of (node, iterator over its parents): the explicit form of a recursive DFS.
    stack = [(root, iter(root._parents))]  # type: ignore[attr-defined]
    push, pop, add, emit = stack.append, stack.pop, seen.add, order.append
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p not in seen:
                add(p)
                push((p, iter(p._parents)))
                break
        else:
            pop()
            emit(node)
    return order


def iter_edges(order: list[Node]) -> Iterator[tuple[Node, int, Node]]:
    """(parent, index, child) for every edge of a topologically sorted node list."""
    for child in order:
        for i, parent in enumerate(child._parents):  # type: ignore[attr-defined]
            yield parent, i, child


def backward(root: Node, grad: Any = None) -> None:
    """The one backward driver for Value and Tensor graphs (see the module docstring)."""
    if not root.requires_grad:  # type: ignore[attr-defined]
        raise BackwardError(
            f"backward: {root!r} does not require grad, so no graph was recorded. Create the "
            "inputs with requires_grad=True (Tensor) and compute outside no_grad()."
        )
    order = topo_sort(root)
    for node in order:
        if node._parents:  # type: ignore[attr-defined]
            node._reset_grad()  # type: ignore[attr-defined]
    if root._parents:  # type: ignore[attr-defined]
        root._seed_grad(grad)  # type: ignore[attr-defined]
    else:  # a leaf as the output: it accumulates like every leaf
        before = root.grad  # type: ignore[attr-defined]
        root._seed_grad(grad)  # type: ignore[attr-defined]
        if before is not None:
            root.grad = before + root.grad  # type: ignore[attr-defined]
    anomaly = MODE.anomaly
    for node in reversed(order):
        if node._parents and node.requires_grad:  # type: ignore[attr-defined]
            node._propagate()  # type: ignore[attr-defined]
            if anomaly:
                _check_backward(node)


def _check_backward(node: Node) -> None:
    for i, p in enumerate(node._parents):  # type: ignore[attr-defined]
        if p.requires_grad and not p._grad_is_finite():
            raise AnomalyError(
                f"backward of op {_describe(node)} produced a NaN/Inf gradient for its input "
                f"#{i}{' ' + repr(p.label) if p.label else ''}; ∂C/∂z arriving at the op was "
                f"{'finite' if node._grad_is_finite() else 'already non-finite'}."
            )


def check_forward(node: Node) -> None:
    """Called by ops under detect_anomaly(): raise if the freshly computed value is not finite."""
    if not node._data_is_finite():  # type: ignore[attr-defined]
        raise AnomalyError(
            f"forward of op {_describe(node)} produced a NaN/Inf value from inputs "
            + ", ".join(repr(p) for p in node._parents)  # type: ignore[attr-defined]
        )

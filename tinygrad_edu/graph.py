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

import functools
import gc
import threading
from collections.abc import Callable, Sequence
from string import Formatter
from typing import Any, NamedTuple, ParamSpec, TypeVar

from .errors import AnomalyError, BackwardError

_P = ParamSpec("_P")
_R = TypeVar("_R")


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

    def __call__(self, fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with type(self)():
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


class collector_paused:
    """Pause CPython's cyclic garbage collector for a block, such as one training step of a big
    scalar graph; on exit, even by an exception, it is on again if it was on before.

    The engine's graphs hold no reference cycles (reference counting frees a finished graph), but
    every node is an object the collector tracks, so while a large Value graph is being built
    the collector rescans it again and again: bench/scalar.py (a), micrograd's demo graph, runs
    1.8× slower with the collector on than off. Nothing is lost by pausing: cycles made inside
    the block are collected after it. The switch is process-wide (gc.disable()).
    """

    def __enter__(self) -> collector_paused:
        self._was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled:
            gc.enable()


def is_grad_enabled() -> bool:
    """True unless inside no_grad()."""
    return MODE.grad_enabled


class LocalGrad(NamedTuple):
    """One edge's local derivative ∂z/∂parent, as recorded by the forward pass.

    `name` is the derivative it stands for, as a template: {z} is the op's output and {0},
    {1}, … its inputs in parent order (Mul: "∂{z}/∂{0} = {1}"); render() fills in names.
    `value` is a float for Value ops, the saved numpy array for Tensor ops (None where the
    derivative is a constant such as 1).
    """

    name: str
    value: Any

    def render(self, z: str = "z", inputs: Sequence[str] = ()) -> str:
        """The name with the given node names; inputs not given are called a, b, c, …

        >>> LocalGrad("∂{z}/∂{0} = {1}", 2.0).render("h", ["w", "x"])
        '∂h/∂w = x'
        """
        names = [*inputs, *_placeholders(len(inputs), _max_input(self.name) + 1)]
        return self.name.format(*names, z=z)


def _placeholders(start: int, stop: int) -> list[str]:
    """a, b, …, y (z is the output), then a25, a26, … for the inputs start…stop−1."""
    return [chr(97 + i) if i < 25 else f"a{i}" for i in range(start, stop)]


def _max_input(template: str) -> int:
    """The largest input index a template refers to ({3} → 3), −1 if none."""
    fields = (f for _, f, _, _ in Formatter().parse(template) if f is not None)
    return max((int(f) for f in fields if f.isdigit()), default=-1)


def _describe(node: Node) -> str:
    return f"'{node.op}'" + (f" (label '{node.label}')" if node.label else "")


class Node:
    """Base of Value and Tensor: the protocol the backward driver and the renderer rely on.

    A subclass declares the slots named below, sets `_mark = None` when it makes a node, and
    implements the six underscore methods; the stubs here say what each one must do, so
    `backward()` reads top to bottom.
    """

    # _mark: scratch state of the graph walk in progress (see topo_sort); None on a new node.
    __slots__ = ("_mark",)
    # Nodes are compared and hashed by identity: the graph walk keeps them in sets.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    data: Any  #: the forward value (float for Value, numpy array for Tensor)
    grad: Any  #: ∂C/∂(this node) after backward()
    requires_grad: bool  #: whether backward() computes .grad for this node
    label: str  #: the learner's name for the node ("" if none)
    _parents: tuple[Node, ...]  #: the inputs of the op that made it (empty for a leaf)

    @property
    def op(self) -> str:
        """The op that made this node ('' for a leaf)."""
        raise NotImplementedError

    def _reset_grad(self) -> None:
        """Set .grad to "no gradient yet" (0.0 for Value, None for Tensor)."""
        raise NotImplementedError

    def _begin_backward(self) -> None:
        """Before a backward pass: an intermediate node forgets the last pass's ∂C/∂z (a leaf
        keeps accumulating), and no gradient array counts as this pass's own yet."""
        raise NotImplementedError

    def _seed_grad(self, grad: Any) -> None:
        """Set .grad = ∂C/∂C for the output C: 1 by default, else the given upstream gradient."""
        raise NotImplementedError

    def _propagate(self) -> None:
        """∂C/∂parent += (∂z/∂parent)ᵀ · ∂C/∂z for every parent that requires grad."""
        raise NotImplementedError

    def _grad_is_finite(self) -> bool:
        """No NaN/Inf in .grad (used by detect_anomaly)."""
        raise NotImplementedError

    def _data_is_finite(self) -> bool:
        """No NaN/Inf in .data (used by detect_anomaly)."""
        raise NotImplementedError

    # -- graph inspection (used by the renderer, the trace and the lecture tour) --------------
    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this node was computed from (empty for leaves)."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        """A leaf was made by the user, not by an op; its .grad accumulates until zero_grad()."""
        return not self._parents

    def walk(self) -> list[Node]:
        """All nodes this one depends on, itself last, parents always before children."""
        return topo_sort(self)

    def backward(self, grad: Any = None) -> None:
        """Backward pass: fill .grad = ∂C/∂z of every node that requires grad (C = self)."""
        backward(self, grad)

    def zero_grad(self) -> None:
        """Reset this node's gradient (0.0 for Value, None for Tensor)."""
        self._reset_grad()


def topo_sort(root: Node) -> list[Node]:
    """Nodes reachable from root, each after all its parents. Iterative: no recursion limit.

    Depth first. The visit state lives on the nodes (`_mark` holds this walk's `expanded` or
    `done` token), not in a set plus a (node, iterator) pair per node: the walk allocates no
    object per node, so it never wakes the cyclic collector, and backward's peak memory stays
    near the graph's own (bench/scalar.py (b), 1M-op chain: peak 1.79× → 1.1× the graph).
    """
    expanded, done = object(), object()
    order: list[Node] = []
    stack = [root]
    with _WALK_LOCK:  # the marks belong to one walk at a time, whatever the thread
        while stack:
            node = stack[-1]
            mark = node._mark
            if mark is done:  # pushed again by another child before its first visit ended
                stack.pop()
            elif mark is expanded:  # back on top: every parent is done
                stack.pop()
                node._mark = done
                order.append(node)
            else:
                node._mark = expanded
                for p in reversed(node._parents):  # so the first parent is visited first
                    if p._mark is not done:
                        stack.append(p)
    return order


_WALK_LOCK = threading.Lock()


def backward(root: Node, grad: Any = None) -> None:
    """The one backward driver for Value and Tensor graphs (see the module docstring)."""
    if not root.requires_grad:
        raise BackwardError(
            f"backward: {root!r} does not require grad, so no graph was recorded. Create the "
            "inputs with requires_grad=True (Tensor) and compute outside no_grad()."
        )
    order = topo_sort(root)
    for node in order:
        node._begin_backward()
    _seed(root, grad)
    anomaly = MODE.anomaly
    for node in reversed(order):
        if node._parents and node.requires_grad:
            node._propagate()
            if anomaly:
                _check_backward(node)


def _seed(root: Node, grad: Any) -> None:
    """∂C/∂C = 1 (or the given upstream gradient); a leaf as the output accumulates it."""
    if root._parents:
        root._seed_grad(grad)
        return
    before = root.grad
    root._seed_grad(grad)
    if before is not None:
        root.grad = before + root.grad


def _check_backward(node: Node) -> None:
    for i, p in enumerate(node._parents):
        if p.requires_grad and not p._grad_is_finite():
            raise AnomalyError(
                f"backward of op {_describe(node)} produced a NaN/Inf gradient for its input "
                f"#{i}{' ' + repr(p.label) if p.label else ''}; ∂C/∂z arriving at the op was "
                f"{'finite' if node._grad_is_finite() else 'already non-finite'}."
            )


def check_forward(node: Node) -> None:
    """Called by ops under detect_anomaly(): raise if the freshly computed value is not finite."""
    if not node._data_is_finite():
        raise AnomalyError(
            f"forward of op {_describe(node)} produced a NaN/Inf value from inputs "
            + ", ".join(repr(p) for p in node._parents)
        )

"""What the renderer and the trace read from a graph: order, names, kinds, formatted numbers.

The walk itself is the engine's `topo_sort`; this module only indexes and labels its result.
A node's position in that order is its identity here (n0, n1, …), never id(), so the same
graph always produces the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import Node, topo_sort

# The kinds a value node can have, in legend order.
KINDS: tuple[str, ...] = ("input", "parameter", "constant", "intermediate", "output")

KIND_HELP: dict[str, str] = {
    "input": "input (data leaf)",
    "parameter": "parameter (learned leaf)",
    "constant": "constant (a number)",
    "intermediate": "intermediate (op result)",
    "output": "output / loss C",
}


def num(x: Any, precision: int = 4) -> str:
    """A number with fixed significant digits (`:.4g`), '-0' shown as '0'."""
    s = f"{float(x):.{precision}g}"
    return "0" if s == "-0" else s


def shape_str(shape: tuple[int, ...]) -> str:
    """(32, 784) -> '32×784'; () -> 'scalar'."""
    return "×".join(str(n) for n in shape) if shape else "scalar"


def array_summary(a: np.ndarray, precision: int = 4, grad: bool = False) -> str:
    """All values for tiny arrays, otherwise mean and spread (grads: mean and max |g|)."""
    if a.size == 0:
        return "empty"
    if a.size <= 4:
        if a.ndim == 0:
            return num(a, precision)
        return "[" + ", ".join(num(v, precision) for v in a.reshape(-1)) + "]"
    a64 = a.astype(np.float64, copy=False)
    if grad:
        return f"μ {num(a64.mean(), precision)}  max|·| {num(np.abs(a64).max(), precision)}"
    return f"μ {num(a64.mean(), precision)}  σ {num(a64.std(), precision)}"


def param_names(params: Any) -> dict[int, str]:
    """id(node) -> dotted name, from a dict name->node or anything with named_parameters()."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        pairs: Iterable[Any] = params.named_parameters()
        what = f"{type(params).__name__}.named_parameters()"
    elif isinstance(params, Mapping):
        pairs = params.items()
        what = "the params dict"
    else:
        raise TypeError(
            f"params must be a dict name -> Value/Tensor or an object with named_parameters() "
            f"(a Module), got {type(params).__name__}"
        )
    out: dict[int, str] = {}
    for item in pairs:
        try:
            name, node = item
        except (TypeError, ValueError):
            raise TypeError(f"{what} must yield (name, parameter) pairs, got {item!r}") from None
        if not isinstance(name, str) or not isinstance(node, Node):
            raise TypeError(
                f"{what}: expected (str, Value/Tensor) pairs, got ({type(name).__name__}, "
                f"{type(node).__name__}) for {name!r}"
            )
        out.setdefault(id(node), name)  # a shared parameter keeps its first name
    return out


def has_grads(node: Node) -> bool:
    """True once backward() has filled the output's gradient."""
    g = getattr(node, "grad", None)
    if g is None:
        return False
    if isinstance(g, np.ndarray):
        return True
    return float(g) != 0.0


def _is_parameter_class(node: Node) -> bool:
    # Duck typing: nn's Parameter class is not imported here (another package, maybe absent).
    return any(cls.__name__ == "Parameter" for cls in type(node).__mro__)


@dataclass
class GraphModel:
    """A topologically sorted graph with the names and kinds the pictures and the trace show."""

    root: Node
    order: list[Node]
    names: list[str]  # shown: the label, else the parameter name, else ""
    keys: list[str]  # grouped by: the parameter name, else the label, else ""
    kinds: list[str]
    children: list[list[tuple[int, int]]]  # per node: (child index, position among its parents)
    parent_idx: list[tuple[int, ...]]  # per node: indices of its parents, in order
    grads: bool  # backward() has run on this output

    def display(self, i: int) -> str:
        """The node's name, or its id n<i> when it has none."""
        return self.names[i] or f"n{i}"

    @property
    def root_index(self) -> int:
        return len(self.order) - 1


def build_model(root: Node, params: Any = None, output_label: str | None = None) -> GraphModel:
    """Index the graph of `root`: topological order, names, kinds, child lists."""
    if not isinstance(root, Node):
        raise TypeError(
            f"expected a Value or Tensor (a tinygrad_edu Node) as the graph's output, got "
            f"{type(root).__name__}"
        )
    pnames = param_names(params)
    order = topo_sort(root)
    index = {id(n): i for i, n in enumerate(order)}
    children: list[list[tuple[int, int]]] = [[] for _ in order]
    parent_idx: list[tuple[int, ...]] = []
    names: list[str] = []
    keys: list[str] = []
    kinds: list[str] = []
    last = len(order) - 1
    for i, node in enumerate(order):
        pids = tuple(index[id(p)] for p in node.parents)
        parent_idx.append(pids)
        for pos, j in enumerate(pids):
            children[j].append((i, pos))
        label = getattr(node, "label", "") or ""
        pname = pnames.get(id(node), "")
        # A label is the user's (or the module's) choice for the picture, e.g. the lecture's
        # "w¹[0,1]"; the dotted parameter name says which module the node belongs to.
        name = label or pname
        if i == last:
            name = output_label or name or "out"
        names.append(name)
        keys.append(pname or label)
        kinds.append(_kind(node, i == last, bool(pname), label))
    return GraphModel(root, order, names, keys, kinds, children, parent_idx, has_grads(root))


def _kind(node: Node, is_root: bool, named_param: bool, label: str) -> str:
    if is_root:
        return "output"
    if not node.is_leaf:
        return "intermediate"
    if named_param or _is_parameter_class(node):
        return "parameter"
    data = node.data
    scalar = not isinstance(data, np.ndarray) or data.size == 1
    if not node.requires_grad:
        # Numbers lifted into the graph by an op are unlabeled scalar leaves without grad.
        return "constant" if scalar and not label else "input"
    if isinstance(data, np.ndarray):
        return "parameter"  # a Tensor leaf that requires grad is what training updates
    # Scalar leaves: modules label their parameters with dotted names ("L1.n0.w0").
    return "parameter" if "." in label else "input"

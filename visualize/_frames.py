"""The frames of a backprop walk-through: which step shows what, and the caption of each step.

One schedule serves the picture frames (`Trace.write_frames`) and the HTML player: frame k
shows a node's value from `data_from[i]` on, its ∂C/∂z from `grad_from[i]` on, and an edge's
label from `label_from[(child, pos)]` on. The forward frames step through the ops (leaves are
known from the start); the backward frames follow the trace's reverse order. In the gradient
flow picture an edge carries the product ∂z/∂w × ∂C/∂z flowing into w, so it appears with w's
∂C/∂w, never before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import LocalGrad
from ._model import GraphModel, array_summary, num, shape_str

NEVER = 1 << 30  # a step index no frame reaches

# Ops written infix in the captions (the engine's op name -> the sign a learner writes).
INFIX: dict[str, str] = {"+": "+", "-": "−", "*": "×", "/": "/", "@": "@"}


def local_text(m: GraphModel, c: int, pos: int, name: str) -> str:
    """The local derivative of edge (c, pos) in the graph's own names: the op's template
    (`∂{z}/∂{0} = {1}`: {z} the op's result, {k} its k-th input) with the names of the real
    nodes, e.g. '∂n2/∂w = x'."""
    inputs = [m.display(j) for j in m.parent_idx[c]]
    return LocalGrad(name, None).render(m.display(c), inputs)


def with_value(text: str, value: str) -> str:
    """'∂z/∂a = x' and '2' -> '∂z/∂a = x = 2'; a name already ending in '= 2' is kept."""
    return text if text.replace("−", "-").endswith(f"= {value}") else f"{text} = {value}"


def signed(x: float, p: int) -> str:
    """A number for a product or sum: negatives in parentheses, − as the minus sign."""
    s = num(x, p)
    return f"({s.replace('-', '−')})" if s.startswith("-") else s


def value_text(x: Any, p: int, grad: bool = False) -> str:
    """A node's value (or gradient) as the captions and the player write it."""
    if x is None:
        return "–"
    if isinstance(x, np.ndarray):
        return f"{shape_str(x.shape)} {array_summary(x, p, grad=grad)}"
    return num(x, p).replace("-", "−")


def formula(m: GraphModel, c: int, p: int) -> tuple[str, str]:
    """(symbols, numbers) of the op that made node c: ('w × x', '(−3) × 2').

    The numbers part is '' when an input is not a scalar (Tensor graphs)."""
    node = m.order[c]
    pids = m.parent_idx[c]
    names = [m.display(j) for j in pids]
    datas = [m.order[j].data for j in pids]
    scalar = all(not isinstance(d, np.ndarray) or d.size == 1 for d in datas)
    vals = [signed(float(np.asarray(d).reshape(-1)[0]), p) for d in datas] if scalar else []
    op = node.op
    if op in INFIX and len(pids) == 2:
        sym = f" {INFIX[op]} "
        return sym.join(names), sym.join(vals)
    if op == "Σwx+b" and len(pids) % 2 == 1:
        n = (len(pids) - 1) // 2
        terms = [f"{names[i]}·{names[n + i]}" for i in range(n)] + [names[-1]]
        nterms = [f"{vals[i]}·{vals[n + i]}" for i in range(n)] + [vals[-1]] if vals else []
        return " + ".join(terms), " + ".join(nterms)
    if op == "Σ":
        return " + ".join(names), " + ".join(vals)
    if op == "neg":
        return f"−{names[0]}", f"−{vals[0]}" if vals else ""
    if op.startswith("**"):
        return f"{names[0]}^{op[2:]}", f"{vals[0]}^{op[2:]}" if vals else ""
    if op.endswith("**"):
        return f"{op[:-2]}^{names[0]}", f"{op[:-2]}^{vals[0]}" if vals else ""
    if len(pids) == 1 and vals:  # σ(−5), not σ((−5))
        vals = [vals[0][1:-1] if vals[0].startswith("(") else vals[0]]
    args = ", ".join(names)
    return f"{op}({args})", f"{op}({', '.join(vals)})" if vals else ""


@dataclass(frozen=True)
class Frame:
    """One step of the walk-through: the node, its phase, and the text shown with it."""

    k: int  # frame number, 0-based
    phase: str  # "forward" or "backward"
    index: int  # the current node (topological position)
    title: str  # "forward pass · step 3 of 11"
    lines: tuple[str, ...]  # the number being formed, written out
    row: str  # the trace table's row for this step
    number: Any  # the value (forward) or ∂C/∂z (backward) of the current node

    @property
    def caption(self) -> str:
        """One line: the title, then the lines ('= …' continues the line before it)."""
        text = self.title
        for line in self.lines:
            text += (" " if line.startswith("=") else " · ") + line
        return text


@dataclass
class Schedule:
    """When each part of the picture appears (see the module docstring)."""

    frames: list[Frame]
    data_from: list[int]
    grad_from: list[int]
    label_from: dict[tuple[int, int], int]
    hot_edges: list[list[tuple[int, int]]]  # per frame: (child, pos) edges highlighted

    def shows_data(self, k: int, i: int) -> bool:
        return k >= self.data_from[i]

    def shows_grad(self, k: int, i: int) -> bool:
        return k >= self.grad_from[i]

    def shows_label(self, k: int, c: int, pos: int) -> bool:
        return k >= self.label_from.get((c, pos), NEVER)


def make_schedule(
    m: GraphModel,
    steps: Sequence[Any],
    rows: dict[tuple[str, int], str],
    direction: str,
    precision: int,
) -> Schedule:
    """Frames from the trace steps: forward steps of ops, then every backward step.

    rows: the trace table's row text per (phase, node index)."""
    p = precision
    fwd = [s for s in steps if s.phase == "forward" and m.parent_idx[s.index]]
    bwd = [s for s in steps if s.phase == "backward"]
    total_f, total_b = len(fwd), len(bwd)
    n = len(m.order)
    data_from = [0] * n
    grad_from = [NEVER] * n
    frames: list[Frame] = []
    hot: list[list[tuple[int, int]]] = []
    out = m.display(m.root_index)
    for k, s in enumerate(fwd):
        c = s.index
        data_from[c] = k
        title = f"forward pass · step {k + 1} of {total_f}"
        sym, nums = formula(m, c, p)
        value = value_text(s.value, p)
        head = f"{m.display(c)} = {sym}" + (f" = {nums}" if nums else "") + f" = {value}"
        locs = [
            with_value(t.name, value_text(t.local, p))
            if t.local is not None and not isinstance(t.local, np.ndarray)
            else t.name
            for t in s.terms
        ]
        lines = (head, "local derivatives: " + "; ".join(locs)) if locs else (head,)
        frames.append(Frame(k, "forward", c, title, lines, rows.get(("forward", c), ""), s.value))
        hot.append([(c, pos) for pos in range(len(m.parent_idx[c]))])
    for kb, s in enumerate(bwd):
        k = total_f + kb
        j = s.index
        grad_from[j] = k
        title = f"backward pass · step {kb + 1} of {total_b}"
        lines = _backward_lines(m, s, out, p)
        frames.append(Frame(k, "backward", j, title, lines, rows.get(("backward", j), ""), s.grad))
        hot.append([(c, pos) for c, pos in m.children[j]])
    label_from: dict[tuple[int, int], int] = {}
    for c in range(n):
        for pos, j in enumerate(m.parent_idx[c]):
            label_from[(c, pos)] = grad_from[j] if direction == "backward" else data_from[c]
    return Schedule(frames, data_from, grad_from, label_from, hot)


def _backward_lines(m: GraphModel, s: Any, out: str, p: int) -> tuple[str, ...]:
    name = m.display(s.index)
    lhs = f"∂{out}/∂{name}"
    total = value_text(s.grad, p, grad=True)
    if not s.terms:
        return (f"{lhs} = {total}: the seed, the output's gradient with respect to itself",)
    symbolic = " + ".join(f"∂{t.other}/∂{name} × ∂{out}/∂{t.other}" for t in s.terms)
    if all(t.product is not None for t in s.terms):
        numbers = " + ".join(f"{signed(t.local, p)}×{signed(t.upstream, p)}" for t in s.terms)
        return (f"{lhs} = {symbolic}", f"= {numbers} = {total}")
    return (f"{lhs} = {symbolic}", f"= {total}")

"""trace(): both passes of backpropagation, step by step, as records, a text table, or frames.

Forward steps follow the topological order: each node's value and the local derivatives
∂z/∂input its op saved. Backward steps follow the reverse order: each node's ∂C/∂z and the
products ∂z'/∂z · ∂C/∂z' (one per consumer z') that add up to it — the chain rule, read off
the engine's own numbers.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..graph import Node
from ._dot import Focus, Options, build_dot, make_options
from ._frames import Schedule, local_text, make_schedule, with_value
from ._io import GraphvizNotFoundError, atomic_write, format_from_path, pipe
from ._model import GraphModel, array_summary, build_model, num, shape_str

DEFAULT_MAX_FRAMES = 500


@dataclass(frozen=True)
class TraceTerm:
    """One edge of a step.

    Forward: `other` is the input, `name`/`local` its local derivative ∂z/∂input.
    Backward: `other` is the consumer z', `local` = ∂z'/∂(this node), `upstream` = ∂C/∂z',
    `product` = local × upstream (scalars only; None for tensors).
    """

    other: str
    name: str
    local: Any
    upstream: Any = None
    product: Any = None


@dataclass(frozen=True)
class TraceStep:
    """One row of the trace: a node in the forward or the backward pass."""

    phase: str  # "forward" or "backward"
    index: int  # topological position; the node's id in pictures is n<index>
    name: str
    op: str  # "" for leaves
    inputs: tuple[str, ...]
    value: Any  # forward value (float or array)
    grad: Any  # backward: ∂C/∂z as the engine holds it (forward steps: None)
    terms: tuple[TraceTerm, ...]
    node: Node = field(repr=False, compare=False)

    @property
    def node_id(self) -> str:
        return f"n{self.index}"


class Trace:
    """The steps of both passes; format() gives the table, write_frames() the pictures."""

    def __init__(self, model: GraphModel, steps: list[TraceStep], precision: int, params: Any):
        self._model = model
        self.steps = steps
        self.precision = precision
        self._params = params

    @property
    def forward(self) -> list[TraceStep]:
        return [s for s in self.steps if s.phase == "forward"]

    @property
    def backward(self) -> list[TraceStep]:
        return [s for s in self.steps if s.phase == "backward"]

    def __len__(self) -> int:
        return len(self.steps)

    def __str__(self) -> str:
        return self.format()

    # -- text -------------------------------------------------------------------------------
    def _val(self, x: Any, grad: bool = False) -> str:
        if x is None:
            return "–"
        if isinstance(x, np.ndarray):
            return f"{shape_str(x.shape)} {array_summary(x, self.precision, grad=grad)}"
        return num(x, self.precision)

    def _forward_row(self, s: TraceStep) -> tuple[str, ...]:
        locs = "; ".join(f"{t.other}: {with_value(t.name, self._local(t.local))}" for t in s.terms)
        return (s.node_id, s.name, s.op or "leaf", ", ".join(s.inputs), self._val(s.value), locs)

    def format(self, max_rows: int | None = None) -> str:
        """The trace as a text table (max_rows per pass; None shows all)."""
        fwd = [self._forward_row(s) for s in self.forward]
        lines = ["forward pass (topological order: each node after its inputs)"]
        lines += _table(FORWARD_HEAD, fwd, max_rows)
        bwd_steps = self.backward
        lines.append("")
        if not bwd_steps:
            lines.append(
                "backward pass: not run yet; call output.backward() first, or "
                "trace(output, backward=True)"
            )
            return "\n".join(lines)
        rows = [self._backward_row(s) for s in bwd_steps]
        lines.append(
            "backward pass (reverse order: ∂C/∂z = Σ over consumers z' of ∂z'/∂z × ∂C/∂z')"
        )
        lines += _table(BACKWARD_HEAD, rows, max_rows)
        return "\n".join(lines)

    def _backward_row(self, s: TraceStep) -> tuple[str, ...]:
        p = self.precision
        if not s.terms:
            how = "seed: ∂C/∂C = 1" if np.all(np.asarray(s.grad) == 1) else "seed (given)"
        elif all(t.product is not None for t in s.terms):
            parts = [f"{t.other}: {num(t.local, p)} × {num(t.upstream, p)}" for t in s.terms]
            how = " + ".join(parts)
            total = sum(float(t.product) for t in s.terms)
            if not np.isclose(total, float(s.grad), rtol=1e-9, atol=1e-12):
                how += f" = {num(total, p)} (leaves accumulate over backward() calls)"
        else:
            how = " + ".join(f"{t.other}: ({t.name})·∂C/∂{t.other}" for t in s.terms)
        return (s.node_id, s.name, self._val(s.grad, True), how)

    def schedule(self, direction: str = "forward") -> Schedule:
        """The walk-through's frames: forward steps of ops, then the backward steps, each with
        its caption and its table row (direction: of the picture the frames are drawn on)."""
        rows: dict[tuple[str, int], str] = {}
        for s in self.steps:
            if s.phase == "forward":
                cells, head = self._forward_row(s), FORWARD_HEAD
            else:
                cells, head = self._backward_row(s), BACKWARD_HEAD
            rows[(s.phase, s.index)] = "   ".join(
                f"{h}: {c}" for h, c in zip(head, cells) if c
            )
        return make_schedule(self._model, self.steps, rows, direction, self.precision)

    def _frame_options(self, draw_options: dict[str, Any]) -> Options:
        """Drawing options of the frames and the player: the trace's own by default."""
        draw_options.setdefault("params", self._params)
        draw_options.setdefault("output_label", self._model.names[-1])
        draw_options.setdefault("precision", self.precision)
        if self.backward:
            draw_options.setdefault("edge_labels", True)
        return make_options(**draw_options)

    def _local(self, x: Any) -> str:
        if x is None:
            return "const"
        if isinstance(x, np.ndarray):
            return f"saved {shape_str(x.shape)}"
        return num(x, self.precision)

    # -- pictures -----------------------------------------------------------------------------
    def write_frames(
        self,
        directory: str | os.PathLike[str],
        format: str = "svg",
        max_frames: int = DEFAULT_MAX_FRAMES,
        **draw_options: Any,
    ) -> list[Path]:
        """One picture per frame, frame_000.svg …: the forward pass op by op, then the
        backward pass node by node, the current node and its edges highlighted.

        Every frame has the same layout and canvas (what a frame does not know yet reads
        '?'), and a caption: the phase, "step k of N" and the number being formed (the value
        with its local derivatives ∂z/∂w; the sum of products giving ∂C/∂z). format='dot'
        needs no Graphviz. Without `dot`, the frames are saved as .dot files and
        GraphvizNotFoundError says where.
        """
        fmt = format_from_path("", format)
        options = self._frame_options(draw_options)
        sched = self.schedule(options.direction)
        if len(sched.frames) > max_frames:
            raise ValueError(
                f"the trace has {len(sched.frames)} frames but max_frames={max_frames}; pass a "
                "larger max_frames, or trace a smaller graph"
            )
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        width = max(3, len(str(len(sched.frames) - 1)))
        written: list[Path] = []
        sources: list[str] = []
        with warnings.catch_warnings():
            for k in range(len(sched.frames)):
                if k == 1:
                    warnings.simplefilter("ignore")  # one size warning, not one per frame
                source, _ = build_dot(self._model.root, options, Focus(sched, k), 4)
                sources.append(source)
        try:
            for k, source in enumerate(sources):
                path = out / f"frame_{k:0{width}d}.{fmt}"
                written.append(atomic_write(path, pipe(source, fmt)))
        except GraphvizNotFoundError as e:
            for k, source in enumerate(sources):
                atomic_write(out / f"frame_{k:0{width}d}.dot", source.encode("utf-8"))
            raise GraphvizNotFoundError(
                f"cannot render the frames as {fmt}: {e} The {len(sources)} frames were saved as "
                f"DOT text in {out} (frame_{0:0{width}d}.dot …); render them with "
                f"`dot -T{fmt} -O {out}/frame_*.dot`.",
                dot_path=out,
            ) from None
        return written


FORWARD_HEAD = ("id", "node", "op", "inputs", "value", "local ∂z/∂input")
BACKWARD_HEAD = ("id", "node", "∂C/∂z", "= Σ ∂z'/∂z × ∂C/∂z'")


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]], max_rows: int | None) -> list[str]:
    shown = rows if max_rows is None or len(rows) <= max_rows else rows[:max_rows]
    widths = [max([len(h)] + [len(r[i]) for r in shown]) for i, h in enumerate(head)]
    # The last column is free text: no padding.
    widths[-1] = 0

    def fmt(r: tuple[str, ...]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()

    out = [fmt(head)] + [fmt(r) for r in shown]
    if len(shown) < len(rows):
        out.append(f"  … {len(rows) - len(shown)} more rows (format(max_rows=None) shows all)")
    return out


def trace(
    root: Node,
    *,
    params: Any = None,
    output_label: str | None = None,
    backward: bool = False,
    precision: int = 4,
) -> Trace:
    """The backprop trace of root's graph. backward=True runs root.backward() first;
    otherwise the backward steps are those of the last backward() (none if it never ran)."""
    make_options(precision=precision, output_label=output_label)  # same checks as draw()
    if backward:
        root.backward()
    m = build_model(root, params, output_label)
    order = m.order
    steps: list[TraceStep] = []
    local_cache: dict[int, tuple[Any, ...]] = {}

    def local(c: int) -> tuple[Any, ...]:
        if c not in local_cache:
            local_cache[c] = order[c].local_grads
        return local_cache[c]

    for i, node in enumerate(order):
        inputs = tuple(m.display(j) for j in m.parent_idx[i])
        terms = tuple(
            TraceTerm(inputs[pos], local_text(m, i, pos, lg.name), lg.value)
            for pos, lg in enumerate(local(i))
        )
        steps.append(
            TraceStep("forward", i, m.display(i), node.op, inputs, node.data, None, terms, node)
        )
    if m.grads:
        for i in reversed(range(len(order))):
            node = order[i]
            if not node.requires_grad:
                continue
            terms_b = []
            for c, pos in m.children[i]:
                lc = local(c)
                if pos >= len(lc):
                    continue
                name, val = lc[pos]
                up = order[c].grad
                scalar = isinstance(val, (int, float)) and isinstance(up, (int, float))
                prod = float(val) * float(up) if scalar else None
                terms_b.append(TraceTerm(m.display(c), local_text(m, c, pos, name), val, up, prod))
            steps.append(
                TraceStep(
                    "backward",
                    i,
                    m.display(i),
                    node.op,
                    (),
                    node.data,
                    node.grad,
                    tuple(terms_b),
                    node,
                )
            )
    return Trace(m, steps, precision, params)

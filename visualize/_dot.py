"""DOT text for a Value/Tensor graph: forward view, gradients, gradient flow, collapse, limits.

Only formatting happens here: the order comes from the engine's topo_sort (via _model), node
ids are topological positions (n0, n1, …; op nodes n<i>_op; collapsed groups g0, g1, …), and
numbers use a fixed precision, so the text for a given graph is byte-identical between runs.
"""

from __future__ import annotations

import html
import warnings
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from ._frames import Schedule, local_text
from ._model import KIND_HELP, KINDS, GraphModel, array_summary, build_model, num, shape_str

DEFAULT_MAX_NODES = 400
DIRECTIONS = ("forward", "backward")
RANKDIRS = ("LR", "RL", "TB", "BT")

KIND_COLORS: dict[str, str] = {
    "input": "#dbeafe",
    "parameter": "#dcfce7",
    "constant": "#f3f4f6",
    "intermediate": "#ffffff",
    "output": "#fde68a",
}
GROUP_COLOR = "#ede9fe"
OP_COLOR = "#f3f4f6"
GRAD_COLOR = "#b91c1c"
MUTED = "#6b7280"
HIGHLIGHT = "#dc2626"
FONT = "DejaVu Sans,Helvetica,Arial"
PAPER = "#ffffff"  # the background: frames write not-yet-known text in it
TRUNC_ID = "hidden"

CollapseFn = Callable[[str], "str | None"]


class GraphSizeWarning(UserWarning):
    """The graph exceeded max_nodes, so the picture collapsed or left out part of it."""


@dataclass(frozen=True)
class RenderInfo:
    """What a picture contains and what it left out (also stated in the DOT and its legend).

    nodes: engine nodes in the graph; drawn: boxes in the picture (values, ops, groups);
    groups: (group name, member count) for each collapsed box; hidden: nodes not drawn
    because of max_nodes; notes: the sentences written into the DOT and the legend.
    """

    nodes: int
    drawn: int
    groups: tuple[tuple[str, int], ...] = ()
    hidden: int = 0
    notes: tuple[str, ...] = ()
    path: Path | None = None
    format: str | None = None

    @property
    def collapsed(self) -> bool:
        """True if any node was folded into a group box or left out."""
        return bool(self.groups) or self.hidden > 0

    def summary(self) -> str:
        """One paragraph: sizes and every note."""
        head = f"{self.nodes} graph nodes drawn as {self.drawn} boxes"
        return "; ".join([head, *self.notes])


@dataclass(frozen=True)
class Options:
    """Validated drawing options (see drawing.draw for their meaning)."""

    params: Any = None
    output_label: str | None = None
    grads: bool | None = None
    direction: str = "forward"
    edge_labels: bool | None = None
    collapse: Any = None
    max_nodes: int | None = DEFAULT_MAX_NODES
    legend: bool = True
    rankdir: str = "LR"
    precision: int = 4


def make_options(**kw: Any) -> Options:
    """Options from keyword arguments, each checked with a message naming the bad one."""
    allowed = set(Options.__dataclass_fields__)
    unknown = sorted(set(kw) - allowed)
    if unknown:
        raise TypeError(
            f"unknown drawing option(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    o = Options(**kw)
    if o.direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'forward' or 'backward', got {o.direction!r}")
    if o.rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {o.rankdir!r}")
    if o.max_nodes is not None and (
        isinstance(o.max_nodes, bool) or not isinstance(o.max_nodes, int) or o.max_nodes < 3
    ):
        raise ValueError(f"max_nodes must be an int >= 3 or None (no limit), got {o.max_nodes!r}")
    if (
        isinstance(o.precision, bool)
        or not isinstance(o.precision, int)
        or not 1 <= o.precision <= 17
    ):
        raise ValueError(f"precision must be an int from 1 to 17, got {o.precision!r}")
    if o.output_label is not None and not isinstance(o.output_label, str):
        raise TypeError(f"output_label must be a str, got {type(o.output_label).__name__}")
    collapse_fn(o.collapse)  # validates
    return o


def collapse_fn(spec: Any) -> CollapseFn | None:
    """The grouping a collapse option stands for: name -> group name, or None (not grouped).

    "module"/"neuron"/True: the module owning the parameter: drop the last dotted part
    ("layers.0.weight" -> "layers.0", "L1.n0.w0" -> "L1.n0"), and a list index with its list
    ("layers.0.neurons.1.w.0" -> "layers.0.neurons.1"); an int k: keep the first k parts
    ("L1.n0.w0", 1 -> "L1"); names are parameter names (params=) or else labels;
    a callable name -> str | None; None/False: no collapse.
    """
    if spec is None or spec is False:
        return None
    if spec is True or spec in ("module", "neuron"):
        return _drop_last
    if isinstance(spec, int) and not isinstance(spec, bool):
        if spec < 1:
            raise ValueError(
                f"collapse=<int> keeps that many dotted name parts; must be >= 1, got {spec}"
            )
        return lambda name, k=spec: _keep_first(name, k)
    if callable(spec):
        return _checked(spec)
    raise ValueError(
        f"collapse must be None, 'module', 'neuron', an int (name parts to keep) or a callable "
        f"name -> group name, got {spec!r}"
    )


def _drop_last(name: str) -> str | None:
    head, _, last = name.rpartition(".")
    if last.isdigit():  # an element of a parameter list ("neurons.0.w.1"): its owner's module
        head = head.rpartition(".")[0]
    return head or None


def _keep_first(name: str, k: int) -> str | None:
    parts = name.split(".")
    return ".".join(parts[:k]) if len(parts) > k else None


def _top(name: str) -> str | None:
    return _keep_first(name, 1)


def _checked(fn: Callable[[str], Any]) -> CollapseFn:
    def wrapped(name: str) -> str | None:
        g = fn(name)
        if g is not None and not isinstance(g, str):
            raise TypeError(f"collapse callable must return a str or None, got {g!r} for {name!r}")
        return g or None

    return wrapped


# -- layout: which engine node goes into which drawn box ------------------------------------------


def assign_groups(m: GraphModel, fn: CollapseFn) -> list[str | None]:
    """Group name per node (None = drawn on its own).

    Named nodes take the group of their name. An unnamed op joins the group whose parameters
    it consumes (directly or through ops on those parameters only, e.g. W.T). An op whose
    inputs all come from one group joins it if it combines two of them or its result flows
    back into the group (the partial sums of a neuron), or if it is a one-input op right
    after the group (its activation: tanh, relu, …). So in h = relu(x @ W1.T + b1) every op
    joins W1's module, the next layer's ops join the next module, and a loss such as
    (y - 1)**2 stays visible. Constants join the group of their consumers; the output and the
    inputs stay on their own.
    """
    n = len(m.order)
    firm: list[str | None] = [None] * n  # named, or consumes the group's parameters
    maybe: list[str | None] = [None] * n  # all inputs from one group: confirmed below
    own = [False] * n  # computed from one group's parameters alone
    for i, node in enumerate(m.order):
        if i == m.root_index:
            continue
        key = m.keys[i]
        g = fn(key) if key else None
        if g:
            firm[i], own[i] = g, node.is_leaf
            continue
        if node.is_leaf:
            continue
        owned: set[str] = set()
        other: set[str] = set()
        loose = False
        inputs = set()
        for j in m.parent_idx[i]:
            if m.kinds[j] == "constant":
                continue
            inputs.add(j)
            gj = firm[j] or maybe[j]
            if gj is None:
                loose = True
            elif own[j]:
                owned.add(gj)
            else:
                other.add(gj)
        if len(owned) == 1:
            firm[i] = next(iter(owned))
            own[i] = not other and not loose
        elif not owned and len(other) == 1 and not loose:
            maybe[i] = next(iter(other))
            if len(inputs) >= 2:  # combines two of the group's values: a partial sum inside it
                firm[i] = maybe[i]
    group = list(firm)
    for i in reversed(range(n)):  # children first: does the value flow back into its group?
        g = maybe[i]
        if g and group[i] is None and any(group[c] == g for c, _ in m.children[i]):
            group[i] = g
    core = list(group)  # one activation per group, not a chain of one-input ops after it
    for i in range(n):
        g = maybe[i]
        if g and group[i] is None and len(m.parent_idx[i]) == 1 and core[m.parent_idx[i][0]] == g:
            group[i] = g
    for i in range(n):
        if m.kinds[i] == "constant" and m.children[i]:
            gs = {group[c] for c, _ in m.children[i]}
            if len(gs) == 1:
                group[i] = gs.pop()
    counts = Counter(g for g in group if g)
    return [g if g and counts[g] > 1 else None for g in group]  # a group of one is that node


@dataclass
class Layout:
    """Drawn boxes ("units"): each engine node's unit id ("n<i>" alone, "g<k>" for a group),
    the group members, the visible units and how many boxes they make."""

    unit: list[str]
    groups: dict[str, str]  # unit id -> group name, in order of first member
    members: dict[str, list[int]]  # group unit id -> member indices
    visible: set[str]
    hidden_nodes: int
    boxes: int  # boxes drawn for the visible units (plus one if some are hidden)

    def nodes_of(self, u: str) -> list[int]:
        return self.members[u] if u in self.groups else [int(u[1:])]


def _cost(u: str, lay: Layout, m: GraphModel) -> int:
    if u in lay.groups:
        return 1
    return 1 if m.order[int(u[1:])].is_leaf else 2  # a computed value also has its op node


def make_layout(m: GraphModel, group: list[str | None]) -> Layout:
    unit: list[str] = []
    groups: dict[str, str] = {}
    gid: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    boxes = 0
    for i, g in enumerate(group):
        if g is None:
            u = f"n{i}"
            boxes += 1 if m.order[i].is_leaf else 2
        else:
            u = gid.get(g) or gid.setdefault(g, f"g{len(gid)}")
            if u not in groups:
                groups[u] = g
                members[u] = []
                boxes += 1
            members[u].append(i)
        unit.append(u)
    return Layout(unit, groups, members, set(unit), 0, boxes)


def truncate(m: GraphModel, lay: Layout, max_nodes: int) -> None:
    """Keep the boxes nearest the output (breadth-first over inputs) within max_nodes."""
    budget = max_nodes - 1  # one box says what was left out
    root_u = lay.unit[m.root_index]
    queue = deque([root_u])
    seen = {root_u}
    visible: set[str] = set()
    used = shown = 0
    while queue:
        u = queue.popleft()
        c = _cost(u, lay, m)
        if used + c > budget:
            break
        used += c
        visible.add(u)
        nodes = lay.nodes_of(u)
        shown += len(nodes)
        for i in nodes:
            for j in m.parent_idx[i]:
                v = lay.unit[j]
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
    lay.visible = visible
    lay.hidden_nodes = len(m.order) - shown
    lay.boxes = used + 1


def plan(m: GraphModel, o: Options) -> tuple[Layout, list[str], bool]:
    """Grouping and truncation for the options; returns (layout, notes, warn?)."""
    notes: list[str] = []
    fn = collapse_fn(o.collapse)
    lay = make_layout(m, assign_groups(m, fn) if fn else [None] * len(m.order))
    forced = False
    limit = o.max_nodes
    dotted = any("." in key for key in m.keys)
    if limit is not None and lay.boxes > limit and fn is None and dotted:
        # Too big and no collapse asked for: try module/neuron boxes, then top-level names.
        how = ""
        for spec, text in (
            ("module", "by name prefix (one box per module or neuron)"),
            (1, "by the first part of each dotted name"),
        ):
            cand = make_layout(m, assign_groups(m, _drop_last if spec == "module" else _top))
            if cand.groups and cand.boxes < lay.boxes:
                lay, forced, how = cand, True, text
                if cand.boxes <= limit:
                    break
        if forced:
            notes.append(f"{len(m.order)} nodes exceed max_nodes={limit}: collapsed {how}")
    if lay.groups:
        sizes = [len(lay.members[u]) for u in lay.groups]
        notes.append(
            f"collapsed {sum(sizes)} nodes into {len(sizes)} group "
            f"box{'es' if len(sizes) != 1 else ''}: "
            + _list_preview([f"{g} ({s})" for g, s in zip(lay.groups.values(), sizes)])
        )
    if limit is not None and lay.boxes > limit:
        truncate(m, lay, limit)
        forced = True
        notes.append(
            f"max_nodes={limit}: {lay.hidden_nodes} nodes farthest from the output are not "
            "drawn (one dashed box stands for them); raise max_nodes or collapse to see more"
        )
    return lay, notes, forced


def _list_preview(items: list[str], k: int = 6) -> str:
    return ", ".join(items[:k]) + (f", … (+{len(items) - k} more)" if len(items) > k else "")


# -- labels -----------------------------------------------------------------------------------


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _data_parts(node: Any, p: int) -> tuple[str, str]:
    """(prefix, body) of a value cell: ('data ', '2') or ('', '4×2 float32<br/>μ 1  σ 0')."""
    d = node.data
    if isinstance(d, np.ndarray):
        return "", f"{shape_str(d.shape)} {d.dtype}<br/>{_esc(array_summary(d, p))}"
    return "data ", num(d, p)


def _data_text(node: Any, p: int) -> str:
    return "".join(_data_parts(node, p))


def _grad_body(node: Any, p: int) -> str:
    g = node.grad
    if g is None:
        return "–"
    if isinstance(g, np.ndarray):
        return _esc(array_summary(g, p, grad=True))
    return num(g, p)


def _grad_text(node: Any, p: int, symbol: str = "∂C/∂z") -> str:
    return f'<font color="{GRAD_COLOR}">{symbol} {_grad_body(node, p)}</font>'


def _reveal(body: str, known: bool, paper: str, ink: str = "#000000") -> str:
    """A number that a frame may not know yet, written as the same text spans either way so
    that every frame has the same layout: the number and a '?' in the colour of the paper
    beneath it, or the '?' and the number in the paper's colour."""
    if known:
        return f'<font color="{ink}">{body}</font><font color="{paper}">?</font>'
    return f'<font color="{ink}">?</font><font color="{paper}">{body}</font>'


Cell = tuple[str, str]  # (SVG id for the player, or "", the cell's HTML)


def _td(cid: str, html_text: str) -> str:
    if not cid:
        return f"<td>{html_text}</td>"
    return f'<td id="{cid}" href="#" title="{cid.rpartition("_")[2]}">{html_text}</td>'


def _table(cells: list[Cell], fill: str, focus: bool | None) -> str:
    """A value box. focus None: a plain box; False/True: a ring around it, drawn only on the
    frame's current node but present on every box so that all frames have the same size."""
    # A cell with an id and a link keeps a <g id="a_<id>"> in the SVG (Graphviz emits ids of
    # table cells only for links); the player's script finds the number there.
    row = "".join(
        _td(cid, c)
        for cid, c in cells
    )
    if focus is None:
        return (
            f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}">'
            f"<tr>{row}</tr></table>>"
        )
    inner = (
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}" '
        f'color="#000000"><tr>{row}</tr></table>'
    )
    ring = HIGHLIGHT if focus else PAPER
    return (
        f'<<table border="3" color="{ring}" cellborder="0" cellspacing="0" cellpadding="0">'
        f"<tr><td>{inner}</td></tr></table>>"
    )


def _name_cell(m: GraphModel, i: int) -> str:
    if m.names[i]:
        return f"<b>{_esc(m.names[i])}</b>"
    return f'<font color="{MUTED}">n{i}</font>'


@dataclass(frozen=True)
class Focus:
    """One frame of a walk-through: frame k of the schedule (what is known, what is current)."""

    schedule: Schedule
    k: int

    @property
    def index(self) -> int:
        return self.schedule.frames[self.k].index

    @property
    def phase(self) -> str:
        return self.schedule.frames[self.k].phase


def grad_symbol(m: GraphModel, i: int) -> str:
    """∂C/∂w in a parameter's box, ∂C/∂z in every other box (the lecture's notation)."""
    return "∂C/∂w" if m.kinds[i] == "parameter" else "∂C/∂z"


def _value_label(
    m: GraphModel, i: int, o: Options, grads: bool, focus: Focus | None, ids: bool = False
) -> str:
    node = m.order[i]
    p = o.precision
    fill = KIND_COLORS[m.kinds[i]]
    cells: list[Cell] = [("", _name_cell(m, i))]
    prefix, body = _data_parts(node, p)
    if focus is not None:
        body = _reveal(body, focus.schedule.shows_data(focus.k, i), fill)
    cells.append((f"n{i}_data" if ids else "", prefix + body))
    if grads and node.requires_grad:
        gbody = _grad_body(node, p)
        if focus is not None:
            gbody = _reveal(gbody, focus.schedule.shows_grad(focus.k, i), fill, GRAD_COLOR)
        cell = f'<font color="{GRAD_COLOR}">{grad_symbol(m, i)} {gbody}</font>'
        cells.append((f"n{i}_grad" if ids else "", cell))
    return _table(cells, fill, None if focus is None else focus.index == i)


def _group_label(m: GraphModel, lay: Layout, u: str, o: Options, grads: bool, compact: bool) -> str:
    name = lay.groups[u]
    idx = lay.members[u]
    p = o.precision
    ops = list(dict.fromkeys(m.order[i].op for i in idx if m.order[i].op))
    params = [i for i in idx if m.kinds[i] == "parameter"]
    rows = [f'<b>{_esc(name)}</b> <font color="{MUTED}">(collapsed: {len(idx)} nodes)</font>']
    if ops:
        rows.append("ops: " + _esc(_list_preview(ops, 5)))
    shown = 0 if compact else 4  # with many boxes, one line per group keeps the picture readable
    for i in params[:shown]:
        node = m.order[i]
        prefix = name + "."
        short = m.keys[i][len(prefix) :] if m.names[i] == m.keys[i] else m.display(i)
        short = short if m.keys[i].startswith(prefix) else m.display(i)
        if isinstance(node.data, np.ndarray):
            text = f"{_esc(short)}: {shape_str(node.data.shape)}"
        else:
            text = f"{_esc(short)}: {_data_text(node, p)}"
        if grads and node.requires_grad:
            text += "  " + _grad_text(node, p, "∂C/∂w")
        rows.append(text)
    if len(params) > shown:
        more = "more " if shown else ""
        rows.append(f"… {len(params) - shown} {more}parameters")
    out = _group_output(m, lay, u)
    if out is not None and not m.order[out].is_leaf:
        node = m.order[out]
        text = f"out {_esc(m.display(out))}: {_data_text(node, p)}"
        if grads and node.requires_grad:
            text += '<br align="left"/>' + _grad_text(node, p)
        rows.append(text + '<br align="left"/>')
    body = "".join(f'<tr><td align="left">{r}</td></tr>' for r in rows)
    return (
        f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" '
        f'bgcolor="{GROUP_COLOR}">{body}</table>>'
    )


def _group_output(m: GraphModel, lay: Layout, u: str) -> int | None:
    """The last member whose value leaves the group (what the next layer sees)."""
    out = None
    for i in lay.members[u]:
        if any(lay.unit[c] != u for c, _ in m.children[i]):
            out = i
    return out


def _edge_label(
    m: GraphModel,
    c: int,
    pos: int,
    local: tuple[Any, ...],
    o: Options,
    hidden: bool | None = None,
) -> str | None:
    """The edge's local derivative ∂z/∂w in the graph's names (forward), or the product
    ∂z/∂w × ∂C/∂z flowing into w (backward). hidden (frames only; None elsewhere): True
    writes it in the paper's colour, so that a frame that does not know it yet has the same
    layout as one that does."""
    if pos >= len(local):
        return None
    name, val = local[pos]
    name = local_text(m, c, pos, name)
    p = o.precision
    parent = m.order[m.parent_idx[c][pos]]
    child = m.order[c]
    muted, red = (PAPER, PAPER) if hidden else (MUTED, GRAD_COLOR)
    ink = "" if hidden is None else f' color="{PAPER if hidden else "#000000"}"'
    small = f'<font point-size="8" color="{muted}">{_esc(name)}</font>'
    if o.direction == "backward":
        if not parent.requires_grad:
            return None
        if isinstance(val, (int, float)) and not isinstance(child.grad, np.ndarray):
            prod = num(float(val) * float(child.grad), p)
            text = f"{num(val, p)} × {num(child.grad, p)} = {prod}"
            return f'<<font color="{red}">{text}</font><br/>{small}>'
        g = getattr(parent, "grad", None)
        shape = shape_str(np.shape(g)) if g is not None else "–"
        return (
            f'<<font color="{red}">∂C/∂z · local</font><br/>{small}<br/>'
            f"<font{ink}>{_esc(shape)}</font>>"
        )
    if isinstance(val, np.ndarray):
        shape = f'<font point-size="8" color="{muted}">{shape_str(val.shape)}</font>'
        return f'<<font point-size="9"{ink}>{_esc(name)}</font><br/>{shape}>'
    if val is None:
        return f'<<font point-size="9"{ink}>{_esc(name)}</font>>'
    return f'<<font point-size="10"{ink}>{num(val, p)}</font><br/>{small}>'


# -- the DOT text -----------------------------------------------------------------------------


def build_dot(
    root: Any,
    o: Options,
    focus: Focus | None = None,
    stacklevel: int = 2,
    ids: bool = False,
    model: GraphModel | None = None,
) -> tuple[str, RenderInfo]:
    """DOT source and RenderInfo for the graph of root; warns (GraphSizeWarning) when
    max_nodes forced a collapse or left nodes out (stacklevel: the frame the warning names).

    focus: draw frame `focus.k` of a walk-through (one layout for every frame: the same text
    everywhere, what is not known yet written in the paper's colour; the caption on top).
    ids: give the SVG elements the ids the HTML player's script uses (n3, n3_op, n3_data,
    n3_grad, e3_0 for the edge into input 0 of node 3, r3 for op -> result)."""
    m = model if model is not None else build_model(root, o.params, o.output_label)
    grads = m.grads if o.grads is None else bool(o.grads)
    if o.direction == "backward" and not m.grads:
        raise ValueError(
            "direction='backward' draws the gradient flow, but backward() has not run on this "
            "graph; call output.backward() first (or draw direction='forward')"
        )
    labels = grads if o.edge_labels is None else bool(o.edge_labels)
    lay, notes, forced = plan(m, o)
    info = RenderInfo(
        nodes=len(m.order),
        drawn=lay.boxes,
        groups=tuple((g, len(lay.members[u])) for u, g in lay.groups.items() if u in lay.visible),
        hidden=lay.hidden_nodes,
        notes=tuple(notes),
    )
    if forced:
        warnings.warn(GraphSizeWarning(info.summary()), stacklevel=stacklevel)

    g = graphviz.Digraph("tinygrad_edu")
    g.body.append(f"// tinygrad_edu.visualize: {info.nodes} nodes drawn as {info.drawn} boxes\n")
    for note in notes:
        g.body.append("// " + note.replace("\n", " ") + "\n")
    g.attr(rankdir=o.rankdir, fontsize="11", nodesep="0.25", ranksep="0.35")
    g.attr("node", fontsize="11", fontname=FONT)
    g.attr("edge", fontsize="10", fontname=FONT, arrowsize="0.7")
    back = o.direction == "backward"
    estyle = {"dir": "back", "color": GRAD_COLOR} if back else {}
    if focus is not None:
        g.attr(label=_caption(focus), labelloc="t", labeljust="l", fontname=FONT)

    # Nodes, in topological order of their first member.
    compact = len(lay.groups) > 12
    emitted: set[str] = set()
    for i, node in enumerate(m.order):
        u = lay.unit[i]
        if u not in lay.visible or u in emitted:
            continue
        emitted.add(u)
        if u in lay.groups:
            g.node(u, label=_group_label(m, lay, u, o, grads, compact), shape="plain")
            continue
        extra = {"id": u} if ids else {}
        g.node(u, label=_value_label(m, i, o, grads, focus, ids), shape="plain", **extra)
        if not node.is_leaf:
            op_focus = focus is not None and focus.phase == "forward" and focus.index == i
            extra = {"color": HIGHLIGHT, "penwidth": "3"} if op_focus else {}
            if ids:
                extra["id"] = f"{u}_op"
            op = node.op or "?"
            g.node(
                f"{u}_op",
                label=graphviz.nohtml(op),  # a plain string even if it looks like <html>
                shape="circle" if len(op) <= 3 else "ellipse",
                style="filled",
                fillcolor=OP_COLOR,
                margin="0.02",
                **extra,
            )
    if lay.hidden_nodes:
        g.node(
            TRUNC_ID,
            label=f"⋯ {lay.hidden_nodes} nodes not drawn\n(max_nodes={o.max_nodes})",
            shape="note",
            style="dashed",
            color=MUTED,
            fontcolor=MUTED,
        )

    # Edges: input -> op (labelled with ∂z/∂input), op -> result; group boxes deduplicated.
    done: set[tuple[str, str]] = set()
    for c, node in enumerate(m.order):
        uc = lay.unit[c]
        if uc not in lay.visible or node.is_leaf:
            continue
        pids = m.parent_idx[c]
        if uc in lay.groups:
            for j in pids:
                src = lay.unit[j] if lay.unit[j] in lay.visible else TRUNC_ID
                if src != uc and (src, uc) not in done:
                    done.add((src, uc))
                    g.edge(src, uc, **estyle)
            continue
        opid = f"{uc}_op"
        rattrs = dict(estyle)
        if ids:
            rattrs["id"] = f"r{c}"
        if focus is not None and focus.phase == "forward" and c == focus.index:
            rattrs.update(color=HIGHLIGHT, penwidth="2.5")
        g.edge(opid, uc, **rattrs)
        local = node.local_grads if labels else ()
        srcs = [lay.unit[j] if lay.unit[j] in lay.visible else TRUNC_ID for j in pids]
        merged = Counter(u for u in srcs if u == TRUNC_ID or u in lay.groups)
        for pos, (j, src) in enumerate(zip(pids, srcs)):
            attrs = dict(estyle)
            if back and not m.order[j].requires_grad:  # no gradient flows into this input
                attrs = {"dir": "none", "style": "dashed", "color": MUTED}
            if src in merged:
                if (src, opid) in done:
                    continue
                done.add((src, opid))
            show = (
                labels
                and merged.get(src, 1) == 1  # one edge standing for several has no one label
                and src != TRUNC_ID
            )
            if show:
                hidden = (
                    None if focus is None else not focus.schedule.shows_label(focus.k, c, pos)
                )
                lab = _edge_label(m, c, pos, local, o, hidden)
                if lab is not None:
                    attrs["label"] = lab
            if ids:
                attrs["id"] = f"e{c}_{pos}"
            if focus is not None and (c, pos) in focus.schedule.hot_edges[focus.k]:
                attrs.update(color=HIGHLIGHT, penwidth="2.5")
            g.edge(src, opid, **attrs)

    if o.legend:
        g.node("legend", label=_legend(m, lay, o, grads, labels, notes), shape="plain")
    return g.source, info


def _caption(focus: Focus) -> str:
    """The frame's caption in a box of one size for every frame (so the canvas never jumps):
    wide and tall enough for the longest caption of the walk-through."""
    frames = focus.schedule.frames
    width = max(len(line) for f in frames for line in (f.title, *f.lines)) * 6.8 + 16
    height = (1 + max(len(f.lines) for f in frames)) * 16 + 10
    f = frames[focus.k]
    body = f"<b>{_esc(f.title)}</b>" + "".join(
        f'<br align="left"/>{_esc(line)}' for line in f.lines
    )
    return (
        f'<<table border="0" cellborder="0"><tr><td fixedsize="true" width="{width:.0f}" '
        f'height="{height}" align="left" balign="left"><font point-size="12">{body}'
        '</font><br align="left"/></td></tr></table>>'
    )


def _legend(
    m: GraphModel, lay: Layout, o: Options, grads: bool, labels: bool, notes: list[str]
) -> str:
    present = {
        m.kinds[i] for i, u in enumerate(lay.unit) if u in lay.visible and u not in lay.groups
    }
    rows: list[tuple[str, str]] = []  # (key cell attributes + text, explanation)
    for k in KINDS:
        if k in present:
            rows.append((f' bgcolor="{KIND_COLORS[k]}">', KIND_HELP[k]))
    rows.append((f' bgcolor="{OP_COLOR}">op', "an op: arrows run input → op → result"))
    red = f'<font color="{GRAD_COLOR}">'
    if grads:
        out = m.display(m.root_index)
        if "parameter" in present or lay.groups:
            rows.append(
                (f">{red}∂C/∂w</font>", "gradient in a parameter w (gradient descent uses it)")
            )
        called = "C" if out == "C" else f"C = {out}"
        rows.append((f">{red}∂C/∂z</font>", f"in every other node z; {called} is the output"))
    if labels and o.direction == "forward":
        rows.append((">edge", "local ∂z/∂w from the forward pass; ∂C/∂w = Σ ∂z/∂w · ∂C/∂z"))
    if o.direction == "backward":
        rows.append((f">{red}edge</font>", "gradient flow: ∂z/∂w × ∂C/∂z, summed into ∂C/∂w"))
        rows.append((">- - -", "input without requires_grad: no gradient flows back"))
    if lay.groups:
        rows.append((f' bgcolor="{GROUP_COLOR}">', "collapsed group: one box for many nodes"))
    for note in notes:
        rows.append((">note", note))
    body = "".join(
        f'<tr><td{key}</td><td align="left">{_esc(text)}</td></tr>' for key, text in rows
    )
    return (
        '<<font point-size="9"><table border="0" cellborder="1" cellspacing="0" '
        'cellpadding="2" bgcolor="white">' + body + "</table></font>>"
    )

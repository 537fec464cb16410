"""draw, to_dot, render: a graph as DOT text, an image file, or inline in Jupyter."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..graph import Node
from ._dot import DEFAULT_MAX_NODES, RenderInfo, build_dot, make_options
from ._io import GraphvizNotFoundError, format_from_path, pipe, write_image


class Drawing:
    """A drawn graph: `source` (DOT text), `info` (RenderInfo); Jupyter displays it inline."""

    def __init__(self, source: str, info: RenderInfo) -> None:
        self.source = source
        self.info = info

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Drawing: {self.info.summary()}>"

    def pipe(self, format: str = "svg") -> bytes:
        """The image as bytes (needs Graphviz's `dot` unless format='dot')."""
        return pipe(self.source, format_from_path("", format))

    def render(self, path: str | os.PathLike[str], format: str | None = None) -> RenderInfo:
        """Write the image to path atomically; the format defaults to the file extension."""
        fmt = format_from_path(path, format)
        written = write_image(self.source, path, fmt)
        return replace(self.info, path=written, format=fmt)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        # Jupyter's rich display hook: inline SVG, or the reason and the DOT text without `dot`.
        try:
            return {"image/svg+xml": self.pipe("svg").decode("utf-8")}
        except GraphvizNotFoundError as e:
            return {"text/plain": f"{e}\n\n{self.source}"}


def draw(
    root: Node,
    *,
    params: Any = None,
    output_label: str | None = None,
    grads: bool | None = None,
    direction: str = "forward",
    edge_labels: bool | None = None,
    collapse: Any = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    legend: bool = True,
    rankdir: str = "LR",
    precision: int = 4,
) -> Drawing:
    """Draw the graph that computed `root` (a Value or Tensor).

    params: dict name -> node, or a Module (anything with named_parameters()), naming
        parameters; otherwise nodes show their `label`.
    output_label: the output's name (default: its label, else "out").
    grads: show ∂C/∂z in every node (default: when backward() has run on root).
    direction: "forward" (edges input -> op) or "backward" (the gradient flow, each edge
        labelled ∂z/∂w × ∂C/∂z).
    edge_labels: label edges with the local derivative ∂z/∂w (default: when grads shown).
    collapse: "module"/"neuron" (one box per dotted-name prefix), an int (name parts kept),
        or a callable name -> group; None draws every node.
    max_nodes: above this many boxes, collapse by name automatically, then leave out the
        nodes farthest from the output (RenderInfo, the legend and a GraphSizeWarning say so).
    precision: significant digits of numbers (default 4, as :.4g).
    """
    options = make_options(
        params=params,
        output_label=output_label,
        grads=grads,
        direction=direction,
        edge_labels=edge_labels,
        collapse=collapse,
        max_nodes=max_nodes,
        legend=legend,
        rankdir=rankdir,
        precision=precision,
    )
    source, info = build_dot(root, options, stacklevel=3)  # a size warning names the caller
    return Drawing(source, info)


def to_dot(root: Node, **options: Any) -> str:
    """The DOT text of root's graph (no Graphviz binary needed); options as for draw()."""
    return build_dot(root, make_options(**options), stacklevel=3)[0]


def render(
    root: Node, path: str | os.PathLike[str], format: str | None = None, **options: Any
) -> RenderInfo:
    """Write root's graph as svg/png/pdf/dot to path (atomically); options as for draw().

    Without Graphviz's `dot`, raises GraphvizNotFoundError naming how to install it and
    where the DOT text was saved instead.
    """
    fmt = format_from_path(path, format)  # check before any work
    source, info = build_dot(root, make_options(**options), stacklevel=3)
    return Drawing(source, info).render(Path(path), fmt)

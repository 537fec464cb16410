"""draw, to_dot, render: a graph as DOT text, an image file, or inline in Jupyter."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..graph import Node
from ._dot import DEFAULT_MAX_NODES, Options, RenderInfo, build_dot, make_options
from ._io import (
    GraphvizNotFoundError,
    atomic_write,
    dot_saved_instead,
    format_from_path,
    pipe,
    write_image,
)
from .player import player_html


class Drawing:
    """A drawn graph: `source` (DOT text), `info` (RenderInfo); Jupyter displays it inline
    (as the HTML player when it knows the graph, else as SVG)."""

    def __init__(
        self,
        source: str,
        info: RenderInfo,
        root: Node | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.info = info
        self._root = root
        self._options = dict(options or {})

    def html(self, page: bool = True) -> str:
        """The HTML player of this graph (a whole page, or one <div> with page=False)."""
        if self._root is None:
            raise ValueError("this Drawing was made from DOT text alone; use draw(root) for HTML")
        return player_html(self._root, page=page, **self._options)

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Drawing: {self.info.summary()}>"

    def pipe(self, format: str = "svg") -> bytes:
        """The image as bytes (needs Graphviz's `dot` unless format='dot')."""
        fmt = format_from_path("", format)
        if fmt == "html":
            return self.html().encode("utf-8")
        return pipe(self.source, fmt)

    def render(self, path: str | os.PathLike[str], format: str | None = None) -> RenderInfo:
        """Write the image (or the HTML player, .html) to path atomically; the format
        defaults to the file extension."""
        fmt = format_from_path(path, format)
        if fmt == "html":
            try:
                page = self.html()
            except GraphvizNotFoundError as e:
                raise dot_saved_instead(e, self.source, Path(path), fmt) from None
            written = atomic_write(Path(path), page.encode("utf-8"))
        else:
            written = write_image(self.source, path, fmt)
        return replace(self.info, path=written, format=fmt)

    def _repr_svg_(self) -> str | None:
        try:
            return self.pipe("svg").decode("utf-8")
        except GraphvizNotFoundError:
            return None

    def _repr_html_(self) -> str | None:
        # The player inline; None lets Jupyter fall back to the SVG (or the text).
        if self._root is None:
            return None
        try:
            return self.html(page=False)
        except (GraphvizNotFoundError, ValueError):
            return None

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        # Jupyter's rich display hook: the player and the SVG, or the reason and the DOT text
        # without `dot`.
        try:
            bundle = {"image/svg+xml": self.pipe("svg").decode("utf-8")}
        except GraphvizNotFoundError as e:
            return {"text/plain": f"{e}\n\n{self.source}"}
        page = self._repr_html_()
        if page is not None:
            bundle["text/html"] = page
        return bundle


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
    return Drawing(source, info, root, _given(options))


def to_dot(root: Node, **options: Any) -> str:
    """The DOT text of root's graph (no Graphviz binary needed); options as for draw()."""
    return build_dot(root, make_options(**options), stacklevel=3)[0]


def render(
    root: Node, path: str | os.PathLike[str], format: str | None = None, **options: Any
) -> RenderInfo:
    """Write root's graph as svg/png/pdf/dot to path (atomically); options as for draw().

    path ending in .html (or format="html"): the HTML player, one self-contained page that
    steps through the forward and the backward pass (see visualize.player).

    Without Graphviz's `dot`, raises GraphvizNotFoundError naming how to install it and
    where the DOT text was saved instead.
    """
    fmt = format_from_path(path, format)  # check before any work
    if fmt == "html":
        source, info = build_dot(root, make_options(**options), stacklevel=3)
        try:
            page = player_html(root, **options)
        except GraphvizNotFoundError as e:
            raise dot_saved_instead(e, source, Path(path), fmt) from None
        return replace(info, path=atomic_write(Path(path), page.encode("utf-8")), format=fmt)
    source, info = build_dot(root, make_options(**options), stacklevel=3)
    return Drawing(source, info).render(Path(path), fmt)


def _given(o: Options) -> dict[str, Any]:
    """The options as keywords (what the player is drawn with)."""
    return {k: getattr(o, k) for k in Options.__dataclass_fields__}

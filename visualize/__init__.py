"""tinygrad_edu.visualize: Graphviz pictures of computation graphs.

draw / to_dot / render turn the graph behind any Value or Tensor into DOT text or an image
that shows the forward pass (values, ops) and, after backward(), the backward pass (∂C/∂z per
node, ∂z/∂w per edge). trace() lists both passes step by step. parse_expression() builds a
Value graph from a whitelisted arithmetic expression (the `tinygrad-edu graph` command).
`format_from_path` checks an output name before any work is done (FORMATS lists the formats).
`visualize.plots` draws line, boundary and confusion figures with matplotlib (optional extra).
"""

from ._dot import GraphSizeWarning, RenderInfo
from ._io import FORMATS, GraphvizNotFoundError, atomic_write, dot_available, format_from_path
from .drawing import Drawing, draw, render, to_dot
from .expr import ExpressionError, parse_expression
from .tracing import Trace, TraceStep, TraceTerm, trace

__all__ = [
    "FORMATS",
    "Drawing",
    "ExpressionError",
    "GraphSizeWarning",
    "GraphvizNotFoundError",
    "RenderInfo",
    "Trace",
    "TraceStep",
    "TraceTerm",
    "atomic_write",
    "dot_available",
    "draw",
    "format_from_path",
    "parse_expression",
    "render",
    "to_dot",
    "trace",
]

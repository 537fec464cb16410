"""tinygrad_edu: a tiny reverse-mode autodiff engine that shows backpropagation.

Value (a Python float) and Tensor (a numpy array) are nodes of one graph machinery: each records
its op, its parents and its local derivatives ∂z/∂parent in the forward pass; backward() walks
the graph in reverse topological order and leaves ∂C/∂z in every node's .grad.
"""

from .errors import (
    AnomalyError,
    BackwardError,
    BadIndexError,
    GradcheckError,
    InputError,
    InputTypeError,
    ShapeError,
)
from .gradcheck import GradcheckResult, gradcheck
from .graph import (
    LocalGrad,
    Node,
    backward,
    collector_paused,
    detect_anomaly,
    enable_grad,
    no_grad,
    topo_sort,
)
from .tensor import Function, Tensor, concatenate, maximum, stack, unbroadcast, where
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "BackwardError",
    "BadIndexError",
    "Function",
    "GradcheckError",
    "GradcheckResult",
    "InputError",
    "InputTypeError",
    "LocalGrad",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "backward",
    "collector_paused",
    "concatenate",
    "detect_anomaly",
    "enable_grad",
    "gradcheck",
    "maximum",
    "no_grad",
    "stack",
    "topo_sort",
    "unbroadcast",
    "where",
    "__version__",
]

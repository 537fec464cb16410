"""tinygrad_edu: a tiny reverse-mode autodiff engine that shows backpropagation.

Value (a Python float) and Tensor (a numpy array) are nodes of one graph machinery: each records
its op, its parents and its local derivatives ∂z/∂parent in the forward pass; backward() walks
the graph in reverse topological order and leaves ∂C/∂z in every node's .grad.
"""

import numpy as np

from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
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
from .random import default_generator, initial_seed, manual_seed
from .tensor import (
    Function,
    MinMax,
    Tensor,
    cat,
    concatenate,
    einsum,
    maximum,
    minimum,
    stack,
    tensordot,
    unbroadcast,
    where,
)
from .value import Value

# dtypes under torch's names (numpy's objects): dtype=float, int and bool work too
float32 = np.float32
float64 = double = np.float64
int32 = np.int32
int64 = long = np.int64

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
    "MinMax",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "__version__",
    "arange",
    "backward",
    "collector_paused",
    "cat",
    "concatenate",
    "default_generator",
    "detect_anomaly",
    "double",
    "einsum",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float32",
    "float64",
    "full",
    "full_like",
    "gradcheck",
    "initial_seed",
    "int32",
    "int64",
    "linspace",
    "long",
    "manual_seed",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "stack",
    "tensor",
    "tensordot",
    "topo_sort",
    "unbroadcast",
    "where",
    "zeros",
    "zeros_like",
    "__version__",
]

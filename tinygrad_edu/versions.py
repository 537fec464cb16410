"""Version counters: an in-place change to an array saved for backward is reported, never used.

The backward pass of `exp`, `*`, `Linear`, … uses arrays saved by the forward pass (PyTorch's
"saved tensors"). Writing into one of them between forward and backward (`x.data[...] = 3`,
`opt.step()`, `w -= lr * g` under no_grad) would make backward() compute the gradient of a
function that was never evaluated. As in PyTorch, every tensor's storage has a counter that
every in-place write the engine can see bumps:

- writes through `Tensor.data` (a :class:`TrackedArray`, a numpy view that counts its
  in-place writes: item assignment, `+=` and the other in-place operators, ufuncs with
  `out=`, `fill`, `np.copyto`, …), and so the optimizers and `nn.load`;
- the Tensor's own in-place operators and item assignment.

Each recorded op keeps (counter, value) for its inputs and its output at forward time;
backward() compares them and, when one changed, raises :class:`~tinygrad_edu.errors.BackwardError`
if the op saved that array (an op that saved nothing from it, such as `+`, is still right).
Tensors made by a view op (reshape, transpose, slicing) and `detach()` share their base's
counter, because they share its memory. Writes the engine cannot see (through a plain numpy
array obtained with `np.asarray(t.data)`, or into the array a Tensor was built from, which
Tensor() copies) are not counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Version:
    """The number of in-place writes to one storage (shared by the tensors that view it)."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


# numpy functions that write into their first argument.
_WRITERS = frozenset({np.copyto, np.place, np.putmask, np.put, np.put_along_axis, np.fill_diagonal})


def _raw(x: Any) -> Any:
    return x.view(np.ndarray) if type(x) is TrackedArray else x


class TrackedArray(np.ndarray):
    """A view of a tensor's data whose in-place writes bump the tensor's version counter.

    Everything else behaves as numpy: results of arithmetic are plain arrays, slices and
    reshapes of it are tracked views of the same storage.
    """

    _version: Version | None

    @staticmethod
    def of(raw: np.ndarray, version: Version) -> TrackedArray:
        """A tracked view of `raw` counting into `version`."""
        view = raw.view(TrackedArray)
        view._version = version
        return view

    def __array_finalize__(self, obj: Any) -> None:
        # A view of a tracked array shares its storage and so its counter; a copy does not.
        self._version = getattr(obj, "_version", None) if self.base is obj else None

    def _bump(self) -> None:
        if self._version is not None:
            self._version.n += 1

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            for o in out:
                if type(o) is TrackedArray:
                    o._bump()
            kwargs["out"] = tuple(_raw(o) for o in out)
        result = getattr(ufunc, method)(*[_raw(x) for x in inputs], **kwargs)
        if out is not None:  # in-place operators return their target: keep it tracked
            return out[0] if len(out) == 1 else out
        return result

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _WRITERS and args and type(args[0]) is TrackedArray:
            args[0]._bump()
        return super().__array_function__(func, types, args, kwargs)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._bump()
        super().__setitem__(index, value)

    def fill(self, value: Any) -> None:
        self._bump()
        super().fill(value)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._bump()
        super().sort(*args, **kwargs)

    def partition(self, *args: Any, **kwargs: Any) -> None:
        self._bump()
        super().partition(*args, **kwargs)

    def put(self, *args: Any, **kwargs: Any) -> None:
        self._bump()
        super().put(*args, **kwargs)


def saved_arrays(ctx: Any) -> list[np.ndarray]:
    """The numpy arrays an op's context holds (its slots, tuples of arrays included)."""
    found: list[np.ndarray] = []
    names = [n for cls in type(ctx).__mro__ for n in getattr(cls, "__slots__", ())]
    values = [getattr(ctx, n, None) for n in names] + list(getattr(ctx, "__dict__", {}).values())
    for v in values:
        for item in v if isinstance(v, (tuple, list)) else (v,):
            if isinstance(item, np.ndarray):
                found.append(item)
    return found


def holds(ctx: Any, array: np.ndarray) -> bool:
    """Whether the op's context saved `array` or a view of its memory."""
    return any(np.may_share_memory(s, array) for s in saved_arrays(ctx) if s.size and array.size)

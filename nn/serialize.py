"""save / load: a model's parameters in a .npz archive, one array per dotted name.

save writes a temporary file in the target's directory, fsyncs it and renames it over the
target (os.replace is atomic), so a crash mid-save never leaves a half-written checkpoint.
load reads with allow_pickle=False (a checkpoint can hold numbers, never code) and checks
every name and shape before it changes any parameter.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..fileio import atomic_open
from ..graph import Node
from ..value import Value
from .module import Module

PathLike = str | os.PathLike


class CheckpointError(ValueError):
    """A checkpoint does not fit the model (missing, unexpected or mis-shaped parameter) or the
    file is not a readable .npz archive."""


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _check_state(
    params: dict[str, Node | np.ndarray], state: Mapping[str, Any], strict: bool, what: str
) -> list[tuple[Node | np.ndarray, np.ndarray]]:
    """Validate a name → array mapping against the model's parameters and buffers; return
    (parameter or buffer, array) pairs."""
    if not isinstance(state, Mapping):
        raise CheckpointError(
            f"{what}: expected a mapping name → array, got {type(state).__name__}"
        )
    missing = [n for n in params if n not in state]
    extra = [n for n in state if n not in params]
    if strict and missing:
        raise CheckpointError(
            f"{what}: missing parameter{'s' if len(missing) > 1 else ''} {_names(missing)}: the "
            f"model has {'them' if len(missing) > 1 else 'it'}, the checkpoint does not (was it "
            "saved from a model with other layer sizes or names?)"
        )
    if strict and extra:
        raise CheckpointError(
            f"{what}: unexpected parameter {_names(extra)} in the checkpoint: the model has no "
            "parameter of that name"
        )
    plan = []
    for name, p in params.items():
        if name not in state:
            continue
        raw = state[name]
        arr = raw.data if isinstance(raw, Node) and not isinstance(raw, Value) else raw
        arr = np.asarray(arr.data if isinstance(arr, Value) else arr)
        if arr.dtype.kind not in "biuf":
            raise CheckpointError(f"{what}: parameter {name!r} holds {arr.dtype} data, not numbers")
        want = (
            () if isinstance(p, Value) else p.shape if isinstance(p, np.ndarray) else p.data.shape
        )
        if arr.shape != want:
            raise CheckpointError(
                f"{what}: parameter {name!r} has shape {arr.shape} in the checkpoint but "
                f"{want} in the model"
            )
        plan.append((p, arr))
    return plan


def save(module: Module, path: PathLike) -> None:
    """Write the module's parameters to `path` as .npz (name → array), atomically."""
    if not isinstance(module, Module):
        raise TypeError(f"save: expected a Module, got {type(module).__name__}")
    path = os.fspath(path)
    state = module.state_dict()
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: directory {directory!r} does not exist")
    with atomic_open(path) as f:
        # What np.savez does, without its keyword arguments (a parameter could be named
        # "file" or "allow_pickle").
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, arr in state.items():
                with zf.open(name + ".npy", "w", force_zip64=True) as entry:
                    # (not ascontiguousarray: it turns a Value's 0-d array into 1-d)
                    np.lib.format.write_array(entry, arr, allow_pickle=False)


def read_checkpoint(path: PathLike) -> dict[str, np.ndarray]:
    """name → array from a .npz checkpoint; CheckpointError if the file is not a readable one."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load: {path!r} is a directory, not a .npz checkpoint")
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise CheckpointError(f"load: {path!r} is a single .npy array, not a .npz archive")
        with npz:
            return {name: npz[name] for name in npz.files}
    except CheckpointError:
        raise
    except PermissionError:
        raise
    except Exception as e:
        # np.load / zipfile raise a zoo of types on damaged input (BadZipFile, ValueError,
        # EOFError, OSError, zlib.error, SyntaxError from a mangled .npy header, …).
        if "allow_pickle" in str(e):  # numpy's advice to unpickle is not ours to give
            raise CheckpointError(
                f"load: {path!r} is not a readable .npz checkpoint: it is neither a zip archive "
                "nor a .npy array, and unpickling is refused (a checkpoint holds numbers, never "
                "code); it may be truncated or corrupt. Save the model again with nn.save."
            ) from None
        raise CheckpointError(
            f"load: {path!r} is not a readable .npz checkpoint ({type(e).__name__}: {e}); it may "
            "be truncated or corrupt. Save the model again with nn.save."
        ) from None


def load(module: Module, path: PathLike, strict: bool = True) -> Module:
    """Load parameters saved by save() into `module` (same names and shapes); returns it.

    Nothing changes unless the whole checkpoint fits. strict=False ignores missing and
    unexpected names (shapes must still match).
    """
    if not isinstance(module, Module):
        raise TypeError(f"load: expected a Module, got {type(module).__name__}")
    state = read_checkpoint(path)
    apply_state(module, state, strict, f"load {os.fspath(path)!r}")
    return module


def apply_state(module: Module, state: Mapping[str, Any], strict: bool, what: str) -> None:
    """Check the whole state against the module, then copy it in (cast to each dtype)."""
    targets: dict[str, Node | np.ndarray] = dict(module.named_parameters())
    targets.update(module.named_buffers())
    plan = _check_state(targets, state, strict, what)
    for p, arr in plan:
        if isinstance(p, np.ndarray):  # a buffer, in place like the parameters
            p[...] = arr
        elif isinstance(p, Value):
            p.data = float(arr)
        else:
            p.data[...] = arr  # in place: optimizers and live graphs keep the same array

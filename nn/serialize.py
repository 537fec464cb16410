"""save / load: a model's parameters in a .npz archive, one array per dotted name.

save writes a temporary file in the target's directory, fsyncs it and renames it over the
target (os.replace is atomic), so a crash mid-save never leaves a half-written checkpoint
(see tinygrad_edu.fileio: stale temp files are removed, symlinks written through).

load never unpickles (a checkpoint holds numbers, never code) and is all-or-nothing:

1. it reads the zip's directory and every member's .npy header only: names (no duplicates),
   dtypes (numbers only) and shapes are checked against the model before any data is read,
   and a member's declared size must be what its header says;
2. it reads exactly the bytes the headers declare for the members the model needs (never
   inflating more than that plus one byte), and checks every value is finite and
   representable in the parameter's dtype (1e300 does not fit a float32);
3. only then does it copy anything into the model.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

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
        if isinstance(raw, MemberHeader):
            arr: Any = raw
        else:
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


DEFAULT_MAX_BYTES = 2**31
"""read_checkpoint's default cap on the data it will read (2 GiB); pass max_bytes= to change it.
load() needs no cap: it reads only what the model's own shapes call for."""


class MemberHeader(NamedTuple):
    """What a .npz member's zip entry and .npy header declare, read without its data."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    offset: int  # bytes of .npy header before the data

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _not_readable(path: str, why: str) -> CheckpointError:
    return CheckpointError(
        f"load: {path!r} is not a readable .npz checkpoint: {why}. Save the model again with "
        "nn.save."
    )


@contextmanager
def _zip(path: str) -> Iterator[zipfile.ZipFile]:
    """The archive, open; any damage found while using it becomes one CheckpointError."""
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except (CheckpointError, PermissionError):
        raise
    except Exception as e:  # zipfile raises a zoo on damaged input (BadZipFile, EOFError,
        # NotImplementedError for an unknown method, RuntimeError "encrypted", zlib.error, …)
        raise _not_readable(path, f"{type(e).__name__}: {e}; it may be truncated or corrupt") from (
            None
        )


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> MemberHeader:
    name = info.filename[:-4]
    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f".npy format version {version} is not one nn.save writes")
        except (ValueError, SyntaxError, EOFError) as e:
            raise _not_readable(path, f"member {name!r} has a damaged .npy header ({e})") from None
        offset = f.tell()
    if dtype.hasobject or dtype.kind not in "biuf":
        raise _not_readable(
            path,
            f"member {name!r} holds {dtype} data, not numbers (unpickling is refused: a "
            "checkpoint holds numbers, never code)",
        )
    head = MemberHeader(info, tuple(shape), dtype, fortran, offset)
    if info.file_size != offset + head.nbytes:
        raise _not_readable(
            path,
            f"member {name!r} declares {info.file_size} bytes but its header says "
            f"{offset + head.nbytes} (shape {head.shape}, {dtype})",
        )
    return head


def read_headers(path: PathLike) -> dict[str, MemberHeader]:
    """name → MemberHeader of every array in a .npz checkpoint, reading no array data.

    CheckpointError if the file is not a zip of .npy arrays, if a name appears twice (a zip
    reader would silently keep the last), or if a header is damaged or not numbers.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load: {path!r} is a directory, not a .npz checkpoint")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic == b"\x93NUMPY":
        raise _not_readable(path, "it is a single .npy array, not a .npz archive")
    with _zip(path) as zf:
        infos = zf.infolist()
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                raise CheckpointError(
                    f"load: {path!r} holds the member {info.filename!r} twice (a zip reader "
                    "would silently use the last one); this is not a file nn.save wrote"
                )
            seen.add(info.filename)
            if not info.filename.endswith(".npy"):
                raise _not_readable(path, f"member {info.filename!r} is not a .npy array")
        return {info.filename[:-4]: _header(zf, info, path) for info in infos}


def _read_member(zf: zipfile.ZipFile, head: MemberHeader, path: str) -> np.ndarray:
    """Exactly the bytes the header declares (the stream inflates no further), as an array."""
    name = head.info.filename[:-4]
    buf = bytearray(head.nbytes)
    view = memoryview(buf)
    with zf.open(head.info) as f:
        f.read(head.offset)
        got = 0
        while got < head.nbytes:
            n = f.readinto(view[got:])
            if not n:
                raise _not_readable(path, f"member {name!r} is truncated")
            got += n
        if f.read(1):  # also makes zipfile check the CRC
            raise _not_readable(path, f"member {name!r} has trailing bytes")
    arr = np.frombuffer(buf, dtype=head.dtype)
    return arr.reshape(head.shape[::-1]).T if head.fortran else arr.reshape(head.shape)


def read_arrays(
    path: PathLike, headers: Mapping[str, MemberHeader], names: list[str]
) -> dict[str, np.ndarray]:
    """The arrays of the given members (from read_headers), read as their headers declare."""
    path = os.fspath(path)
    with _zip(path) as zf:
        return {n: _read_member(zf, headers[n], path) for n in names}


def read_checkpoint(path: PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, np.ndarray]:
    """name → array from a .npz checkpoint; CheckpointError if the file is not a readable one
    or its headers declare more than `max_bytes` of data (checked before reading any)."""
    headers = read_headers(path)
    total = sum(h.nbytes for h in headers.values())
    if total > max_bytes:
        raise CheckpointError(
            f"load: {os.fspath(path)!r} declares {total:,} bytes of arrays, more than "
            f"max_bytes={max_bytes:,}; pass a larger max_bytes if the file is trusted"
        )
    return read_arrays(path, headers, list(headers))


def load(module: Module, path: PathLike, strict: bool = True) -> Module:
    """Load parameters saved by save() into `module` (same names and shapes); returns it.

    Nothing changes unless the whole checkpoint fits. strict=False ignores missing and
    unexpected names (shapes must still match).
    """
    if not isinstance(module, Module):
        raise TypeError(f"load: expected a Module, got {type(module).__name__}")
    what = f"load {os.fspath(path)!r}"
    headers = read_headers(path)
    targets = _targets(module)
    _check_state(targets, headers, strict, what)  # names, dtypes, shapes: no data read yet
    wanted = [n for n in targets if n in headers]
    arrays = read_arrays(path, headers, wanted)
    apply_state(module, arrays, strict, what)
    return module


def _targets(module: Module) -> dict[str, Node | np.ndarray]:
    targets: dict[str, Node | np.ndarray] = dict(module.named_parameters())
    targets.update(module.named_buffers())
    return targets


def _fitted(target: Node | np.ndarray, arr: np.ndarray, name: str, what: str) -> np.ndarray:
    """arr cast to the target's dtype, refused unless every value is finite and fits."""
    dt = np.dtype(np.float64) if isinstance(target, Value) else target.dtype
    with np.errstate(over="ignore", invalid="ignore"):  # checked below, even under -W error
        cast = arr.astype(dt)
    if dt.kind != "f" or arr.dtype.kind not in "f" and np.isfinite(cast).all():
        return cast
    for values, why in ((arr, "is not finite"), (cast, f"does not fit in {dt}")):
        bad = ~np.isfinite(values)
        if bad.any():
            i = tuple(int(k) for k in np.argwhere(bad)[0])
            value = arr[i] if arr.ndim else arr[()]
            where = f" at index {i}" if arr.ndim else ""
            raise CheckpointError(
                f"{what}: parameter {name!r} holds {value!r}{where}, which {why}; nothing was "
                "loaded (the model is unchanged)"
            )
    return cast


def apply_state(module: Module, state: Mapping[str, Any], strict: bool, what: str) -> None:
    """Check the whole state against the module, then copy it in (cast to each dtype)."""
    targets = _targets(module)
    plan = _check_state(targets, state, strict, what)
    names = {id(t): n for n, t in targets.items()}
    fitted = [(p, _fitted(p, arr, names[id(p)], what)) for p, arr in plan]  # all, then copy
    for p, arr in fitted:
        if isinstance(p, np.ndarray):  # a buffer, in place like the parameters
            p[...] = arr
        elif isinstance(p, Value):
            p.data = float(arr)
        else:
            p.data[...] = arr  # in place: optimizers and live graphs keep the same array

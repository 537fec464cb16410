"""MNIST IDX files (raw or gzip, told apart by their bytes) and the split of loaded images into
training and testing DigitsData."""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .containers import DataError, DigitsData, PathLike
from .files import check_file

# IDX type byte -> big-endian numpy dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
_MNIST_IMAGES, _MNIST_LABELS = 2051, 2049


DEFAULT_MAX_BYTES = 2**30
"""The most data an IDX header may declare (1 GiB; MNIST's largest file holds 47 MB). A header
asking for more is refused before anything is read or inflated; pass max_bytes= to raise it."""

_KIND = {_MNIST_IMAGES: "images", _MNIST_LABELS: "labels"}


def _open(p: Path) -> BinaryIO:
    """The file's bytes as a stream: gzip (told by its first bytes, not its name) is inflated
    as it is read, so no more is ever inflated than is asked for."""
    try:
        f: BinaryIO = open(p, "rb")  # noqa: SIM115 (closed by the caller)
    except OSError as e:
        raise DataError(
            f"{p}: cannot read the file ({e.strerror}). Check its permissions."
        ) from None
    if f.read(2) == _GZIP_MAGIC:
        f.seek(0)
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    f.seek(0)
    return f


def _read(f: BinaryIO, n: int, p: Path, what: str) -> bytes:
    """Exactly n bytes, or a DataError saying the file is truncated in `what`."""
    chunks, got = [], 0
    try:
        while got < n:
            chunk = f.read(min(n - got, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(
            f"{p}: gzip data is damaged or truncated ({e}). Download the file again."
        ) from None
    if got < n:
        raise DataError(
            f"{p}: truncated {what}: {got} bytes where {n} were needed. Download the file again."
        )
    return b"".join(chunks)


def _wrong_magic(p: Path, magic: int, want: int, what: str) -> DataError:
    said = f"{p}, byte 0: magic number {magic} (0x{magic:08x}), expected {want} for MNIST {what}"
    if magic in _KIND:
        other = _KIND[magic]
        pattern = f"…-{what}-idx{3 if what == 'images' else 1}-ubyte"
        return DataError(
            f"{said}; this is a{'n' if other == 'images' else ''} {other} file, not {what}. "
            f"Pass the {what} file ({pattern})."
        )
    return DataError(
        f"{said}; this is an IDX array of {magic & 0xFF} dimension(s), not MNIST {what}. Check "
        "which path you passed."
    )


def _read_idx(
    p: Path, want: int | None = None, what: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[int, np.ndarray]:
    """Header first: the magic, the dimensions and so the exact size; only then the data,
    exactly that many bytes (plus one, to detect trailing bytes)."""
    with _open(p) as f:
        head = _read(f, 4, p, "header (4-byte magic number)")
        magic = int.from_bytes(head, "big")
        zero, type_code, ndim = int.from_bytes(head[:2], "big"), head[2], head[3]
        if zero != 0 or type_code not in _IDX_TYPES or ndim == 0:
            raise DataError(
                f"{p}, byte 0: magic number 0x{magic:08x} is not an IDX header (expected "
                "0x00000803 for images or 0x00000801 for labels). Is this an MNIST file?"
            )
        if want is not None and magic != want:
            raise _wrong_magic(p, magic, want, what)
        raw_dims = _read(f, 4 * ndim, p, f"header ({ndim} dimensions)")
        dims = tuple(int.from_bytes(raw_dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
        dtype = np.dtype(_IDX_TYPES[type_code])
        nbytes = math.prod(dims) * dtype.itemsize
        header_len = 4 + 4 * ndim
        shown = " x ".join(map(str, dims))
        if nbytes > max_bytes:
            raise DataError(
                f"{p}: the header declares {shown} values of {dtype.itemsize} byte(s) = "
                f"{nbytes:,} bytes, more than the cap of {max_bytes:,} (max_bytes); refusing "
                "to read it. Pass max_bytes= if the file is trusted."
            )
        if not isinstance(f, gzip.GzipFile):
            size = p.stat().st_size
            if size != header_len + nbytes:  # told by the size alone, before any reading
                problem = "truncated" if size < header_len + nbytes else "has trailing bytes"
                raise DataError(
                    f"{p}: {problem}, {size} bytes but the header (dimensions {shown}) needs "
                    f"exactly {header_len + nbytes}. Download the file again."
                )
        data = _read(f, nbytes, p, f"data (the header declares {shown})")
        try:
            extra = f.read(1)
        except (EOFError, OSError, zlib.error) as e:
            raise DataError(
                f"{p}: gzip data is damaged or truncated ({e}). Download the file again."
            ) from None
        if extra:
            raise DataError(
                f"{p}: has trailing bytes after the {header_len + nbytes} the header (dimensions "
                f"{shown}) declares. Download the file again."
            )
    arr = np.frombuffer(data, dtype=dtype).reshape(dims)
    return magic, arr.astype(dtype.newbyteorder("="))  # native order, writable copy


def read_idx(path: PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Any IDX file (raw or gzip, detected by its magic bytes) as a native-endian array.
    Refuses a header declaring more than `max_bytes` of data before reading any."""
    p = check_file(path, "IDX file (e.g. MNIST t10k-images-idx3-ubyte.gz)")
    return _read_idx(p, max_bytes=max_bytes)[1]


def _read_mnist(
    path: PathLike, want: int, what: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Path, np.ndarray]:
    p = check_file(path, f"MNIST {what} file (e.g. t10k-{what}-idx*-ubyte.gz)")
    return p, _read_idx(p, want, what, max_bytes)[1]


def load_mnist_images(
    path: PathLike, flatten: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> np.ndarray:
    """MNIST images (magic 2051) as float32 in [0, 1]: (n, rows, cols), or (n, rows*cols)."""
    p, arr = _read_mnist(path, _MNIST_IMAGES, "images", max_bytes)
    n, rows, cols = arr.shape
    if n == 0 or rows == 0 or cols == 0:
        raise DataError(f"{p}, bytes 4-15: dimensions {n} x {rows} x {cols}; nothing to load.")
    images = arr.astype(np.float32) / np.float32(255.0)
    return images.reshape(n, rows * cols) if flatten else images


def load_mnist_labels(path: PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """MNIST labels (magic 2049) as int64 digits 0..9."""
    p, arr = _read_mnist(path, _MNIST_LABELS, "labels", max_bytes)
    if arr.shape[0] == 0:
        raise DataError(f"{p}, bytes 4-7: zero labels; nothing to load.")
    bad = np.flatnonzero(arr > 9)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{p}, byte {8 + i} (label {i}): value {int(arr[i])} is not a digit 0..9. "
            "Download the file again."
        )
    return arr.astype(np.int64)


def load_mnist(
    images_path: PathLike, labels_path: PathLike, flatten: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) from an MNIST pair; raises :class:`DataError` if the counts differ."""
    images = load_mnist_images(images_path, flatten=flatten)
    labels = load_mnist_labels(labels_path)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path} has {images.shape[0]} images but {labels_path} has "
            f"{labels.shape[0]} labels. Pass the images and labels of the same set "
            "(both train-* or both t10k-*)."
        )
    return images, labels


def split_digits(
    images: np.ndarray, labels: np.ndarray, n_train: int, *, source: str, flatten: bool = False
) -> DigitsData:
    """First ``n_train`` images for training, the rest for testing (e.g. MNIST t10k 8000/2000)."""
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {labels.shape[0]} labels")
    if images.shape[0] < 2:
        raise ValueError(
            f"split_digits: {images.shape[0]} image(s); at least 2 are needed (one to train on, "
            "one to test on)"
        )
    if not 0 < n_train < images.shape[0]:
        raise ValueError(f"n_train must be in 1..{images.shape[0] - 1}; got {n_train}")
    if images.ndim == 3:
        shape = (int(images.shape[1]), int(images.shape[2]))
    else:  # flattened square images, e.g. (n, 784) -> 28 x 28
        side = math.isqrt(int(images.shape[1]))
        if images.ndim != 2 or side * side != images.shape[1]:
            raise ValueError(
                f"split_digits: flattened images of {images.shape[1]} pixels are not square, so "
                "their (h, w) is unknown: pass them as (n, h, w) (load_mnist_images(path) "
                f"without flatten=True); got shape {images.shape}"
            )
        shape = (side, side)
    if flatten:
        images = images.reshape(images.shape[0], -1)
    return DigitsData(
        x_train=images[:n_train],
        y_train=labels[:n_train],
        x_test=images[n_train:],
        y_test=labels[n_train:],
        image_shape=shape,
        class_names=tuple(str(d) for d in range(10)),
        source=source,
        synthetic=False,
    )

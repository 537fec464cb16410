"""MNIST IDX files (raw or gzip, told apart by their bytes) and the split of loaded images into
training and testing DigitsData."""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from .containers import DataError, DigitsData, PathLike
from .files import check_file

# IDX type byte -> big-endian numpy dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
_MNIST_IMAGES, _MNIST_LABELS = 2051, 2049


def _read_maybe_gzip(p: Path) -> bytes:
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DataError(
            f"{p}: cannot read the file ({e.strerror}). Check its permissions."
        ) from None
    if raw[:2] != _GZIP_MAGIC:  # by content, not by name: a .gz may already be unpacked
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(
            f"{p}: gzip data is damaged or truncated ({e}). Download the file again."
        ) from None


def _parse_idx(p: Path, data: bytes) -> tuple[int, np.ndarray]:
    if len(data) < 4:
        raise DataError(
            f"{p}: {len(data)} bytes, too short for an IDX header (4-byte magic number). "
            "Download the file again."
        )
    magic = int.from_bytes(data[:4], "big")
    zero, type_code, ndim = int.from_bytes(data[:2], "big"), data[2], data[3]
    if zero != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise DataError(
            f"{p}, byte 0: magic number 0x{magic:08x} is not an IDX header (expected "
            "0x00000803 for images or 0x00000801 for labels). Is this an MNIST file?"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(
            f"{p}: truncated header, {len(data)} bytes but {ndim} dimensions need {header_len}. "
            "Download the file again."
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = header_len + math.prod(dims) * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(
            f"{p}: {problem}, {len(data)} bytes but the header (dimensions "
            f"{' x '.join(map(str, dims))}) needs exactly {expected}. Download the file again."
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    return magic, arr.astype(dtype.newbyteorder("="))  # native order, writable copy


def read_idx(path: PathLike) -> np.ndarray:
    """Any IDX file (raw or gzip, detected by its magic bytes) as a native-endian array."""
    p = check_file(path, "IDX file (e.g. MNIST t10k-images-idx3-ubyte.gz)")
    return _parse_idx(p, _read_maybe_gzip(p))[1]


def _read_mnist(path: PathLike, want: int, what: str) -> tuple[Path, np.ndarray]:
    p = check_file(path, f"MNIST {what} file (e.g. t10k-{what}-idx*-ubyte.gz)")
    magic, arr = _parse_idx(p, _read_maybe_gzip(p))
    if magic != want:
        hint = {_MNIST_IMAGES: "an images file", _MNIST_LABELS: "a labels file"}.get(
            magic, "not an MNIST file"
        )
        raise DataError(
            f"{p}, byte 0: magic number {magic} (0x{magic:08x}), expected {want} for MNIST "
            f"{what}; this is {hint}. Check which path you passed."
        )
    return p, arr


def load_mnist_images(path: PathLike, flatten: bool = False) -> np.ndarray:
    """MNIST images (magic 2051) as float32 in [0, 1]: (n, rows, cols), or (n, rows*cols)."""
    p, arr = _read_mnist(path, _MNIST_IMAGES, "images")
    n, rows, cols = arr.shape
    if n == 0 or rows == 0 or cols == 0:
        raise DataError(f"{p}, bytes 4-15: dimensions {n} x {rows} x {cols}; nothing to load.")
    images = arr.astype(np.float32) / np.float32(255.0)
    return images.reshape(n, rows * cols) if flatten else images


def load_mnist_labels(path: PathLike) -> np.ndarray:
    """MNIST labels (magic 2049) as int64 digits 0..9."""
    p, arr = _read_mnist(path, _MNIST_LABELS, "labels")
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
    if not 0 < n_train < images.shape[0]:
        raise ValueError(f"n_train must be in 1..{images.shape[0] - 1}; got {n_train}")
    if images.ndim == 3:
        shape = (int(images.shape[1]), int(images.shape[2]))
    else:  # flattened square images, e.g. (n, 784) -> 28 x 28
        side = math.isqrt(int(images.shape[1]))
        if images.ndim != 2 or side * side != images.shape[1]:
            raise ValueError(f"images must be (n, h, w) or (n, side*side); got {images.shape}")
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

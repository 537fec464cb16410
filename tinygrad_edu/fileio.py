"""Atomic file writes, shared by every part that writes a file (checkpoints, pictures, the
tour's tables and plots): a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _new_file_mode() -> int:
    # The mode a plain open() would give a new file; mkstemp alone would leave it 0600.
    try:  # Linux exposes the umask without changing it (os.umask would race other threads)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_open(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write; when the block ends without error it replaces `path`.

    The data goes to a temp file in the same directory, is fsynced, gets the mode the old file
    had (or a new file's default), and is renamed over `path` with os.replace. On any error the
    old file is untouched and the temp file removed.
    """
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot write {target}: directory {directory} does not exist; create it first"
        )
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write bytes to `path` atomically (see atomic_open); returns the path."""
    with atomic_open(path) as f:
        f.write(data)
    return Path(path)

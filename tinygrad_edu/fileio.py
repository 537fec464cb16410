"""Atomic file writes, shared by every part that writes a file (checkpoints, pictures, the
tour's tables and plots): a reader sees the old file or the new one, never half of either, and
no temporary file outlives its writer.

- The data goes to `.NAME.PID.RANDOM.tmp` beside the target, is fsynced and renamed over it.
- On an error, and on SIGTERM (in the main thread), the temp file is removed.
- A SIGKILL cannot be caught: the next write of the same target removes the temp files whose
  writer process is gone (the PID in the name says which).
- A symlink is written through (its target is replaced, the link stays); a FIFO, a device, a
  socket or a directory is refused, never replaced by a regular file.
- Errors name the target, never the hidden temp file.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO


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


_KINDS = {
    stat.S_ISDIR: "a directory",
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    for test, name in _KINDS.items():
        if test(mode):
            return name
    return None


def resolve_target(path: str | os.PathLike[str], what: str = "write") -> Path:
    """The regular file a write to `path` will replace (a symlink's final target), checked
    before anything is written: OSError naming `path` and the fix when it cannot be.

    Use it to check an output path before a long computation (the CLI does).
    """
    raw = os.fspath(path)
    if raw == "":
        raise FileNotFoundError(f"cannot {what}: the path is empty; give a file name")
    target = Path(raw)
    if target.is_symlink():  # write through the link: the link stays, its target changes
        target = Path(os.path.realpath(target))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and (kind := _kind(st.st_mode)) is not None:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(f"cannot {what} {raw}: it is a directory; give a file path")
        raise OSError(
            f"cannot {what} {raw}: it is {kind}, not a regular file; refusing to replace it"
        )
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot {what} {raw}: directory {directory} does not exist; create it first"
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot {what} {raw}: directory {directory} is not writable; choose another folder"
        )
    return target


def check_output_dir(path: str | os.PathLike[str], what: str = "write into") -> Path:
    """A folder that exists and is writable, or can be created: checked before the work that
    fills it. OSError naming the folder and the fix otherwise."""
    raw = os.fspath(path)
    if raw == "":
        raise FileNotFoundError(f"cannot {what} the folder: the path is empty")
    folder = Path(raw)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"cannot {what} {raw}: it is a file, not a folder; give a folder name"
        )
    existing = folder
    while not existing.exists():  # the nearest ancestor that exists must let us create it
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"cannot {what} {raw}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot {what} {raw}: {existing} is not writable; choose another folder"
        )
    return folder


def _temp_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(name)}\.(?:(\d+)\.)?[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove the temp files of earlier writes of `target` whose writer is gone; returns them.

    A temp file of ours is `.NAME.PID.RANDOM.tmp`; one without a PID (an older version's
    `.NAME.RANDOM.tmp`) counts as stale too.
    """
    pattern = _temp_pattern(target.name)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or (m.group(1) is not None and _alive(int(m.group(1)))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


@contextmanager
def _removed_on_sigterm(target: Path) -> Iterator[None]:
    """While writing, SIGTERM removes this process's temp files of `target` (found by name, so
    one made an instant before the handler knew its name goes too), then terminates as it
    would have."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; the next write cleans up instead
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: Any) -> None:
        mine = f".{target.name}.{os.getpid()}."
        try:
            for entry in os.scandir(target.parent):
                if entry.name.startswith(mine) and entry.name.endswith(".tmp"):
                    os.unlink(entry.path)
        except OSError:
            pass
        signal.signal(signal.SIGTERM, previous)
        signal.raise_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def atomic_open(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write; when the block ends without error it replaces `path`.

    The data goes to a temp file in the same directory, is fsynced, gets the mode the old file
    had (or a new file's default), and is renamed over `path` with os.replace. On any error
    (and on SIGTERM) the old file is untouched and the temp file removed.
    """
    raw = os.fspath(path)
    target = resolve_target(raw)
    remove_stale_temps(target)
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _new_file_mode()
    with _removed_on_sigterm(target):  # installed before the temp file exists
        try:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
            )
        except OSError as e:
            raise type(e)(e.errno, f"cannot write {raw}: {e.strerror}") from None
        with _written_or_removed(fd, tmp, target, mode, raw) as f:
            yield f


@contextmanager
def _written_or_removed(fd: int, tmp: str, target: Path, mode: int, raw: str) -> Iterator[BinaryIO]:
    """The temp file to write; renamed over target at the end, removed on any error."""
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError) and tmp in (e.filename, e.filename2):  # name the target
            raise type(e)(e.errno, f"cannot write {raw}: {e.strerror}") from None
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write bytes to `path` atomically (see atomic_open); returns the path."""
    with atomic_open(path) as f:
        f.write(data)
    return Path(path)

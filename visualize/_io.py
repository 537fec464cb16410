"""Files and the Graphviz binary: atomic writes, DOT -> image, the missing-`dot` error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import graphviz

from ..fileio import atomic_write

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot", "html")
IMAGE_FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")  # what dot -T makes

INSTALL_HINT = (
    "Install Graphviz (the Python package `graphviz` alone is not enough, it calls the `dot` "
    "program): Debian/Ubuntu `sudo apt install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`, Windows `winget install graphviz`; then "
    "make sure `dot -V` works in a new shell."
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not on PATH; `dot_path` is where the DOT text was saved."""

    def __init__(self, message: str, dot_path: Path | None = None) -> None:
        super().__init__(message)
        self.dot_path = dot_path


def format_from_path(path: str | os.PathLike[str], format: str | None) -> str:
    """The output format: `format` if given, else the file extension; checked against FORMATS."""
    if format is None:
        ext = Path(path).suffix.lower().lstrip(".")
        if ext not in FORMATS:
            raise ValueError(
                f"cannot tell the image format from {os.fspath(path)!r}: use an extension "
                f"{', '.join('.' + f for f in FORMATS)}, or give the format (format= in "
                "Python, --format on the command line)"
            )
        return ext
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    return fmt


def dot_available() -> bool:
    """True when Graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


def pipe(dot_source: str, fmt: str) -> bytes:
    """DOT text -> image bytes through Graphviz's `dot`; GraphvizNotFoundError if it is missing."""
    if fmt == "dot":
        return dot_source.encode("utf-8")
    if not dot_available():
        raise GraphvizNotFoundError(
            f"Graphviz's `dot` program was not found on PATH. {INSTALL_HINT}"
        )
    try:
        return graphviz.Source(dot_source).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(
            f"Graphviz's `dot` program could not be run. {INSTALL_HINT}"
        ) from None
    except graphviz.CalledProcessError as e:
        stderr = (e.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz `dot -T{fmt}` failed: {stderr or e}") from None


def write_image(dot_source: str, path: str | os.PathLike[str], fmt: str) -> Path:
    """Render and write atomically. Without `dot`, save the DOT text beside path and say so."""
    target = Path(path)
    try:
        data = pipe(dot_source, fmt)
    except GraphvizNotFoundError as e:
        raise dot_saved_instead(e, dot_source, target, fmt) from None
    return atomic_write(target, data)


def dot_saved_instead(
    e: GraphvizNotFoundError, dot_source: str, target: Path, fmt: str
) -> GraphvizNotFoundError:
    """Save the DOT text beside target (g.svg -> g.dot); the error to raise says where."""
    dot_path: Path | None = target.with_suffix(".dot")
    try:
        atomic_write(dot_path, dot_source.encode("utf-8"))
        how = f"`dot -T{fmt} {dot_path} -o {target}`" if fmt != "html" else "it again"
        saved = f"The DOT text was saved to {dot_path} instead; with Graphviz installed, run {how}."
    except OSError as oe:
        dot_path, saved = None, f"Saving the DOT text instead also failed: {oe}."
    return GraphvizNotFoundError(f"cannot render {target}: {e} {saved}", dot_path=dot_path)

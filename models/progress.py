"""A small text progress bar for training loops (stderr, redrawn in place with ``\\r``).

    with ProgressBar(total=1000, desc="degree 5") as bar:
        for step in range(1000):
            loss = train_step()
            bar.update(loss=loss)              # redraws at most every `interval` seconds

On a terminal it draws ``degree 5 [#######.....]  58% 580/1000 loss=12.3 0.4s``. When the
stream is not a terminal (a pipe, a file, pytest's capture) nothing is drawn while running and
one final line is printed by ``close()``, so logs stay readable. ``enabled=False`` silences it;
``delay=1.0`` shows nothing at all for work that finishes within a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

__all__ = ["ProgressBar", "progress"]

T = TypeVar("T")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class ProgressBar:
    """Progress of `total` units of work, with live metrics (loss, accuracy, ...).

    total: units of work (steps, epochs, trials); desc: a short label in front.
    stream: where to draw (default sys.stderr, looked up when the bar is made).
    enabled: None = draw live only if the stream is a terminal; True = always draw live;
        False = print nothing at all.
    interval: seconds between redraws (drawing is the slow part of a fast loop).
    delay: show nothing for work that takes less than this many seconds (no live bar before
        it, no final line if closed before it), so quick tasks never flash a bar.
    """

    def __init__(
        self,
        total: int,
        desc: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        width: int = 24,
        interval: float = 0.1,
        delay: float = 0.0,
    ) -> None:
        if total < 0:
            raise ValueError(f"ProgressBar: total must be >= 0, got {total}")
        self.total = int(total)
        self.desc = desc
        self.stream = sys.stderr if stream is None else stream
        self.silent = enabled is False
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.live = enabled is True or (enabled is None and is_tty)
        self.width = width
        self.interval = interval
        self.delay = delay
        self.n = 0
        self.metrics: dict[str, object] = {}
        self.start = time.perf_counter()
        self._last_draw = -float("inf")
        self._drawn_width = 0
        self._closed = False

    @property
    def elapsed(self) -> float:
        """Seconds since the bar was made."""
        return time.perf_counter() - self.start

    def update(self, n: int = 1, **metrics: object) -> None:
        """Advance by `n` units and set metrics shown after the bar (e.g. loss=0.3, acc=0.9)."""
        self.n += n
        if metrics:
            self.metrics.update(metrics)
        if self.live and not self.silent:
            now = time.perf_counter()
            if now - self.start >= self.delay and (
                now - self._last_draw >= self.interval or self.n >= self.total
            ):
                self._draw(now)

    def extend(self, n: int) -> None:
        """More work than planned (e.g. a restart from new random weights): the total grows by
        `n`, so the count never runs past it (a bar once read 8004/6003)."""
        if n < 0:
            raise ValueError(f"ProgressBar.extend: n must be >= 0, got {n}")
        self.total += int(n)

    def set(self, **metrics: object) -> None:
        """Change the metrics without advancing."""
        self.update(0, **metrics)

    def line(self) -> str:
        """The bar as one line of text (what is drawn)."""
        frac = min(self.n / self.total, 1.0) if self.total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        extra = " ".join(f"{k}={_fmt(v)}" for k, v in self.metrics.items())
        head = f"{self.desc} " if self.desc else ""
        text = f"{head}[{bar}] {frac:4.0%} {self.n}/{self.total}"
        return f"{text} {extra} {self.elapsed:.1f}s" if extra else f"{text} {self.elapsed:.1f}s"

    def _draw(self, now: float) -> None:
        text = self.line()
        pad = " " * max(self._drawn_width - len(text), 0)  # wipe leftovers of a longer line
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self._drawn_width = len(text)
        self._last_draw = now

    def close(self, **metrics: object) -> None:
        """Finish: the final state on its own line (also when nothing was drawn live)."""
        if self._closed:
            return
        self._closed = True
        if metrics:
            self.metrics.update(metrics)
        if self.silent:
            return
        if self.live and self._drawn_width:
            self._draw(time.perf_counter())
            self.stream.write("\n")
        elif self.elapsed >= self.delay:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress(
    items: Iterable[T], total: int | None = None, desc: str = "", **options: object
) -> Iterator[T]:
    """Iterate over `items` with a ProgressBar (total defaults to len(items))."""
    if total is None:
        total = len(items)  # type: ignore[arg-type]
    bar = ProgressBar(total, desc, **options)  # type: ignore[arg-type]
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()

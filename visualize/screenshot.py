"""A screenshot of the HTML player in headless Chromium (the picture in docs/visualize.md).

    python -m tinygrad_edu.visualize.screenshot docs/images/player.png [--frame 11]
        [--picture docs/images/neuron.png]      # also the README's static picture

Needs selenium (`pip install -e '.[browser]'`) and Chromium with its driver (Debian:
`apt-get install chromium chromium-driver`). The browser runs offline on a file:// page with a
fresh profile that is removed afterwards. The browser test uses the same `headless_chromium`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..fileio import atomic_write
from ..value import Value
from .drawing import render

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def find_browser() -> tuple[str | None, str | None]:
    """(Chromium binary, chromedriver) on PATH, None for what is missing."""
    binary = next((p for p in map(shutil.which, BROWSERS) if p), None)
    return binary, shutil.which("chromedriver")


@contextmanager
def headless_chromium(width: int = 1600, height: int = 1000) -> Iterator[Any]:
    """A selenium Chrome driver on headless Chromium with a fresh profile, quit afterwards.

    Raises RuntimeError naming what to install when selenium, Chromium or its driver is
    missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise RuntimeError("selenium is not installed: pip install -e '.[browser]'") from None
    binary, driver_path = find_browser()
    if binary is None or driver_path is None:
        raise RuntimeError(
            "no headless browser: install Chromium and its driver (Debian/Ubuntu: "
            "`apt-get install chromium chromium-driver`)"
        )
    profile = tempfile.mkdtemp(prefix="tinygrad-edu-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def example() -> tuple[Value, dict[str, Value]]:
    """The docs' neuron: C = −ln(1 − σ(w1·x1 + w2·x2 + b)) after backward()."""
    x1 = Value(1.0, label="x1", requires_grad=False)
    x2 = Value(-1.0, label="x2", requires_grad=False)
    w1, w2, b = Value(1.0, label="w1"), Value(-2.0, label="w2"), Value(1.0, label="b")
    z = Value.weighted_sum([w1, w2], [x1, x2], b).named("z")
    c = (-(1 - z.sigmoid().named("a")).log()).named("C")
    c.backward()
    return c, {"w1": w1, "w2": w2, "b": b}


def screenshot(out: Path, frame: int = 11, width: int = 1800, height: int = 600) -> Path:
    """Write a PNG of the example's player at `frame` (0-based) to `out`, atomically."""
    c, params = example()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "player.html"
        render(c, page, params=params)
        with headless_chromium(width, height) as driver:
            driver.get(page.as_uri())
            driver.find_element("css selector", ".tg-fit-box").click()  # the whole graph
            nxt = driver.find_element("css selector", ".tg-next")
            for _ in range(frame):
                nxt.click()
            png = driver.get_screenshot_as_png()
    return atomic_write(out, png)


def main(argv: list[str] | None = None) -> int:
    """Command line: the PNG's path and the frame to show."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", type=Path, help="the PNG to write, e.g. docs/images/player.png")
    p.add_argument("--frame", type=int, default=11, help="frame to show (0-based; default 11)")
    p.add_argument("--picture", type=Path, help="also render the example as a PNG (the README's)")
    args = p.parse_args(argv)
    if args.picture is not None:
        c, params = example()
        print(f"wrote {render(c, args.picture, params=params).path}")
    try:
        path = screenshot(args.out, args.frame)
    except RuntimeError as e:
        print(f"screenshot: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

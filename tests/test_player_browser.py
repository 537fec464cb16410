"""The HTML player in a real browser: headless Chromium driven by selenium, the page loaded
offline from a file:// URL. Every frame's numbers are read off the page and compared with
the engine's own data and grad; Previous must undo Next; the console must stay clean; the
screenshot must not be blank.

Skipped (with the reason) only when selenium, Chromium or chromedriver is missing; `.ci/run`
installs them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinygrad_edu.visualize import dot_available, render
from tinygrad_edu.visualize.screenshot import example, find_browser, headless_chromium

from tinygrad_edu import Value

pytest.importorskip("selenium", reason="selenium not installed (pip install -e '.[browser]')")

CHROMIUM, DRIVER = find_browser()

pytestmark = [
    pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` not installed"),
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="no headless browser: install Debian's chromium and chromium-driver "
        "(`apt-get install chromium chromium-driver`, as .ci/run does)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as driver:
        yield driver


def neuron() -> tuple[Value, dict[str, Value]]:
    """C = −log(1 − σ(w1·x1 + w2·x2 + b)), the lecture's neuron (built from single ops here,
    so the forward pass has more steps than the docs' example)."""
    x1 = Value(1.0, label="x1", requires_grad=False)
    x2 = Value(-1.0, label="x2", requires_grad=False)
    w1, w2, b = Value(1.0, label="w1"), Value(-2.0, label="w2"), Value(1.0, label="b")
    z = (w1 * x1 + w2 * x2 + b).named("z")
    a = z.sigmoid().named("a")
    c = (-(1 - a).log()).named("C")
    c.backward()
    return c, {"w1": w1, "w2": w2, "b": b}


def shown_number(text: str) -> float:
    return float(text.replace("−", "-"))


def read(driver: object) -> dict[str, str]:
    get = driver.find_element  # type: ignore[attr-defined]
    by = "css selector"
    return {
        "frame": get(by, ".tg-player").get_attribute("data-frame"),
        "node": get(by, ".tg-number").get_attribute("data-node"),
        "number": get(by, ".tg-number").text,
        "phase": get(by, ".tg-phase").text,
        "name": get(by, ".tg-name").text,
        "row": get(by, ".tg-row").text,
        "caption": get(by, ".tg-caption").text,
    }


def box_text(driver: object, node_id: str, part: str) -> str:
    """What the picture's box shows in its data or grad cell ('' when it has none)."""
    els = driver.find_elements(  # type: ignore[attr-defined]
        "css selector", f'[id="a_{node_id}_{part}"] text'
    )
    return " ".join(e.get_attribute("textContent") for e in els)


def test_player_steps_through_both_passes_with_the_engines_numbers(
    browser: object, tmp_path: Path
) -> None:
    c, params = neuron()
    order = c.walk()
    page = tmp_path / "backprop.html"
    render(c, page, params=params)
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )  # nothing to fetch: every resource is inline
    browser.get(page.as_uri())  # type: ignore[attr-defined]
    ops = [i for i, n in enumerate(order) if not n.is_leaf]
    needs_grad = [i for i in reversed(range(len(order))) if order[i].requires_grad]
    expected = [("forward", i) for i in ops] + [("backward", i) for i in needs_grad]
    nxt = browser.find_element("css selector", ".tg-next")  # type: ignore[attr-defined]
    prev = browser.find_element("css selector", ".tg-prev")  # type: ignore[attr-defined]
    seen = []
    for k, (phase, i) in enumerate(expected):
        state = read(browser)
        assert state["frame"] == str(k) and state["node"] == f"n{i}"
        node = order[i]
        engine = node.data if phase == "forward" else node.grad
        assert shown_number(state["number"]) == pytest.approx(engine, rel=1e-3, abs=1e-9)
        assert state["phase"].startswith(f"{phase} pass")
        assert state["row"].startswith(f"id: n{i}")
        # The box in the picture shows the same number once it is known, '?' before.
        if phase == "forward":
            assert box_text(browser, f"n{i}", "data").startswith(f"data {node.data:.4g}")
            later = [j for j in ops if j > i]
            assert all(box_text(browser, f"n{j}", "data") == "data ?" for j in later)
            assert all(box_text(browser, f"n{j}", "grad").endswith("?") for j in needs_grad)
        else:
            assert f"{node.grad:.4g}" in box_text(browser, f"n{i}", "grad")
            todo = [j for j in needs_grad if j < i]
            assert all(box_text(browser, f"n{j}", "grad").endswith(" ?") for j in todo)
        seen.append(state)
        if k < len(expected) - 1:
            nxt.click()
    assert not nxt.is_enabled()
    # Previous undoes Next, frame by frame, back to the start.
    for k in reversed(range(len(expected) - 1)):
        prev.click()
        assert read(browser) == seen[k]
    assert not prev.is_enabled()
    # The arrow keys and the slider move the same way.
    player = browser.find_element("css selector", ".tg-player")  # type: ignore[attr-defined]
    player.send_keys("\ue014")  # ArrowRight
    assert read(browser) == seen[1]
    player.send_keys("\ue012")  # ArrowLeft
    assert read(browser) == seen[0]
    last = len(expected) - 1
    browser.execute_script(  # type: ignore[attr-defined]
        "var s = document.querySelector('.tg-slider'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));",
        str(last),
    )
    assert read(browser) == seen[last]
    # The backward caption writes the sum of products out (x1 feeds nothing that needs grad,
    # w2's product is x2 × ∂C/∂z).
    w2 = next(s for s in seen if s["phase"].startswith("backward") and s["name"].startswith("w2"))
    caption = w2["caption"].replace("−", "-")
    wx2 = next(n for n in order if params["w2"] in n.parents)  # the product w2·x2
    assert f"= (-1)×{wx2.grad:.3g} = {params['w2'].grad:.3g}" in caption, caption
    errors = [
        e
        for e in browser.get_log("browser")  # type: ignore[attr-defined]
        if e["level"] in ("SEVERE", "WARNING")
    ]
    assert errors == []


def test_player_plays_to_the_end(browser: object, tmp_path: Path) -> None:
    c, params = neuron()
    page = tmp_path / "play.html"
    from tinygrad_edu.visualize.player import player_html

    page.write_text(player_html(c, params=params, interval_ms=20), encoding="utf-8")
    browser.get(page.as_uri())  # type: ignore[attr-defined]
    total = len(browser.execute_script("return JSON.parse(document.querySelector('.tg-data').textContent).frames"))  # type: ignore[attr-defined]  # noqa: E501
    browser.find_element("css selector", ".tg-play").click()  # type: ignore[attr-defined]
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(
        lambda d: d.find_element("css selector", ".tg-player").get_attribute("data-frame")
        == str(total - 1)
    )
    assert browser.find_element("css selector", ".tg-play").text.endswith("Play")  # type: ignore[attr-defined]  # noqa: E501


def test_player_screenshot_is_not_blank(browser: object, tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image", reason="Pillow (from matplotlib) reads the screenshot")
    from tinygrad_edu.visualize.screenshot import screenshot

    c, params = example()
    page = tmp_path / "shot.html"
    render(c, page, params=params)
    shot = screenshot(tmp_path / "player.png", frame=3)  # what the docs' command writes
    img = pil.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert img.size[0] >= 1000
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20  # text, boxes, the red highlight
    # The highlight colour of the current node is on the screen.
    assert any(r > 180 and g < 90 and b < 90 for _, (r, g, b) in colours)
    assert os.path.getsize(page) < 200_000

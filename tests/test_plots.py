"""The figures say what they show: a title, labelled axes and a legend that covers no data.

Each plot function is called on tiny literal data; the figure is caught just before it is
saved (plots._save) and its parts are read back from matplotlib's objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) draws the figures")

from tinygrad_edu.visualize import plots  # noqa: E402


@pytest.fixture
def caught(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    figs: list[Any] = []

    def keep(fig: Any, path: Path) -> Path:
        fig.canvas.draw()  # lay out, so that positions are final
        figs.append(fig)
        return Path(path)

    monkeypatch.setattr(plots, "_save", keep)
    return figs


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _inside_axes(fig: Any, legend: Any) -> bool:
    box = legend.get_window_extent()
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    return any(box.overlaps(ax.get_window_extent()) for ax in panels)


def test_decision_boundaries_legend_outside_and_flat_panel_said(caught: list[Any]) -> None:
    plots.decision_boundaries(
        Path("x.png"),
        XOR_X,
        XOR_Y,
        {
            "before": lambda g: np.full(len(g), 0.5),  # logistic regression on XOR: f = 0.5
            "after": lambda g: (np.abs(g[:, 0] - g[:, 1]) > 0.5).astype(float),
        },
        "XOR",
        class_names=("same", "different"),
    )
    fig = caught[0]
    assert fig.get_suptitle() == "XOR"
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert "flat: P = 0.50 everywhere" in panels[0].get_title()
    assert "flat" not in panels[1].get_title()
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in panels)
    assert all(ax.get_legend() is None for ax in fig.axes)  # no legend over a panel's data
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["same", "different", "boundary P = 0.5"]
    assert not _inside_axes(fig, legend)


def test_multiclass_regions_share_the_points_colours(caught: list[Any]) -> None:
    x = np.array([[0.0, 0.0], [0.1, 0.2], [3.0, 0.0], [3.1, 0.1], [0.0, 3.0], [0.2, 3.1]])
    y = np.array([0, 0, 1, 1, 2, 2])

    def nearest(g: np.ndarray) -> np.ndarray:
        centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
        return np.argmin(((g[:, None, :] - centres) ** 2).sum(-1), axis=1)

    plots.multiclass_regions(Path("x.png"), x, y, nearest, "three", ["A", "B", "C"])
    fig = caught[0]
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == [f"{c} points" for c in "ABC"] + [f"predicted {c}" for c in "ABC"]
    handles = legend.legend_handles
    from matplotlib.colors import to_hex

    points = [to_hex(h.get_facecolor()[0]) for h in handles[:3]]
    regions = [to_hex(h.get_facecolor()) for h in handles[3:]]
    assert points == regions == ["#1f77b4", "#ff7f0e", "#2ca02c"]
    assert not _inside_axes(fig, legend)


def test_loss_surfaces_hatch_the_plateau_and_star_the_minimum(caught: list[Any]) -> None:
    w = np.linspace(-4.0, 4.0, 41)
    g1, g2 = np.meshgrid(w, w)
    bowl = g1**2 + g2**2  # no plateau: the slope grows with the distance
    mesa = np.tanh(g1**2 + g2**2)  # flat and high far from the minimum at (0, 0)
    plots.loss_surfaces(Path("x.png"), w, w, {"bowl": bowl, "mesa": mesa}, "two losses")
    fig = caught[0]
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    texts = [[t.get_text() for t in leg.get_texts()] for leg in legends]
    assert texts[0] == ["minimum L = 0"]
    assert texts[1][0].startswith("plateau: L high") and texts[1][1] == "minimum L = 0"
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[:2] == ["bowl: total loss L", "bowl: contours"]
    assert fig.get_suptitle() == "two losses"


def test_descent_paths_mark_starts_ends_and_the_minimum(caught: list[Any]) -> None:
    b = np.linspace(-2.0, 2.0, 21)
    w = np.linspace(-2.0, 2.0, 21)
    gb, gw = np.meshgrid(b, w)
    paths = [np.array([[-1.5, 1.5], [-0.5, 0.5], [0.0, 0.0]]), np.array([[1.5, 1.0], [0.0, 0.0]])]
    plots.descent_paths(Path("x.png"), b, w, 1 + gb**2 + gw**2, {"GD": paths}, (0.0, 0.0), "t")
    fig = caught[0]
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["paths from several starts", "start", "end", "the minimum (closed form)"]
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("GD", "b", "w")
    assert not _inside_axes(fig, legend)

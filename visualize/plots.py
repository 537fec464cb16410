"""Figures with matplotlib (an optional extra): fitted curves, error curves, decision boundaries,
training curves, a confusion matrix, image samples. Every function takes plain arrays and a title,
writes one PNG atomically and returns its path; without matplotlib, `available()` is False (the
tour then says which figures it skipped)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import atomic_open


def available() -> bool:
    """True when matplotlib can be imported (the `plot` extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)  # files only: never needs a display
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    """Write the figure next to its destination, then rename: a reader never sees half a PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_open(path) as f:
            fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
    finally:
        _pyplot().close(fig)
    return path


def regression_fits(
    path: Path,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    title: str,
    xlabel: str = "CP before evolution (x_cp)",
    ylabel: str = "CP after evolution (ŷ)",
) -> Path:
    """Fitted curves over the training and testing points."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ax.scatter(*train, color="#1d4ed8", label="training data", zorder=3)
    ax.scatter(*test, color="#dc2626", marker="^", label="testing data", zorder=3)
    for name, (xs, ys) in curves.items():
        ax.plot(xs, ys, label=name, linewidth=1.6)
    lo = min(np.min(train[1]), np.min(test[1]))
    hi = max(np.max(train[1]), np.max(test[1]))
    ax.set_ylim(lo - 0.15 * (hi - lo), hi + 0.15 * (hi - lo))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def error_curve(
    path: Path,
    xs: Sequence[float],
    series: Mapping[str, Sequence[float]],
    title: str,
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    xticklabels: Sequence[str] | None = None,
) -> Path:
    """Training and testing error against model complexity or λ."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    positions = np.arange(len(xs)) if logx else np.asarray(xs, dtype=float)
    for name, ys in series.items():
        ax.plot(positions, ys, marker="o", label=name)
    if logx:  # λ = 0 cannot sit on a log axis: equally spaced ticks labelled with the values
        ax.set_xticks(positions, xticklabels or [f"{x:g}" for x in xs])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def decision_boundaries(
    path: Path,
    x: np.ndarray,
    y: np.ndarray,
    panels: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    title: str,
    feature_names: Sequence[str] = ("x₁", "x₂"),
    class_names: Sequence[str] = ("class 0", "class 1"),
) -> Path:
    """One panel per model: P(class 1 | x) on a grid, its 0.5 contour, and the points."""
    plt = _pyplot()
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 4.2), squeeze=False, layout="constrained")
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-9
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = np.c_[g1.ravel(), g2.ravel()]
    for ax, (name, proba) in zip(axes[0], panels.items()):
        p = np.asarray(proba(grid), dtype=float).reshape(g1.shape)
        cs = ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.55)
        ax.contour(g1, g2, p, levels=[0.5], colors="k", linewidths=1.5)
        for k, (marker, color) in enumerate((("o", "#1d4ed8"), ("s", "#b91c1c"))):
            pts = x[y == k]
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=18,
                marker=marker,
                color=color,
                edgecolor="white",
                linewidth=0.4,
                label=class_names[k],
            )
        ax.set(title=name, xlabel=feature_names[0], ylabel=feature_names[1])
        ax.legend(fontsize=8, loc="upper left")
    fig.colorbar(cs, ax=axes[0].tolist(), label=f"P({class_names[1]} | x)", shrink=0.85)
    fig.suptitle(title)
    return _save(fig, path)


def multiclass_regions(
    path: Path,
    x: np.ndarray,
    y: np.ndarray,
    predict: Callable[[np.ndarray], np.ndarray],
    title: str,
    class_names: Sequence[str],
) -> Path:
    """Softmax regression: the predicted class over the plane, and the points."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-9
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    pred = np.asarray(predict(np.c_[g1.ravel(), g2.ravel()])).reshape(g1.shape)
    k = len(class_names)
    ax.contourf(g1, g2, pred, levels=np.arange(k + 1) - 0.5, cmap="Pastel1", alpha=0.9)
    colors = plt.get_cmap("Set1")
    for c in range(k):
        pts = x[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, color=colors(c), label=class_names[c])
    ax.set(title=title, xlabel="x₁", ylabel="x₂")
    ax.legend(fontsize=8)
    return _save(fig, path)


def training_curves(
    path: Path,
    curves: Mapping[str, Sequence[tuple[int, float]]],
    title: str,
    ylabel: str = "loss",
    xlabel: str = "gradient-descent step",
    logy: bool = False,
    logx: bool = False,
) -> Path:
    """Loss (or accuracy) against the step, one line per run."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for name, pts in curves.items():
        if len(pts):
            steps, values = zip(*pts)
            ax.plot(steps, values, label=name)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def confusion(path: Path, matrix: np.ndarray, class_names: Sequence[str], title: str) -> Path:
    """Rows: the true class; columns: the predicted class; each cell its count."""
    plt = _pyplot()
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(5.6, 5))
    im = ax.imshow(m, cmap="Blues")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names)
    ax.set_yticks(ticks, class_names)
    threshold = m.max() / 2 if m.size else 0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(
                j,
                i,
                str(int(m[i, j])),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if m[i, j] > threshold else "black",
            )
    ax.set(title=title, xlabel="predicted class", ylabel="true class")
    fig.colorbar(im, ax=ax, shrink=0.8, label="test images")
    return _save(fig, path)


def digit_samples(
    path: Path, images: np.ndarray, labels: np.ndarray, title: str, n: int = 20
) -> Path:
    """A strip of input images with their labels: what the network sees."""
    plt = _pyplot()
    n = min(n, len(images))
    cols = min(10, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.9, rows * 1.05), squeeze=False)
    side = int(round(np.sqrt(images[0].size)))
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(images[i]).reshape(side, side), cmap="gray_r")
            ax.set_title(str(int(labels[i])), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def curves_with_spread(
    path: Path,
    panels: Mapping[str, Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]]],
    title: str,
    ylabel: str,
    xlabels: Sequence[str],
    logx: Sequence[bool] | None = None,
) -> Path:
    """One panel per entry of `panels`, each {line name: (x, mean, std)}: the mean with a
    band of ± one standard deviation and error bars, so every point shows its spread."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False)
    for i, (ax, (name, lines)) in enumerate(zip(axes[0], panels.items())):
        for label, (x, mean, std) in lines.items():
            xa, m, s = (np.asarray(v, dtype=np.float64) for v in (x, mean, std))
            ax.errorbar(xa, m, yerr=s, marker="o", ms=3, capsize=3, label=label)
            ax.fill_between(xa, m - s, m + s, alpha=0.12)
        if logx is not None and logx[i]:
            ax.set_xscale("log")
        ax.set(title=name, xlabel=xlabels[i], ylabel=ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return _save(fig, path)


def image_rows(
    path: Path,
    rows: Sequence[tuple[str, np.ndarray]],
    title: str,
    cmap: str = "gray_r",
    symmetric: bool = False,
) -> Path:
    """One row per (label, stack of images (n, h, w)): e.g. a layer's filters or its feature
    maps. Each image is scaled to its own range (a map's activity); symmetric=True centres
    the colour scale on 0 (a filter's signs: with cmap="RdBu_r", red > 0 > blue)."""
    plt = _pyplot()
    cols = max(len(images) for _, images in rows)
    fig, axes = plt.subplots(
        len(rows), cols, figsize=(cols * 0.75 + 1.4, len(rows) * 0.9 + 0.5), squeeze=False
    )
    for (label, images), line in zip(rows, axes):
        for i, ax in enumerate(line):
            ax.set_xticks([])
            ax.set_yticks([])
            if i < len(images):
                img = np.asarray(images[i])
                top = float(np.abs(img).max()) or 1.0
                lim = {"vmin": -top, "vmax": top} if symmetric else {}
                ax.imshow(img, cmap=cmap, interpolation="nearest", **lim)
            else:
                ax.axis("off")
        line[0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)

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
    """One panel per model: P(class 1 | x) on a grid, its 0.5 contour, and the points.

    One legend for all panels, below them (never over a point); a panel whose P is the same
    everywhere (within 0.02) says so in its title, since its colour alone cannot."""
    plt = _pyplot()
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 4.6), squeeze=False, layout="constrained")
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-9
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = np.c_[g1.ravel(), g2.ravel()]
    cs = None
    for ax, (name, proba) in zip(axes[0], panels.items()):
        p = np.asarray(proba(grid), dtype=float).reshape(g1.shape)
        cs = ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.55)
        flat = float(p.max() - p.min()) < 0.02
        if flat:
            name += f"\nflat: P = {p.mean():.2f} everywhere, no boundary"
        else:
            ax.contour(g1, g2, p, levels=[0.5], colors="k", linewidths=1.5)
        for k, (marker, color) in enumerate((("o", "#1d4ed8"), ("s", "#b91c1c"))):
            pts = x[y == k]
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=80 if len(x) < 20 else 18,
                marker=marker,
                color=color,
                edgecolor="white",
                linewidth=0.6,
                label=class_names[k],
                zorder=3,
            )
        ax.set(title=name, xlabel=feature_names[0], ylabel=feature_names[1])
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="k", linewidth=1.5))
    labels.append("boundary P = 0.5")
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=9)
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
    """Softmax regression: the predicted class over the plane, and the points, each class in
    one colour (light for its region, full for its points); the legend sits outside."""
    plt = _pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(7.4, 4.6), layout="constrained")
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-9
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    pred = np.asarray(predict(np.c_[g1.ravel(), g2.ravel()])).reshape(g1.shape)
    k = len(class_names)
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(k)]
    ax.contourf(
        g1, g2, pred, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(colors), alpha=0.22
    )
    handles = []
    for c in range(k):
        pts = x[y == c]
        handles.append(
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=16,
                color=colors[c],
                edgecolor="white",
                linewidth=0.4,
                label=f"{class_names[c]} points",
            )
        )
    handles += [
        Patch(facecolor=colors[c], alpha=0.22, label=f"predicted {class_names[c]}")
        for c in range(k)
    ]
    ax.set(title=title, xlabel="x₁", ylabel="x₂")
    fig.legend(handles=handles, loc="outside right upper", fontsize=8)
    return _save(fig, path)


# Class colours shared by points and their regions (matplotlib's tab10 blue, orange, green, …).
CLASS_COLORS: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def loss_surfaces(
    path: Path,
    w1: np.ndarray,
    w2: np.ndarray,
    surfaces: Mapping[str, np.ndarray],
    title: str,
    axis_names: Sequence[str] = ("w₁", "w₂"),
    flat: float = 0.1,
) -> Path:
    """The total loss over two weights, one column per loss: the surface above, its contours
    below, the minimum starred. Where the loss is high (above its median) yet its gradient is
    below `flat` × its largest value the contour panel is hatched: the plateau on which
    gradient descent barely moves although it is far from the minimum.

    surfaces: {name: L} with L[i, j] the loss at (w1[j], w2[i]) (np.meshgrid's layout)."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    n = len(surfaces)
    fig = plt.figure(figsize=(5.4 * n, 9.4), layout="constrained")
    g1, g2 = np.meshgrid(w1, w2)
    for col, (name, loss) in enumerate(surfaces.items()):
        loss = np.asarray(loss, dtype=np.float64)
        top = fig.add_subplot(2, n, col + 1, projection="3d")
        top.plot_surface(g1, g2, loss, cmap="viridis", linewidth=0, antialiased=True)
        top.set(title=f"{name}: total loss L", xlabel=axis_names[0], ylabel=axis_names[1])
        top.set_zlabel("L")
        ax = fig.add_subplot(2, n, n + col + 1)
        cs = ax.contourf(g1, g2, loss, levels=20, cmap="viridis")
        fig.colorbar(cs, ax=ax, label="total loss L", shrink=0.9)
        d2, d1 = np.gradient(loss, w2, w1)
        slope = np.hypot(d1, d2)
        plateau = (slope < flat * slope.max()) & (loss > np.median(loss))  # flat, and high
        handles = []
        if plateau.any():
            ax.contourf(g1, g2, plateau.astype(float), levels=[0.5, 1.5], colors="none",
                        hatches=["///"])  # fmt: skip
            share = 100 * plateau.mean()
            text = f"plateau: L high, |∇L| < {flat:g}·max|∇L| ({share:.0f}% of the plane)"
            handles.append(Patch(facecolor="none", hatch="///", label=text))
        i, j = np.unravel_index(np.argmin(loss), loss.shape)
        handles.append(
            ax.scatter(
                [w1[j]],
                [w2[i]],
                marker="*",
                s=180,
                color="#dc2626",
                edgecolor="white",
                zorder=3,
                label=f"minimum L = {loss[i, j]:.3g}",
            )  # fmt: skip
        )
        ax.set(title=f"{name}: contours", xlabel=axis_names[0], ylabel=axis_names[1])
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8)
    fig.suptitle(title)
    return _save(fig, path)


def descent_paths(
    path: Path,
    b: np.ndarray,
    w: np.ndarray,
    loss: np.ndarray,
    panels: Mapping[str, Sequence[np.ndarray]],
    minimum: tuple[float, float],
    title: str,
    axis_names: Sequence[str] = ("b", "w"),
) -> Path:
    """Gradient-descent paths over the loss contours of (b, w), one panel per optimizer.

    loss[i, j] is the loss at (b[j], w[i]); panels: {name: [path, …]}, each path an array of
    (b, w) rows from its start to its end; minimum: the exact minimizer, starred."""
    plt = _pyplot()
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(5.6 * n, 5.0), squeeze=False, layout="constrained")
    gb, gw = np.meshgrid(b, w)
    # log10 L: the valley floor and the steep walls both get contours
    log_loss = np.log10(np.maximum(np.asarray(loss, dtype=np.float64), 1e-300))
    for ax, (name, paths) in zip(axes[0], panels.items()):
        cs = ax.contourf(gb, gw, log_loss, levels=18, cmap="Greys_r", alpha=0.8)
        for k, pth in enumerate(paths):
            pth = np.asarray(pth, dtype=np.float64)
            color = CLASS_COLORS[k % len(CLASS_COLORS)]
            ax.plot(pth[:, 0], pth[:, 1], color=color, linewidth=1.6,
                    label="paths from several starts" if k == 0 else None)  # fmt: skip
            ax.scatter([pth[0, 0]], [pth[0, 1]], marker="o", s=36, color=color, edgecolor="k",
                       zorder=3, label="start" if k == 0 else None)  # fmt: skip
            ax.scatter([pth[-1, 0]], [pth[-1, 1]], marker="X", s=60, color=color,
                       edgecolor="k", zorder=4, label="end" if k == 0 else None)  # fmt: skip
        ax.scatter([minimum[0]], [minimum[1]], marker="*", s=260, color="#facc15",
                   edgecolor="k", zorder=5, label="the minimum (closed form)")  # fmt: skip
        ax.set(title=name, xlabel=axis_names[0], ylabel=axis_names[1])
        ax.set_xlim(b.min(), b.max())
        ax.set_ylim(w.min(), w.max())
    fig.colorbar(cs, ax=axes[0].tolist(), label="log₁₀ of the total loss L(b, w)", shrink=0.85)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=9)
    fig.suptitle(title)
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
            ticks = sorted({float(v) for x, _, _ in lines.values() for v in x})
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])  # the sizes themselves, no 3×10⁰
            ax.minorticks_off()
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
    maps, drawn side by side as one mosaic per row. Each image is scaled to its own range (a
    map's activity); symmetric=True centres the scale on 0 (a filter's signs: with
    cmap="RdBu_r", red > 0 > blue)."""
    plt = _pyplot()
    mosaics = [_mosaic(np.asarray(images, dtype=np.float64), symmetric) for _, images in rows]
    widest = max(m.shape[1] / m.shape[0] for m in mosaics)
    fig, axes = plt.subplots(
        len(rows),
        1,
        figsize=(min(14.0, 1.2 + 0.9 * widest), 0.95 * len(rows) + 0.6),
        squeeze=False,
    )
    colours = plt.get_cmap(cmap).with_extremes(bad="white")
    lim = (-1.0, 1.0) if symmetric else (0.0, 1.0)
    for (label, _), mosaic, ax in zip(rows, mosaics, axes[:, 0]):
        ax.imshow(mosaic, cmap=colours, vmin=lim[0], vmax=lim[1], interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def _mosaic(images: np.ndarray, symmetric: bool) -> np.ndarray:
    """(n, h, w) → (h, n·(w+1) − 1), each tile scaled to [−1, 1] (symmetric) or [0, 1], the
    one-pixel gaps NaN (drawn white)."""
    n, h, w = images.shape
    flat = images.reshape(n, -1)
    if symmetric:
        scale = np.abs(flat).max(axis=1)
        tiles = images / np.where(scale > 0, scale, 1.0)[:, None, None]
    else:
        lo, hi = flat.min(axis=1), flat.max(axis=1)
        span = np.where(hi > lo, hi - lo, 1.0)
        tiles = (images - lo[:, None, None]) / span[:, None, None]
    out = np.full((h, n * (w + 1) - 1), np.nan)
    for i in range(n):
        out[:, i * (w + 1) : i * (w + 1) + w] = tiles[i]
    return out

"""Digit glyphs: a hand-drawn 5x7 font turned into distance fields, and 28x28 images drawn from
them with a random pose, stroke width, contrast and noise (the synthetic digits' pixels)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# A 5x7 font drawn by hand for this project, digits 0..9 side by side. Each lit cell is a pen
# position; neighbouring cells are joined by strokes, so glyphs render as lines at any scale.
_FONT_ROWS = """
.###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###.
#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...#
#...# ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...#
#...# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .####
#...# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....#
#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#.
.###. .###. ##### .###. ...#. .###. .###. .#... .###. .##..
"""
_FONT = {str(d): [row.split()[d] for row in _FONT_ROWS.strip().splitlines()] for d in range(10)}
_RES = 8  # distance-field samples per glyph cell
_U0, _U1, _V0, _V1 = -3.0, 8.0, -3.0, 10.0  # field extent in glyph cells (margin for slant)


def _glyph_segments(rows: Sequence[str]) -> np.ndarray:
    on = {(r, c) for r, line in enumerate(rows) for c, ch in enumerate(line) if ch == "#"}
    segs = []
    for r, c in sorted(on):
        segs.append(((c + 0.5, r + 0.5), (c + 0.5, r + 0.5)))  # isolated cells still show
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            if (r + dr, c + dc) not in on:
                continue
            # a diagonal next to an orthogonal path would only thicken the corner
            if dr and dc and ((r, c + dc) in on or (r + dr, c) in on):
                continue
            segs.append(((c + 0.5, r + 0.5), (c + dc + 0.5, r + dr + 0.5)))
    return np.array(segs, dtype=np.float64)


@lru_cache(maxsize=1)
def _distance_fields() -> np.ndarray:
    """Distance (in glyph cells) from each field sample to the nearest stroke, per digit."""
    u = np.arange(_U0, _U1, 1.0 / _RES)
    v = np.arange(_V0, _V1, 1.0 / _RES)
    pts = np.stack(np.meshgrid(u, v, indexing="xy"), axis=-1).reshape(-1, 1, 2)
    fields = []
    for digit in "0123456789":
        seg = _glyph_segments(_FONT[digit])
        a, ab = seg[None, :, 0], seg[None, :, 1] - seg[None, :, 0]
        length2 = (ab**2).sum(-1)
        t = ((pts - a) * ab).sum(-1) / np.where(length2 > 0, length2, 1.0)
        nearest = a + np.clip(t, 0.0, 1.0)[..., None] * ab
        fields.append(np.sqrt(((nearest - pts) ** 2).sum(-1)).min(axis=1).reshape(v.size, u.size))
    return np.stack(fields).astype(np.float32)


def render_digits(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw each label as a 28x28 image: random affine pose, stroke width, contrast, noise."""
    fields = _distance_fields()
    _, fh, fw = fields.shape
    n = labels.shape[0]
    scale = rng.uniform(2.5, 3.3, n)  # pixels per glyph cell: glyph height 17..23 px
    sx = scale * rng.uniform(0.8, 1.2, n)  # width jitter
    angle = rng.uniform(-0.25, 0.25, n)  # radians
    slant = rng.uniform(-0.3, 0.3, n)
    cx = 14.0 + rng.uniform(-3.0, 3.0, n)  # shifts of up to 3 px from the centre
    cy = 14.0 + rng.uniform(-3.0, 3.0, n)
    half_width = rng.uniform(0.3, 0.6, n)  # stroke half-width in glyph cells
    contrast = rng.uniform(0.75, 1.0, n)

    # Pixel (x, y) -> glyph cell (u, v): rotate about the centre, scale, slant. The map is
    # affine, so work with per-image coefficients instead of building per-image grids.
    cos, sin = np.cos(angle), np.sin(angle)
    vx, vy = -sin / scale, cos / scale
    ux, uy = cos / sx + slant * vx, sin / sx + slant * vy
    v0 = 3.5 - vx * cx - vy * cy
    u0 = 2.5 - ux * cx - uy * cy
    pix = np.arange(28, dtype=np.float32) + np.float32(0.5)

    def field_index(
        ax: np.ndarray, ay: np.ndarray, a0: np.ndarray, lo: float, size: int
    ) -> np.ndarray:
        ax = (ax * _RES).astype(np.float32)[:, None, None]
        ay = (ay * _RES).astype(np.float32)[:, None, None]
        a0 = ((a0 - lo) * _RES + 0.5).astype(np.float32)[:, None, None]  # +0.5: round
        t = ax * pix[None, None, :] + (ay * pix[None, :, None] + a0)
        return np.clip(t, 0, size - 1).astype(np.intp)

    flat = field_index(vx, vy, v0, _V0, fh) * fw
    flat += field_index(ux, uy, u0, _U0, fw)
    flat += (labels.astype(np.intp) * (fh * fw))[:, None, None]
    dist = fields.reshape(-1)[flat]
    # Ink fades linearly over one pixel at the stroke edge (cheap anti-aliasing).
    img = half_width.astype(np.float32)[:, None, None] - dist
    img *= scale.astype(np.float32)[:, None, None]
    img += np.float32(0.5)
    np.clip(img, 0.0, 1.0, out=img)
    img *= contrast.astype(np.float32)[:, None, None]
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(0.15)
    np.clip(img, 0.0, 1.0, out=img)
    return img

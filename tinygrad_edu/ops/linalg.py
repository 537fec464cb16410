"""Linear algebra: matmul and the fused fully connected layer."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..graph import LocalGrad
from ..tensor import Function, unbroadcast


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, through np.dot when both are 2-D: numpy's matmul takes a slow non-BLAS loop for an
    outer product, the batch-1 weight gradient gᵀx ((256,1)@(1,784): 602 µs vs np.dot 50 µs on
    this machine; bench/mlp.py batch 1). Batched operands keep @ (np.dot would not broadcast)."""
    if a.ndim == 2 and b.ndim == 2:
        return np.dot(a, b)
    return a @ b


class MatMul(Function):
    """z = a @ b (1-D, 2-D, batched as numpy); ∂z/∂a = bᵀ, ∂z/∂b = aᵀ (VJP: g·bᵀ, aᵀ·g)"""

    __slots__ = ("a", "b")
    name = "@"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"'@': matmul needs 1-D or larger operands, got {a.shape} @ {b.shape}; "
                "use * to scale"
            )
        ka, kb = a.shape[-1], (b.shape[-2] if b.ndim >= 2 else b.shape[0])
        if ka != kb:
            raise ShapeError(
                f"'@': inner dimensions differ: {a.shape} @ {b.shape} ({ka} ≠ {kb}); the last "
                "axis of the left operand must match the first (or second-to-last) of the right"
            )
        self.a, self.b = a, b
        return np.asarray(a @ b)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        # Work in ≥2-D as numpy does: a 1-D left operand is a row, a 1-D right one a column.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g[..., None] if b.ndim == 1 else g
        g2 = g2[..., None, :] if a.ndim == 1 else g2
        ga = gb = None
        if self.needs_grad[0]:
            ga = unbroadcast(_mm(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            gb = unbroadcast(_mm(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂{z}/∂{0} = {1}ᵀ", self.b), LocalGrad("∂{z}/∂{1} = {0}ᵀ", self.a)


class Linear(Function):
    """The fully connected layer z = x Wᵀ + b, one node (W: out×in, x: …×in, b: out).

    Forward pass: ∂z/∂W = x (the input wired to each weight), ∂z/∂x = W, ∂z/∂b = 1.
    Backward pass: ∂C/∂W = gᵀx, ∂C/∂x = g W, ∂C/∂b = Σ g over the batch.
    """

    __slots__ = ("x", "w")
    name = "linear"

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ShapeError(
                f"'linear': input of shape {x.shape} does not fit a weight of shape {w.shape} "
                f"(out × in): the input's last axis must be {w.shape[1] if w.ndim == 2 else '?'}"
            )
        if b is not None and b.shape != (w.shape[0],):
            raise ShapeError(f"'linear': bias shape {b.shape} must be ({w.shape[0]},)")
        self.x, self.w = x, w
        z = x @ w.T
        if b is not None:
            z += b
        return z

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        need = self.needs_grad
        x, w = self.x, self.w
        gx = g @ w if need[0] else None
        g2 = g.reshape(-1, g.shape[-1])
        gw = _mm(g2.T, x.reshape(-1, x.shape[-1])) if need[1] else None
        if len(need) == 2:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if need[2] else None)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        out = (LocalGrad("∂{z}/∂{0} = {1}", self.w), LocalGrad("∂{z}/∂{1} = {0}", self.x))
        return out + ((LocalGrad("∂{z}/∂{2} = 1", None),) if len(self.needs_grad) == 3 else ())


def _tokens(sub: str) -> list[str]:
    """'...ij' → ['...', 'i', 'j']."""
    out, i = [], 0
    while i < len(sub):
        if sub.startswith("...", i):
            out.append("...")
            i += 3
        else:
            out.append(sub[i])
            i += 1
    return out


def parse_einsum(subscripts: str, n: int) -> tuple[list[list[str]], list[str]]:
    """Input and output subscripts as token lists; the implicit output (no "->") is numpy's:
    '...' then the letters used once, sorted."""
    s = subscripts.replace(" ", "")
    lhs, arrow, rhs = s.partition("->")
    ins = [_tokens(x) for x in lhs.split(",")]
    if len(ins) != n or n not in (1, 2):
        raise ShapeError(
            f"'einsum': {subscripts!r} names {len(ins)} operands but {n} were given "
            "(one or two operands are supported)"
        )
    for toks in ins:
        letters = [t for t in toks if t != "..."]
        if any(not t.isalpha() for t in letters) or toks.count("...") > 1:
            raise ShapeError(f"'einsum': bad subscripts {subscripts!r} (letters and one '...')")
        if len(set(letters)) != len(letters):
            raise ShapeError(
                f"'einsum': a letter repeated within one operand ({subscripts!r}: diagonals "
                "and traces) is not supported; take the diagonal explicitly first"
            )
    if arrow:
        out = _tokens(rhs)
    else:
        count: dict[str, int] = {}
        for t in (t for toks in ins for t in toks if t != "..."):
            count[t] = count.get(t, 0) + 1
        out = (["..."] if any("..." in t for t in ins) else []) + sorted(
            t for t, c in count.items() if c == 1
        )
    used = {t for toks in ins for t in toks}
    if not set(out) <= used or len(set(out)) != len(out):
        raise ShapeError(
            f"'einsum': output subscripts of {subscripts!r} must be distinct input ones"
        )
    if any("..." in t for t in ins) and "..." not in out:
        raise ShapeError(f"'einsum': {subscripts!r}: keep '...' in the output")
    return ins, out


class Einsum(Function):
    """z = einsum(subscripts, a[, b]). The VJP of each operand is the einsum of the upstream
    gradient with the other operand, written into that operand's subscripts:
    ∂C/∂a = einsum("out,b->a", g, b) (letters of a found nowhere else are broadcast back;
    broadcast '...' axes are summed, as unbroadcast does)."""

    __slots__ = ("ins", "out", "arrays")
    name = "einsum"

    def forward(self, *arrays: np.ndarray, subscripts: str) -> np.ndarray:
        self.ins, self.out = parse_einsum(subscripts, len(arrays))
        for toks, arr in zip(self.ins, arrays):
            need = len([t for t in toks if t != "..."])
            if arr.ndim < need or ("..." not in toks and arr.ndim != need):
                raise ShapeError(
                    f"'einsum': operand of shape {arr.shape} does not fit {''.join(toks)!r}"
                )
        self.arrays = arrays
        spec = ",".join("".join(t) for t in self.ins) + "->" + "".join(self.out)
        return np.asarray(np.einsum(spec, *arrays))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grads: list[np.ndarray | None] = []
        for k, (toks, a) in enumerate(zip(self.ins, self.arrays)):
            if not self.needs_grad[k]:
                grads.append(None)
                continue
            others = [(t, x) for j, (t, x) in enumerate(zip(self.ins, self.arrays)) if j != k]
            seen = set(self.out).union(*[set(t) for t, _ in others])
            present = [t for t in toks if t in seen]
            spec = ",".join(["".join(self.out)] + ["".join(t) for t, _ in others])
            ga = np.einsum(spec + "->" + "".join(present), g, *[x for _, x in others])
            grads.append(_fit(ga, present, toks, a.shape))
        return tuple(grads)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        names = ("∂{z}/∂{0} = {1} (einsum back)", "∂{z}/∂{1} = {0} (einsum back)")
        if len(self.ins) == 1:
            return (LocalGrad("∂{z}/∂{0}: einsum back", None),)
        return LocalGrad(names[0], self.arrays[1]), LocalGrad(names[1], self.arrays[0])


def _fit(ga: np.ndarray, present: list[str], toks: list[str], shape: tuple[int, ...]) -> np.ndarray:
    """Bring an einsum gradient over `present` to the operand's own subscripts and shape."""
    n_ell = len(shape) - len([t for t in toks if t != "..."])
    if "..." in present:  # sum the '...' axes that broadcasting added or stretched
        start = present.index("...")
        extra = ga.ndim - len(present) + 1 - n_ell
        if extra:
            ga = ga.sum(axis=tuple(range(start, start + extra)))
        first = toks.index("...")
        ell = shape[first : first + n_ell]
        stretched = tuple(
            start + i for i, n in enumerate(ell) if n == 1 and ga.shape[start + i] != 1
        )
        if stretched:
            ga = ga.sum(axis=stretched, keepdims=True)
    if present == toks:
        return ga
    sizes, pos = [], 0
    for t in toks:
        width = n_ell if t == "..." else 1
        if t in present:
            sizes.extend(ga.shape[pos : pos + width])
            pos += width
        else:
            sizes.extend([1] * width)
    return np.ascontiguousarray(np.broadcast_to(ga.reshape(sizes), shape))

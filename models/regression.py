"""Regression: predict a Pokemon's CP after evolution (the lecture's first example).

Every model here is linear in its parameters,

    ŷ = Σⱼ wⱼ φⱼ(x),    each φⱼ = δ(species = s) · vᵖ   (a :class:`Term`)

with v one of cp, hp, height, weight (v⁰ = 1 is a bias b), and δ(species = s) = 1 for
Pokemon of species s, 0 otherwise (δ = 1 for every Pokemon when the term has no species).
That covers the lecture's straight line y = b + w·cp, the polynomials of degree 1 to 5, the
species-dependent model ŷ = Σₛ δ(species = s)(bₛ + wₛ·cp) and the model with all factors.

Step 2, the loss, is the lecture's  L(w) = Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ²  with the biases left out
of the penalty (they only shift the curve, they do not make it steeper). The slides do not say
how the data term is scaled, and λ's meaning depends on it: :func:`lambda_table` takes
``data_term="sum"`` (Σ), ``"mean"`` ((1/N) Σ) or ``"half-mean"`` (1/(2N) Σ, the default: the
one that puts the lowest testing error at λ = 100, as on the slides; see :data:`DATA_TERMS`).

Step 3 is gradient descent on the engine: the loss is a graph of Tensor ops and backward()
gives ∂L/∂w. Raw features (cp⁵ ≈ 10¹⁴ next to 1) make the loss surface a long thin valley
that gradient descent crosses in zig-zags for millions of steps, so the graph is built on
scaled features (feature scaling, the lecture's tip) and the result is mapped back:

1. each input v is mapped to t ∈ [−1, 1] over the training rows (per species for species
   terms) and its powers are replaced by the Legendre polynomials P₁(t) … P_d(t): the same
   functions as v, v², …, v^d up to a change of basis, but far from parallel;
2. every column is standardized (mean 0, standard deviation 1 over the rows it covers);
3. every column is divided by √(∂²L/∂θⱼ²), the exact curvature along its parameter (what
   Adagrad's √Σg² estimates), so that every direction has curvature 1 and λ's penalty on
   the raw weights does not make the valley thin again.

Each scaled column is a fixed linear combination of raw columns, Z = Φ A, so the raw
parameters are w = A θ exactly. On these scaled features gradient descent with momentum
(nn.SGD, with the step size and momentum that are optimal for a quadratic loss, from the
largest and smallest curvature) reaches the minimum in a few hundred steps;
:func:`closed_form` gives the same minimum by linear algebra, and the tests compare the two.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.polynomial import Legendre, Polynomial

from ..graph import no_grad
from ..nn import SGD, Parameter
from ..tensor import Tensor
from .data import SPECIES, CPSplit, RegressionData
from .metrics import average_error, mae, mse
from .progress import ProgressBar

__all__ = [
    "VARIABLES",
    "LAMBDAS",
    "LECTURE_POLY_TRAIN",
    "LECTURE_POLY_TEST",
    "LECTURE_LAMBDA_TABLE",
    "DATA_TERMS",
    "DEFAULT_DATA_TERM",
    "loss_definition",
    "Term",
    "polynomial_terms",
    "species_terms",
    "all_factor_terms",
    "design_matrix",
    "closed_form",
    "RegressionModel",
    "RegressionResult",
    "fit_regression",
    "polynomial_table",
    "lambda_table",
    "LineDescent",
    "raw_line_descent",
    "line_loss_surface",
]

VARIABLES: tuple[str, ...] = ("cp", "hp", "height", "weight")
LAMBDAS: tuple[float, ...] = (0.0, 1.0, 10.0, 100.0, 1000.0, 1e4, 1e5)

# The lecture's tables (average error ‖y − ŷ‖₂ / N), printed beside ours for comparison.
LECTURE_POLY_TRAIN: tuple[float, ...] = (31.9, 15.4, 15.3, 14.9, 12.8)
LECTURE_POLY_TEST: tuple[float, ...] = (35.0, 18.4, 18.1, 28.8, 232.1)
LECTURE_LAMBDA_TABLE: dict[float, tuple[float, float]] = {
    0.0: (1.9, 102.3),
    1.0: (2.3, 68.7),
    10.0: (3.5, 25.7),
    100.0: (4.1, 11.1),
    1000.0: (5.6, 12.8),
    1e4: (6.3, 18.7),
    1e5: (8.5, 26.8),
}

# How the data term of the λ table's loss is written: name -> (formula, factor c(N)), so that
# L(w) = c(N) Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ². On the OpenIntro file (N = 65 species-training Pokemon)
# the lowest testing error sits at λ = 10⁴ for "sum", 10³ for "mean" and 100 for "half-mean"
# (10.96 vs the slides' 11.1); none reproduces every row of the slides' table.
DATA_TERMS: dict[str, tuple[str, Callable[[int], float]]] = {
    "sum": ("Σₙ (yⁿ − ŷⁿ)²", lambda n: 1.0),
    "mean": ("(1/N) Σₙ (yⁿ − ŷⁿ)²", lambda n: 1.0 / n),
    "half-mean": ("1/(2N) Σₙ (yⁿ − ŷⁿ)²", lambda n: 1.0 / (2 * n)),
}
DEFAULT_DATA_TERM = "half-mean"


def loss_definition(data_term: str = DEFAULT_DATA_TERM, n: int | None = None) -> str:
    """The λ table's loss in words, e.g. "L(w) = 1/(2N) Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ², N = 65"."""
    if data_term not in DATA_TERMS:
        raise ValueError(f"data_term must be one of {', '.join(DATA_TERMS)}; got {data_term!r}")
    size = f", N = {n} training Pokemon" if n is not None and data_term != "sum" else ""
    return (
        f"L(w) = {DATA_TERMS[data_term][0]} + λ Σⱼ wⱼ² (biases not penalized{size}; "
        f"data term '{data_term}')"
    )


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Term:
    """One feature φ(x) = δ(species = `species`) · `variable` ** `power`.

    variable None (power 0) is the constant 1: a bias. species None: every Pokemon.
    """

    variable: str | None
    power: int = 1
    species: str | None = None

    def __post_init__(self) -> None:
        if self.variable is None:
            if self.power != 0:
                raise ValueError("Term: a bias (variable=None) has power 0")
        elif self.variable not in VARIABLES:
            raise ValueError(f"Term: variable must be one of {VARIABLES}, got {self.variable!r}")
        elif self.power < 1:
            raise ValueError(f"Term: power must be >= 1 for {self.variable}, got {self.power}")

    @property
    def is_bias(self) -> bool:
        """True for the constant term (left out of the L2 penalty)."""
        return self.variable is None

    @property
    def name(self) -> str:
        """'b', 'w·cp²', 'b[Pidgey]', 'w·cp[Eevee]'."""
        core = "b" if self.variable is None else f"w·{self.variable}"
        if self.power > 1:
            core += str(self.power).translate(_SUPERSCRIPT)
        return f"{core}[{self.species}]" if self.species else core


def polynomial_terms(degree: int) -> tuple[Term, ...]:
    """y = b + w₁·cp + w₂·cp² + … + w_d·cp^d (the lecture's models of degree 1 to 5)."""
    if degree < 1:
        raise ValueError(f"polynomial_terms: degree must be >= 1, got {degree}")
    return (Term(None, 0), *(Term("cp", k) for k in range(1, degree + 1)))


def species_terms(species: Sequence[str] = SPECIES, degree: int = 1) -> tuple[Term, ...]:
    """ŷ = Σₛ δ(species = s)(bₛ + wₛ·cp + … + wₛ,d·cp^d): one b and w per species."""
    out: list[Term] = []
    for s in species:
        out.append(Term(None, 0, s))
        out += [Term("cp", k, s) for k in range(1, degree + 1)]
    return tuple(out)


def all_factor_terms(species: Sequence[str] = SPECIES) -> tuple[Term, ...]:
    """The lecture's model with all factors: species × (1, cp, cp²) plus hp, hp², height,
    height², weight, weight² shared by all species (18 parameters for four species)."""
    extra = tuple(Term(v, k) for v in ("hp", "height", "weight") for k in (1, 2))
    return species_terms(species, degree=2) + extra


# --------------------------------------------------------------------------------------------
# features and the closed form


def _column(data: RegressionData, variable: str) -> np.ndarray:
    values = {"cp": data.x_cp, "hp": data.hp, "height": data.height, "weight": data.weight}
    v = values[variable]
    if v is None:
        raise ValueError(
            f"this model uses {variable}, but the data ({data.source}) has no {variable} "
            "column: the embedded lecture split only has cp. Load the OpenIntro CSV "
            "(load_pokemon_cp / --data pokemon_cp_evolution.csv) or use synthetic_cp_split()."
        )
    return np.asarray(v, dtype=np.float64)


def _mask(data: RegressionData, species: str | None) -> np.ndarray:
    if species is None:
        return np.ones(len(data), dtype=bool)
    return np.asarray(data.species == species)


def _check_terms(terms: Sequence[Term]) -> tuple[Term, ...]:
    terms = tuple(terms)
    if not terms:
        raise ValueError("a model needs at least one term")
    if len(set(terms)) != len(terms):
        raise ValueError(f"a term appears twice in {[t.name for t in terms]}")
    for t in terms:
        if t.variable is None:
            continue
        # Scaling mixes v, v², … within a (species, variable) group (Legendre polynomials),
        # so the lower powers must be in the model too.
        for k in range(1, t.power):
            if Term(t.variable, k, t.species) not in terms:
                raise ValueError(
                    f"term {t.name} needs {Term(t.variable, k, t.species).name} in the model "
                    "too (every lower power of the same variable and species)"
                )
    return terms


def _check_covered(terms: Sequence[Term], data: RegressionData) -> None:
    """Every row needs a bias: a global one, or the one of its species."""
    if any(t.is_bias and t.species is None for t in terms):
        return
    have = {t.species for t in terms if t.is_bias}
    missing = sorted(set(np.unique(data.species).tolist()) - have)
    if missing:
        raise ValueError(
            f"the data ({data.source}) has Pokemon of species {', '.join(missing)} but the "
            f"model has no bias for {'it' if len(missing) == 1 else 'them'} (its terms are per "
            f"species: {', '.join(sorted(s for s in have if s))}); add their terms or drop "
            "those rows"
        )


def design_matrix(terms: Sequence[Term], data: RegressionData) -> np.ndarray:
    """Φ with Φ[n, j] = φⱼ(xⁿ) in raw units, shape (N, number of terms)."""
    terms = tuple(terms)
    cols = []
    for t in terms:
        m = _mask(data, t.species).astype(np.float64)
        if t.variable is None:
            cols.append(m)
            continue
        x = _column(data, t.variable)
        with np.errstate(over="ignore", invalid="ignore"):  # said below, as one clear error
            col = m * x**t.power
        bad = np.flatnonzero(~np.isfinite(col))
        if bad.size:
            n = int(bad[0])
            raise ValueError(
                f"{data.source}: {t.variable} = {x[n]:g} (row {n + 1}"
                + (f", {data.names[n]}" if data.names is not None else "")
                + f") makes the feature {t.variable}^{t.power} overflow float64; values this "
                "large cannot be fitted: rescale the column (e.g. divide it by 1000)"
            )
        cols.append(col)
    phi = np.stack(cols, axis=1)
    if phi.size and np.abs(phi).max() > 1e150:  # the fit's sums of squares would overflow
        n, j = np.unravel_index(int(np.abs(phi).argmax()), phi.shape)
        raise ValueError(
            f"{data.source}: the feature {terms[j].name} of row {n + 1} is {phi[n, j]:g}; the "
            "fit's sums of squares overflow float64 beyond about 1e150: rescale the column"
        )
    return phi


def _penalized(terms: Sequence[Term]) -> np.ndarray:
    return np.array([not t.is_bias for t in terms], dtype=bool)


def closed_form(terms: Sequence[Term], data: RegressionData, lam: float = 0.0) -> np.ndarray:
    """The least-squares (λ = 0) or ridge minimizer of Σₙ (yⁿ − ŷⁿ)² + λ Σ_{non-bias} wⱼ²,
    in raw units, by linear algebra:  w = argmin ‖[Φ; √λ P] w − [y; 0]‖²  (P selects the
    non-bias weights), solved with lstsq after scaling each column to unit norm (cp⁵ next to
    1 would otherwise lose digits). If the minimizer is not unique, this is the one of
    smallest norm in those unit-norm coordinates.
    """
    terms = _check_terms(terms)
    if lam < 0:
        raise ValueError(f"closed_form: λ must be >= 0, got {lam}")
    phi = design_matrix(terms, data)
    norms = np.linalg.norm(phi, axis=0)
    norms[norms == 0] = 1.0
    a = phi / norms
    rhs = np.asarray(data.y, dtype=np.float64)
    if lam > 0:
        pen = np.diag(_penalized(terms).astype(np.float64) * math.sqrt(lam))
        a = np.vstack([a, pen / norms])  # the penalty row acts on w = u / norms
        rhs = np.concatenate([rhs, np.zeros(len(terms))])
    u = np.linalg.lstsq(a, rhs, rcond=None)[0]
    return u / norms


# --------------------------------------------------------------------------------------------
# feature scaling


@dataclass(frozen=True, eq=False)
class _Scaling:
    """Z = Φ A: the scaled features as a linear map of the raw ones (see the module doc).

    `polys[j]` is the polynomial q_j(v) (coefficients in raw v) of a non-bias column j, so
    column j is δ(species) · q_j(v); its constant part goes to the bias columns in A.
    """

    terms: tuple[Term, ...]
    polys: tuple[np.ndarray | None, ...]
    a: np.ndarray  # (p, p): raw w = A θ

    def features(self, data: RegressionData) -> np.ndarray:
        """Z for `data` (computed from the polynomials, never from the huge raw powers)."""
        cols = []
        for t, q in zip(self.terms, self.polys):
            m = _mask(data, t.species).astype(np.float64)
            if q is None:
                cols.append(m)
            else:
                cols.append(m * np.polynomial.polynomial.polyval(_column(data, t.variable), q))
        return np.stack(cols, axis=1)


def _bias_columns(terms: tuple[Term, ...], species: str | None) -> tuple[int, ...]:
    """Raw bias columns whose sum is δ(species = s) (or 1 for species None)."""
    index = {t: i for i, t in enumerate(terms)}
    own = Term(None, 0, species)
    if own in index:
        return (index[own],)
    if species is None:
        # Σₛ δ(species = s) = 1 when every row has a species bias (checked by _check_covered).
        return tuple(i for i, t in enumerate(terms) if t.is_bias)
    raise ValueError(
        f"the model has terms for species {species} but no bias b[{species}]; add "
        f"Term(None, 0, {species!r})"
    )


def _make_scaling(terms: tuple[Term, ...], train: RegressionData) -> _Scaling:
    p = len(terms)
    index = {t: i for i, t in enumerate(terms)}
    a = np.zeros((p, p))
    polys: list[np.ndarray | None] = []
    for j, t in enumerate(terms):
        if t.is_bias:
            a[j, j] = 1.0
            polys.append(None)
            continue
        rows = _mask(train, t.species)
        if not rows.any():
            raise ValueError(
                f"term {t.name}: no training Pokemon of species {t.species} "
                f"({train.source}); drop the species from the model"
            )
        v = _column(train, t.variable)[rows]
        lo, hi = float(v.min()), float(v.max())
        if hi == lo:  # one distinct value: any interval around it will do
            lo, hi = lo - 1.0, hi + 1.0
        # P_k(t) with t = (2v − lo − hi)/(hi − lo), as a polynomial in raw v.
        q = Legendre.basis(t.power, domain=[lo, hi]).convert(kind=Polynomial).coef
        vals = np.polynomial.polynomial.polyval(v, q)
        mu, sd = float(vals.mean()), float(vals.std())
        q = q / (sd if sd > 0 else 1.0)
        q[0] -= mu / (sd if sd > 0 else 1.0)
        polys.append(q)
        biases = _bias_columns(terms, t.species)
        for k, c in enumerate(q):
            if k == 0:
                for b in biases:
                    a[b, j] += c
            else:
                a[index[Term(t.variable, k, t.species)], j] += c
    return _Scaling(terms, tuple(polys), a)


# --------------------------------------------------------------------------------------------
# the model and its training


class RegressionModel:
    """ŷ = Σⱼ wⱼ φⱼ(x) on the engine, trained in scaled coordinates θ (raw w = A θ).

    Built from the training data (which fixes the scaling). `theta` is the Parameter gradient
    descent moves; :meth:`raw_params` maps it back; :meth:`graph` builds the computation
    graph of one example with the raw parameters, for the renderer.
    """

    def __init__(self, terms: Sequence[Term], train: RegressionData, lam: float = 0.0) -> None:
        self.terms = _check_terms(terms)
        if lam < 0:
            raise ValueError(f"λ must be >= 0, got {lam}")
        _check_covered(self.terms, train)
        self.lam = float(lam)
        base = _make_scaling(self.terms, train)
        z = base.features(train)
        pen = _penalized(self.terms)
        m = base.a[pen]  # penalized raw weights = M θ
        hessian = 2.0 * (z.T @ z + self.lam * m.T @ m)
        diag = np.diag(hessian).copy()
        # A parameter with zero curvature has no data and no penalty: leave its scale alone.
        d = 1.0 / np.sqrt(np.where(diag > 0, diag, 2.0))
        self._base = base
        self._d = d
        self.a = base.a * d  # raw w = A θ with the curvature scaling folded in
        self._m = m * d
        self.hessian = hessian * d[:, None] * d[None, :]
        self.theta = Parameter(np.zeros(len(self.terms)), dtype=np.float64, label="θ")
        eig = np.linalg.eigvalsh(self.hessian)
        self.curvature_max = float(eig[-1])
        positive = eig[eig > eig[-1] * 1e-12]
        self.curvature_min = float(positive[0])
        self.rank = int(positive.size)

    def features(self, data: RegressionData) -> np.ndarray:
        """The scaled features Z (N, p) that the training graph multiplies by θ."""
        return self._base.features(data) * self._d

    def loss(self, z: Tensor, y: np.ndarray) -> Tensor:
        """L(θ) = Σₙ (yⁿ − ŷⁿ)² + λ Σ_{non-bias} wⱼ², with ŷ = Z θ and w = A θ (one graph)."""
        err = z @ self.theta - y
        loss = (err * err).sum()
        if self.lam > 0:
            w = Tensor(self._m) @ self.theta  # the raw non-bias weights
            loss = loss + (w * w).sum() * self.lam
        return loss

    def raw_params(self) -> np.ndarray:
        """w in raw units, one per term (w = A θ)."""
        return self.a @ self.theta.data

    def predict(self, data: RegressionData) -> np.ndarray:
        """ŷ for every row of `data` (through the scaled features: no huge raw powers)."""
        _check_covered(self.terms, data)
        return self.features(data) @ self.theta.data

    def graph(self, data: RegressionData, index: int = 0, loss: bool = False) -> Tensor:
        """Example `index` as a graph on the raw parameters, for the renderer:
        ŷ = φ(x)·w + b (b = the bias that applies to this example), and with loss=True
        the example's loss C = (y − ŷ)²."""
        row = data.take([index])
        phi = design_matrix(self.terms, row)[0]
        w_all = self.raw_params()
        pen = _penalized(self.terms)
        names = ", ".join(t.name[2:] for t in self.terms if not t.is_bias)
        x = Tensor(phi[pen], label=f"φ(x) = ({names})")
        w = Tensor(w_all[pen], requires_grad=True, label="w")
        b = Tensor(phi[~pen] @ w_all[~pen], requires_grad=True, label="b")
        y_hat = (x @ w + b).named("ŷ")
        if not loss:
            return y_hat
        err = Tensor(np.float64(row.y[0]), label="y") - y_hat
        return (err * err).named("C")


@dataclass(eq=False)
class RegressionResult:
    """One fitted model: raw parameters, errors, the training curve, and a predictor.

    Errors are the lecture's average error ‖y − ŷ‖₂ / N, the MSE and the MAE (test ones are
    NaN without test data). `curve` holds (step, loss) for every gradient descent step.
    `closed_form` is the linear-algebra minimizer of the same loss (raw units).
    """

    name: str
    terms: tuple[Term, ...]
    lam: float
    params: np.ndarray
    closed_form: np.ndarray
    train_error: float
    test_error: float
    train_mse: float
    test_mse: float
    train_mae: float
    test_mae: float
    steps: int
    converged: bool
    closed_form_gap: float  # max |ŷ − ŷ*| over the training and test rows (CP units)
    curve: list[tuple[int, float]] = field(repr=False)
    model: RegressionModel = field(repr=False)

    @property
    def param_names(self) -> list[str]:
        return [t.name for t in self.terms]

    def graph(self, data: RegressionData, index: int = 0, loss: bool = True) -> Tensor:
        """One example's graph for the renderer (see RegressionModel.graph)."""
        return self.model.graph(data, index, loss)

    @property
    def weight_norm(self) -> float:
        """‖w‖ = √(Σ w²) over the penalized (non-bias) parameters: what λΣw² shrinks."""
        return float(np.sqrt(np.sum(self.params[_penalized(self.terms)] ** 2)))

    def params_dict(self) -> dict[str, float]:
        """{term name: raw parameter}."""
        return {t.name: float(w) for t, w in zip(self.terms, self.params)}

    def predict(self, data: RegressionData | np.ndarray, species: str | None = None) -> np.ndarray:
        """ŷ for a RegressionData, or for an array of cp values (all of one `species` for a
        species model; models with hp/height/weight need a RegressionData)."""
        if isinstance(data, RegressionData):
            return self.model.predict(data)
        cp = np.asarray(data, dtype=np.float64).reshape(-1)
        rows = RegressionData(
            x_cp=cp,
            y=np.zeros_like(cp),
            names=np.array([""] * cp.size),
            species=np.array([species or ""] * cp.size),
            hp=None,
            height=None,
            weight=None,
            source="predict(cp array)",
            synthetic=False,
        )
        return self.model.predict(rows)


def fit_regression(
    terms: Sequence[Term],
    train: RegressionData,
    test: RegressionData | None = None,
    lam: float = 0.0,
    *,
    name: str = "",
    momentum: bool = True,
    max_steps: int = 20000,
    tol: float = 1e-11,
    bar: ProgressBar | None = None,
) -> RegressionResult:
    """Fit ŷ = Σ wⱼ φⱼ(x) by gradient descent on the engine (see the module doc).

    Steps use the step size η and momentum β that are optimal for a quadratic loss with
    curvatures in [μ, L]: η = 4/(√L + √μ)², β = ((√L − √μ)/(√L + √μ))² (momentum=True), or
    plain gradient descent with η = 2/(L + μ). Stops when ‖∇L‖ ≤ tol·‖∇L at the start‖.
    """
    model = RegressionModel(terms, train, lam)
    if model.rank < len(model.terms):
        warnings.warn(
            f"{name or 'model'}: {len(model.terms)} parameters but the data pin down only "
            f"{model.rank} combinations of them; gradient descent returns one of many minimizers "
            "(its predictions on the training rows are the same for all of them)",
            stacklevel=2,
        )
    big, small = model.curvature_max, model.curvature_min
    if momentum:
        lr = 4.0 / (math.sqrt(big) + math.sqrt(small)) ** 2
        beta = ((math.sqrt(big) - math.sqrt(small)) / (math.sqrt(big) + math.sqrt(small))) ** 2
    else:
        lr, beta = 2.0 / (big + small), 0.0
    opt = SGD([model.theta], lr=lr, momentum=beta)
    z = Tensor(model.features(train))
    y = np.asarray(train.y, dtype=np.float64)
    curve: list[tuple[int, float]] = []
    g0 = None
    converged = False
    step = 0
    for step in range(max_steps + 1):
        opt.zero_grad()
        loss = model.loss(z, y)
        loss.backward()
        value = loss.item()
        curve.append((step, value))
        gnorm = float(np.linalg.norm(model.theta.grad))
        g0 = gnorm if g0 is None else g0
        if bar is not None:
            bar.update(loss=value)
        if gnorm <= tol * max(g0, 1e-300) or gnorm == 0.0:
            converged = True
            break
        if step < max_steps:
            opt.step()
    if not converged:
        warnings.warn(
            f"{name or 'model'}: gradient descent stopped after {max_steps} steps with "
            f"‖∇L‖ = {gnorm:.3g} ({gnorm / g0:.1e} of the start); raise max_steps",
            stacklevel=2,
        )
    with no_grad():
        pred_train = model.predict(train)
        pred_test = model.predict(test) if test is not None else None
    nan = float("nan")
    w_star = closed_form(model.terms, train, lam)
    w = model.raw_params()
    gap = 0.0
    for part in (train, test) if test is not None else (train,):
        gap = max(gap, float(np.max(np.abs(design_matrix(model.terms, part) @ (w - w_star)))))
    return RegressionResult(
        name=name,
        terms=model.terms,
        lam=float(lam),
        params=w,
        closed_form=w_star,
        train_error=average_error(train.y, pred_train),
        test_error=average_error(test.y, pred_test) if test is not None else nan,
        train_mse=mse(train.y, pred_train),
        test_mse=mse(test.y, pred_test) if test is not None else nan,
        train_mae=mae(train.y, pred_train),
        test_mae=mae(test.y, pred_test) if test is not None else nan,
        steps=step,
        converged=converged,
        closed_form_gap=gap,
        curve=curve,
        model=model,
    )


def polynomial_table(
    split: CPSplit, degrees: Sequence[int] = (1, 2, 3, 4, 5), bar: ProgressBar | None = None
) -> list[RegressionResult]:
    """The lecture's table: y = b + Σₖ wₖ·cpᵏ for each degree, trained on split.train."""
    return [
        fit_regression(polynomial_terms(d), split.train, split.test, name=f"degree {d}", bar=bar)
        for d in degrees
    ]


def lambda_table(
    split: CPSplit,
    terms: Sequence[Term] | None = None,
    lams: Sequence[float] = LAMBDAS,
    bar: ProgressBar | None = None,
    data_term: str = DEFAULT_DATA_TERM,
) -> list[RegressionResult]:
    """The lecture's λ table: the all-factors model (default) with λΣw² for each λ,
    trained on split.species_train and tested on split.test, for the loss
    L = c(N) Σₙ (yⁿ − ŷⁿ)² + λ Σ w² (see :data:`DATA_TERMS`). It has the same minimizer as
    Σₙ (yⁿ − ŷⁿ)² + (λ / c(N)) Σ w², which is what is trained; `lam` of each result is λ."""
    terms = all_factor_terms() if terms is None else terms
    loss_definition(data_term)  # checks the name
    c = DATA_TERMS[data_term][1](len(split.species_train))
    return [
        replace(
            fit_regression(
                terms, split.species_train, split.test, lam / c, name=f"λ={lam:g}", bar=bar
            ),
            lam=float(lam),
        )
        for lam in lams
    ]


@dataclass(eq=False)
class LineDescent:
    """Gradient descent on y = b + w·cp with raw (unscaled) cp: the lecture's demo.

    `path` holds (step, b, w, loss) at the recorded steps, for a plot over the loss contours.
    """

    optimizer: str
    lr: float
    path: list[tuple[int, float, float, float]]

    @property
    def b(self) -> float:
        return self.path[-1][1]

    @property
    def w(self) -> float:
        return self.path[-1][2]


def raw_line_descent(
    train: RegressionData,
    optimizer: str = "adagrad",
    lr: float = 1.0,
    steps: int = 100_000,
    start: tuple[float, float] = (-120.0, -4.0),
    record_every: int = 100,
    bar: ProgressBar | None = None,
) -> LineDescent:
    """Minimize L(b, w) = Σₙ (yⁿ − (b + w·cpⁿ))² from `start` = (b, w) on raw cp.

    ∂L/∂w is about cp ≈ 300 times ∂L/∂b, so one learning rate cannot suit both: plain
    gradient descent ("gd") needs η ≈ 10⁻⁶ to keep w from diverging and then b barely moves;
    Adagrad ("adagrad") divides each parameter's step by the root of the sum of its squared
    gradients and reaches the minimum with η = 1 (the lecture's demo: 100 000 steps from
    b = −120, w = −4).
    """
    return line_descents(train, optimizer, lr, steps, [start], record_every, bar)[0]


def line_descents(
    train: RegressionData,
    optimizer: str = "adagrad",
    lr: float = 1.0,
    steps: int = 100_000,
    starts: Sequence[tuple[float, float]] = ((-120.0, -4.0),),
    record_every: int = 100,
    bar: ProgressBar | None = None,
) -> list[LineDescent]:
    """raw_line_descent from several starts at once (one descent per start, run side by side:
    b and w are vectors and the summed loss Σₖ Lₖ has ∂/∂bₖ = ∂Lₖ/∂bₖ, so the runs never mix;
    Adagrad's and SGD's updates are elementwise)."""
    from ..nn import Adagrad

    b0 = np.array([float(st[0]) for st in starts], dtype=np.float64)
    w0 = np.array([float(st[1]) for st in starts], dtype=np.float64)
    b = Parameter(b0, dtype=np.float64, label="b")
    w = Parameter(w0, dtype=np.float64, label="w")
    if optimizer == "adagrad":
        opt = Adagrad([b, w], lr=lr)
    elif optimizer == "gd":
        opt = SGD([b, w], lr=lr)
    else:
        raise ValueError(f"optimizer must be 'adagrad' or 'gd', got {optimizer!r}")
    x = Tensor(np.asarray(train.x_cp, dtype=np.float64)[None, :])
    y = np.asarray(train.y, dtype=np.float64)[None, :]
    paths: list[list[tuple[int, float, float, float]]] = [[] for _ in starts]
    for step in range(steps + 1):
        opt.zero_grad()
        e = y - (b.reshape(-1, 1) + w.reshape(-1, 1) * x)
        per_start = (e * e).sum(axis=1)
        per_start.sum().backward()
        if step % record_every == 0 or step == steps:
            losses = per_start.data
            for k, path in enumerate(paths):
                path.append((step, float(b.data[k]), float(w.data[k]), float(losses[k])))
            if bar is not None:
                bar.update(record_every if step else 0, loss=float(losses[0]))
        if step < steps:
            opt.step()
    return [LineDescent(optimizer, lr, path) for path in paths]


def line_loss_surface(
    train: RegressionData, b_values: np.ndarray, w_values: np.ndarray
) -> np.ndarray:
    """L(b, w) = Σₙ (yⁿ − (b + w·cpⁿ))² on a grid, shape (len(w_values), len(b_values)) as
    np.meshgrid(b_values, w_values) lays it out: the contours under the descent paths."""
    b = np.asarray(b_values, dtype=np.float64)[None, :, None]
    w = np.asarray(w_values, dtype=np.float64)[:, None, None]
    x = np.asarray(train.x_cp, dtype=np.float64)[None, None, :]
    y = np.asarray(train.y, dtype=np.float64)[None, None, :]
    return ((y - (b + w * x)) ** 2).sum(axis=-1)

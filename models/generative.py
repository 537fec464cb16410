"""Probabilistic generative classifiers in closed form (pure numpy).

The lecture's recipe: model each class C_k by a distribution P(x|C_k) fitted by maximum
likelihood and a prior P(C_k) (N_k / N by default; the prior and the densities may come from
different sources, so ``priors=`` takes equal priors or the user's own), then classify with
Bayes' rule

    P(C_k|x) = P(x|C_k) P(C_k) / sum_j P(x|C_j) P(C_j).

For two classes this is P(C1|x) = sigma(z), z = ln[P(x|C1) P(C1)] - ln[P(x|C2) P(C2)].

:class:`GaussianClassifier` uses P(x|C_k) = N(x; mu_k, Sigma_k),

    N(x; mu, Sigma) = (2 pi)^(-d/2) |Sigma|^(-1/2) exp(-1/2 (x - mu)^T Sigma^-1 (x - mu)),

with the MLE mu_k = mean of the class and Sigma_k = (1/N_k) sum (x - mu_k)(x - mu_k)^T (1/N_k,
not 1/(N_k - 1)). Variants: a separate Sigma_k per class (quadratic boundary), one shared
Sigma = sum_k (N_k/N) Sigma_k (linear boundary, P(C1|x) = sigma(w.x + b)), or diagonal Sigma_k
(Naive Bayes: features independent given the class). :class:`BernoulliNaiveBayes` handles
binary features. Everything is computed in log space and normalised with log-sum-exp.

Singular covariances (e.g. the feature Total = HP + Attack + ... + Speed) are handled with the
pseudo-inverse and pseudo-determinant; see :class:`GaussianClassifier`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np

__all__ = ["SingularCovarianceWarning", "GaussianClassifier", "BernoulliNaiveBayes"]

CovarianceKind = Literal["separate", "shared", "diagonal"]
Priors = Literal["empirical", "equal"] | Sequence[float]


class SingularCovarianceWarning(UserWarning):
    """A class covariance is singular; the pseudo-inverse/pseudo-determinant are used."""


def _check_x(x: object, n_features: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"X must be a numeric array: {e}") from None
    if arr.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features); got shape {arr.shape}. "
            "For a single feature use X.reshape(-1, 1)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"X has no rows (shape {arr.shape}).")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"X has shape {arr.shape} but the model was fitted on {n_features} features."
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise ValueError(
            f"X contains NaN or inf ({len(bad)} values; first at row {i}, column {j}). "
            "Remove or impute them first."
        )
    return arr


def _check_y(y: object, x: np.ndarray) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != x.shape[0]:
        raise ValueError(
            f"X has shape {x.shape} but y has shape {arr.shape}: need one label per row of X."
        )
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError("y contains NaN labels.")
    return arr


def _classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    classes, index, counts = np.unique(y, return_inverse=True, return_counts=True)
    if classes.size < 2:
        raise ValueError(
            f"y contains only one class ({classes.tolist()[0]!r}); a classifier needs at least two."
        )
    return classes, index, counts


def _posterior(log_joint: np.ndarray) -> np.ndarray:
    # log-sum-exp: subtracting the row maximum keeps exp() from overflowing or flushing to 0.
    top = log_joint.max(axis=1, keepdims=True)
    p = np.exp(log_joint - top)
    return p / p.sum(axis=1, keepdims=True)


class GaussianClassifier:
    """Gaussian generative classifier: P(C_k|x) proportional to N(x; mu_k, Sigma_k) N_k/N.

    ``covariance``:
      * ``"separate"``: Sigma_k is the MLE of class k; quadratic decision boundary.
      * ``"shared"``: Sigma = sum_k (N_k/N) Sigma_k for every class; linear boundary. With two
        classes, P(C1|x) = sigma(w.x + b) exactly, where C1 = ``classes[1]`` and
        C2 = ``classes[0]`` (labels sorted; with y=1 for Water, C1 is Water), and
        w = Sigma^-1 (mu1 - mu2), b = -1/2 mu1^T Sigma^-1 mu1 + 1/2 mu2^T Sigma^-1 mu2
        + ln(P(C1)/P(C2)); see :attr:`w`, :attr:`b`.
      * ``"diagonal"``: Sigma_k = diag of the class MLE (Naive Bayes: independent features).

    ``priors``: ``"empirical"`` (P(C_k) = N_k/N, the maximum-likelihood estimate), ``"equal"``
    (1/K each) or K numbers in the order of the sorted labels (they must sum to 1): the prior
    can come from elsewhere than the training counts (e.g. how common each class is in the
    world), and it shifts the posterior and, for shared Sigma, the bias b.

    Any number K >= 2 of classes works; ``predict_proba`` columns follow ``classes``.
    After ``fit``: ``classes`` (sorted labels), ``means`` (K, d), ``covariances`` (K, d, d),
    ``priors`` (K,), ``counts`` (K,), ``ranks`` (K,) and, for shared Sigma, ``w`` and ``b``.

    Singular covariance. If an eigenvalue of Sigma_k is <= ``rtol`` x its largest eigenvalue,
    that direction is treated as having zero variance: the class lives on the r-dimensional
    affine subspace mu_k + span(eigenvectors kept), and its density there is

        N+(x) = (2 pi)^(-r/2) pdet(Sigma_k)^(-1/2) exp(-1/2 (x - mu_k)^T Sigma_k^+ (x - mu_k)),

    with pdet the product of the kept eigenvalues and Sigma_k^+ the pseudo-inverse. ``fit``
    emits :class:`SingularCovarianceWarning` naming the class and its rank. This is exact
    when the singularity comes from a linear relation every x satisfies (a feature like
    Total = the sum of six others): the posterior is then the same as without the redundant
    feature, because the extra feature is a fixed injective linear map of the others and its
    Jacobian factor is common to all classes. The part of x - mu_k outside the class's
    subspace is ignored (``predict_proba`` warns when a point has such a part). When classes
    have different ranks the densities live in spaces of different dimension and the
    posterior is only a heuristic; the warning says so. Remedy: drop the redundant feature,
    or use ``covariance="shared"``.
    """

    def __init__(
        self,
        covariance: CovarianceKind = "separate",
        rtol: float = 1e-10,
        priors: Priors = "empirical",
    ) -> None:
        if covariance not in ("separate", "shared", "diagonal"):
            raise ValueError(
                f"covariance must be 'separate', 'shared' or 'diagonal'; got {covariance!r}"
            )
        if not 0.0 <= rtol < 1.0:
            raise ValueError(f"rtol must be in [0, 1); got {rtol}")
        if isinstance(priors, str):
            if priors not in ("empirical", "equal"):
                raise ValueError(
                    f"priors must be 'empirical', 'equal' or one probability per class; "
                    f"got {priors!r}"
                )
        else:
            given = np.asarray(priors, dtype=np.float64)
            if given.ndim != 1 or not (given > 0).all() or abs(given.sum() - 1.0) > 1e-9:
                raise ValueError(
                    f"priors: give one positive probability per class, summing to 1 "
                    f"(order of the sorted labels); got {list(np.atleast_1d(given))}"
                )
            priors = tuple(float(p) for p in given)
        self.covariance = covariance
        self.rtol = rtol
        self.prior_kind = priors
        self._fitted = False

    def _resolve_priors(self, counts: np.ndarray) -> np.ndarray:
        if self.prior_kind == "empirical":
            return counts / counts.sum()
        if self.prior_kind == "equal":
            return np.full(counts.size, 1.0 / counts.size)
        given = np.array(self.prior_kind, dtype=np.float64)
        if given.size != counts.size:
            raise ValueError(f"priors has {given.size} values but y has {counts.size} classes")
        return given

    # --------------------------------------------------------------------------- fitting

    def fit(self, X: np.ndarray, y: np.ndarray) -> GaussianClassifier:
        """Maximum-likelihood mu_k, Sigma_k (1/N_k); priors N_k/N unless given; returns ``self``."""
        x = _check_x(X)
        labels = _check_y(y, x)
        classes, index, counts = _classes(labels)
        priors = self._resolve_priors(counts)
        n, d = x.shape
        means = np.stack([x[index == k].mean(axis=0) for k in range(classes.size)])
        covs = np.empty((classes.size, d, d))
        for k in range(classes.size):
            dev = x[index == k] - means[k]
            covs[k] = dev.T @ dev / counts[k]
        if self.covariance == "shared":
            shared = np.tensordot(counts / n, covs, axes=1)
            covs = np.broadcast_to(shared, covs.shape).copy()
        elif self.covariance == "diagonal":
            covs = np.stack([np.diag(np.diag(c)) for c in covs])

        # Factor each Sigma_k once (whitening matrix for the quadratic form, support basis,
        # log normaliser), so predicting costs one matrix product per class.
        distinct = covs[:1] if self.covariance == "shared" else covs
        factors = [self._factor(c) for c in distinct] * (classes.size // len(distinct))
        # Assign only after everything succeeded, so a failed refit keeps the old model.
        self._whiten, self._basis, self._log_norm, ranks, self._scale = map(list, zip(*factors))
        self.classes, self.means, self.covariances = classes, means, covs
        self.counts, self.priors = counts, priors
        self._log_priors = np.log(self.priors)
        self.ranks = np.array(ranks)
        self._fitted = True
        self._warn_singular()
        return self

    def _factor(self, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int, float]:
        eigval, eigvec = np.linalg.eigh(cov)
        top = float(eigval[-1])
        keep = eigval > self.rtol * top if top > 0 else np.zeros(eigval.shape, dtype=bool)
        lam, basis = eigval[keep], eigvec[:, keep]
        rank = int(keep.sum())
        log_norm = -0.5 * (rank * math.log(2.0 * math.pi) + float(np.log(lam).sum()))
        return basis / np.sqrt(lam), basis, log_norm, rank, math.sqrt(max(top, 0.0))

    def _warn_singular(self) -> None:
        d = self.means.shape[1]
        if (self.ranks == d).all():
            return
        note = (
            f"using the pseudo-inverse and pseudo-determinant (eigenvalues <= {self.rtol:g} x "
            "the largest count as zero), i.e. the Gaussian density on the subspace the class "
            "spans. A feature that is a linear combination of others (such as Total) causes "
            "this; drop it to avoid the warning."
        )
        if self.covariance == "shared":
            msg = f"shared covariance of all classes is singular: rank {self.ranks[0]} of {d}; "
        else:
            parts = [
                f"class {c!r} has rank {r} of {d}"
                for c, r in zip(self.classes.tolist(), self.ranks)
                if r < d
            ]
            msg = "singular class covariance: " + ", ".join(parts) + "; "
            if np.unique(self.ranks).size > 1:
                note += (
                    " The ranks differ between classes, so densities of different "
                    "dimension are compared: treat the posteriors with caution."
                )
        warnings.warn(msg + note, SingularCovarianceWarning, stacklevel=3)

    # --------------------------------------------------------------------------- predicting

    def _require_fit(self) -> None:
        if not self._fitted:
            raise RuntimeError("call fit(X, y) before using the classifier")

    def log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """ln P(x|C_k) for every row and class, shape (n, K)."""
        self._require_fit()
        x = _check_x(X, self.means.shape[1])
        d = x.shape[1]
        out = np.empty((x.shape[0], self.classes.size))
        for k in range(self.classes.size):
            dev = x - self.means[k]
            z = dev @ self._whiten[k]  # |z|^2 = (x - mu)^T Sigma^+ (x - mu)
            out[:, k] = self._log_norm[k] - 0.5 * np.einsum("ij,ij->i", z, z)
            if self.ranks[k] < d:
                self._warn_off_support(k, dev)
        return out

    def _warn_off_support(self, k: int, dev: np.ndarray) -> None:
        basis = self._basis[k]
        residual = dev - (dev @ basis) @ basis.T
        # Relative to the spread and location of the class, so exact linear relations pass
        # despite round-off while real violations (off by a visible amount) are reported.
        limit = 1e-6 * (self._scale[k] + float(np.linalg.norm(self.means[k])) + 1e-300)
        off = int((np.linalg.norm(residual, axis=1) > limit).sum())
        if off:
            warnings.warn(
                f"{off} of {dev.shape[0]} points lie off the {self.ranks[k]}-dimensional "
                f"subspace of class {self.classes.tolist()[k]!r} (singular covariance); "
                "their component outside it is ignored.",
                SingularCovarianceWarning,
                stacklevel=4,
            )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Posterior P(C_k|x), shape (n, K); columns in the order of ``classes``."""
        return _posterior(self.log_likelihood(X) + self._log_priors)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class with the largest posterior for each row."""
        joint = self.log_likelihood(X) + self._log_priors  # checks fit before using classes
        return self.classes[np.argmax(joint, axis=1)]

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows whose predicted class equals ``y``."""
        x = _check_x(X, self.means.shape[1] if self._fitted else None)
        return float(np.mean(self.predict(x) == _check_y(y, x)))

    # --------------------------------------------------------------------------- shared-Sigma line

    def _linear(self) -> tuple[np.ndarray, float]:
        self._require_fit()
        if self.covariance != "shared" or self.classes.size != 2:
            raise ValueError(
                "w and b exist only for covariance='shared' with two classes "
                f"(this model: covariance={self.covariance!r}, {self.classes.size} classes); "
                "with separate covariances the boundary is quadratic."
            )
        pinv = self._whiten[0] @ self._whiten[0].T  # Sigma^+ = V diag(1/lambda) V^T
        mu2, mu1 = self.means  # C2 = classes[0], C1 = classes[1]
        w = pinv @ (mu1 - mu2)
        b = (
            -0.5 * mu1 @ pinv @ mu1
            + 0.5 * mu2 @ pinv @ mu2
            + math.log(self.priors[1] / self.priors[0])
        )
        return w, float(b)

    @property
    def w(self) -> np.ndarray:
        """Shared-Sigma weights: w = Sigma^-1 (mu1 - mu2), so P(C1|x) = sigma(w.x + b)."""
        return self._linear()[0]

    @property
    def b(self) -> float:
        """Shared-Sigma bias: -1/2 mu1^T Sigma^-1 mu1 + 1/2 mu2^T Sigma^-1 mu2 + ln(P(C1)/P(C2))."""
        return self._linear()[1]


class BernoulliNaiveBayes:
    """Naive Bayes for binary features: P(x|C_k) = prod_j p_kj^x_j (1 - p_kj)^(1 - x_j).

    p_kj = (count of x_j = 1 in class k + alpha) / (N_k + 2 alpha): Laplace smoothing with
    ``alpha`` pseudo-counts per outcome. ``alpha = 0`` is the plain maximum-likelihood
    estimate; then a feature value never seen in a class gives that class probability 0.
    Priors N_k/N are not smoothed. ``probabilities`` holds p_kj, shape (K, d).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        if not alpha >= 0.0:  # also rejects NaN
            raise ValueError(f"alpha must be >= 0; got {alpha}")
        self.alpha = float(alpha)
        self._fitted = False

    @staticmethod
    def _binary(X: object, n_features: int | None = None) -> np.ndarray:
        x = _check_x(X, n_features)
        bad = np.argwhere((x != 0.0) & (x != 1.0))
        if bad.size:
            i, j = (int(v) for v in bad[0])
            raise ValueError(
                f"BernoulliNaiveBayes needs binary features (0/1); X[{i}, {j}] = {x[i, j]:g}. "
                "Threshold the data first, e.g. X > 0.5."
            )
        return x

    def fit(self, X: np.ndarray, y: np.ndarray) -> BernoulliNaiveBayes:
        """Count ones per class and feature; returns ``self``."""
        x = self._binary(X)
        labels = _check_y(y, x)
        classes, index, counts = _classes(labels)
        ones = np.stack([x[index == k].sum(axis=0) for k in range(classes.size)])
        self.classes = classes
        self.counts = counts
        self.priors = counts / x.shape[0]
        self.probabilities = (ones + self.alpha) / (counts[:, None] + 2.0 * self.alpha)
        with np.errstate(divide="ignore"):  # alpha = 0 may give log(0) = -inf, as it should
            self._log_p = np.log(self.probabilities)
            self._log_q = np.log1p(-self.probabilities)
            self._log_priors = np.log(self.priors)
        self._fitted = True
        return self

    def log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """ln P(x|C_k) = sum_j [x_j ln p_kj + (1 - x_j) ln(1 - p_kj)], shape (n, K)."""
        if not self._fitted:
            raise RuntimeError("call fit(X, y) before using the classifier")
        x = self._binary(X, self._log_p.shape[1]).astype(bool)
        # where() rather than x*ln p + (1-x)*ln(1-p): with alpha = 0, 0 * -inf would be NaN.
        return np.stack(
            [np.where(x, lp, lq).sum(axis=1) for lp, lq in zip(self._log_p, self._log_q)],
            axis=1,
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Posterior P(C_k|x), shape (n, K); columns in the order of ``classes``."""
        joint = self.log_likelihood(X) + self._log_priors
        impossible = np.flatnonzero(np.isneginf(joint).all(axis=1))
        if impossible.size:
            raise ValueError(
                f"row {int(impossible[0])} has probability 0 under every class (alpha=0 and "
                "feature values never seen in training); use alpha > 0."
            )
        return _posterior(joint)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class with the largest posterior for each row."""
        return self.classes[np.argmax(self.predict_proba(X), axis=1)]

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows whose predicted class equals ``y``."""
        x = self._binary(X)
        return float(np.mean(self.predict(x) == _check_y(y, x)))

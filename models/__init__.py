"""tinygrad_edu.models: the lecture's models as small graphs of the engine.

Each model is a computation graph trained by gradient descent (the lecture's step 3), or,
for the generative classifier, its closed-form maximum likelihood:

* regression: y = b + w·cp, polynomials of degree 1-5, species models, all factors, L2
  regularization (checked against the closed-form least-squares / ridge solution);
* generative: Gaussian classifiers (separate / shared / diagonal Σ), Bernoulli naive Bayes;
* logistic: σ(w·x + b) with cross entropy (vs square error), generative vs discriminative;
* softmax: several classes; xor: the limit of a linear boundary, and the cascade fixing it;
* dnn: a deep fully connected network for digits; structure: search over depth and width.

Data loaders live in `models.data`, text tables and the progress bar in `models.metrics` and
`models.progress`; `tinygrad-edu lecture EXPERIMENT` prints each table.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> submodule. Imported on first use, so `import tinygrad_edu.models.data` (the loaders)
# does not pull in the nn package and the training code.
_EXPORTS: dict[str, str] = {
    "DataError": "data",
    "lecture_cp_split": "data",
    "load_mnist": "data",
    "load_pokemon_cp": "data",
    "load_water_normal": "data",
    "split_lecture_cp": "data",
    "synthetic_cp_split": "data",
    "synthetic_digits": "data",
    "synthetic_pokemon_cp": "data",
    "synthetic_water_normal": "data",
    "SingularCovarianceWarning": "generative",
    "DNNResult": "dnn",
    "dnn_graph": "dnn",
    "fit_dnn": "dnn",
    "BernoulliNaiveBayes": "generative",
    "GaussianClassifier": "generative",
    "LogisticFit": "logistic",
    "LogisticRegression": "logistic",
    "compare_classifiers": "logistic",
    "fit_logistic": "logistic",
    "loss_comparison": "logistic",
    "toy_example": "logistic",
    "accuracy": "metrics",
    "average_error": "metrics",
    "confusion_matrix": "metrics",
    "format_table": "metrics",
    "mae": "metrics",
    "mse": "metrics",
    "ProgressBar": "progress",
    "progress": "progress",
    "RegressionModel": "regression",
    "RegressionResult": "regression",
    "Term": "regression",
    "all_factor_terms": "regression",
    "closed_form": "regression",
    "fit_regression": "regression",
    "lambda_table": "regression",
    "polynomial_table": "regression",
    "polynomial_terms": "regression",
    "raw_line_descent": "regression",
    "species_terms": "regression",
    "SoftmaxRegression": "softmax",
    "fit_softmax": "softmax",
    "Structure": "structure",
    "structure_search": "structure",
    "XOR_X": "xor",
    "XOR_Y": "xor",
    "Curve": "training",
    "Standardizer": "training",
    "decision_grid": "training",
    "Cascade": "xor",
    "distance_features": "xor",
    "fit_cascade": "xor",
    "xor_experiment": "xor",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tinygrad_edu.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

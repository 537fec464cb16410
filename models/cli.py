"""`tinygrad-edu lecture EXPERIMENT`: print each of the lecture's tables.

    tinygrad-edu lecture regression|classification|logistic|softmax|xor|compare|dnn|structure
                         [--data PATH] [--seed N] [--graph FILE]

Without --data every experiment runs on the embedded lecture numbers or on seeded synthetic
data, and says which. Progress bars (stderr) appear for anything that takes over a second.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .data import DataError
from .metrics import format_table
from .progress import ProgressBar
from .regression import DATA_TERMS, DEFAULT_DATA_TERM
from .sources import digits_data, regression_data, water_normal_data
from .tables import (
    accuracy_table,
    class_statistics,
    collinearity_note,
    lambda_table_text,
    lecture_accuracy,
    polynomial_table_text,
    species_table,
    xor_table,
)

__all__ = ["register", "EXPERIMENTS"]

# Bars show nothing for work under a second (the brief: a bar on anything slower).
_DELAY = 1.0


def _bar(total: int, desc: str) -> ProgressBar:
    return ProgressBar(total, desc, delay=_DELAY)


def _print(*lines: str) -> None:
    for line in lines:
        print(line)
    sys.stdout.flush()


def _flat(a: np.ndarray) -> str:
    """An array on one line, 2 decimals."""
    return str(np.round(np.asarray(a, dtype=np.float64), 2).tolist())


def _heading(text: str) -> None:
    _print("", text, "=" * len(text))


def _render(root: object, path: Path | None, what: str) -> None:
    """Write one example's graph (after its backward pass) with the project's renderer."""
    if path is None:
        return
    from ..visualize import render

    if getattr(root, "requires_grad", False) and np.size(root.data) == 1:  # type: ignore[attr-defined]
        root.backward()  # type: ignore[attr-defined]
    info = render(root, path)  # type: ignore[arg-type]
    _print(f"graph of {what}: written to {getattr(info, 'path', path)}")


# --------------------------------------------------------------------------------------------
# experiments


def run_regression(args: argparse.Namespace) -> int:
    from .regression import (
        closed_form,
        lambda_table,
        loss_definition,
        polynomial_table,
        polynomial_terms,
        raw_line_descent,
    )

    poly_split, poly_text, sp_split, sp_text, real = regression_data(args.data, args.seed)

    _heading("Regression: predict the CP after evolution")
    _print(f"data: {poly_text}")
    _print(
        "average error = ‖y − ŷ‖₂ / N (the lecture's tables); MSE and MAE beside it.",
        "Every fit: gradient descent with momentum on scaled features (the engine computes "
        "∂L/∂w), parameters mapped back to raw units; 'gap' = largest |ŷ − ŷ*| (in CP) over "
        "the training and testing Pokemon, ŷ* from the closed-form least-squares solution.",
    )

    _heading("Polynomial models y = b + w₁·cp + … + w_d·cp^d")
    fits = polynomial_table(poly_split)
    _print(polynomial_table_text(fits))
    best = min(fits, key=lambda r: r.test_error)
    line = fits[0].params_dict()
    _print(
        f"straight line: b = {line['b']:.1f}, w = {line['w·cp']:.3f}   "
        f"(best on testing data: {best.name}; higher degrees fit the training data better "
        "and the testing data worse: overfitting)"
    )

    steps = args.raw_steps
    if steps > 0:
        _heading("Gradient descent on raw cp (the lecture's demo, from b = −120, w = −4)")
        b_star, w_star = closed_form(polynomial_terms(1), poly_split.train)
        rows = []
        for opt, lr in (("gd", 1e-6), ("adagrad", 1.0)):
            with _bar(steps, f"{opt} η={lr:g}") as bar:
                run = raw_line_descent(
                    poly_split.train, opt, lr, steps, record_every=max(steps // 100, 1), bar=bar
                )
            rows.append(
                [
                    opt if opt == "adagrad" else "plain GD",
                    f"{lr:g}",
                    steps,
                    run.b,
                    run.w,
                    run.path[-1][3],
                ]
            )
        rows.append(["closed form", "", "", float(b_star), float(w_star), float("nan")])
        _print(
            format_table(
                ["optimizer", "η", "steps", "b", "w", "loss Σ(y−ŷ)²"],
                rows,
                ["", "", "", ".1f", ".3f", ".4g"],
            )
        )
        _print(
            "∂L/∂w is ~300× ∂L/∂b on raw cp: one η cannot suit both. Adagrad's per-parameter "
            "step (or feature scaling, as above) fixes it."
        )

    _heading("Species-dependent model and the model with all factors")
    _print(f"data: {sp_text}")
    _print(species_table(sp_split, real))

    _heading("Regularization: all factors + λ Σ w² (biases not penalized)")
    _print(f"data: {sp_text}")
    _print(f"loss: {loss_definition(args.data_term, len(sp_split.species_train))}")
    results = lambda_table(sp_split, data_term=args.data_term)  # ~0.1 s: no bar needed
    _print(lambda_table_text(results, real=real))
    best = min(results, key=lambda r: r.test_error)
    _print(
        f"training error grows with λ (smoother functions fit less); testing error is "
        f"lowest at λ = {best.lam:g}."
    )
    if args.graph is not None:
        _render(
            fits[0].model.graph(poly_split.train, 0, loss=True),
            args.graph,
            "the straight line on training example 0",
        )
    return 0


def run_classification(args: argparse.Namespace) -> int:
    from .logistic import compare_classifiers

    _heading("Classification: Water (C1) vs Normal (C2) Pokemon")
    for data, text in water_normal_data(args.data, args.seed):
        _print("", f"data: {text}")
        with _bar(3000, "logistic regression") as bar:
            scores, fit = compare_classifiers(data, bar=bar, priors=args.priors)
        lecture = lecture_accuracy(data.feature_names) if args.data is not None else None
        _print(accuracy_table(scores, lecture))
        from .generative import GaussianClassifier

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sep = GaussianClassifier("separate", priors=args.priors).fit(data.x_train, data.y_train)
            g = GaussianClassifier("shared", priors=args.priors).fit(data.x_train, data.y_train)
            gw, gb = g.w, g.b
        _print(class_statistics(data, sep))
        note = collinearity_note(data.x_train, data.feature_names)
        if note:
            _print(note)
        lw, lb = fit.model.coef()
        _print(
            "same function set σ(w·x + b), different w, b:",
            f"  generative (shared Σ): w = {np.array2string(gw, precision=4)}, b = {gb:.3f}",
            f"  logistic regression:   w = {np.array2string(lw, precision=4)}, b = {lb:.3f}",
        )
    if args.graph is not None:
        _render(
            fit.model.graph(data.x_train[0], data.y_train[0]),
            args.graph,
            "logistic regression on training example 0",
        )
    return 0


def run_logistic(args: argparse.Namespace) -> int:
    from .logistic import fit_logistic, loss_comparison, toy_example, two_blobs

    data, text = water_normal_data(args.data, args.seed)[0]
    _heading("Logistic regression: cross entropy vs square error")
    _print(f"data: {text}")
    steps = 1000
    with _bar(2 * (steps + 1), "two losses") as bar:
        cmp = loss_comparison(data.x_train, data.y_train, steps=steps, bar=bar)
    w0, b0 = cmp.start
    _print(
        f"same start (standardized inputs) w = {np.array2string(w0, precision=2)}, b = {b0:g}: "
        "f(x) is near 1 for Normal and near 0 for Water, far from every target; same η = 0.5",
    )
    rows = []
    ce, se = cmp.cross_entropy.curve, cmp.square.curve
    for s in (0, 10, 30, 100, 300, 1000):
        rows.append(
            [
                s,
                ce.at("loss", s),
                ce.at("grad_norm", s),
                100 * ce.at("accuracy", s),
                se.at("loss", s),
                se.at("grad_norm", s),
                100 * se.at("accuracy", s),
            ]
        )
    _print(
        format_table(
            ["step", "CE loss", "CE ‖∇‖", "CE acc %", "SE loss", "SE ‖∇‖", "SE acc %"],
            rows,
            ["", ".4f", ".2e", ".1f", ".4f", ".2e", ".1f"],
        )
    )
    _print(
        "Square error's gradient carries the factor f(1 − f) ≈ 0 far from the target: it "
        "crawls where cross entropy moves at once."
    )

    _heading("Generative vs discriminative: the lecture's toy example")
    toy = toy_example()
    _print(
        "training: (1,1) once in C1; (1,0), (0,1), (0,0) four times each in C2; test x = (1,1)",
        format_table(
            ["model", "P(C1 | (1,1))", "class"],
            [
                [
                    "naive Bayes (closed form)",
                    toy["naive_bayes"],
                    "C1" if toy["naive_bayes"] >= 0.5 else "C2",
                ],
                [
                    "logistic regression (GD)",
                    toy["logistic"],
                    "C1" if toy["logistic"] >= 0.5 else "C2",
                ],
            ],
            ["", ".4f", ""],
        ),
        "naive Bayes: (1/13) / (1/13 + (1/3)(1/3)(12/13)) = 3/7; it assumes the features are "
        "independent given the class, logistic regression does not.",
    )

    _heading("Linearly separable data")
    x, y = two_blobs(seed=args.seed)
    fit = fit_logistic(x, y, steps=500)
    _print(
        f"data: two Gaussian clouds (seeded, seed={args.seed}, {len(y)} points, separable): "
        f"training accuracy {100 * fit.train_accuracy:.1f}% after 500 steps"
    )
    if args.graph is not None:
        _render(
            cmp.cross_entropy.model.graph(data.x_train[0], data.y_train[0]),
            args.graph,
            "logistic regression on training example 0",
        )
    return 0


def run_softmax(args: argparse.Namespace) -> int:
    from .softmax import fit_softmax, three_classes

    _heading("Softmax regression: three classes")
    x, y, xt, yt = three_classes(seed=args.seed)
    _print(
        f"data: three Gaussian classes in 2-D (seeded, seed={args.seed}; {len(y)} training, "
        f"{len(yt)} testing)"
    )
    fit = fit_softmax(x, y, xt, yt, steps=500)
    _print(
        f"full-batch gradient descent, 500 steps: training accuracy "
        f"{100 * fit.train_accuracy:.1f}%, testing {100 * fit.test_accuracy:.1f}%",
        "confusion matrix on the testing data (rows: true class, columns: predicted):",
        format_table(
            ["", "C1", "C2", "C3"],
            [[f"C{i + 1}", *map(int, r)] for i, r in enumerate(fit.confusion)],
        ),
        f"W (on standardized inputs) = {_flat(fit.model.W.data)}, b = {_flat(fit.model.b.data)}",
    )
    _heading("Softmax regression on digits (a linear model: no hidden layer)")
    data, text = digits_data(args.data, args.seed, 8000, 2000)
    _print(f"data: {text}")
    epochs = 5
    n = len(data.y_train)
    with _bar(epochs * math.ceil(n / 64), "softmax digits") as bar:
        dfit = fit_softmax(
            data.x_train,
            data.y_train,
            data.x_test,
            data.y_test,
            n_classes=10,
            lr=1e-3,
            epochs=epochs,
            batch_size=64,
            seed=args.seed,
            bar=bar,
        )
    _print(
        f"Adam, {epochs} epochs of mini-batches of 64: training accuracy "
        f"{100 * dfit.train_accuracy:.1f}%, testing {100 * dfit.test_accuracy:.1f}% "
        "(compare `lecture dnn`)"
    )
    if args.graph is not None:
        _render(
            fit.model.graph(x[0], int(y[0])), args.graph, "softmax regression on training example 0"
        )
    return 0


def run_xor(args: argparse.Namespace) -> int:
    from .xor import XOR_X, XOR_Y, distance_features, xor_experiment

    _heading("The limitation of logistic regression: XOR")
    _print("data: the lecture's four points; C1 (label 1) where x₁ ≠ x₂")
    if args.data is not None:
        _print(f"(--data {args.data} is not used: XOR has its own four points)")
    with _bar(3 * 2001, "xor") as bar:
        r = xor_experiment(seed=args.seed, bar=bar)
    _print(
        xor_table(r),
        f"targets: {', '.join(str(int(v)) for v in XOR_Y)}. Plain logistic regression ends at "
        f"f = 0.5 everywhere, loss ln 2 = {r.ln2:.4f}: no line separates the classes. A tie "
        "(|f − 0.5| < 0.01: the model cannot decide, rounding would) counts as half right.",
    )
    h = r.cascade.model.hidden(XOR_X)
    dist = distance_features(XOR_X)
    _print(
        "feature transformations (hand-made distances to (0,0), (1,1); learned by the cascade's "
        "two hidden logistic units):",
        format_table(
            ["x", "class", "x₁' dist", "x₂' dist", "x₁' learned", "x₂' learned"],
            [
                [f"({int(a)},{int(b)})", f"C{2 - int(c)}", *dist[i], *h[i]]
                for i, ((a, b), c) in enumerate(zip(XOR_X, XOR_Y))
            ],
            ["", "", ".3f", ".3f", ".3f", ".3f"],
        ),
    )
    if len(r.cascade.attempts) > 1:
        _print(
            f"the cascade needed {len(r.cascade.attempts)} random starts: gradient descent "
            "stopped in a local minimum (one point wrong) before: "
            + ", ".join(f"loss {lo:.3f}" for lo, _ in r.cascade.attempts[:-1])
        )
    _print("A cascade of logistic regressions trained together is a neural network.")
    if args.graph is not None:
        _render(r.cascade.model.graph(XOR_X[1], XOR_Y[1]), args.graph, "the cascade on x = (0, 1)")
    return 0


def _whole_number(low: int) -> Callable[[str], int]:
    """An argparse type: an integer ≥ low, refused in the option's own words (not numpy's)."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"give a whole number ≥ {low}; got {text!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"give a whole number ≥ {low}; got {n}")
        return n

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)  # numpy's seeds


def _parse_hidden(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden: give widths like 64,64; got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden: widths must be positive; got {text!r}")
    return sizes


def run_dnn(args: argparse.Namespace) -> int:
    from .dnn import dnn_graph, fit_dnn

    data, text = digits_data(args.data, args.seed, 8000, 2000)
    _heading("Deep fully connected network: 10-class digit recognition")
    _print(f"data: {text}")
    hidden = args.hidden
    n = len(data.y_train)
    with _bar(args.epochs * math.ceil(n / 32), "dnn") as bar:
        r = fit_dnn(
            data, hidden, activation=args.activation, epochs=args.epochs, seed=args.seed, bar=bar
        )
    _print(
        f"network {'-'.join(map(str, r.sizes))} ({args.activation}), {r.n_parameters} "
        f"parameters, Adam η = 0.001, mini-batches of 32, {r.seconds:.1f} s",
        format_table(
            ["epoch", "train loss", "test acc %"],
            [
                [e, loss, 100 * acc]
                for (e, loss), (_, acc) in zip(r.curve["loss"], r.curve["test_accuracy"])
            ],
            ["", ".4f", ".1f"],
        ),
        f"training accuracy {100 * r.train_accuracy:.1f}%, testing accuracy "
        f"{100 * r.test_accuracy:.1f}%",
        "confusion matrix on the testing data (rows: true digit, columns: predicted):",
        format_table(
            ["", *data.class_names],
            [[c, *map(int, row)] for c, row in zip(data.class_names, r.confusion)],
        ),
    )
    if args.graph is not None:
        _render(
            dnn_graph(r.model, data.x_train[0], int(data.y_train[0])),
            args.graph,
            "the network on training image 0",
        )
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from .compare import (
        curve_table,
        noise_curve,
        pool_sampler,
        prior_table,
        shared_gaussian_case,
        size_curve,
    )
    from .data import FEATURES_SIX, load_water_normal, synthetic_water_normal

    _heading("Generative vs discriminative: learning curves")
    if args.prior is not None and not 0.0 < args.prior < 1.0:
        raise ValueError(f"--prior is P(C1) = P(Water): a number in (0, 1); got {args.prior}")
    draws, steps, sizes = args.draws, args.steps, (3, 5, 10, 20, 40)
    _print(
        f"each point: {draws} seeded draws of n training examples per class (without "
        "replacement from the training split, or fresh from the distribution), each model "
        f"fitted on the draw (logistic regression: {steps} steps of gradient descent, η = 0.5, "
        "standardized inputs; generative: closed-form maximum likelihood, pseudo-inverse for "
        "singular Σ), scored on the whole testing set. Cells: mean ± std (ddof 1) testing "
        "accuracy %. 'best' lists the top mean and every model within one standard error of "
        "the paired difference from it (a tie, not a win).",
    )
    if args.data is not None:
        real = load_water_normal(args.data, features=FEATURES_SIX)
        what = (
            f"{args.data}: Water vs Normal on the six stats (Total left out: it is their sum), "
            f"# < 400 for training ({len(real.y_train)}), the rest for testing "
            f"({len(real.y_test)})"
        )
    else:
        real = synthetic_water_normal(args.seed)
        what = (
            f"synthetic Water/Normal (seeded, seed={args.seed}): Gaussians with the lecture's "
            "μ and a separate Σ per class (no --data given)"
        )
    pool = pool_sampler(real.x_train, real.y_train)
    small = 10
    shared, xs_test, ys_test, shared_text = shared_gaussian_case(seed=args.seed)
    n_fits = draws * (2 * len(sizes) + 2 * 5 + 5) + 1
    with _bar(n_fits, "compare") as bar:
        opts = {"draws": draws, "seed": args.seed, "steps": steps, "bar": bar}
        pool_sizes = size_curve(pool, real.x_test, real.y_test, (*sizes, None), **opts)
        pool_noise = noise_curve(pool, real.x_test, real.y_test, NOISE, small, **opts)
        pool_noise_all = noise_curve(pool, real.x_test, real.y_test, NOISE, None, **opts)
        syn_sizes = size_curve(shared, xs_test, ys_test, (*sizes, 100), **opts)
        syn_noise = noise_curve(shared, xs_test, ys_test, NOISE, small, **opts)
    _print(
        "", f"data: {what}", "as the training set shrinks:", curve_table(pool_sizes, "n per class")
    )
    _print(f"labels flipped, {small} per class:", curve_table(pool_noise, "labels flipped"))
    _print("labels flipped, all training data:", curve_table(pool_noise_all, "labels flipped"))
    _print("", f"data: {shared_text}", "as the training set shrinks:")
    _print(curve_table(syn_sizes, "n per class"))
    _print(f"labels flipped, {small} per class:", curve_table(syn_noise, "labels flipped"))
    _heading("The prior can come from elsewhere: same μ and Σ, different P(C1)")
    _print(f"data: {what}; the shared-Σ model on all the training data")
    _print(prior_table(real, args.prior))
    return 0


# fractions of training labels flipped in `lecture compare`
NOISE = (0.0, 0.1, 0.2, 0.3, 0.4)


def run_structure(args: argparse.Namespace) -> int:
    from .structure import HAND_DESIGNED, describe, structure_search

    data, text = digits_data(args.data, args.seed, 3000, 1000)
    # 2000 training + 1000 validation images, or two thirds / one third of a smaller set.
    n = len(data.y_train)
    n_val = min(1000, n // 3)
    n_train = min(2000, n - n_val)
    seeds, epochs = args.seeds, 3
    budget = (
        f"{args.budget_epochs} training epochs"
        if args.budget_epochs is not None
        else f"{args.budget:g} s of wall time"
    )
    _heading("Network structure by trial and error")
    _print(
        f"data: {text}",
        f"each structure trains {epochs} epochs on the first {n_train} training images, once "
        f"per initial seed ({seeds} seeds), and is scored on the next {n_val} (validation): "
        f"mean ± std over the seeds. Random search, then evolution, until the budget ({budget}) "
        f"is spent{'; conv blocks (LeNet-style) are in the search space' if args.cnn else ''}.",
        "'=' marks every structure whose mean is within one standard error of the difference "
        "from the top one: the data cannot tell those apart, and the winner is the smallest "
        "of them. Only the winner and the hand-designed network see the testing data, once.",
    )
    # the bar counts epochs of an epoch budget, else seconds of the time budget
    total = int(args.budget_epochs) if args.budget_epochs is not None else math.ceil(args.budget)
    with _bar(total, "structure search") as bar:
        r = structure_search(
            data,
            budget_seconds=None if args.budget_epochs is not None else args.budget,
            budget_epochs=args.budget_epochs,
            seeds=seeds,
            epochs=epochs,
            n_train=n_train,
            n_val=n_val,
            seed=args.seed,
            cnn=args.cnn,
            bar=bar,
        )
    _print(
        format_table(
            ["#", "found by", "structure", "parameters", "val acc %", "tied", "seconds"],
            describe(r.trials, r.tied),
            ["", "", "", "", "", "", ".1f"],
        ),
        f"{len(r.trials)} structures in {r.seconds:.0f} s ({r.epochs_used} training epochs), "
        f"stopped by the {r.stopped_by}; {len(r.tied)} tied with the best.",
        f"winner: #{r.best.index} {r.best.structure} (validation "
        f"{100 * r.best.val_accuracy:.1f} ± {100 * r.best.val_std:.1f}%)",
        f"retrained on all {n} training images ({epochs} epochs, seed {args.seed}) and tested "
        f"once on {len(data.y_test)}: winner {100 * r.test_accuracy:.1f}%, hand-designed "
        f"{HAND_DESIGNED} (`lecture dnn`) {100 * (r.hand_test_accuracy or float('nan')):.1f}%",
        "What this can say: which structures are clearly worse than the best under this small "
        "budget. What it cannot: that the winner beats the others tied with it, or how the "
        "ranking looks after longer training (short runs favour small, fast-learning networks).",
    )
    if r.skipped:
        _print(
            f"({r.skipped} evolution step(s) skipped: every mutation of the parent had been "
            "tried already)"
        )
    return 0


# (name, function, help, what --data is)
def run_cnn(args: argparse.Namespace) -> int:
    from .cnn import compare_cnn_fc

    if args.data is None:  # the embedded digits: small enough for well under a minute
        data, text = digits_data(None, args.seed, 3000, 1000)
    else:
        data, text = digits_data(args.data, args.seed, 8000, 2000)
    _heading("Convolutional network vs fully connected network: 10-class digit recognition")
    _print(f"data: {text}")
    n = len(data.y_train)
    with _bar(2 * args.epochs * math.ceil(n / 32), "cnn") as bar:
        r = compare_cnn_fc(data, epochs=args.epochs, seed=args.seed, bar=bar)
    _print(
        f"both: Adam η = 0.001, mini-batches of 32, {args.epochs} epochs, same data; LeNet-5 is "
        "conv 6@5×5 → ReLU → max-pool 2 → conv 16@5×5 → ReLU → max-pool 2 → 120 → 84 → 10",
        format_table(
            ["network", "parameters", "train acc %", "test acc %", "seconds"],
            [
                [x.name, x.n_parameters, 100 * x.train_accuracy, 100 * x.test_accuracy, x.seconds]
                for x in (r.cnn, r.fc)
            ],
            ["", "", ".1f", ".1f", ".1f"],
        ),
        "test accuracy % after each epoch:",
        format_table(
            ["epoch", r.cnn.name, r.fc.name],
            [
                [e, 100 * a, 100 * b]
                for (e, a), (_, b) in zip(r.cnn.curve["test_accuracy"], r.fc.curve["test_accuracy"])
            ],
            ["", ".1f", ".1f"],
        ),
        "The same number of parameters spent on small shared filters (each sees a 5×5 patch, "
        "used at every position) instead of one weight per pixel and neuron.",
    )
    if args.pictures is not None:
        _cnn_pictures(r.cnn.model, data, args.pictures)
    if args.graph is not None:
        from .cnn import digit_graph

        _render(
            digit_graph(r.cnn.model, data.x_test[0], int(data.y_test[0])),
            args.graph,
            "LeNet-5 on testing image 0 (one node per layer)",
        )
    return 0


def _cnn_pictures(model: object, data: object, folder: Path) -> None:
    from ..visualize import plots
    from .cnn import feature_maps

    if not plots.available():
        _print("pictures skipped: matplotlib is not installed (pip install 'tinygrad_edu[plot]')")
        return
    conv1, conv2 = (m for m in model if type(m).__name__ == "Conv2d")  # type: ignore[attr-defined]
    image = np.asarray(data.x_test[0]).reshape(28, 28)  # type: ignore[attr-defined]
    label = int(data.y_test[0])  # type: ignore[attr-defined]
    filters = plots.image_rows(
        folder / "cnn_filters.png",
        [
            ("conv 1\n6 filters\n5×5", conv1.weight.data[:, 0]),
            *[(f"conv 2\nfrom map {c}", conv2.weight.data[:, c]) for c in range(6)],
        ],
        "learned filters (red = positive weight, blue = negative); conv 2 has one 5×5 kernel "
        "per input map and filter",
        cmap="RdBu_r",
        symmetric=True,
    )
    rows = [("input", image[None])] + [
        (name.replace(": ", "\n"), maps)
        for name, maps in feature_maps(model, image)  # type: ignore[arg-type]
    ]
    maps = plots.image_rows(
        folder / "cnn_feature_maps.png",
        rows,
        f"feature maps of testing image 0 (a {label}) after each ReLU and max-pool",
    )
    _print(f"pictures: {filters} (learned filters), {maps} (one digit's feature maps)")


EXPERIMENTS: tuple[tuple[str, Callable[[argparse.Namespace], int], str, str], ...] = (
    (
        "regression",
        run_regression,
        "CP after evolution: polynomials of degree 1-5, species models, all factors, λ sweep",
        "the OpenIntro Pokemon Go evolution CSV (pokemon_cp_evolution.csv); default: the "
        "20 Pokemon on the slides and a seeded synthetic species set",
    ),
    (
        "classification",
        run_classification,
        "Water vs Normal: each generative variant and logistic regression on the same split",
        "the Kaggle 'Pokemon with stats' CSV; default: seeded synthetic Water/Normal data",
    ),
    (
        "logistic",
        run_logistic,
        "logistic regression: cross entropy vs square error, generative vs discriminative",
        "the Kaggle 'Pokemon with stats' CSV; default: seeded synthetic Water/Normal data",
    ),
    (
        "softmax",
        run_softmax,
        "softmax regression: three classes, and digits with a linear model",
        "the MNIST directory (for the digits part); default: seeded synthetic digits",
    ),
    (
        "xor",
        run_xor,
        "XOR: logistic regression fails, a feature transform and a cascade succeed",
        "not used (the four XOR points are the data)",
    ),
    (
        "dnn",
        run_dnn,
        "a deep fully connected network for 10-class digit recognition",
        "the MNIST directory (t10k-images-idx3-ubyte(.gz) + labels; split 8000/2000); "
        "default: seeded synthetic digits",
    ),
    (
        "cnn",
        run_cnn,
        "a convolutional network (LeNet-5) vs a fully connected one of the same size, on digits",
        "the MNIST directory (t10k-images-idx3-ubyte(.gz) + labels; split 8000/2000); "
        "default: seeded synthetic digits (3000 training / 1000 testing)",
    ),
    (
        "compare",
        run_compare,
        "generative vs discriminative: learning curves as data shrinks and labels get noisy",
        "the Kaggle 'Pokemon with stats' CSV (Water vs Normal, six stats); default: seeded "
        "synthetic Water/Normal data",
    ),
    (
        "structure",
        run_structure,
        "search over depth and width (random and evolutionary), scored on validation data",
        "the MNIST directory; default: seeded synthetic digits",
    ),
)


def _guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Data problems end the command with their message (exit 2), not a traceback; a closed
    pipe ends it quietly."""

    def run(args: argparse.Namespace) -> int:
        from ..fileio import check_output_dir, resolve_target
        from ..visualize import GraphvizNotFoundError, format_from_path

        try:
            if getattr(args, "graph", None) is not None:  # before the work, not after it
                format_from_path(args.graph, None)
                resolve_target(args.graph, "write --graph")
            if getattr(args, "pictures", None) is not None:
                check_output_dir(args.pictures, "write --pictures into")
            return fn(args)
        except (DataError, ValueError) as e:
            print(f"tinygrad-edu lecture: error: {e}", file=sys.stderr)
            return 2
        except GraphvizNotFoundError as e:
            print(f"tinygrad-edu lecture: {e}", file=sys.stderr)
            return 3
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly; point stdout at nothing so the
            # interpreter's final flush does not raise again.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141
        except OSError as e:  # an output path that cannot be written (checked up front)
            print(f"tinygrad-edu lecture: error: {e}", file=sys.stderr)
            return 2

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `lecture EXPERIMENT [--data PATH] [--seed N] [--graph FILE]`."""
    p = subparsers.add_parser(
        "lecture",
        help="print the lecture's tables (regression, classification, logistic, softmax, "
        "xor, compare, dnn, cnn, structure)",
        description="Run one of the lecture's experiments and print its table.",
    )
    sub = p.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    for name, fn, help_text, data_help in EXPERIMENTS:
        q = sub.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--data", type=Path, metavar="PATH", help=data_help)
        q.add_argument(
            "--seed",
            type=_seed,
            default=0,
            help="seed of synthetic data and initial weights (default 0)",
        )
        if name not in ("structure", "compare"):
            q.add_argument(
                "--graph",
                type=Path,
                metavar="FILE",
                help="also draw one example's computation graph (after its backward pass) "
                "to FILE (.svg, .png, .pdf or .dot)",
            )
        if name == "regression":
            q.add_argument(
                "--raw-steps",
                type=int,
                default=100_000,
                metavar="N",
                help="steps of the raw-cp gradient descent demo (default 100000, about 5 s "
                "per optimizer; 0 skips it)",
            )
        if name == "regression":
            q.add_argument(
                "--data-term",
                choices=tuple(DATA_TERMS),
                default=DEFAULT_DATA_TERM,
                help="how the λ table's loss scales the squared errors: L = c·Σ(y − ŷ)² + "
                "λΣw² with c = 1 (sum), 1/N (mean) or 1/(2N) (half-mean, the default: the "
                "one that puts the best λ where the slides do)",
            )
        if name == "classification":
            q.add_argument(
                "--priors",
                choices=("empirical", "equal"),
                default="empirical",
                help="the generative models' P(C_k): empirical N_k/N (default) or equal 1/K",
            )
        if name == "compare":
            q.add_argument(
                "--draws",
                type=_positive_int,
                default=20,
                help="seeded draws per point (default 20; each fits four models)",
            )
            q.add_argument(
                "--steps",
                type=_positive_int,
                default=1000,
                help="gradient-descent steps of each logistic regression (default 1000)",
            )
            q.add_argument(
                "--prior",
                type=float,
                default=None,
                metavar="P",
                help="your own P(C1) = P(Water) for the prior table, e.g. 0.2",
            )
        if name == "structure":
            q.add_argument(
                "--budget",
                type=float,
                default=120.0,
                metavar="SECONDS",
                help="wall time of the search (default 120; retraining the winner and the "
                "hand-designed network comes after it)",
            )
            q.add_argument(
                "--budget-epochs",
                type=_positive_int,
                default=None,
                metavar="N",
                help="stop after N training epochs instead (each structure costs seeds × 3)",
            )
            q.add_argument(
                "--seeds",
                type=_positive_int,
                default=3,
                help="initial seeds per structure (default 3)",
            )
            q.add_argument(
                "--no-cnn",
                dest="cnn",
                action="store_false",
                help="fully connected structures only (no conv blocks)",
            )
        if name == "dnn":
            q.add_argument(
                "--hidden",
                type=_parse_hidden,
                default=(128, 64),
                metavar="W1,W2,…",
                help="hidden layer widths (default 128,64)",
            )
            q.add_argument(
                "--activation",
                choices=("relu", "sigmoid", "tanh"),
                default="relu",
                help="hidden activation (default relu)",
            )
            q.add_argument(
                "--epochs",
                type=_positive_int,
                default=10,
                help="passes over the training data (default 10)",
            )
        if name == "cnn":
            q.add_argument(
                "--epochs",
                type=_positive_int,
                default=3,
                help="passes over the training data (default 3)",
            )
            q.add_argument(
                "--pictures",
                type=Path,
                metavar="DIR",
                help="draw the learned filters and one digit's feature maps into DIR "
                "(cnn_filters.png, cnn_feature_maps.png; needs matplotlib)",
            )
        q.set_defaults(func=_guarded(fn), graph=None)

"""`tinygrad-edu tour`: the lecture from start to end, on embedded data, into one folder.

    1 one neuron as a Value graph: forward pass ∂z/∂w, backward pass ∂C/∂z, one update
    2 regression: degree 1–5 and λ tables, fitted curves, the λ curve
    3 classification: generative (separate / shared Σ) vs logistic regression; cross entropy
      vs square error
    4 softmax regression, and XOR: the boundary before and after the fix
    5 a deep network on digits: live progress, loss curve, confusion matrix, its graph

Deterministic for a given --seed; --quick is a sub-10-second version; --data-dir runs the same
tour on the user's downloads (pokemon_cp_evolution.csv, pokemon_stats.csv, MNIST IDX files).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import atomic_write, check_output_dir
from ..graph import Node
from ..nn.scalar import ValueMLP
from ..value import Value
from ..visualize import GraphvizNotFoundError, plots, render, trace
from .compare import MODELS, curve_table, pool_sampler, shared_gaussian_case, size_curve
from .data import FEATURES_SIX, load_water_normal
from .dnn import dnn_graph, fit_dnn
from .generative import GaussianClassifier
from .logistic import compare_classifiers, loss_comparison, loss_surfaces
from .metrics import format_table
from .progress import ProgressBar
from .regression import (
    closed_form,
    lambda_table,
    line_descents,
    line_loss_surface,
    loss_definition,
    polynomial_table,
    polynomial_terms,
    raw_line_descent,
)
from .softmax import fit_softmax, three_classes
from .sources import digits_data, regression_data, water_normal_data
from .tables import (
    LAMBDA_COLUMNS_BRIEF,
    POLYNOMIAL_COLUMNS_BRIEF,
    accuracy_table,
    class_statistics,
    collinearity_note,
    lambda_table_text,
    polynomial_table_text,
    species_table,
    xor_table,
)
from .xor import XOR_X, XOR_Y, distance_features, xor_experiment


@dataclass
class Tour:
    """Where the tour writes, what it wrote and what it had to skip."""

    out: Path
    seed: int
    quick: bool
    data_dir: Path | None
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def path(self, *parts: str) -> Path:
        p = self.out.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def text(self, name: str, content: str) -> Path:
        """Write a text file atomically and remember it."""
        p = self.path(name)
        atomic_write(p, (content if content.endswith("\n") else content + "\n").encode("utf-8"))
        self.written.append(p)
        return p

    def figure(self, name: str, what: str, draw: Callable[[Path], Path]) -> None:
        """Draw a matplotlib figure, or note that it was skipped (matplotlib missing)."""
        if not plots.available():
            self.skipped.append(f"{name} ({what}): matplotlib is not installed")
            return
        self.written.append(draw(self.path(name)))

    def graph(self, name: str, root: Node, **options: Any) -> None:
        """Render a computation graph as SVG; without Graphviz's dot, keep the DOT text."""

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # collapse notices: the tour says what it draws
            try:
                info = render(root, self.path(name), **options)
                self.written.append(Path(info.path))
            except GraphvizNotFoundError as e:
                self.written.append(Path(e.dot_path))
                self.skipped.append(f"{name}: Graphviz's dot is missing, DOT text kept instead")

    def frames(self, name: str, tr: Any) -> list[Path]:
        """The trace's frames as SVG; without Graphviz's dot, the DOT text of each frame."""
        try:
            paths = tr.write_frames(self.out / name, "svg")
        except GraphvizNotFoundError as e:
            paths = sorted(Path(e.dot_path).glob("frame_*.dot"))
            self.skipped.append(f"{name}: Graphviz's dot is missing, DOT text kept instead")
        self.written.extend(Path(p) for p in paths)
        return list(paths)

    def data_file(self, *names: str) -> Path | None:
        """The first of `names` found in --data-dir (None: use the embedded data)."""
        if self.data_dir is None:
            return None
        for n in names:
            if (self.data_dir / n).exists():
                return self.data_dir / n
        say(f"  (--data-dir has none of {', '.join(names)}: using the embedded data here)")
        return None


def say(*lines: str) -> None:
    for line in lines:
        print(line)
    sys.stdout.flush()


def heading(text: str) -> None:
    say("", text, "-" * len(text))


# --------------------------------------------------------------------------------------------
# 1. one neuron


def step1_neuron(t: Tour) -> None:

    heading("1. Steps 1–3 on one neuron (反向传播 backpropagation)")
    x1, x2 = (
        Value(1.0, label="x1", requires_grad=False),
        Value(-1.0, label="x2", requires_grad=False),
    )
    w1, w2, b = Value(1.0, label="w1"), Value(-2.0, label="w2"), Value(1.0, label="b")
    target = 0.0

    def loss() -> tuple[Value, Value, Value]:
        z = Value.weighted_sum([w1, w2], [x1, x2], b).named("z")
        a = z.sigmoid().named("a")
        c = -((1 - a).log())  # cross entropy with target ŷ = 0: C = −ln(1 − a)
        return z, a, c.named("C")

    z, a, c = loss()
    say(
        "step 1, a function: z = w1·x1 + w2·x2 + b, a = σ(z); step 2, its goodness: the cross "
        f"entropy C = −ln(1 − a) for target ŷ = {target:g}",
        f"forward pass:  z = {z.data:g}, a = σ(z) = {a.data:.4f}, C = {c.data:.4f}",
        "  ∂z/∂w is the input wired to w: "
        + ", ".join(f"∂z/∂{w.label} = {g.value:g}" for w, g in zip((w1, w2), z.local_grads[:2]))
        + ", ∂z/∂b = 1",
    )
    c.backward()
    say(
        f"backward pass: ∂C/∂a = {a.grad:.4f}, ∂C/∂z = σ'(z)·∂C/∂a = {z.grad:.4f}",
        "  chain rule ∂C/∂w = ∂z/∂w · ∂C/∂z: "
        + ", ".join(f"∂C/∂{p.label} = {p.grad:.4f}" for p in (w1, w2, b)),
    )
    params = {"w1": w1, "w2": w2, "b": b}
    t.graph("1_neuron/neuron.svg", c, params=params, output_label="C")
    t.graph("1_neuron/neuron.html", c, params=params, output_label="C")
    tr = trace(c, params=params, output_label="C")
    t.text("1_neuron/trace.txt", tr.format())
    frames = t.frames("1_neuron/frames", tr)
    lr = 1.0
    before = c.data
    for p in (w1, w2, b):
        p.data -= lr * p.grad  # step 3: gradient descent (学习速率 learning rate η = 1)
        p.zero_grad()
    _, _, c2 = loss()
    say(
        f"step 3, gradient descent w ← w − η·∂C/∂w with η = {lr:g}: C {before:.4f} → {c2.data:.4f}",
        f"  wrote the picture, the trace table, {len(frames)} trace frames (the lecture's "
        "backprop figures, one node at a time) and 1_neuron/neuron.html, the same walk-through "
        "to step through in a browser",
    )
    net = ValueMLP([2, 3, 1], activation="sigmoid", output_activation="sigmoid", seed=t.seed)
    out = net(
        [Value(1.0, label="x1", requires_grad=False), Value(-1.0, label="x2", requires_grad=False)]
    )
    cost = (-(1 - out).log()).named("C")  # the whole −ln(1 − a) is C, not its inner log
    cost.backward()
    t.graph("1_neuron/network_2-3-1.svg", cost, params=net, output_label="C")
    t.graph("1_neuron/network_2-3-1.html", cost, params=net, output_label="C")
    say(
        "  and a 2-3-1 network, weight by weight: 1_neuron/network_2-3-1.svg, and its "
        "walk-through 1_neuron/network_2-3-1.html"
    )


# --------------------------------------------------------------------------------------------
# 2. regression


def step2_regression(t: Tour) -> None:

    heading("2. Regression: the CP after evolution")
    path = t.data_file("pokemon_cp_evolution.csv")
    poly, poly_text, species, species_text, real = regression_data(path, t.seed)
    say(f"data: {poly_text}")
    fits = polynomial_table(poly)
    table = polynomial_table_text(fits, POLYNOMIAL_COLUMNS_BRIEF)
    how = (
        "average error = ‖y − ŷ‖₂ / N (the lecture's tables); gap = largest |ŷ − ŷ*| to the "
        "closed-form least-squares fit ŷ*"
    )
    say(how, table)
    t.text("2_regression/polynomial_table.txt", f"data: {poly_text}\n{how}\n\n{table}")
    cp = np.concatenate([poly.train.x_cp, poly.test.x_cp])
    xs = np.linspace(cp.min(), cp.max(), 300)
    t.figure(
        "2_regression/fits.png",
        "fitted curves",
        lambda p: plots.regression_fits(
            p,
            (poly.train.x_cp, poly.train.y),
            (poly.test.x_cp, poly.test.y),
            {f"degree {d}": (xs, r.predict(xs)) for d, r in enumerate(fits, start=1)},
            "Polynomial models trained by gradient descent (degree 5 overfits)",
        ),
    )
    if real:  # the slides' species and all-factor rows exist only for the lecture's file
        sp_table = species_table(species, real=True)
        say(f"species and all factors; data: {species_text}", sp_table)
        t.text("2_regression/species_table.txt", f"data: {species_text}\n\n{sp_table}")
    lams = lambda_table(species)
    loss = loss_definition(n=len(species.species_train))
    say(f"regularization (正则化); data: {species_text}", f"loss: {loss}")
    lam_columns = LAMBDA_COLUMNS_BRIEF + (("lecture train", "lecture test") if real else ())
    lam_table = lambda_table_text(lams, real=real, columns=lam_columns)
    say(lam_table)
    t.text("2_regression/lambda_table.txt", f"data: {species_text}\nloss: {loss}\n\n{lam_table}")
    t.figure(
        "2_regression/lambda.png",
        "the λ curve",
        lambda p: plots.error_curve(
            p,
            [r.lam for r in lams],
            {"training": [r.train_error for r in lams], "testing": [r.test_error for r in lams]},
            "All factors + λΣw²: smoother functions as λ grows",
            "λ",
            "average error ‖y − ŷ‖₂ / N",
            logx=True,
        ),
    )
    learning_rates(t, poly.train)
    descent_figure(t, poly.train)


# plain gradient descent on raw cp: the largest stable η is 2/λ_max(∂²L) ≈ 1.14e-6 on the
# lecture's 10 training Pokemon, so 1e-6 is "right", 1.2e-6 diverges, 1e-8 crawls.
LEARNING_RATES: tuple[tuple[str, str, float], ...] = (
    ("too small", "gd", 1e-8),
    ("right", "gd", 1e-6),
    ("too large", "gd", 1.2e-6),
    ("Adagrad", "adagrad", 10.0),
)


def learning_rates(t: Tour, train: Any) -> None:
    """The lecture's learning-rate picture: loss against updates for η too small, right and
    too large, and Adagrad, on y = b + w·cp with raw cp from b = −120, w = −4."""
    steps = 1000 if t.quick else 3000
    b, w = closed_form(polynomial_terms(1), train)
    best = float(((train.y - b - w * train.x_cp) ** 2).sum())
    curves: dict[str, list[tuple[int, float]]] = {}
    rows = []
    with np.errstate(over="ignore", invalid="ignore"):  # the too-large run overflows on purpose
        for name, opt, lr in LEARNING_RATES:
            run = raw_line_descent(train, opt, lr, steps, record_every=1)
            # L − L* from update 1 on (log axes); the diverging run until it leaves the picture
            shown = [(s, loss - best) for s, _, _, loss in run.path[1:] if loss < 1e12]
            curves[f"{name} η = {lr:g}" if opt == "adagrad" else f"{name}: GD η = {lr:g}"] = shown
            final = run.path[-1][3]
            rows.append([name, opt, f"{lr:g}", final if np.isfinite(final) else float("inf")])
    table = format_table(
        ["learning rate", "optimizer", "η", f"loss Σ(y − ŷ)² after {steps} steps"],
        rows,
        ["", "", "", ".4g"],
    )
    how = (
        f"loss L(b, w) = Σₙ (yⁿ − (b + w·cpⁿ))² on raw cp, from b = −120, w = −4; closed-form "
        f"minimum {best:.4g}"
    )
    say("learning rate (学习速率):", how, table)
    t.text("2_regression/learning_rate.txt", f"{how}\n\n{table}")
    t.figure(
        "2_regression/learning_rate.png",
        "learning rates",
        lambda p: plots.training_curves(
            p,
            curves,
            "Learning rate: too small crawls, too large diverges, Adagrad adapts",
            ylabel=f"L − L* (L* = {best:.4g}, the closed-form minimum)",
            xlabel="parameter updates",
            logy=True,
            logx=True,
        ),
    )


# The starts of the descent figure: the lecture's demo (b, w) = (−120, −4) and four more around
# the valley; DESCENT_RUNS: optimizer, η, and what the panel says about it.
DESCENT_STARTS = ((-120.0, -4.0), (-350.0, 5.0), (100.0, 5.5), (150.0, -3.0), (-380.0, -1.0))
DESCENT_RUNS = (
    ("gd", 1e-6, "plain gradient descent, η = 10⁻⁶:\ninto the valley (w), then crawling (b)"),
    ("adagrad", 10.0, "Adagrad, η = 10:\nevery start ends at the same minimum"),
)


def descent_figure(t: Tour, train: Any) -> None:
    """The regression's loss contours over (b, w) with descent paths from several starts."""
    steps = 10_000 if t.quick else 30_000
    best = closed_form(polynomial_terms(1), train)  # (b*, w*)
    panels = {}
    for optimizer, lr, text in DESCENT_RUNS:
        runs = line_descents(train, optimizer, lr, steps, DESCENT_STARTS, record_every=20)
        panels[text] = [np.array([(pb, pw) for _, pb, pw, _ in r.path]) for r in runs]
        far = max(abs(r.b - best[0]) for r in runs)
        say(
            f"{optimizer} (η = {lr:g}) from {len(runs)} starts, {steps} steps: b ends within "
            f"{far:.3g} of the minimum b* = {best[0]:.1f} (w* = {best[1]:.3f})"
        )
    b = np.linspace(-420.0, 220.0, 240)
    w = np.linspace(-5.0, 6.5, 240)
    loss = line_loss_surface(train, b, w)
    t.figure(
        "2_regression/descent.png",
        "gradient descent over the loss contours",
        lambda p: plots.descent_paths(
            p,
            b,
            w,
            loss,
            panels,
            (float(best[0]), float(best[1])),
            "L(b, w) = Σ (ŷ − (b + w·x_cp))² is convex: the start does not matter, the step "
            "size does",
        ),
    )


# --------------------------------------------------------------------------------------------
# 3. classification


def step3_classification(t: Tour) -> None:

    heading("3. Classification: Water vs Normal, generative vs discriminative")
    path = t.data_file("pokemon_stats.csv")
    steps = 600 if t.quick else 3000
    tables = []
    first: tuple[Any, Any] | None = None
    for data, text in water_normal_data(path, t.seed):
        scores, fit = compare_classifiers(data, steps=steps)
        table = accuracy_table(scores)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stats = class_statistics(data, GaussianClassifier().fit(data.x_train, data.y_train))
        note = collinearity_note(data.x_train, data.feature_names)
        say(f"data: {text}", table, stats.splitlines()[0], *([note] if note else []))
        tables.append(f"data: {text}\n\n{table}\n\n{stats}" + (f"\n{note}" if note else ""))
        if first is None:
            first = (data, fit)
    t.text("3_classification/accuracy_table.txt", "\n\n".join(tables))
    assert first is not None
    data, fit = first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        separate = GaussianClassifier("separate").fit(data.x_train, data.y_train)
        shared = GaussianClassifier("shared").fit(data.x_train, data.y_train)
    names = list(data.class_names)
    t.figure(
        "3_classification/boundaries.png",
        "decision boundaries",
        lambda p: plots.decision_boundaries(
            p,
            data.x_test,
            data.y_test,
            {
                "generative, separate Σ (quadratic)": lambda g: separate.predict_proba(g)[:, 1],
                "generative, shared Σ (linear)": lambda g: shared.predict_proba(g)[:, 1],
                "logistic regression": fit.model.predict_proba,
            },
            "P(Water | x) on the testing Pokemon: three models, two of them linear",
            feature_names=data.feature_names,
            class_names=names,
        ),
    )
    w1 = np.linspace(-10.0, 10.0, 81)
    w2 = np.linspace(-10.0, 10.0, 81)
    surfaces = loss_surfaces(data.x_train, data.y_train, w1, w2)
    t.figure(
        "3_classification/loss_surfaces.png",
        "cross entropy vs square error over two weights",
        lambda p: plots.loss_surfaces(
            p,
            w1,
            w2,
            {
                "cross entropy": surfaces["cross_entropy"],
                "square error": surfaces["square"],
            },
            "Total loss of σ(w₁x₁ + w₂x₂) on the training Pokemon: square error is flat far "
            "from the minimum",
        ),
    )
    n = 300 if t.quick else 1000
    cmp = loss_comparison(data.x_train, data.y_train, steps=n)
    ce, se = cmp.cross_entropy.curve, cmp.square.curve
    say(
        f"cross entropy (交叉熵) vs square error from the same start, {n} steps: accuracy "
        f"{100 * ce.last('accuracy'):.0f}% vs {100 * se.last('accuracy'):.0f}%, first gradient "
        f"norm {ce['grad_norm'][0][1]:.3g} vs {se['grad_norm'][0][1]:.3g} (square error's "
        "gradient vanishes far from the target)"
    )
    t.figure(
        "3_classification/ce_vs_square.png",
        "training curves",
        lambda p: plots.training_curves(
            p,
            {"cross entropy": ce["accuracy"], "square error": se["accuracy"]},
            "Same start, same η: cross entropy learns at once, square error crawls",
            ylabel="training accuracy",
        ),
    )
    t.figure(
        "3_classification/gradient_norm.png",
        "gradient norms",
        lambda p: plots.training_curves(
            p,
            {"cross entropy": ce["grad_norm"], "square error": se["grad_norm"]},
            "‖∂L/∂w‖ along training: square error starts near zero",
            ylabel="gradient norm",
            logy=True,
        ),
    )
    learning_curves(t)


def learning_curves(t: Tour) -> None:
    """Generative vs discriminative as the training set shrinks, on the case built for the
    generative assumption (shared Σ) and, with --data-dir, on the real Water vs Normal stats;
    `lecture compare` runs the full version (more draws, label noise)."""
    draws, steps = (3, 150) if t.quick else (8, 300)
    cases = [("shared-Σ Gaussians, 6 features", *shared_gaussian_case(seed=t.seed, n_test=2000))]
    cases[0] = (*cases[0], (3, 5, 10, 20, 40) if t.quick else (3, 5, 10, 20, 40, 100))
    path = t.data_file("pokemon_stats.csv") if t.data_dir is not None else None
    if path is not None:
        real = load_water_normal(path, features=FEATURES_SIX)
        text = (
            f"{path}: Water vs Normal on the six stats, testing on the {len(real.y_test)} "
            "Pokemon of # ≥ 400"
        )
        pool = pool_sampler(real.x_train, real.y_train)
        cases.append(
            ("Water vs Normal, six stats", pool, real.x_test, real.y_test, text, (3, 5, 10, 20, 40))
        )
    how = (
        f"mean ± std testing accuracy % over {draws} seeded draws per size; logistic "
        f"regression: {steps} gradient-descent steps (`tinygrad-edu lecture compare` runs more "
        "draws and label noise)"
    )
    panels, texts = {}, []
    for name, sample, x_test, y_test, text, sizes in cases:
        pts = size_curve(sample, x_test, y_test, sizes, draws=draws, seed=t.seed, steps=steps)
        table = curve_table(pts, "n per class")
        say(f"learning curves, data: {text}", how, table)
        texts.append(f"data: {text}\n{how}\n\n{table}")
        panels[name] = {
            m: ([q.x for q in pts], [q.mean[m] for q in pts], [q.std[m] for q in pts])
            for m in MODELS
        }
    t.text("3_classification/learning_curves.txt", "\n\n".join(texts))
    t.figure(
        "3_classification/learning_curves.png",
        "learning curves",
        lambda p: plots.curves_with_spread(
            p,
            panels,
            f"Generative vs discriminative as data shrinks (± 1 std over {draws} draws)",
            "testing accuracy",
            ["training examples per class"] * len(panels),
            logx=[True] * len(panels),
        ),
    )


# --------------------------------------------------------------------------------------------
# 4. softmax and XOR


def step4_softmax_xor(t: Tour) -> None:

    heading("4. Softmax regression, and the limitation of logistic regression (XOR)")
    x, y, xt, yt = three_classes(seed=t.seed)
    sm = fit_softmax(x, y, xt, yt, steps=200 if t.quick else 500)
    say(
        f"softmax regression, 3 classes (synthetic, seeded): test accuracy "
        f"{100 * sm.test_accuracy:.1f}%"
    )
    t.figure(
        "4_softmax_xor/softmax_regions.png",
        "softmax regions",
        lambda p: plots.multiclass_regions(
            p,
            xt,
            yt,
            sm.model.predict,
            "Softmax regression: three linear regions",
            ["C1", "C2", "C3"],
        ),
    )
    r = xor_experiment(seed=t.seed, steps=800 if t.quick else 2000)
    table = xor_table(r, loss=False)
    say(table, "a cascade of logistic regressions trained together is a neural network")
    t.text("4_softmax_xor/xor_table.txt", f"targets: {XOR_Y.tolist()}\n\n{table}")
    t.figure(
        "4_softmax_xor/xor_boundaries.png",
        "XOR boundaries",
        lambda p: plots.decision_boundaries(
            p,
            XOR_X,
            XOR_Y.astype(int),
            {
                "before: logistic regression": r.plain.model.predict_proba,
                "fix 1: feature transformation": lambda g: r.transformed.model.predict_proba(
                    distance_features(g)
                ),
                "fix 2: cascade (a network)": r.cascade.model.predict_proba,
            },
            "XOR: no straight line separates the classes; transformed features do",
            class_names=("class 2 (x1 = x2)", "class 1 (x1 ≠ x2)"),
        ),
    )


# --------------------------------------------------------------------------------------------
# 5. the deep network


def step5_dnn(t: Tour) -> None:

    heading("5. A deep network on digits (深度学习 deep learning)")
    mnist = None
    if t.data_dir is not None:
        for cand in (t.data_dir / "mnist", t.data_dir):
            if any(cand.glob("*-images*idx3-ubyte*")):
                mnist = cand
                break
        if mnist is None:
            say("  (--data-dir has no MNIST files: using the synthetic digits)")
    n_train, n_test = (2000, 500) if t.quick else (6000, 2000)
    data, text = digits_data(mnist, t.seed, n_train, n_test)
    hidden, epochs = ((64,), 4) if t.quick else ((128, 64), 8)
    say(f"data: {text}")
    t.figure(
        "5_dnn/samples.png",
        "input samples",
        lambda p: plots.digit_samples(p, data.x_test, data.y_test, "What the network sees"),
    )
    n = len(data.y_train)
    with ProgressBar(epochs * math.ceil(n / 32), "training", enabled=None) as bar:
        r = fit_dnn(data, hidden, activation="relu", epochs=epochs, seed=t.seed, bar=bar)
    say(
        f"network {'-'.join(map(str, r.sizes))} (ReLU, softmax + cross entropy, Adam), "
        f"{r.n_parameters} parameters, {epochs} epochs in {r.seconds:.2g} s: training accuracy "
        f"{100 * r.train_accuracy:.1f}%, testing accuracy {100 * r.test_accuracy:.1f}%"
    )
    conf = format_table(
        ["", *data.class_names],
        [[c, *map(int, row)] for c, row in zip(data.class_names, r.confusion)],
    )
    t.text(
        "5_dnn/confusion.txt",
        f"data: {text}\ntesting accuracy {100 * r.test_accuracy:.2f}%\nrows: true digit, "
        f"columns: predicted\n\n{conf}",
    )
    t.figure(
        "5_dnn/loss_curve.png",
        "loss curve",
        lambda p: plots.training_curves(
            p,
            {"training loss (mean cross entropy)": r.curve["loss"]},
            f"Deep network {'-'.join(map(str, r.sizes))}: the mean cross entropy falls epoch "
            "by epoch",
            xlabel="epoch",
        ),
    )
    t.figure(
        "5_dnn/confusion.png",
        "confusion matrix",
        lambda p: plots.confusion(
            p,
            r.confusion,
            list(data.class_names),
            f"Testing digits: {100 * r.test_accuracy:.1f}% correct",
        ),
    )
    root = dnn_graph(r.model, data.x_test[0], int(data.y_test[0]))
    root.backward()
    t.graph("5_dnn/network.svg", root, params=r.model, collapse="module", output_label="C")
    say("  the network's graph, one box per layer: 5_dnn/network.svg")


# --------------------------------------------------------------------------------------------


STEPS: tuple[Callable[[Tour], None], ...] = (
    step1_neuron,
    step2_regression,
    step3_classification,
    step4_softmax_xor,
    step5_dnn,
)


def run_tour(out: Path, seed: int = 0, quick: bool = False, data_dir: Path | None = None) -> Tour:
    """Run every step into `out`; returns what was written and skipped."""
    if data_dir is not None and not data_dir.is_dir():
        raise FileNotFoundError(
            f"--data-dir {data_dir}: not a directory. Point it at the folder holding "
            "pokemon_cp_evolution.csv, pokemon_stats.csv and the MNIST IDX files."
        )
    check_output_dir(out, "write the tour into")  # before the first step, not after
    tour = Tour(out=out, seed=seed, quick=quick, data_dir=data_dir)
    out.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        step(tour)
    return tour


def summary(tour: Tour) -> str:
    """The list of files written, one per line with its size."""
    lines = [f"wrote {len(tour.written)} files into {tour.out}/:"]
    for p in sorted(tour.written):
        lines.append(f"  {p.relative_to(tour.out)}  ({p.stat().st_size:,} bytes)")
    if tour.skipped:
        lines.append("skipped:")
        lines += [f"  {s}" for s in tour.skipped]
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    say(
        "tinygrad_edu lecture tour: define a set of functions, judge them by a loss, pick the "
        f"best by gradient descent (seed {args.seed}{', quick' if args.quick else ''})"
    )
    try:
        tour = run_tour(Path(args.out), seed=args.seed, quick=args.quick, data_dir=args.data_dir)
    except (OSError, ValueError) as e:
        print(f"tinygrad-edu tour: {e}", file=sys.stderr)
        return 2
    say("", summary(tour), f"done in {time.perf_counter() - start:.1f} s")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `tinygrad-edu tour`."""
    p = subparsers.add_parser(
        "tour",
        help="the lecture from start to end on embedded data: pictures, tables, plots",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default="tour", help="output folder (default: ./tour)")
    p.add_argument("--seed", type=int, default=0, help="seed for every random choice (default 0)")
    p.add_argument("--quick", action="store_true", help="a sub-10-second version (for tests)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder with your downloads: pokemon_cp_evolution.csv, pokemon_stats.csv, and "
        "the MNIST IDX files (there or in mnist/); missing ones fall back to embedded data",
    )
    p.set_defaults(func=_run)

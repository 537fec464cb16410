"""Network structure by trial and error (the lecture's FAQ: "can the structure be
automatically determined?").

A structure is the list of hidden layer widths plus the activation. Each candidate is
trained briefly on a training part and scored by its accuracy on a held-out validation part
(never on the test set, which is touched once, by the winner). Two searches:

* random search: draw depth ∈ {1, 2, 3}, each width from WIDTHS, the activation from
  ACTIVATIONS;
* evolutionary search: keep the best structures seen so far, make children by one mutation
  each (widen or narrow a layer, add or drop a layer, switch the activation), keep the best.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .data import DigitsData
from .dnn import evaluate, fit_dnn, flat_images
from .progress import ProgressBar

__all__ = [
    "WIDTHS",
    "ACTIVATIONS",
    "Structure",
    "Trial",
    "SearchResult",
    "random_structure",
    "mutate",
    "structure_search",
    "describe",
]

WIDTHS: tuple[int, ...] = (8, 16, 32, 64, 128)
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid")
MAX_DEPTH = 3


@dataclass(frozen=True)
class Structure:
    """Hidden layer widths (input and output sizes are fixed by the data) and activation."""

    hidden: tuple[int, ...]
    activation: str

    def __str__(self) -> str:
        return "784-" + "".join(f"{h}-" for h in self.hidden) + f"10 {self.activation}"

    def n_parameters(self, n_in: int = 784, n_out: int = 10) -> int:
        sizes = [n_in, *self.hidden, n_out]
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


@dataclass(frozen=True)
class Trial:
    """One structure tried: how it was found, its validation accuracy, its training time."""

    index: int
    method: str
    structure: Structure
    n_parameters: int
    val_accuracy: float
    seconds: float


@dataclass(eq=False)
class SearchResult:
    trials: list[Trial]
    best: Trial
    test_accuracy: float  # of the best structure, trained as in the search, on the test set
    skipped: int = 0  # children not trained: every mutation of their parent was tried before


def random_structure(rng: np.random.Generator) -> Structure:
    """Depth 1..MAX_DEPTH, each width drawn from WIDTHS, activation from ACTIVATIONS."""
    depth = int(rng.integers(1, MAX_DEPTH + 1))
    hidden = tuple(int(rng.choice(WIDTHS)) for _ in range(depth))
    return Structure(hidden, str(rng.choice(ACTIVATIONS)))


def mutate(s: Structure, rng: np.random.Generator) -> Structure:
    """One random change: widen/narrow a layer (next width in WIDTHS), add a layer (a copy of
    a neighbour), drop a layer, or switch the activation. Always returns a different one."""
    while True:
        kind = rng.choice(["widen", "narrow", "add", "drop", "activation"])
        hidden = list(s.hidden)
        i = int(rng.integers(len(hidden)))
        pos = WIDTHS.index(hidden[i]) if hidden[i] in WIDTHS else None
        if kind == "widen" and pos is not None and pos + 1 < len(WIDTHS):
            hidden[i] = WIDTHS[pos + 1]
        elif kind == "narrow" and pos is not None and pos > 0:
            hidden[i] = WIDTHS[pos - 1]
        elif kind == "add" and len(hidden) < MAX_DEPTH:
            hidden.insert(i, hidden[i])
        elif kind == "drop" and len(hidden) > 1:
            del hidden[i]
        elif kind == "activation":
            other = [a for a in ACTIVATIONS if a != s.activation]
            return Structure(s.hidden, str(rng.choice(other)))
        else:
            continue
        return Structure(tuple(hidden), s.activation)


def _split(data: DigitsData, n_train: int, n_val: int) -> tuple[DigitsData, np.ndarray, np.ndarray]:
    x, y = flat_images(data.x_train), np.asarray(data.y_train)
    if n_train + n_val > len(x):
        raise ValueError(
            f"structure_search: n_train + n_val = {n_train + n_val} but the training set has "
            f"only {len(x)} images; lower them"
        )
    part = DigitsData(
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_train : n_train + n_val],
        y_test=y[n_train : n_train + n_val],
        image_shape=data.image_shape,
        class_names=data.class_names,
        source=data.source,
        synthetic=data.synthetic,
    )
    return part, x[n_train : n_train + n_val], y[n_train : n_train + n_val]


def structure_search(
    data: DigitsData,
    *,
    n_random: int = 6,
    generations: int = 3,
    children: int = 3,
    keep: int = 2,
    n_train: int = 2000,
    n_val: int = 1000,
    epochs: int = 3,
    seed: int = 0,
    bar: ProgressBar | None = None,
) -> SearchResult:
    """Random search (n_random trials), then `generations` rounds of evolution (`children`
    mutants of the `keep` best so far each round); every trial trains `epochs` epochs on the
    first n_train training images and is scored on the next n_val. Structures already tried
    are not trained again. The best is finally scored once on the test set."""
    rng = np.random.default_rng(seed)
    part, _, _ = _split(data, n_train, n_val)
    trials: list[Trial] = []
    models: dict[Structure, object] = {}

    skipped = 0

    def attempt(s: Structure, method: str) -> None:
        nonlocal skipped
        if s in models:  # every mutation of the parent was tried already
            skipped += 1
            if bar is not None:
                bar.update()
            return
        start = time.perf_counter()
        fit = fit_dnn(part, s.hidden, activation=s.activation, epochs=epochs, seed=seed)
        models[s] = fit.model
        trials.append(
            Trial(
                len(trials) + 1,
                method,
                s,
                fit.n_parameters,
                fit.test_accuracy,  # part's "test" is the validation set
                time.perf_counter() - start,
            )
        )
        if bar is not None:
            bar.update(best_val=max(t.val_accuracy for t in trials))

    def fresh(make: Callable[[], Structure]) -> Structure:
        # A few redraws to avoid retraining a structure already tried (the space is small).
        s = make()
        for _ in range(20):
            if s not in models:
                break
            s = make()
        return s

    for _ in range(n_random):
        attempt(fresh(lambda: random_structure(rng)), "random")
    for g in range(1, generations + 1):
        parents = sorted(trials, key=lambda t: -t.val_accuracy)[:keep]
        for c in range(children):
            parent = parents[c % len(parents)]
            child = fresh(lambda p=parent: mutate(p.structure, rng))
            attempt(child, f"evolution {g} (from #{parent.index})")
    best = max(trials, key=lambda t: (t.val_accuracy, -t.n_parameters))
    test_acc = evaluate(models[best.structure], data.x_test, data.y_test)  # type: ignore[arg-type]
    return SearchResult(trials, best, test_acc, skipped)


def describe(trials: Sequence[Trial]) -> list[list[object]]:
    """Table rows: #, method, structure, parameters, validation accuracy %, seconds."""
    return [
        [t.index, t.method, str(t.structure), t.n_parameters, 100 * t.val_accuracy, t.seconds]
        for t in trials
    ]

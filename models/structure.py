"""Network structure by trial and error (the lecture's FAQ: "can the structure be
automatically determined?"), with the uncertainty that decides what a search can claim.

A structure is the list of hidden layer widths plus the activation, optionally behind
convolution blocks (LeNet-style, models.cnn: conv 5×5 → ReLU → max-pool 2 per block). Each
candidate is trained briefly on a training part, once per initial seed, and scored by its
accuracy on a held-out validation part: mean ± std over the seeds. Two searches share one
budget (wall-clock seconds or training epochs, whichever is given):

* random search: draw a structure (depth 1–3, widths from WIDTHS, an activation; or one or two
  conv blocks with channels from CONV_CHANNELS and a fully connected head);
* evolutionary search: children of the best so far, one mutation each (widen or narrow a
  layer, add or drop a layer, switch the activation, add or drop a conv block).

Ranking: a candidate is "tied with the best" when its mean is within one standard error of
the difference, √(se_best² + se²) with se = std/√seeds; among the tied ones the winner is the
smallest (fewest parameters), since the data cannot tell them apart. The winner is then
retrained on all the training data and tested once, next to the hand-designed network.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import nn
from .cnn import fit_digit_net, lenet5
from .data import DigitsData
from .dnn import flat_images
from .progress import ProgressBar

__all__ = [
    "WIDTHS",
    "ACTIVATIONS",
    "CONV_CHANNELS",
    "HAND_DESIGNED",
    "Structure",
    "Trial",
    "SearchResult",
    "random_structure",
    "mutate",
    "structure_search",
    "tied_with_best",
    "describe",
]

WIDTHS: tuple[int, ...] = (8, 16, 32, 64, 128)
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid")
CONV_CHANNELS: tuple[int, ...] = (4, 8, 16)
MAX_DEPTH = 3
MAX_CONV = 2  # 28 → 12 → 4 pixels: a third 5×5 block would not fit


@dataclass(frozen=True)
class Structure:
    """Hidden layer widths and activation (input 784 and output 10 are fixed by the data);
    `conv`: channels of the convolution blocks in front (empty: a fully connected network;
    conv blocks use ReLU, like LeNet-5)."""

    hidden: tuple[int, ...]
    activation: str
    conv: tuple[int, ...] = ()

    def __str__(self) -> str:
        fc = "".join(f"{h}-" for h in self.hidden) + f"10 {self.activation}"
        if self.conv:
            return "conv " + "-".join(map(str, self.conv)) + " → " + fc
        return "784-" + fc

    def n_parameters(self, n_in: int = 784, n_out: int = 10) -> int:
        """Σ (fan_in + 1)·fan_out over the layers; a 5×5 conv block has (25·c_in + 1)·c_out."""
        count, width = 0, n_in
        if self.conv:
            c_in, side = 1, math.isqrt(n_in)
            for c in self.conv:
                count += (25 * c_in + 1) * c
                c_in, side = c, (side - 4) // 2
            width = c_in * side * side
        sizes = [width, *self.hidden, n_out]
        return count + sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))

    def build(self, seed: int) -> nn.Module:
        """A fresh network with seeded initial weights."""
        if self.conv:
            return lenet5(self.conv, self.hidden, seed=seed)
        return nn.MLP([784, *self.hidden, 10], activation=self.activation, seed=seed)


# The network of `lecture dnn`: what the search is compared with.
HAND_DESIGNED = Structure((128, 64), "relu")


@dataclass(frozen=True)
class Trial:
    """One structure tried: how it was found, its validation accuracy per seed."""

    index: int
    method: str
    structure: Structure
    n_parameters: int
    val_accuracies: tuple[float, ...]
    seconds: float

    @property
    def val_accuracy(self) -> float:
        """Mean validation accuracy over the seeds."""
        return float(np.mean(self.val_accuracies))

    @property
    def val_std(self) -> float:
        """Standard deviation over the seeds (ddof 1; 0 for one seed)."""
        a = self.val_accuracies
        return float(np.std(a, ddof=1)) if len(a) > 1 else 0.0

    @property
    def standard_error(self) -> float:
        return self.val_std / math.sqrt(len(self.val_accuracies))


@dataclass(eq=False)
class SearchResult:
    trials: list[Trial]
    best: Trial  # the smallest structure tied with the top mean
    tied: list[Trial]  # every trial within one standard error of the top mean
    test_accuracy: float  # the winner retrained on all the training data, tested once
    hand_test_accuracy: float | None  # HAND_DESIGNED, trained and tested the same way
    skipped: int = 0  # children not trained: every mutation of their parent was tried before
    seconds: float = 0.0
    epochs_used: int = 0
    stopped_by: str = ""
    retrain: dict[str, float] = field(default_factory=dict)  # name -> seconds


def random_structure(rng: np.random.Generator, cnn: bool = False) -> Structure:
    """Depth 1..MAX_DEPTH, widths from WIDTHS, activation from ACTIVATIONS; with `cnn`, one
    time in three a LeNet-style network (1–2 conv blocks from CONV_CHANNELS, a 1-layer head)."""
    if cnn and rng.random() < 1 / 3:
        conv = tuple(int(rng.choice(CONV_CHANNELS)) for _ in range(int(rng.integers(1, 3))))
        return Structure((int(rng.choice(WIDTHS)),), "relu", conv)
    depth = int(rng.integers(1, MAX_DEPTH + 1))
    hidden = tuple(int(rng.choice(WIDTHS)) for _ in range(depth))
    return Structure(hidden, str(rng.choice(ACTIVATIONS)))


def _step(values: tuple[int, ...], choices: tuple[int, ...], i: int, up: bool) -> tuple[int, ...]:
    pos = choices.index(values[i]) if values[i] in choices else None
    if pos is None or not 0 <= pos + (1 if up else -1) < len(choices):
        return values
    out = list(values)
    out[i] = choices[pos + (1 if up else -1)]
    return tuple(out)


def mutate(s: Structure, rng: np.random.Generator, cnn: bool = False) -> Structure:
    """One random change: widen/narrow a layer (next width in WIDTHS), add a layer (a copy of
    a neighbour), drop a layer, or switch the activation; with `cnn` also widen/narrow, add or
    drop a conv block (dropping the last one gives a fully connected network). Always returns
    a different structure."""
    kinds = ["widen", "narrow", "add", "drop"]
    kinds += ["conv"] if cnn or s.conv else []
    kinds += [] if s.conv else ["activation"]
    while True:
        kind = str(rng.choice(kinds))
        hidden = s.hidden
        i = int(rng.integers(len(hidden))) if hidden else 0
        if kind in ("widen", "narrow") and hidden:
            new = Structure(_step(hidden, WIDTHS, i, kind == "widen"), s.activation, s.conv)
        elif kind == "add" and len(hidden) < MAX_DEPTH:
            new = Structure(hidden[:i] + (hidden[i],) + hidden[i:], s.activation, s.conv)
        elif kind == "drop" and len(hidden) > 1:
            new = Structure(hidden[:i] + hidden[i + 1 :], s.activation, s.conv)
        elif kind == "activation":
            other = [a for a in ACTIVATIONS if a != s.activation]
            new = Structure(hidden, str(rng.choice(other)))
        elif kind == "conv":
            new = _mutate_conv(s, rng)
        else:
            continue
        if new != s:
            return new


def _mutate_conv(s: Structure, rng: np.random.Generator) -> Structure:
    if not s.conv:  # a fully connected network grows a conv block (conv blocks use ReLU)
        return Structure(s.hidden, "relu", (int(rng.choice(CONV_CHANNELS)),))
    j = int(rng.integers(len(s.conv)))
    move = str(rng.choice(["widen", "narrow", "add", "drop"]))
    if move in ("widen", "narrow"):
        return Structure(s.hidden, "relu", _step(s.conv, CONV_CHANNELS, j, move == "widen"))
    if move == "add" and len(s.conv) < MAX_CONV:
        return Structure(s.hidden, "relu", s.conv[: j + 1] + s.conv[j:])
    if move == "drop":
        return Structure(s.hidden, "relu", s.conv[:j] + s.conv[j + 1 :])
    return s


def _split(data: DigitsData, n_train: int, n_val: int) -> DigitsData:
    x, y = flat_images(data.x_train), np.asarray(data.y_train)
    if n_train + n_val > len(x):
        raise ValueError(
            f"structure_search: n_train + n_val = {n_train + n_val} but the training set has "
            f"only {len(x)} images; lower them"
        )
    return DigitsData(
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_train : n_train + n_val],
        y_test=y[n_train : n_train + n_val],
        image_shape=data.image_shape,
        class_names=data.class_names,
        source=data.source,
        synthetic=data.synthetic,
    )


def _train(s: Structure, data: DigitsData, epochs: int, seed: int) -> float:
    """Test accuracy of `s` trained on data's training part (data.x_test: what it is scored on)."""
    fit = fit_digit_net(str(s), s.build(seed), data, images=bool(s.conv), epochs=epochs, seed=seed)
    return fit.test_accuracy


def tied_with_best(trials: Sequence[Trial]) -> list[Trial]:
    """Trials whose mean is within one standard error of the difference from the top mean."""
    top = max(trials, key=lambda t: t.val_accuracy)
    return [
        t
        for t in trials
        if top.val_accuracy - t.val_accuracy
        <= math.sqrt(top.standard_error**2 + t.standard_error**2)
    ]


def structure_search(
    data: DigitsData,
    *,
    budget_seconds: float | None = 120.0,
    budget_epochs: int | None = None,
    seeds: int = 3,
    n_random: int = 6,
    children: int = 3,
    keep: int = 2,
    n_train: int = 2000,
    n_val: int = 1000,
    epochs: int = 3,
    seed: int = 0,
    cnn: bool = True,
    max_trials: int = 60,
    retrain: bool = True,
    bar: ProgressBar | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> SearchResult:
    """Random search (`n_random` trials), then evolution (`children` mutants of the `keep` best
    so far per round) until the budget is spent: `budget_seconds` of wall time and/or
    `budget_epochs` training epochs (each trial costs seeds × epochs); `bar` counts seconds
    of the time budget, or epochs when only an epoch budget is given. Every trial trains
    `epochs` epochs on the first n_train training images, once per seed (seed, seed + 1, …),
    and is scored on the next n_val. The winner (the smallest of those tied with the top
    mean) is retrained on all the training data and tested once, as is HAND_DESIGNED."""
    if budget_seconds is None and budget_epochs is None:
        raise ValueError("structure_search: give budget_seconds or budget_epochs")
    if seeds < 1 or epochs < 1:
        raise ValueError(f"structure_search: seeds and epochs must be >= 1; got {seeds}, {epochs}")
    rng = np.random.default_rng(seed)
    part = _split(data, n_train, n_val)
    start = clock()
    trials: list[Trial] = []
    tried: set[Structure] = set()
    state = {"skipped": 0, "epochs": 0, "stopped_by": "max_trials"}

    def affordable() -> bool:
        if len(trials) >= max_trials:
            return False
        cost = seeds * epochs
        if budget_epochs is not None and state["epochs"] + cost > budget_epochs:
            state["stopped_by"] = f"epoch budget ({budget_epochs})"
            return False
        if budget_seconds is not None and trials:
            per_trial = (clock() - start) / len(trials)  # the next one costs about the same
            if clock() - start + per_trial > budget_seconds:
                state["stopped_by"] = f"time budget ({budget_seconds:g} s)"
                return False
        return True

    def attempt(s: Structure, method: str) -> None:
        if s in tried:  # every mutation of the parent was tried already
            state["skipped"] += 1
            return
        tried.add(s)
        t0 = clock()
        accs = tuple(_train(s, part, epochs, seed + k) for k in range(seeds))
        state["epochs"] += seeds * epochs
        trials.append(Trial(len(trials) + 1, method, s, s.n_parameters(), accs, clock() - t0))
        if bar is not None:  # units: whole seconds of a time budget, else training epochs
            done = int(clock() - start) if budget_seconds is not None else state["epochs"]
            bar.update(
                max(min(done, bar.total) - bar.n, 0), best_val=max(t.val_accuracy for t in trials)
            )

    def fresh(make: Callable[[], Structure]) -> Structure:
        s = make()  # a few redraws to avoid a structure already tried (the space is small)
        for _ in range(20):
            if s not in tried:
                break
            s = make()
        return s

    for _ in range(n_random):
        if not affordable():
            break
        attempt(fresh(lambda: random_structure(rng, cnn)), "random")
    generation = 0
    while trials and affordable():
        generation += 1
        parents = sorted(trials, key=lambda t: -t.val_accuracy)[:keep]
        for c in range(children):
            if not affordable():
                break
            parent = parents[c % len(parents)]
            child = fresh(lambda p=parent: mutate(p.structure, rng, cnn))
            attempt(child, f"evolution {generation} (from #{parent.index})")
    if not trials:
        raise ValueError("structure_search: the budget does not cover a single trial")
    tied = tied_with_best(trials)
    best = min(tied, key=lambda t: (t.n_parameters, -t.val_accuracy))
    seconds = clock() - start
    test_acc, hand_acc, timing = float("nan"), None, {}
    if retrain:
        for name, s in (("winner", best.structure), ("hand-designed", HAND_DESIGNED)):
            t0 = clock()
            acc = _train(s, data, epochs, seed)  # all the training data; data.x_test: tested once
            timing[name] = clock() - t0
            if name == "winner":
                test_acc = acc
            else:
                hand_acc = acc
    return SearchResult(
        trials,
        best,
        tied,
        test_acc,
        hand_acc,
        int(state["skipped"]),
        seconds,
        int(state["epochs"]),
        str(state["stopped_by"]),
        timing,
    )


def describe(trials: Sequence[Trial], tied: Sequence[Trial] = ()) -> list[list[object]]:
    """Table rows: #, method, structure, parameters, validation accuracy % (mean ± std over the
    seeds), whether it is tied with the best, seconds."""
    tied_ids = {t.index for t in tied}
    return [
        [
            t.index,
            t.method,
            str(t.structure),
            t.n_parameters,
            f"{100 * t.val_accuracy:.1f} ± {100 * t.val_std:.1f}",
            "=" if t.index in tied_ids else "",
            t.seconds,
        ]
        for t in sorted(trials, key=lambda t: -t.val_accuracy)
    ]

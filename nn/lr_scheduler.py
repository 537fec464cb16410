"""Learning-rate schedulers with torch's formulas: StepLR and CosineAnnealingLR.

    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = nn.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(90):
        train_one_epoch(model, opt)
        sched.step()                 # after the epoch's optimizer steps, as in torch

A scheduler sets optimizer.lr from the epoch count `last_epoch` (0 when it is made) and the
optimizer's lr at that moment (`base_lr`); get_last_lr() returns [lr] (a list, as torch's,
which has one entry per parameter group).
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InputError, InputTypeError
from .optim import Optimizer


class LRScheduler:
    """Base class: lr_at(epoch) is the learning rate after `epoch` calls of step()."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        what = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise InputTypeError(f"{what}: expected an optimizer, got {type(optimizer).__name__}")
        if last_epoch != -1:
            raise InputError(f"{what}: resuming with last_epoch is done with load_state_dict")
        self.optimizer = optimizer
        self.base_lr = optimizer._check_lr()
        self.last_epoch = -1
        self.step()

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set the optimizer's lr."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        return [self.optimizer.lr]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's numbers (not the optimizer's: save that with its own state_dict)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unknown = set(state) - set(self.__dict__)
        if unknown:
            raise InputError(
                f"{type(self).__name__}.load_state_dict: unknown entries {sorted(unknown)}"
            )
        self.__dict__.update(state)
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.optimizer.lr})"


def _positive_int(n: Any, name: str, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise InputTypeError(f"{what}: {name} must be a positive int, got {n!r}")
    if n < 1:
        raise InputError(f"{what}: {name} must be a positive int, got {n}")
    return n


class StepLR(LRScheduler):
    """η_e = η₀ · γ^⌊e / step_size⌋: multiply the learning rate by γ every step_size epochs."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _positive_int(step_size, "step_size", "StepLR")
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """η_e = η_min + (η₀ − η_min)·(1 + cos(π e / T_max))/2: from η₀ down to η_min over T_max
    epochs along half a cosine (torch's closed form; past T_max it rises again)."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _positive_int(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + cos) / 2

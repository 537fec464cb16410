"""The `tinygrad-edu` command. Each part of the project adds its subcommands through a
`register(subparsers)` function in its own module, listed in COMMAND_MODULES."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

# Modules that define register(subparsers); each subcommand sets args.func(args) -> int.
COMMAND_MODULES: tuple[str, ...] = (
    "tinygrad_edu.tour",
    "tinygrad_edu.models.cli",
    "tinygrad_edu.visualize.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="A tiny autodiff engine that shows backpropagation: graphs with values and "
        "gradients, the lecture's models, gradient checks.",
    )
    parser.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

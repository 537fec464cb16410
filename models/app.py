"""The `tinygrad-edu` command: one parser, with the subcommands of each layer.

    tour      the lecture from start to end (models.tour)
    lecture   one experiment's tables (models.cli)
    graph     the picture of an arithmetic expression (visualize.cli)

It lives in models, the top layer, because it is the only module that needs all of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..threads import blas_threads, parse_threads
from ..visualize import cli as graph_command
from . import cli as lecture_command
from . import tour

# Each module defines register(subparsers); each subcommand sets args.func(args) -> int.
COMMANDS = (tour, lecture_command, graph_command)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="A tiny autodiff engine that shows backpropagation: graphs with values and "
        "gradients, the lecture's models, gradient checks.",
    )
    parser.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}")
    parser.add_argument(
        "--threads",
        default="auto",
        metavar="N",
        help="BLAS threads for numpy's matrix products: a number, or 'auto' (default: the cores "
        "other processes leave free, unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        threads = parse_threads(args.threads)
    except ValueError as e:
        parser.error(str(e))
    try:
        with blas_threads(threads):
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

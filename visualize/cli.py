"""`tinygrad-edu graph EXPR --var x=2 ...`: draw the graph of an arithmetic expression."""

from __future__ import annotations

import argparse
import math
import sys
import types
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import check_output_dir, resolve_target
from ..value import Value
from ._io import FORMATS, GraphvizNotFoundError
from ._model import num
from .drawing import render, to_dot
from .expr import FUNCTIONS, parse_expression
from .tracing import trace

EXAMPLE = (
    'tinygrad-edu graph "sigmoid(w*x + b)" --var x=2 --param w=-3 --param b=1 --backward '
    "-o neuron.svg"
)


def register(subparsers: Any) -> None:
    """Add the `graph` subcommand."""
    p = subparsers.add_parser(
        "graph",
        help="draw the graph of an arithmetic expression (forward and backward pass)",
        description=(
            "Draw the computation graph of EXPR over named scalars. EXPR may use numbers, the "
            "names given with --var/--param, + - * / **, unary -, and "
            + ", ".join(f"{f}()" for f in FUNCTIONS)
            + ". It is parsed, never run as Python. Without -o the DOT text goes to stdout "
            "(pipe it into `dot -Tsvg`) and the trace, with --backward, to stderr."
        ),
        epilog=f"example: {EXAMPLE}",
    )
    p.add_argument("expr", metavar="EXPR", help='the expression, e.g. "sigmoid(w*x + b)"')
    p.add_argument(
        "--var", action="append", default=[], metavar="NAME=NUMBER", help="an input (repeat)"
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=NUMBER",
        help="like --var, but drawn as a parameter (repeat)",
    )
    p.add_argument(
        "--backward",
        action="store_true",
        help="run backward(): show ∂C/∂z and the local derivatives, print the trace",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the picture; the format comes from the extension (.svg .png .pdf .dot), "
        "or .html: a page that steps through both passes (Next/Previous, arrow keys, Play)",
    )
    p.add_argument("--format", choices=FORMATS, help="override the format from the extension")
    p.add_argument("--label", default="out", help="name of the output node (default: out)")
    p.add_argument(
        "--edge-labels",
        action="store_true",
        help="label every edge with its local derivative ∂z/∂w even without --backward "
        "(the forward pass records them)",
    )
    p.add_argument(
        "--flow",
        action="store_true",
        help="draw the gradient flow (backward edges); implies --backward",
    )
    p.add_argument(
        "--frames",
        metavar="DIR",
        help="also write one SVG per trace step to DIR (frame_000.svg …); implies --backward",
    )
    p.set_defaults(func=run)
    p.error = types.MethodType(_error_with_hint, p)  # type: ignore[method-assign]


def _error_with_hint(parser: argparse.ArgumentParser, message: str) -> None:
    """argparse's error, plus how to pass an expression that starts with '-' (it reads -x*2
    as an option)."""
    if "required: EXPR" in message or "unrecognized arguments: -" in message:
        message += (
            '; an EXPR that starts with "-" reads as an option: put it after --, e.g. '
            'tinygrad-edu graph --var x=1 -- "-x*2" (or write "0-x*2")'
        )
    argparse.ArgumentParser.error(parser, message)


def _text(value: str, flag: str) -> str:
    """Command-line text that is valid Unicode (a non-UTF-8 byte arrives as a surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"{flag} {value.encode('utf-8', 'surrogateescape')!r}: not valid UTF-8 text; pass "
            "the name in UTF-8 (check the terminal's encoding)"
        ) from None
    return value


def _assignments(items: list[str], flag: str, into: dict[str, float]) -> None:
    for item in items:
        name, sep, text = _text(item, flag).partition("=")
        # the expression's names are read by Python's parser, which folds them to NFKC
        # (ｘ is x): fold these the same way, so they match
        name = unicodedata.normalize("NFKC", name.strip())
        if not sep or not name:
            raise InputError(f"{flag} expects NAME=NUMBER, e.g. {flag} x=2; got {item!r}")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{flag} {item}: {text.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{flag} {item}: the value must be a finite number")
        if name in into:
            raise InputError(f"{name!r} is given twice (in --var/--param); give each name once")
        into[name] = value


def run(args: argparse.Namespace) -> int:
    """The `graph` command; returns 0, 2 for bad input, 3 when Graphviz is missing."""
    err = sys.stderr
    values: dict[str, float] = {}
    params: dict[str, float] = {}
    try:
        _text(args.label, "--label")
        _text(args.expr, "EXPR")
        if args.output:  # before the work, so a bad path fails now, in one line
            resolve_target(args.output, "write -o")
        if args.frames:
            check_output_dir(args.frames, "write --frames into")
        _assignments(args.var, "--var", values)
        _assignments(args.param, "--param", params)
        clash = sorted(set(values) & set(params))
        if clash:
            raise InputError(f"{clash[0]!r} is given with both --var and --param; use one")
        nodes = {n: Value(v, label=n) for n, v in {**values, **params}.items()}
        out = parse_expression(args.expr, nodes, output_label=args.label)
    except (InputError, OSError) as e:
        print(f"graph: {e}", file=err)
        return 2
    backward = args.backward or args.flow or bool(args.frames)
    if backward:
        if not out.requires_grad:
            print(
                "graph: --backward: the expression uses no --var or --param, so there is "
                "nothing to differentiate",
                file=err,
            )
            return 2
        out.backward()
    options: dict[str, Any] = {
        "params": {n: nodes[n] for n in params},
        "output_label": args.label,
        "direction": "backward" if args.flow else "forward",
    }
    if args.edge_labels:
        options["edge_labels"] = True
    text = (
        trace(out, params=options["params"], output_label=args.label).format() if backward else ""
    )
    if not args.output:
        sys.stdout.write(to_dot(out, **options))
        if text:
            print(text, file=err)
        return _frames(out, args, options)
    if args.format is None and Path(args.output).suffix.lower().lstrip(".") not in FORMATS:
        print(
            f"graph: cannot tell the format from {args.output!r}: use one of the extensions "
            f"{' '.join('.' + f for f in FORMATS)}, or give it with --format "
            f"({'|'.join(FORMATS)})",
            file=err,
        )
        return 2
    print(f"{args.label} = {num(out.data)}")
    if text:
        print(text)
    try:
        info = render(out, args.output, format=args.format, **options)
    except GraphvizNotFoundError as e:
        print(f"graph: {e}", file=err)
        return 3
    except (ValueError, OSError) as e:
        print(f"graph: {e}", file=err)
        return 2
    print(f"wrote {info.path}")
    return _frames(out, args, options)


def _frames(out: Value, args: argparse.Namespace, options: dict[str, Any]) -> int:
    if not args.frames:
        return 0
    tr = trace(out, params=options["params"], output_label=args.label)
    try:
        paths = tr.write_frames(args.frames, "svg", direction=options["direction"])
    except GraphvizNotFoundError as e:
        print(f"graph: {e}", file=sys.stderr)
        return 3
    except (ValueError, OSError) as e:
        print(f"graph: {e}", file=sys.stderr)
        return 2
    print(
        f"wrote {len(paths)} frames to {args.frames}",
        file=sys.stderr if not args.output else sys.stdout,
    )
    return 0

"""Tests for the expression parser and the `tinygrad-edu graph` command.

Valid forms are checked against values computed here by hand with math; hostile forms must be
refused with a message and a caret under the offending part, and nothing may be evaluated.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
from pathlib import Path

import pytest
from tinygrad_edu.models.app import main
from tinygrad_edu.visualize import ExpressionError, dot_available, parse_expression
from tinygrad_edu.visualize.expr import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH

from tinygrad_edu.errors import InputError

X, W, B = 2.0, -3.0, 1.0
VARS = {"x": X, "w": W, "b": B}


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


VALID = [
    ("sigmoid(w*x + b)", sig(W * X + B)),
    ("w*x+b", W * X + B),
    ("x - w / b", X - W / B),
    ("-x", -X),
    ("+x", X),
    ("- -x", X),
    ("x**2", X**2),
    ("x ** -1", X**-1),
    ("x**0.5", X**0.5),
    ("2**x", 2**X),
    ("2.5 * x", 2.5 * X),
    ("1e-3 + x", 1e-3 + X),
    ("exp(x) + log(x)", math.exp(X) + math.log(X)),
    ("tanh(w) * relu(x) + relu(w)", math.tanh(W) * X + 0.0),
    ("((x))", X),
    ("sigmoid(sigmoid(x))", sig(sig(X))),
    ("3", 3.0),
    (f"x**{MAX_EXPONENT}", X**MAX_EXPONENT),
]


@pytest.mark.parametrize(("expr", "expected"), VALID)
def test_valid_expressions_compute_the_right_value(expr: str, expected: float) -> None:
    out = parse_expression(expr, VARS)
    assert out.data == pytest.approx(expected, rel=1e-12)


def test_variables_are_labelled_and_shared() -> None:
    out = parse_expression("x*x + w", VARS, output_label="f")
    assert out.label == "f"
    leaves = {n.label: n for n in out.walk() if n.is_leaf}
    assert set(leaves) == {"x", "w"}  # x used twice is one node
    out.backward()
    assert leaves["x"].grad == 2 * X and leaves["w"].grad == 1.0


def test_constants_are_leaves_without_grad_and_minus_literal_is_folded() -> None:
    out = parse_expression("x * -3", VARS)
    const = out.parents[1]
    assert const.is_leaf and not const.requires_grad and const.data == -3.0
    assert parse_expression("x", VARS).label == "x"  # a bare variable keeps its name


def test_the_lecture_neuron_gradients() -> None:
    out = parse_expression("sigmoid(w*x + b)", VARS)
    out.backward()
    leaves = {n.label: n for n in out.walk() if n.is_leaf}
    s = sig(W * X + B)
    assert leaves["w"].grad == pytest.approx(s * (1 - s) * X)
    assert leaves["x"].grad == pytest.approx(s * (1 - s) * W)


# (expression, fragment of the message, the text the caret must sit under)
HOSTILE = [
    ("x.real", "attribute access", "x.real"),
    ("x.__class__", "attribute access", "x.__class__"),
    ("__import__('os')", "'__import__' cannot be called", "__import__"),
    ("open('f')", "'open' cannot be called", "open"),
    ("import os", "syntax error", "import"),
    ("x; import os", "syntax error", ";"),
    ("lambda: x", "a lambda", "lambda: x"),
    ("(lambda: 1)()", "cannot be called", "lambda: 1"),
    (f"x**{MAX_EXPONENT + 1}", "exponent 101 is too large", str(MAX_EXPONENT + 1)),
    ("x ** -1000", "too large", "-1000"),
    ("x**w", "needs a number as exponent", "x**w"),
    ("2**10**5", "overflow", "2**10**5"),
    ("exp(exp(x * 10))", "overflow", "exp(exp(x * 10))"),
    ("y + 1", "undefined name 'y'", "y"),
    ("sigmoid", "is a function; call it", "sigmoid"),
    ("x(2)", "'x' is a variable, not a function", "x"),
    ("sigmoid(x, w)", "exactly one argument", "sigmoid(x, w)"),
    ("sigmoid(x=1)", "exactly one argument", "sigmoid(x=1)"),
    ("exp(*[x])", "exactly one argument", "exp(*[x])"),
    ("True + x", "a boolean", "True"),
    ("1j * x", "a complex number", "1j"),
    ("'a' * 3", "a string", "'a'"),
    ("x[0]", "indexing", "x[0]"),
    ("[x for x in b]", "a comprehension", "[x for x in b]"),
    ("(x := 3)", "assignment", "x := 3"),
    ("x if w else b", "if/else", "x if w else b"),
    ("x < w", "a comparison", "x < w"),
    ("x // 2", "FloorDiv", "//"),
    ("x % 2", "Mod", "%"),
    ("x @ w", "MatMult", "@"),
    ("~x", "Invert", "~x"),
    ("1e999 * x", "too large", "1e999"),
    ("log(-x)", "input must be > 0", "log(-x)"),
    ("x / (w + 3)", "division by zero", "x / (w + 3)"),
]


@pytest.mark.parametrize(("expr", "fragment", "under"), HOSTILE)
def test_hostile_expressions_are_refused_with_a_caret(expr: str, fragment: str, under: str) -> None:
    with pytest.raises(ExpressionError) as err:
        parse_expression(expr, VARS)
    e = err.value
    assert fragment in e.reason
    assert expr[e.start : e.end] == under
    lines = str(e).splitlines()
    assert lines[1] == "  " + expr
    assert lines[2] == "  " + " " * e.start + "^" * len(under)


def test_nothing_is_evaluated_as_python(monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec must never run on user text")

    real_compile = builtins.compile

    def parse_only(source, filename, mode, flags=0, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        # ast.parse compiles to a syntax tree only; a code object would be runnable.
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("compile() to code must never run on user text")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(builtins, "compile", parse_only)
    marker = tmp_path / "pwned"
    for expr in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "(lambda: 1)()",
    ):
        with pytest.raises(ExpressionError):
            parse_expression(expr, VARS)
    assert not marker.exists()
    assert parse_expression("sigmoid(w*x + b)", VARS).data == pytest.approx(sig(W * X + B))


def test_length_depth_and_control_characters_are_capped() -> None:
    with pytest.raises(ExpressionError, match=f"at most {MAX_LENGTH}"):
        parse_expression("x+" * MAX_LENGTH + "x", VARS)
    with pytest.raises(ExpressionError, match="nests more than"):
        parse_expression("-" * (MAX_DEPTH + 5) + "x", VARS)
    with pytest.raises(ExpressionError, match="too many nested parentheses|nested too deeply"):
        parse_expression("(" * 300 + "x" + ")" * 300, VARS)
    with pytest.raises(ExpressionError, match="one line"):
        parse_expression("x +\n1", VARS)
    with pytest.raises(ExpressionError, match="empty"):
        parse_expression("   ", VARS)


def test_bad_variables_are_refused() -> None:
    with pytest.raises(InputError, match="function name"):
        parse_expression("exp", {"exp": 1.0})
    with pytest.raises(InputError, match="not a valid name"):
        parse_expression("x", {"lambda": 1.0})
    with pytest.raises(InputError, match="finite number"):
        parse_expression("x", {"x": float("nan")})


def test_caret_counts_characters_not_bytes() -> None:
    # σ takes two bytes in UTF-8; ast's byte offsets must become character columns.
    with pytest.raises(ExpressionError) as err:
        parse_expression("σσ + y", {"σσ": 1.0})
    assert "σσ + y"[err.value.start : err.value.end] == "y"
    assert str(err.value).splitlines()[2] == "  " + " " * 5 + "^"


def test_the_leftmost_problem_is_reported() -> None:
    with pytest.raises(ExpressionError) as err:
        parse_expression("σ(x) + y", {"σ": 1.0, "x": 2.0})
    assert err.value.start == 0 and "'σ' is a variable, not a function" in err.value.reason


# -- the command ---------------------------------------------------------------------------------


def test_cli_prints_dot_to_stdout_and_trace_to_stderr(capsys) -> None:  # noqa: ANN001
    rc = main(["graph", "sigmoid(w*x + b)", "--var", "x=2", "--param", "w=-3", "--param", "b=1",
               "--backward"])  # fmt: skip
    out, err = capsys.readouterr()
    assert rc == 0
    assert out.startswith("digraph tinygrad_edu {") and out.rstrip().endswith("}")
    assert '#dcfce7"><tr><td><b>w</b>' in out  # --param is drawn as a parameter
    assert '#dbeafe"><tr><td><b>x</b>' in out
    assert "∂C/∂w 0.0133" in out  # w.grad = σ'(−5)·x, in a parameter's box
    assert "backward pass" in err and "seed: ∂C/∂C = 1" in err


def test_cli_writes_dot_file_and_reports(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "g.dot"
    rc = main(["graph", "x*w", "--var", "x=2", "--var", "w=-3", "--backward", "--label", "z",
               "-o", str(path)])  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0 and path.read_text(encoding="utf-8").startswith("digraph")
    assert out.splitlines()[0] == "z = -6"
    assert "forward pass" in out and f"wrote {path}" in out


@pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` not installed")
def test_cli_renders_svg_and_frames(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "n.svg"
    rc = main(["graph", "tanh(x)", "--var", "x=0.5", "--flow", "-o", str(path),
               "--frames", str(tmp_path / "frames")])  # fmt: skip
    assert rc == 0 and b"<svg" in path.read_bytes()[:400]
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        f"frame_{k:03d}.svg" for k in range(1 + 2)  # the op tanh, then ∂C/∂z of out and x
    ]
    assert "dir=back" not in capsys.readouterr().out  # stdout has the report, not DOT


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["x.real", "--var", "x=2"], "attribute access"),
        (["y", "--var", "x=2"], "undefined name 'y'"),
        (["x", "--var", "x"], "NAME=NUMBER"),
        (["x", "--var", "x=two"], "'two' is not a number"),
        (["x", "--var", "x=inf"], "finite"),
        (["x", "--var", "x=1", "--var", "x=2"], "given twice"),
        (["x", "--var", "x=1", "--param", "x=2"], "both --var and --param"),
        (["2+3", "--backward"], "nothing to differentiate"),
        (["x", "--var", "x=1", "-o", "out.gif"], "cannot tell the format from 'out.gif'"),
    ],
)
def test_cli_refuses_bad_input_with_exit_code_2(argv: list[str], fragment: str, capsys) -> None:  # noqa: ANN001
    rc = main(["graph", *argv])
    err = capsys.readouterr().err
    assert rc == 2 and fragment in err


def test_cli_shows_the_caret(capsys) -> None:  # noqa: ANN001
    assert main(["graph", "sigmoid(w*x) + os.system", "--var", "w=1", "--var", "x=1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-2] == "  sigmoid(w*x) + os.system"
    assert err[-1] == "  " + " " * 15 + "^" * len("os.system")


def test_cli_without_dot_exits_3_and_saves_dot(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    rc = main(["graph", "x*x", "--var", "x=3", "-o", str(tmp_path / "g.png")])
    err = capsys.readouterr().err
    assert rc == 3 and "brew install graphviz" in err and str(tmp_path / "g.dot") in err
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")


def test_cli_caret_suggests_power_for_xor(capsys) -> None:  # noqa: ANN001
    assert main(["graph", "x^2", "--var", "x=2"]) == 2
    err = capsys.readouterr().err
    assert "write a power as x**2" in err


def test_cli_unknown_extension_names_the_format_flag(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["graph", "x*2", "--var", "x=2", "-o", str(tmp_path / "g.jpg")]) == 2
    err = capsys.readouterr().err
    assert "--format" in err and "format=" not in err and ".html" in err
    assert not list(tmp_path.iterdir())  # refused before any work


def test_cli_edge_labels_without_backward(capsys) -> None:  # noqa: ANN001
    assert main(["graph", "x*y", "--var", "x=2", "--var", "y=3"]) == 0
    plain = capsys.readouterr().out
    assert main(["graph", "x*y", "--var", "x=2", "--var", "y=3", "--edge-labels"]) == 0
    labelled = capsys.readouterr().out
    assert "_op [label=<<font" not in plain
    # ∂z/∂x = y = 3 and ∂z/∂y = x = 2, recorded by the forward pass
    assert re.findall(r'-> n2_op \[label=<<font point-size="10">(\w+)</font>', labelled) == [
        "3",
        "2",
    ]


@pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` not installed")
def test_cli_writes_the_html_player(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "g.html"
    rc = main(["graph", "sigmoid(w*x + b)", "--var", "x=2", "--param", "w=-3", "--param", "b=1",
               "--backward", "-o", str(path)])  # fmt: skip
    assert rc == 0 and f"wrote {path}" in capsys.readouterr().out
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "tg-next" in page
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page

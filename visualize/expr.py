"""parse_expression(): a Value graph from an arithmetic expression over named scalars.

The text is parsed by `ast.parse(mode="eval")` and only a whitelist of syntax is walked:
numbers, names given as variables, + - * / **, unary - and +, and calls of exp, log,
sigmoid, tanh, relu with one argument. Everything else is refused with the expression and a
caret under the offending part. Nothing is ever evaluated as Python: each allowed node maps to
a Value op.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Callable, Mapping
from numbers import Real

from ..errors import InputError
from ..value import Value

FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
}
MAX_LENGTH = 1000  # characters
MAX_DEPTH = 100  # nested operations (ast levels)
MAX_EXPONENT = 100  # |k| in x ** k

_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ALLOWED = "allowed: numbers, names given with --var, + - * / **, unary -, and " + ", ".join(
    f"{f}(…)" for f in FUNCTIONS
)


# Operators a learner types for something the whitelist spells differently.
_OPERATOR_HINTS: dict[type, str] = {
    ast.BitXor: " (in Python ^ is bitwise xor; write a power as x**2)",
    ast.MatMult: " (the expressions are scalars: write products with *)",
    ast.FloorDiv: " (write division as /)",
}


class ExpressionError(InputError):
    """An expression was refused or failed; the message shows it with a caret under the cause."""

    def __init__(self, reason: str, expr: str, start: int = 0, end: int | None = None) -> None:
        self.reason, self.expr, self.start = reason, expr, start
        self.end = max(end if end is not None else start + 1, start + 1)
        caret = " " * start + "^" * min(self.end - start, max(len(expr) - start, 1))
        super().__init__(f"{reason}\n  {expr}\n  {caret}")


def _col(expr: str, line_offset: int) -> int:
    # ast positions count UTF-8 bytes; the caret needs characters.
    return len(expr.encode("utf-8")[:line_offset].decode("utf-8", "ignore"))


def _span(expr: str, node: ast.AST) -> tuple[int, int]:
    start = _col(expr, getattr(node, "col_offset", 0))
    end_off = getattr(node, "end_col_offset", None)
    end = _col(expr, end_off) if end_off is not None else start + 1
    return start, end


def _number(node: ast.AST) -> float | None:
    """The value of a numeric literal, optionally signed (-3, +2.5); None if not one."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * float(node.value)
    return None


class _Parser:
    def __init__(self, expr: str, variables: Mapping[str, Value]) -> None:
        self.expr = expr
        self.vars = variables

    def fail(self, reason: str, node: ast.AST) -> ExpressionError:
        start, end = _span(self.expr, node)
        return ExpressionError(reason, self.expr, start, end)

    # Pass 1: refuse anything outside the whitelist, before any arithmetic happens.
    def check(self, tree: ast.Expression) -> None:
        stack: list[tuple[ast.AST, int, ast.AST | None]] = [(tree.body, 1, None)]
        while stack:
            node, depth, parent = stack.pop()
            if depth > MAX_DEPTH:
                raise self.fail(
                    f"the expression nests more than {MAX_DEPTH} operations deep; split it up",
                    node,
                )
            self.check_node(node, parent)
            for child in reversed(self.children(node)):  # report the leftmost problem first
                stack.append((child, depth + 1, node))

    @staticmethod
    def children(node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            return list(node.args)
        return []

    def check_node(self, node: ast.AST, parent: ast.AST | None) -> None:
        if isinstance(node, ast.Constant):
            v = node.value
            if type(v) not in (int, float):
                kind = {bool: "a boolean", str: "a string", complex: "a complex number"}.get(
                    type(v), "this literal"
                )
                raise self.fail(f"{kind} is not allowed here; only real numbers. {_ALLOWED}", node)
            try:
                f = float(v)
            except OverflowError:
                f = math.inf
            if not math.isfinite(f):
                raise self.fail("this number is too large for a float", node)
        elif isinstance(node, ast.Name):
            is_callee = isinstance(parent, ast.Call) and parent.func is node
            if node.id in FUNCTIONS and not is_callee:
                raise self.fail(f"{node.id} is a function; call it as {node.id}(…)", node)
            if node.id not in FUNCTIONS and node.id not in self.vars:
                known = ", ".join(sorted(self.vars)) or "none"
                raise self.fail(
                    f"undefined name {node.id!r}; give it a value with --var {node.id}=NUMBER "
                    f"(variables given: {known})",
                    node,
                )
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                hint = _OPERATOR_HINTS.get(type(node.op), "")
                raise self.fail(
                    f"operator {type(node.op).__name__} is not allowed{hint}. {_ALLOWED}",
                    self.operator_span(node),
                )
            if isinstance(node.op, ast.Pow):
                self.check_pow(node)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.fail(f"unary {type(node.op).__name__} is not allowed. {_ALLOWED}", node)
        elif isinstance(node, ast.Call):
            f = node.func
            if not isinstance(f, ast.Name) or f.id not in FUNCTIONS:
                what = repr(ast.unparse(f))  # unparse only prints the tree back as text
                why = (
                    " is a variable, not a function"
                    if (isinstance(f, ast.Name) and f.id in self.vars)
                    else " cannot be called"
                )
                raise self.fail(f"{what}{why}; only {', '.join(FUNCTIONS)} can be called", f)
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise self.fail(f"{f.id}(…) takes exactly one argument, e.g. {f.id}(x)", node)
        else:
            raise self.fail(f"{_describe(node)} is not allowed. {_ALLOWED}", node)

    def check_pow(self, node: ast.BinOp) -> None:
        k = _number(node.right)
        if k is not None:
            if abs(k) > MAX_EXPONENT:
                raise self.fail(
                    f"exponent {k:g} is too large; |exponent| must be at most {MAX_EXPONENT}",
                    node.right,
                )
            return
        base = _number(node.left)
        if base is None or base <= 0:
            raise self.fail(
                "** needs a number as exponent (x**2, x**-1) or a positive number as base "
                "(2**x); a variable exponent on a variable base is not supported",
                node,
            )

    def operator_span(self, node: ast.BinOp) -> ast.AST:
        # The operator sits between the operands; point there rather than at the whole term.
        fake = ast.Constant(0)
        fake.col_offset = node.left.end_col_offset or node.col_offset
        fake.end_col_offset = node.right.col_offset
        text = self.expr.encode("utf-8")[fake.col_offset : fake.end_col_offset].decode(
            "utf-8", "ignore"
        )
        lead = len(text) - len(text.lstrip())
        fake.col_offset += lead
        fake.end_col_offset = fake.col_offset + len(text.strip().encode("utf-8"))
        return fake

    # Pass 2: build the graph; the checks above guarantee every node here is allowed.
    def build(self, node: ast.AST) -> Value:
        k = _number(node)
        if k is not None:
            return Value(k, requires_grad=False)  # constant leaf, drawn as a number
        v = self.compute(node)
        if not math.isfinite(v.data):
            raise self.fail(
                f"this part evaluates to {v.data} (overflow); use smaller numbers or exponents",
                node,
            )
        return v

    def compute(self, node: ast.AST) -> Value:
        try:
            if isinstance(node, ast.Name):
                return self.vars[node.id]
            if isinstance(node, ast.UnaryOp):
                v = self.build(node.operand)
                return -v if isinstance(node.op, ast.USub) else v
            if isinstance(node, ast.Call):
                assert isinstance(node.func, ast.Name)
                return FUNCTIONS[node.func.id](self.build(node.args[0]))
            assert isinstance(node, ast.BinOp)
            if isinstance(node.op, ast.Pow):
                k = _number(node.right)
                if k is not None:
                    return self.build(node.left) ** k
                base = _number(node.left)
                assert base is not None
                return base ** self.build(node.right)
            a, b = self.build(node.left), self.build(node.right)
            op = type(node.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            return a / b
        except ExpressionError:
            raise
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as e:
            raise self.fail(f"cannot compute this part: {e}", node) from None


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.NamedExpr: "an assignment (:=)",
        ast.JoinedStr: "an f-string",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator",
        ast.Starred: "unpacking (*)",
        ast.Await: "await",
    }
    return names.get(type(node), type(node).__name__)


def parse_expression(
    expr: str, variables: Mapping[str, float | Value], *, output_label: str = "out"
) -> Value:
    """Build the Value graph of expr, e.g. "sigmoid(w*x + b)" with {"w": -3, "x": 2, "b": 1}.

    Numbers in `variables` become leaves labelled with their name (a Value is used as given);
    the result is labelled output_label unless it is one of the variables. Raises
    ExpressionError (with a caret under the offending part) or InputError for bad variables.
    """
    if not isinstance(expr, str):
        raise TypeError(f"expression must be a str, got {type(expr).__name__}")
    text = expr.strip()
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression has {len(text)} characters; at most {MAX_LENGTH} are accepted",
            text[:60] + "…",
            60,
        )
    if not text:
        raise ExpressionError("the expression is empty; e.g. 'sigmoid(w*x + b)'", text, 0)
    bad = next((i for i, ch in enumerate(text) if not ch.isprintable()), None)
    if bad is not None:
        raise ExpressionError(
            "the expression must be one line of printable text (found a control character)",
            "".join(c if c.isprintable() else " " for c in text),
            bad,
        )
    values = _variables(variables)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = max((e.offset or 1) - 1, 0)
        end = e.end_offset - 1 if e.end_offset and e.end_offset - 1 > col else col + 1
        raise ExpressionError(f"syntax error: {e.msg}", text, col, end) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            "the expression is nested too deeply to parse; split it up", text, 0, len(text)
        ) from None
    parser = _Parser(text, values)
    parser.check(tree)
    out = parser.build(tree.body)
    if not any(out is v for v in values.values()):
        out.label = output_label
    return out


def _variables(variables: Mapping[str, float | Value]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for name, v in variables.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise InputError(
                f"variable name {name!r} is not a valid name (letters, digits and _, not "
                "starting with a digit, not a Python keyword)"
            )
        if name in FUNCTIONS:
            raise InputError(
                f"variable name {name!r} is a function name ({', '.join(FUNCTIONS)}); rename it"
            )
        if isinstance(v, Value):
            out[name] = v
            continue
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)):
            raise InputError(f"variable {name!r} must be a finite number, got {v!r}")
        out[name] = Value(float(v), label=name)
    return out

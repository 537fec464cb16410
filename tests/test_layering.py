"""Arrows only run down: models → visualize → nn → engine (DEVELOPERS.md, the design card).

Every module of the four packages is parsed with `ast`; every import it can make is collected:
top-level and function-local `import` / `from … import`, relative imports resolved against the
module's package, and string arguments of `importlib.import_module` / `__import__`. The suite
fails on any import that runs to a higher layer, and on any import of another layer's private
module (a dotted name with a `_part`): what a layer offers to the others is public.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder -> (import name, layer); a higher layer may import a lower one, never the reverse.
PACKAGES: dict[str, tuple[str, int]] = {
    "tinygrad_edu": ("tinygrad_edu", 0),
    "nn": ("tinygrad_edu.nn", 1),
    "visualize": ("tinygrad_edu.visualize", 2),
    "models": ("tinygrad_edu.models", 3),
}
LAYER_NAMES = {0: "engine", 1: "nn", 2: "visualize", 3: "models"}

# The one file allowed to point upward: `python -m tinygrad_edu` must start from the engine's
# name and hands off to the command in models (lazily, see its docstring).
ALLOWED_UPWARD = {("tinygrad_edu.__main__", "tinygrad_edu.models.app")}


@dataclass(frozen=True)
class Import:
    line: int
    target: str  # absolute dotted name (a module, or a name inside one)


def _resolve(package: str, level: int, module: str | None) -> str:
    """`from ..x import y` inside `package`: level 1 is `package` itself, 2 its parent, …"""
    parts = package.split(".")
    if level > len(parts):
        raise ValueError(f"relative import beyond the top package: level {level} in {package}")
    base = parts[: len(parts) - level + 1]
    return ".".join(base + ([module] if module else []))


def _string_import(call: ast.Call, module: str, package: str) -> str | None:
    """The module named by importlib.import_module(name, package) / __import__(name), or None if
    `call` is not such a call. An argument the test cannot read raises, so nothing hides."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not call.args:
        return None
    if name == "import_module" and len(call.args) > 1:  # the anchor of a relative name
        anchor = call.args[1]
        if isinstance(anchor, ast.Constant) and isinstance(anchor.value, str):
            package = anchor.value
        elif isinstance(anchor, ast.Name) and anchor.id in ("__name__", "__package__"):
            package = module if anchor.id == "__name__" else package
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        text = arg.value
    elif (
        isinstance(arg, ast.JoinedStr)
        and arg.values
        and isinstance(arg.values[0], ast.Constant)
        and str(arg.values[0].value).startswith(".")
        and not str(arg.values[0].value).startswith("..")
        and "." not in str(arg.values[0].value)[1:]
    ):
        # f".{name}" relative to the module's own package: stays in that package
        return package + ".<dynamic>"
    else:
        raise AssertionError(
            f"line {call.lineno}: {name}() with an argument this test cannot read "
            f"({ast.unparse(arg)}); name the module with a string literal"
        )
    if text.startswith("."):
        level = len(text) - len(text.lstrip("."))
        return _resolve(package, level, text.lstrip(".") or None)
    return text


def imports_of(source: str, module: str, is_package: bool) -> list[Import]:
    """Every import `module` can make, wherever it is in the file."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve(package, node.level, node.module)
            # `from pkg import name`: name may be a submodule, so record pkg.name
            found += [Import(node.lineno, f"{base}.{a.name}") for a in node.names if a.name != "*"]
            found += [Import(node.lineno, base)] if any(a.name == "*" for a in node.names) else []
        elif isinstance(node, ast.Call):
            target = _string_import(node, module, package)
            if target is not None:
                found.append(Import(node.lineno, target))
    return found


def layer_of(name: str) -> int | None:
    """The layer of a dotted name inside tinygrad_edu (None: a third-party or stdlib name)."""
    if name != "tinygrad_edu" and not name.startswith("tinygrad_edu."):
        return None
    best = 0
    for prefix, layer in PACKAGES.values():
        if name == prefix or name.startswith(prefix + "."):
            best = max(best, layer)
    return best


def is_private(name: str) -> bool:
    """A dotted name through a private part (`_io`), dunders (`__init__`, `__version__`) aside."""
    return any(p.startswith("_") and not p.startswith("__") for p in name.split(".")[1:])


def modules() -> list[tuple[str, Path, bool]]:
    """(module name, file, is a package's __init__) for every module of the four packages."""
    out = []
    for folder, (prefix, _) in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("").parts
            is_package = rel[-1] == "__init__"
            parts = rel[:-1] if is_package else rel
            out.append((".".join((prefix, *parts)), path, is_package))
    return out


def violations(module: str, imports: list[Import]) -> list[str]:
    """Upward arrows and cross-layer private imports among `imports` of `module`."""
    own = layer_of(module)
    assert own is not None
    bad = []
    for imp in imports:
        layer = layer_of(imp.target)
        if layer is None:
            continue
        allowed = any(
            module == m and (imp.target == t or imp.target.startswith(t + "."))
            for m, t in ALLOWED_UPWARD
        )
        if layer > own and not allowed:
            bad.append(
                f"{module} line {imp.line}: imports {imp.target} "
                f"({LAYER_NAMES[own]} → {LAYER_NAMES[layer]} runs upward)"
            )
        elif layer != own and is_private(imp.target):
            bad.append(
                f"{module} line {imp.line}: imports {imp.target}, private to "
                f"{LAYER_NAMES[layer]}; make what it offers public"
            )
    return bad


# --------------------------------------------------------------------------------------------
# the checker itself, on hand-written sources


def test_imports_of_finds_every_kind_of_import() -> None:
    source = (
        "import numpy as np\n"
        "from . import graph\n"
        "from ..models.tour import Tour\n"
        "def f():\n"
        "    from ...visualize import _io\n"
        "    import importlib\n"
        "    importlib.import_module('tinygrad_edu.models.cli')\n"
        "    return importlib.import_module('..nn', 'tinygrad_edu.visualize')\n"
    )
    got = [(i.line, i.target) for i in imports_of(source, "tinygrad_edu.nn.data.x", False)]
    assert got == [
        (1, "numpy"),
        (2, "tinygrad_edu.nn.data.graph"),
        (3, "tinygrad_edu.nn.models.tour.Tour"),
        (5, "tinygrad_edu.visualize._io"),
        (6, "importlib"),
        (7, "tinygrad_edu.models.cli"),
        (8, "tinygrad_edu.nn"),
    ]


def test_relative_imports_of_a_package_init_start_at_the_package() -> None:
    got = imports_of(
        "from .drawing import draw\nfrom .. import value\n", "tinygrad_edu.visualize", True
    )
    assert [i.target for i in got] == ["tinygrad_edu.visualize.drawing.draw", "tinygrad_edu.value"]


def test_an_unreadable_dynamic_import_fails() -> None:
    with pytest.raises(AssertionError, match="cannot read"):
        imports_of("import importlib\nimportlib.import_module(NAME)\n", "tinygrad_edu.x", False)


def test_violations_name_upward_arrows_and_private_modules() -> None:
    imports = [
        Import(3, "tinygrad_edu.tensor.Tensor"),  # down: fine
        Import(4, "tinygrad_edu.models.tour"),  # nn → models
        Import(5, "tinygrad_edu.visualize.render"),  # nn → visualize
        Import(6, "tinygrad_edu._secret"),  # down, but private to the engine
        Import(7, "tinygrad_edu.nn._helpers"),  # own layer: private is fine
    ]
    assert violations("tinygrad_edu.nn.module", imports) == [
        "tinygrad_edu.nn.module line 4: imports tinygrad_edu.models.tour (nn → models runs upward)",
        "tinygrad_edu.nn.module line 5: imports tinygrad_edu.visualize.render "
        "(nn → visualize runs upward)",
        "tinygrad_edu.nn.module line 6: imports tinygrad_edu._secret, private to engine; make "
        "what it offers public",
    ]
    assert violations("tinygrad_edu.__main__", [Import(1, "tinygrad_edu.models.app")]) == []
    assert violations("tinygrad_edu.cli", [Import(1, "tinygrad_edu.models.app")]) != []


# --------------------------------------------------------------------------------------------
# the project


def test_every_package_is_scanned() -> None:
    names = {m for m, _, _ in modules()}
    for expected in (
        "tinygrad_edu",
        "tinygrad_edu.__main__",
        "tinygrad_edu.ops.elementwise",
        "tinygrad_edu.nn.module",
        "tinygrad_edu.visualize.plots",
        "tinygrad_edu.models.tour",
        "tinygrad_edu.models.data.mnist",
    ):
        assert expected in names
    tour = next(p for m, p, _ in modules() if m == "tinygrad_edu.models.tour")
    targets = {
        i.target for i in imports_of(tour.read_text("utf-8"), "tinygrad_edu.models.tour", False)
    }
    assert (
        "tinygrad_edu.visualize.plots" in targets and "tinygrad_edu.nn.scalar.ValueMLP" in targets
    )


def test_arrows_only_run_down() -> None:
    bad = []
    for module, path, is_package in modules():
        bad += violations(module, imports_of(path.read_text("utf-8"), module, is_package))
    assert not bad, (
        "imports against the layering (models → visualize → nn → engine):\n" + "\n".join(bad)
    )

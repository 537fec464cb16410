"""Every ```python block in README.md and docs/*.md runs (in order, one namespace per file)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# A page that needs an optional package says so in a comment: <!-- requires: torch -->
REQUIRES = re.compile(r"<!-- requires: ([\w, ]+) -->")


@pytest.mark.parametrize("path", [p for p in DOCS if p.exists()], ids=lambda p: p.name)
def test_markdown_code_blocks_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    for line in REQUIRES.findall(text):
        for package in line.replace(",", " ").split():
            pytest.importorskip(package, reason=f"{path.name} needs {package}")
    blocks = BLOCK.findall(text)
    if not blocks:
        pytest.skip(f"{path.name} has no python blocks")
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__docs__"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)  # our own docs
        except Exception as e:  # noqa: BLE001
            raise AssertionError(f"{path.name} block {i} failed: {e!r}\n{code}") from e
    assert os.getcwd() == str(tmp_path)

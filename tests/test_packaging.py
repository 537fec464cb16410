"""The wheel built from the repo contains every subpackage (an editable install hides a miss)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tinygrad_edu.models.app import main

import tinygrad_edu

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_wheel_contains_every_subpackage(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tinygrad_edu-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # every package folder, at any depth (the ops/ and models/data/ subpackages included)
    for pkg, folder in (
        ("tinygrad_edu", "tinygrad_edu"),
        ("tinygrad_edu/nn", "nn"),
        ("tinygrad_edu/models", "models"),
        ("tinygrad_edu/visualize", "visualize"),
    ):
        sources = sorted(
            p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*.py")
        )
        assert sources, folder
        for name in sources:
            assert f"{pkg}/{name}" in names, f"{folder}/{name} is missing from the wheel"
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert entry
    script = "tinygrad-edu = tinygrad_edu.models.app:main"
    assert script in zipfile.ZipFile(wheel).read(entry[0]).decode()


def test_cli_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tinygrad-edu {tinygrad_edu.__version__}"
    assert main([]) == 0
    assert "usage: tinygrad-edu" in capsys.readouterr().out


def test_python_dash_m_runs_the_command() -> None:
    """`python -m tinygrad_edu` hands off to the command upstairs (tinygrad_edu/__main__.py)."""
    out = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "--version"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == f"tinygrad-edu {tinygrad_edu.__version__}"

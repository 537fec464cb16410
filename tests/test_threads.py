"""BLAS thread count: picking it from the free cores, applying it for a block (issue 15)."""

from __future__ import annotations

import pytest
from tinygrad_edu.models.app import main

from tinygrad_edu.threads import blas_threads, parse_threads, sane_thread_count

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.mark.parametrize(
    ("cpus", "load", "expected"),
    [(2, 0.1, 2), (2, 0.4, 2), (2, 0.6, 1), (2, 7.0, 1), (8, 3.0, 5), (1, 0.0, 1)],
)
def test_sane_thread_count_leaves_busy_cores_alone(cpus: int, load: float, expected: int) -> None:
    assert sane_thread_count(cpus, load) == expected


def test_parse_threads() -> None:
    assert parse_threads("auto") is None
    assert parse_threads("3") == 3
    for bad in ("0", "-1", "two"):
        with pytest.raises(ValueError, match="positive integer"):
            parse_threads(bad)


def _blas_limits() -> set[int]:
    return {p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"}


def test_blas_threads_applies_the_count_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy  # noqa: F401  (loads the BLAS library threadpoolctl looks at)

    if not _blas_limits():
        pytest.skip("no BLAS library that threadpoolctl can control")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    before = _blas_limits()
    with blas_threads(1) as n:
        assert n == 1 and _blas_limits() == {1}
    assert _blas_limits() == before
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    with blas_threads() as n:  # the user chose through the environment: left alone
        assert n is None and _blas_limits() == before


def test_cli_rejects_a_bad_thread_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--threads", "none", "lecture", "regression"])
    assert e.value.code == 2
    assert "--threads must be 'auto' or a positive integer" in capsys.readouterr().err

"""The quick tour end to end: every promised file, valid images, the lecture's tables, and a
printed summary that matches the folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tinygrad_edu.models import tour
from tinygrad_edu.models.app import main
from tinygrad_edu.visualize import plots

PROMISED = [
    "1_neuron/neuron.svg",
    "1_neuron/neuron.html",
    "1_neuron/network_2-3-1.svg",
    "1_neuron/network_2-3-1.html",
    "1_neuron/trace.txt",
    "1_neuron/frames/frame_000.svg",
    "2_regression/polynomial_table.txt",
    "2_regression/lambda_table.txt",
    "2_regression/fits.png",
    "2_regression/lambda.png",
    "2_regression/learning_rate.png",
    "2_regression/learning_rate.txt",
    "2_regression/descent.png",
    "3_classification/accuracy_table.txt",
    "3_classification/boundaries.png",
    "3_classification/ce_vs_square.png",
    "3_classification/loss_surfaces.png",
    "3_classification/gradient_norm.png",
    "3_classification/learning_curves.png",
    "3_classification/learning_curves.txt",
    "4_softmax_xor/softmax_regions.png",
    "4_softmax_xor/xor_boundaries.png",
    "4_softmax_xor/xor_table.txt",
    "5_dnn/samples.png",
    "5_dnn/loss_curve.png",
    "5_dnn/confusion.png",
    "5_dnn/confusion.txt",
    "5_dnn/network.svg",
]


@pytest.fixture(scope="module")
def quick_tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("tour")
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["tour", "--quick", "--out", str(out), "--seed", "3"])
    assert code == 0
    return out, buf.getvalue()


def test_every_promised_file_exists_with_a_valid_header(quick_tour: tuple[Path, str]) -> None:
    out, _ = quick_tour
    for name in PROMISED:
        p = out / name
        assert p.is_file() and p.stat().st_size > 200, name
        head = p.read_bytes()[:400]
        if name.endswith(".png"):
            assert head.startswith(b"\x89PNG\r\n\x1a\n"), name
        elif name.endswith(".svg"):
            assert b"<svg" in head, name
        elif name.endswith(".html"):
            assert head.startswith(b"<!DOCTYPE html>") and b"<svg" in p.read_bytes(), name
    assert not list(out.rglob(".*")), "temporary files left behind"


def test_printed_summary_matches_the_files(quick_tour: tuple[Path, str]) -> None:
    out, printed = quick_tour
    listed = re.findall(r"^  (\S+)  \(([\d,]+) bytes\)$", printed, re.M)
    on_disk = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    assert {name: int(size.replace(",", "")) for name, size in listed} == on_disk
    assert f"wrote {len(on_disk)} files into {out}/:" in printed


def test_tables_hold_the_lecture_numbers(quick_tour: tuple[Path, str]) -> None:
    out, printed = quick_tour
    poly = (out / "2_regression/polynomial_table.txt").read_text()
    rows = [line.split() for line in poly.splitlines() if re.match(r"^\s+[1-5]\s", line)]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    # the lecture's training / testing average errors on its 10/10 split
    assert [(r[1], r[2]) for r in rows] == [
        ("31.9", "35.0"),
        ("15.4", "18.4"),
        ("15.3", "18.1"),
        ("14.9", "28.8"),
        ("12.8", "232.1"),
    ]
    lam = (out / "2_regression/lambda_table.txt").read_text()
    assert [line.split()[0] for line in lam.splitlines() if re.match(r"^\d", line)] == [
        "0",
        "1",
        "10",
        "100",
        "1000",
        "10000",
        "100000",
    ]
    xor = (out / "4_softmax_xor/xor_table.txt").read_text()
    plain = next(line for line in xor.splitlines() if line.startswith("logistic regression on"))
    f = [float(v) for v in plain.split()[-6:-2]]
    assert all(abs(v - 0.5) < 0.05 for v in f), plain  # no line separates XOR: f → 0.5
    assert plain.split()[-2:] == ["50", "4"]  # four ties, each counted half right
    assert re.search(r"cascade: 2 logistic units → 1.*\s100\s+0$", xor, re.M)
    # the neuron of step 1: z = 1·1 + (−2)(−1) + 1 = 4, ∂C/∂z = σ(4) for C = −ln(1 − σ(z))
    assert "z = 4, a = σ(z) = 0.9820, C = 4.0181" in printed
    assert "∂C/∂w1 = 0.9820, ∂C/∂w2 = -0.9820, ∂C/∂b = 0.9820" in printed
    conf = (out / "5_dnn/confusion.txt").read_text()
    matrix = [
        list(map(int, line.split()[1:])) for line in conf.splitlines() if re.match(r"^\d ", line)
    ]
    assert len(matrix) == 10 and sum(map(sum, matrix)) == 500  # every quick-tour test image


def test_same_seed_same_tables(quick_tour: tuple[Path, str], tmp_path: Path, capsys) -> None:
    out, _ = quick_tour
    assert main(["tour", "--quick", "--out", str(tmp_path), "--seed", "3"]) == 0
    for name in PROMISED:
        if name.endswith(".txt"):
            assert (tmp_path / name).read_text() == (out / name).read_text(), name


def test_without_matplotlib_the_tour_says_what_it_skipped(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(plots, "available", lambda: False)
    t = tour.Tour(out=tmp_path, seed=0, quick=True, data_dir=None)
    tour.step2_regression(t)
    assert (tmp_path / "2_regression/polynomial_table.txt").exists()
    assert not list(tmp_path.rglob("*.png"))
    assert any("fits.png" in s and "matplotlib is not installed" in s for s in t.skipped)
    assert "skipped:" in tour.summary(t)


def test_bad_data_dir_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert (
        main(
            ["tour", "--quick", "--out", str(tmp_path / "o"), "--data-dir", str(tmp_path / "nope")]
        )
        == 2
    )
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:λ=")
def test_data_dir_uses_the_users_files(tmp_path: Path, capsys) -> None:
    """A folder with only a (tiny) evolution CSV: regression uses it, the rest falls back."""
    from tinygrad_edu.models.data import LECTURE_TEST_NAMES, LECTURE_TRAIN_NAMES

    lines = ["name,species,cp,hp,weight,height,cp_new"]
    for i, name in enumerate(LECTURE_TRAIN_NAMES + LECTURE_TEST_NAMES + ("Pidgey99",)):
        species = re.match(r"[A-Za-z]+", name).group(0)
        cp = 20 + 31 * i
        lines.append(
            f"{name},{species},{cp},{10 + i},{1.0 + i / 10},{0.3 + i / 100},{2 * cp + 5 + (i % 3)}"
        )
    (tmp_path / "pokemon_cp_evolution.csv").write_text("\n".join(lines) + "\n")
    t = tour.Tour(out=tmp_path / "o", seed=0, quick=True, data_dir=tmp_path)
    tour.step2_regression(t)
    text = (tmp_path / "o/2_regression/polynomial_table.txt").read_text()
    assert str(tmp_path / "pokemon_cp_evolution.csv") in text


def test_network_picture_uses_the_lecture_names_once_each(quick_tour: tuple[Path, str]) -> None:
    """One box named C (the whole −ln(1 − a), not its inner log), and the hidden neurons'
    z and a named like the lecture's zˡᵢ, aˡᵢ, never by their ids."""
    out, _ = quick_tour
    svg = (out / "1_neuron/network_2-3-1.svg").read_text(encoding="utf-8")
    names = re.findall(r'font-weight="bold"[^>]*>([^<]+)</text>', svg)
    assert names.count("C") == 1
    for i in range(3):
        assert names.count(f"z¹[{i}]") == 1 and names.count(f"a¹[{i}]") == 1
    assert names.count("z²[0]") == 1 and names.count("a²[0]") == 1
    assert not [n for n in names if re.fullmatch(r"n\d+", n)]


def test_neuron_frames_share_one_canvas(quick_tour: tuple[Path, str]) -> None:
    out, _ = quick_tour
    sizes = {
        re.search(r'<svg width="[^"]+" height="[^"]+"', p.read_text(encoding="utf-8")).group(0)
        for p in (out / "1_neuron/frames").glob("frame_*.svg")
    }
    assert len(sizes) == 1

"""`tinygrad-edu lecture ...` and the progress bar."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from tinygrad_edu.models.app import main
from tinygrad_edu.models.progress import ProgressBar, progress


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lecture", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------------------------
# progress bar


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_off_a_terminal_prints_one_final_line():
    stream = io.StringIO()
    with ProgressBar(4, "fit", stream=stream) as bar:
        for i in range(4):
            bar.update(loss=1.0 / (i + 1))
        assert stream.getvalue() == ""  # nothing while running
    text = stream.getvalue()
    assert text.count("\n") == 1 and "\r" not in text
    assert re.match(r"fit \[#{24}\] 100% 4/4 loss=0\.25 \d+\.\ds\n$", text)


def test_progress_bar_on_a_terminal_redraws_in_place():
    stream = _Tty()
    bar = ProgressBar(10, "", stream=stream, width=10, interval=0.0)
    bar.update(5, acc=0.5)
    assert stream.getvalue().startswith("\r[#####.....]  50% 5/10 acc=0.5")
    bar.update(5)
    bar.close()
    assert stream.getvalue().endswith("\n")
    assert stream.getvalue().count("\r") == 3  # two updates and the final redraw


def test_progress_bar_delay_and_disabled():
    quiet = io.StringIO()
    with ProgressBar(3, stream=quiet, delay=60.0) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""  # finished within the delay: nothing at all
    off = _Tty()
    with ProgressBar(3, stream=off, enabled=False) as bar:
        bar.update(3)
    assert off.getvalue() == ""
    stream = io.StringIO()
    assert list(progress(range(3), desc="it", stream=stream)) == [0, 1, 2]
    assert "3/3" in stream.getvalue()


# ---------------------------------------------------------------------------------------------
# commands


def test_regression_prints_the_lecture_table(capsys):
    code, out, _ = _run(capsys, "regression", "--raw-steps", "0")
    assert code == 0
    assert "data: embedded lecture split (20 Pokemon from the slides" in out
    assert "data: synthetic species CP data (seeded, seed=0" in out
    rows = {
        int(m.group(1)): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(r"^\s+(\d)\s+([\d.]+)\s+([\d.]+)\s", out, re.M)
    }
    assert rows == {
        1: (31.9, 35.0),
        2: (15.4, 18.4),
        3: (15.3, 18.1),
        4: (14.9, 28.8),
        5: (12.8, 232.1),
    }
    assert "b = -188.4, w = 2.669" in out
    for lam in ("0", "1", "10", "100", "1000", "10000", "100000"):
        assert re.search(rf"^{lam}\s+\d", out, re.M), lam


def test_raw_descent_demo_prints_both_optimizers(capsys):
    code, out, _ = _run(capsys, "regression", "--raw-steps", "50")
    assert code == 0
    assert re.search(r"^plain GD\s+1e-06\s+50\s", out, re.M)
    assert re.search(r"^adagrad\s+1\s+50\s", out, re.M)
    assert re.search(r"^closed form\s+-188\.4\s+2\.669", out, re.M)


def test_classification_prints_every_variant(capsys):
    code, out, _ = _run(capsys, "classification", "--seed", "1")
    assert code == 0
    assert "synthetic Water/Normal (seeded, seed=1)" in out
    for name in ("separate Σ", "shared Σ", "naive Bayes", "logistic regression"):
        assert name in out
    assert "generative (shared Σ): w =" in out


def test_logistic_and_xor_commands(capsys):
    code, out, _ = _run(capsys, "logistic")
    assert code == 0 and "CE loss" in out and "0.4286" in out and "100.0%" in out
    code, out, _ = _run(capsys, "xor")
    assert code == 0 and "0.6931" in out and "hidden logistic units" in out


def _write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MNIST-format pair (300 images): a bright column per digit on faint noise,
    easy to learn if (and only if) images and labels are read in step."""
    folder = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 10
    images = rng.integers(0, 40, (300, 28, 28))
    for i, d in enumerate(labels):
        images[i, :, 2 * d + 4] = 255
    _write_idx(folder / "t10k-images-idx3-ubyte", 2051, images)
    _write_idx(folder / "t10k-labels-idx1-ubyte", 2049, labels)
    return folder


def test_dnn_on_an_mnist_directory(capsys, mnist_dir):
    code, out, _ = _run(capsys, "dnn", "--data", str(mnist_dir), "--epochs", "10", "--hidden", "16")
    assert code == 0
    assert f"data: MNIST t10k set from {mnist_dir} (first 240 for training, last 60" in out
    assert "network 784-16-10 (relu)" in out
    acc = float(re.search(r"testing accuracy ([\d.]+)%", out).group(1))
    assert acc >= 90.0


def test_structure_and_softmax_commands(capsys, mnist_dir):
    argv = ("structure", "--data", str(mnist_dir), "--budget-epochs", "54", "--seeds", "2")
    code, out, _ = _run(capsys, *argv)
    assert code == 0
    assert "trains 3 epochs on the first 160 training images, once per initial seed (2 " in out
    assert "evolution 1 (from #" in out and "winner: #" in out and "hand-designed" in out
    # 2 seeds × 3 epochs = 6 epochs a structure: 54 epochs are 6 random + 3 evolved ones
    assert len(re.findall(r"^\s*\d+\s+(random|evolution)", out, re.M)) == 9
    assert "stopped by the epoch budget (54)" in out
    assert re.search(r"\d+\.\d ± \d+\.\d\s+=", out)  # mean ± std, the best marked tied
    code, out, _ = _run(capsys, "softmax", "--data", str(mnist_dir))
    assert code == 0 and "confusion matrix" in out and f"MNIST t10k set from {mnist_dir}" in out


def test_bad_data_paths_are_reported(capsys, tmp_path):
    code, _, err = _run(capsys, "regression", "--data", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv: file not found" in err
    code, _, err = _run(capsys, "dnn", "--data", str(tmp_path))
    assert code == 2 and "no MNIST pair found" in err
    csv = tmp_path / "stats.csv"
    csv.write_text("name,cp\nPidgey1,10\n")
    code, _, err = _run(capsys, "classification", "--data", str(csv))
    assert code == 2 and "missing column(s)" in err


def test_graph_option_writes_dot(capsys, tmp_path):
    target = tmp_path / "xor.dot"
    code, out, _ = _run(capsys, "xor", "--graph", str(target))
    assert code == 0 and "graph of the cascade" in out
    assert target.read_text().lstrip().startswith("digraph")


def test_lecture_needs_an_experiment(capsys):
    with pytest.raises(SystemExit) as e:
        main(["lecture"])
    assert e.value.code == 2


def test_classification_on_a_stats_file_uses_both_feature_sets(capsys, tmp_path):
    rng = np.random.default_rng(0)
    lines = [
        "#,Name,Type 1,Type 2,Total,HP,Attack,Defense,Sp. Atk,Sp. Def,Speed,Generation,Legendary"
    ]
    for i in range(60):
        kind = ("Water", "Normal", "Fire")[i % 3]
        stats = rng.integers(20, 120, 6) + (30 if kind == "Water" else 0)
        number = 100 + 10 * i  # half below 400 (training), half above (testing)
        row = [number, f"Mon{i}", kind, "", stats.sum(), *stats, 1, "False"]
        lines.append(",".join(map(str, row)))
    path = tmp_path / "stats.csv"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _run(capsys, "classification", "--data", str(path))
    assert code == 0, err
    assert out.count(f"data: {path}: Water vs Normal") == 2
    assert "features Defense, Sp. Def" in out and "Speed, Total" in out
    assert "79% (test)" in out  # the lecture's column appears for a real file


def test_graph_option_errors_are_messages_not_tracebacks(capsys, tmp_path, monkeypatch):
    code, out, err = _run(capsys, "xor", "--graph", str(tmp_path / "g.jpg"))
    assert code == 2 and "cannot tell the image format" in err
    assert "XOR" not in out  # refused before the experiment ran
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    code, out, err = _run(capsys, "xor", "--graph", str(tmp_path / "g.svg"))
    assert code == 3 and "Graphviz's `dot` program was not found" in err
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_cnn_command_compares_with_the_fully_connected_network(capsys, mnist_dir, tmp_path):
    pictures = tmp_path / "pics"
    code, out, _ = _run(
        capsys,
        "cnn",
        "--data",
        str(mnist_dir),
        "--epochs",
        "2",
        "--pictures",
        str(pictures),
        "--graph",
        str(tmp_path / "lenet.dot"),
    )
    assert code == 0
    assert f"MNIST t10k set from {mnist_dir}" in out
    rows = {
        m.group(1).strip(): (int(m.group(2)), float(m.group(3)), float(m.group(4)))
        for m in re.finditer(
            r"^(LeNet-5 \(CNN\)|fully connected 784-56-10)\s+(\d+)\s+([\d.]+)"
            r"\s+([\d.]+)",
            out,
            re.M,
        )
    }
    assert rows["LeNet-5 (CNN)"][0] == 44426 and rows["fully connected 784-56-10"][0] == 44530
    assert all(0 <= v <= 100 for r in rows.values() for v in r[1:])
    dot = (tmp_path / "lenet.dot").read_text()
    assert dot.lstrip().startswith("digraph") and "conv2d" in dot and "max_pool2d" in dot
    pytest.importorskip("matplotlib")
    for name in ("cnn_filters.png", "cnn_feature_maps.png"):
        assert (pictures / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""Faults and hostile inputs (issue 14): decompression bombs under a memory cap, SIGKILL and
SIGTERM during saves, all-or-nothing loads, odd output targets, misleading messages.

Each test here failed on the code before the fix. Subprocesses run with a memory cap
(RLIMIT_AS) set after their imports, so a reader that inflates more than the header declares
dies of MemoryError instead of passing.
"""

from __future__ import annotations

import gzip
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from tinygrad_edu.models.data import DataError, load_mnist_images, read_idx
from tinygrad_edu.models.sources import mnist_dir
from tinygrad_edu.visualize import dot_available, to_dot, trace

from tinygrad_edu import Tensor, Value, gradcheck, nn
from tinygrad_edu.fileio import atomic_write

ROOT = os.geteuid() == 0
MB = 1 << 20


def run_capped(code: str, headroom_mb: int = 64, timeout: float = 60) -> str:
    """Run `code` in a fresh Python whose address space may grow `headroom_mb` past what its
    imports took; returns its stdout (the code prints what happened)."""
    prelude = textwrap.dedent(
        f"""
        import resource
        import numpy as np
        import tinygrad_edu.nn, tinygrad_edu.models.data
        def _vm():
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmSize:"):
                        return int(line.split()[1]) * 1024
        cap = _vm() + {headroom_mb} * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
        """
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return out.stdout + out.stderr


def _deflated_zeros(n: int) -> bytes:
    """A gzip stream of n zero bytes, built in 1 MB steps (never n bytes in memory)."""
    z = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    chunk = bytes(MB)
    parts = [z.compress(chunk) for _ in range(n // MB)]
    return b"".join(parts) + z.compress(bytes(n % MB)) + z.flush()


def _idx(magic: int, dims: tuple[int, ...], payload: bytes = b"") -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + payload


# -- 1. decompression bombs -------------------------------------------------------------------


def test_idx_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    # A header for 2 images of 28 x 28, then 256 MB of zeros in a 250 KB gzip member.
    header = _idx(0x803, (2, 28, 28))
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    body = z.compress(header) + b"".join(z.compress(bytes(MB)) for _ in range(256)) + z.flush()
    bomb = tmp_path / "t10k-images-idx3-ubyte.gz"
    bomb.write_bytes(body)
    assert bomb.stat().st_size < 2 * MB
    out = run_capped(
        f"""
        from tinygrad_edu.models.data import DataError, load_mnist_images
        try:
            load_mnist_images({str(bomb)!r})
        except DataError as e:
            print("REFUSED", e)
        except MemoryError:
            print("MEMORY")
        """
    )
    assert "REFUSED" in out and "has trailing bytes" in out, out


def test_idx_header_declaring_too_much_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.idx"
    huge.write_bytes(_idx(0x803, (60000, 1000, 1000)))  # 60 GB declared, nothing there
    with pytest.raises(DataError, match=r"declares 60000 x 1000 x 1000 .* more than the cap"):
        load_mnist_images(huge)
    gz = tmp_path / "huge.idx.gz"
    gz.write_bytes(gzip.compress(_idx(0x803, (60000, 1000, 1000))))
    with pytest.raises(DataError, match="max_bytes"):
        read_idx(gz)
    small = tmp_path / "small.idx"
    small.write_bytes(_idx(0x801, (3,), bytes([1, 2, 3])))
    with pytest.raises(DataError, match="more than the cap of 2"):
        read_idx(small, max_bytes=2)
    assert read_idx(small, max_bytes=3).tolist() == [1, 2, 3]


def _npz_with_member(path: Path, name: str, n_float64: int) -> None:
    """nn.Linear(2, 1)'s parameters plus a member `name` of n float64 zeros, deflated
    (written in 1 MB steps)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for p, shape in (("weight", (1, 2)), ("bias", (1,))):
            with zf.open(p + ".npy", "w") as f:
                np.lib.format.write_array(f, np.ones(shape, np.float32))
        with zf.open(name + ".npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (n_float64,)}
            )
            left = n_float64 * 8
            while left:
                f.write(bytes(min(left, MB)))
                left -= min(left, MB)


def test_npz_bomb_member_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    _npz_with_member(path, "not_a_parameter", 32 * MB)  # 256 MB of zeros, ~250 KB on disk
    assert path.stat().st_size < 2 * MB
    out = run_capped(
        f"""
        from tinygrad_edu import Tensor, Value, gradcheck, nn
        m = nn.Linear(2, 1)
        try:
            nn.load(m, {str(path)!r})
        except nn.CheckpointError as e:
            print("REFUSED", e)
        except MemoryError:
            print("MEMORY")
        try:
            nn.load(m, {str(path)!r}, strict=False)  # nothing of it is needed: not read
            print("SKIPPED")
        except MemoryError:
            print("MEMORY")
        try:
            nn.serialize.read_checkpoint({str(path)!r}, max_bytes=10**6)
        except nn.CheckpointError as e:
            print("CAPPED", e)
        """
    )
    assert "REFUSED" in out and "unexpected parameter 'not_a_parameter'" in out, out
    assert "SKIPPED" in out and "MEMORY" not in out, out
    assert "CAPPED" in out and "declares 268,435,468 bytes" in out, out


def test_duplicate_zip_members_are_refused(tmp_path: Path) -> None:
    m = nn.Linear(2, 1, seed=0, dtype=np.float64)
    path = tmp_path / "dup.npz"
    nn.save(m, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name" warning
        with zipfile.ZipFile(path, "a") as zf:
            with zf.open("weight.npy", "w") as f:
                np.lib.format.write_array(f, np.full((1, 2), 9.0))
    before = m.weight.data.copy()
    with pytest.raises(nn.CheckpointError, match="holds the member 'weight.npy' twice"):
        nn.load(m, path)
    assert np.array_equal(m.weight.data, before)


def test_member_sizes_must_match_their_headers(tmp_path: Path) -> None:
    m = nn.Linear(2, 1, seed=0, dtype=np.float64)
    path = tmp_path / "lie.npz"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("weight.npy", "w") as f:  # header says (1, 2), data holds 3 numbers
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (1, 2)}
            )
            f.write(np.zeros(3).tobytes())
        with zf.open("bias.npy", "w") as f:
            np.lib.format.write_array(f, np.zeros(1))
    with pytest.raises(nn.CheckpointError, match="'weight' declares .* bytes but its header says"):
        nn.load(m, path)


# -- 2. load is all-or-nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "why"), [(1e300, "does not fit in float32"), (np.nan, "is not finite")]
)
def test_unrepresentable_values_change_nothing(tmp_path: Path, value: float, why: str) -> None:
    src = nn.MLP([2, 3, 1], seed=0, dtype=np.float64)
    with nn.no_grad() if hasattr(nn, "no_grad") else _nullcontext():
        src.layers[1].bias.data[0] = value  # the last parameter: all others come first
    path = tmp_path / "m.npz"
    nn.save(src, path)
    dst = nn.MLP([2, 3, 1], seed=1)  # float32
    before = {k: v.copy() for k, v in dst.state_dict().items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # python -W error: no RuntimeWarning escapes either
        with pytest.raises(nn.CheckpointError, match=rf"'layers.1.bias' holds .*{why}"):
            nn.load(dst, path)
    for k, v in dst.state_dict().items():
        assert np.array_equal(v, before[k]), k


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *a: object) -> None:
        return None


# -- 2. saves leave nothing behind ------------------------------------------------------------

_SAVER = """
import sys
import numpy as np
from tinygrad_edu import Tensor, Value, gradcheck, nn
m = nn.Linear(1000, 1000, seed=int(sys.argv[2]), dtype=np.float64)  # 8 MB per save
print("ready", flush=True)
while True:
    nn.save(m, sys.argv[1])
"""


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _start_saver(target: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    p = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(target), "0"], stdout=subprocess.PIPE, env=env
    )
    assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    return p


def _wait_for_temp(folder: Path, p: subprocess.Popen[bytes], extra: float) -> bool:
    """Wait until the saver has a write in progress (its temp file exists), then `extra` s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and p.poll() is None:
        if _temps(folder):
            time.sleep(extra)
            return True
        time.sleep(0.0005)
    return False


def test_sigkill_during_save_keeps_the_old_file_and_the_next_save_cleans_up(
    tmp_path: Path,
) -> None:
    target = tmp_path / "model.npz"
    good = nn.Linear(1000, 1000, seed=0, dtype=np.float64)
    nn.save(good, target)
    killed_mid_write = 0
    for i in range(5):
        p = _start_saver(target)
        _wait_for_temp(tmp_path, p, 0.002 * i)
        p.send_signal(signal.SIGKILL)
        p.wait()
        killed_mid_write += bool(_temps(tmp_path))
        check = nn.Linear(1000, 1000, seed=5, dtype=np.float64)
        nn.load(check, target)  # the old (or a complete new) file, never half of one
        assert np.array_equal(check.weight.data, good.weight.data)
    nn.save(good, target)  # the next save removes the dead writers' temp files
    assert _temps(tmp_path) == []
    assert killed_mid_write >= 1  # the loop did hit writes in progress


def test_sigterm_during_save_removes_its_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "model.npz"
    for i in range(3):
        p = _start_saver(target)
        _wait_for_temp(tmp_path, p, 0.002 * i)
        p.send_signal(signal.SIGTERM)
        assert p.wait() == -signal.SIGTERM  # terminated as SIGTERM does
        assert _temps(tmp_path) == []


def test_live_writers_temp_files_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    (tmp_path / f".g.dot.{dead}.abc123.tmp").write_bytes(b"x")  # its writer is gone
    (tmp_path / ".g.dot.zz9_old.tmp").write_bytes(b"x")  # the old naming, without a PID
    (tmp_path / f".g.dot.{os.getpid()}.live.tmp").write_bytes(b"x")  # a write in progress
    (tmp_path / f".other.dot.{dead}.abc.tmp").write_bytes(b"x")  # another target's
    atomic_write(target, b"digraph {}")
    assert _temps(tmp_path) == sorted(
        [f".g.dot.{os.getpid()}.live.tmp", f".other.dot.{dead}.abc.tmp"]
    )


def test_save_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    m = nn.Linear(2, 1, seed=0)
    nn.save(m, link)
    assert link.is_symlink() and real.is_file()
    nn.load(nn.Linear(2, 1, seed=1), real)
    assert _temps(tmp_path) == []


def test_non_regular_targets_are_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(
        OSError, match=r"pipe\.npz: it is a FIFO \(named pipe\), not a regular file"
    ):
        nn.save(nn.Linear(2, 1), fifo)
    assert fifo.is_fifo()
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(IsADirectoryError, match=r"folder\.npz: it is a directory"):
        nn.save(nn.Linear(2, 1), tmp_path / "folder.npz")
    with pytest.raises(FileNotFoundError, match="the path is empty; give a file name"):
        nn.save(nn.Linear(2, 1), "")
    with pytest.raises(FileNotFoundError, match=r"directory .*nope does not exist"):
        atomic_write(tmp_path / "nope" / "g.dot", b"")
    assert _temps(tmp_path) == []


@pytest.mark.skipif(ROOT, reason="root may write into read-only folders")
def test_read_only_folder_is_named_not_the_temp_file(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=r"ro/m\.npz: directory .* is not writable"):
            nn.save(nn.Linear(2, 1), ro / "m.npz")
    finally:
        ro.chmod(0o755)


# -- MNIST files and folders: say what is wrong and what to do ------------------------------


def test_labels_file_as_images_says_so(tmp_path: Path) -> None:
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    labels.write_bytes(_idx(0x801, (3,), bytes([1, 2, 3]) + b"junk"))
    with pytest.raises(DataError, match="this is a labels file, not images. Pass the images file"):
        load_mnist_images(labels)
    two_d = tmp_path / "two_d.idx"
    two_d.write_bytes(_idx(0x802, (2, 2), bytes(4) + b"trailing"))
    with pytest.raises(DataError, match=r"0x00000802.*IDX array of 2 dimension\(s\), not MNIST"):
        load_mnist_images(two_d)


def _mnist_folder(folder: Path, n: int, h: int, w: int) -> Path:
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte").write_bytes(_idx(0x803, (n, h, w), bytes(n * h * w)))
    (folder / "t10k-labels-idx1-ubyte").write_bytes(_idx(0x801, (n,), bytes(n)))
    return folder


def test_mnist_folder_keeps_the_image_shape_and_small_sets_work(tmp_path: Path) -> None:
    d = mnist_dir(_mnist_folder(tmp_path / "a", 10, 4, 9))
    assert d.image_shape == (4, 9) and d.x_train.shape == (8, 36)
    d = mnist_dir(_mnist_folder(tmp_path / "b", 4, 7, 4))  # 4 images: 3 to train, 1 to test
    assert len(d.x_train) == 3 and len(d.x_test) == 1 and d.image_shape == (7, 4)
    with pytest.raises(DataError, match="1 image; the digit experiments need at least 2"):
        mnist_dir(_mnist_folder(tmp_path / "c", 1, 28, 28))


# -- silently wrong numbers and raw tracebacks in the engine --------------------------------


def test_value_power_overflow_keeps_the_slopes_sign() -> None:
    x = Value(-4.0)
    z = x**600  # z = +inf; ∂z/∂x = 600·(−4)⁵⁹⁹ = −inf (the Tensor path agrees)
    z.backward()
    assert z.data == math.inf and x.grad == -math.inf
    t = Tensor(np.array([-4.0]), requires_grad=True)
    with np.errstate(over="ignore"):
        (t**600).sum().backward()
    assert t.grad[0] == x.grad
    y = Value(-4.0)
    (y**601).backward()  # odd power: ∂z/∂y = 601·(−4)⁶⁰⁰ = +inf
    assert y.grad == math.inf


@pytest.mark.parametrize("axis", [(0, 1), None, (-1, 0)])
def test_softmax_over_several_axes_or_all(axis: tuple[int, ...] | None) -> None:
    a = np.array([[0.1, 0.5, -1.0], [2.0, 0.0, 0.3]])
    e = np.exp(a)
    want = e / e.sum()  # every axis of this 2-D array: one distribution over all six
    t = Tensor(a, requires_grad=True)
    np.testing.assert_allclose(t.softmax(axis=axis).data, want, rtol=1e-12)
    np.testing.assert_allclose(t.log_softmax(axis=axis).data, np.log(want), rtol=1e-12)
    w = np.arange(6.0).reshape(2, 3)
    (t.softmax(axis=axis) * Tensor(w)).sum().backward()
    # ∂(Σ wᵢ sᵢ)/∂aⱼ = sⱼ (wⱼ − Σ wᵢ sᵢ)
    np.testing.assert_allclose(t.grad, want * (w - (w * want).sum()), rtol=1e-10)
    with pytest.raises(TypeError, match="axis must be an int or a tuple of ints, got True"):
        t.softmax(axis=True)
    with pytest.raises(TypeError, match="got True"):
        t.sum(axis=True)


def test_complex_numbers_are_refused() -> None:
    t = Tensor(np.array([1.0, 2.0]))
    for c in (np.complex128(1 + 2j), 1 + 2j):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no ComplexWarning either: a clear TypeError
            with pytest.raises(TypeError, match=r"is complex; tinygrad_edu computes with real"):
                t * c


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor(np.array([1.0])) + 10**400,
        lambda: Tensor(np.array([1.0])) ** 10**400,
        lambda: Value(10**400),
        lambda: Value(2.0) ** 10**400,
        lambda: Value(1.0) + 10**400,
    ],
)
def test_huge_python_ints_are_one_clear_error(make) -> None:  # noqa: ANN001
    with pytest.raises(OverflowError, match=r"an integer of 401 digits is too large for a float"):
        make()


def test_tiny_division_gives_the_float_answer_not_zero_division() -> None:
    a, b = Value(5e-324), Value(5e-324)
    z = a / b
    z.backward()  # ∂z/∂a = 1/b = inf, ∂z/∂b = −a/b² = −inf in float64
    assert (z.data, a.grad, b.grad) == (1.0, math.inf, -math.inf)


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"eps": 0}, "eps must be a finite number > 0"),
        ({"eps": float("nan")}, "eps"),
        ({"atol": -1}, "atol must be a finite number ≥ 0"),
    ],
)
def test_gradcheck_validates_its_tolerances(kw: dict, msg: str) -> None:
    x = Tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(ValueError, match=msg):
        gradcheck(lambda: (x * x).sum(), [x], **kw)


# -- DOT: every label escaped, on every path ----------------------------------------------------

HOSTILE = '<&>"'


def _hostile_net() -> Value:
    x = Value(1.0, label=f"x{HOSTILE}")
    w = Value(2.0, label=f"L1.w{HOSTILE}")
    b = Value(0.5, label=f"L1.b{HOSTILE}")
    z = w * x + b
    z.label = f"L1.z{HOSTILE}"  # the collapsed group's output: drawn as "out <its name>"
    c = z.tanh()
    c.label = f"C{HOSTILE}"
    return c


@pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` not installed")
def test_hostile_labels_make_valid_dot_on_every_path(tmp_path: Path) -> None:
    c = _hostile_net()
    c.backward()
    sources = [
        to_dot(c, collapse=collapse, direction=direction, edge_labels=True)
        for collapse in (None, 1)
        for direction in ("forward", "backward")
    ]
    trace(c).write_frames(tmp_path / "frames", format="dot")
    sources += [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "frames").iterdir())]
    for source in sources:
        run = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True)
        assert run.returncode == 0 and "rror" not in run.stderr, (run.stderr, source)
        assert HOSTILE not in source  # the raw text never reaches the DOT


# -- the command line: one clear line and exit code 2, before any work ------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    from tinygrad_edu.models.app import main

    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse's errors
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.err


def test_lecture_output_paths_are_checked_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _cli(capsys, "lecture", "xor", "--graph", str(tmp_path / "nope" / "g.svg"))
    assert code == 2 and "directory" in err and "does not exist; create it first" in err
    assert "Traceback" not in err and err.count("\n") == 1
    (tmp_path / "dir.svg").mkdir()
    code, err = _cli(capsys, "lecture", "xor", "--graph", str(tmp_path / "dir.svg"))
    assert code == 2 and "dir.svg: it is a directory; give a file path" in err


def test_tour_out_on_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "taken"
    f.write_text("x")
    code, err = _cli(capsys, "tour", "--out", str(f))
    assert code == 2 and "taken: it is a file, not a folder" in err and "Traceback" not in err


def test_graph_command_paths_names_and_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _cli(capsys, "graph", "x*2", "--var", "x=1", "-o", str(tmp_path / "no" / "g.svg"))
    assert code == 2 and "cannot write -o" in err and "does not exist" in err
    code, err = _cli(capsys, "graph", "-x*2", "--var", "x=1")
    assert code == 2 and 'put it after --, e.g. tinygrad-edu graph --var x=1 -- "-x*2"' in err
    assert _cli(capsys, "graph", "--var", "x=1", "--", "-x*2")[0] == 0
    assert _cli(capsys, "graph", "x*2", "--var", "ｘ=1")[0] == 0  # ｘ is x to Python's parser
    code, err = _cli(capsys, "graph", "x", "--var", "x=1", "--label", "\udcff")  # byte 0xff
    assert code == 2 and "--label b'\\xff': not valid UTF-8 text" in err
    assert _cli(capsys, "graph", "x/x", "--var", "x=5e-324", "--backward")[0] == 0


def test_seed_and_huge_networks_are_refused_up_front(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(capsys, "lecture", "regression", "--seed", "-1")
    assert code == 2 and "argument --seed: give a whole number ≥ 0; got -1" in err
    from tinygrad_edu.models.dnn import check_memory

    # 16·P + 8·(300001·300000) = 1,443,820,800,160 + 720,002,400,000 bytes = 2,015.2 GiB
    with pytest.raises(ValueError, match=r"90,238,800,010 parameters need about 2,015\.2 GiB"):
        check_memory([784, 300000, 300000, 10], available=24 * 2**30)
    assert check_memory([784, 64, 10], available=24 * 2**30) < 2**22


@pytest.mark.parametrize(
    ("cp", "degree", "what"),
    [(1e308, 1, "w·cp of row 1 is 1e\\+308"), (1e200, 2, "cp = 1e\\+200 .* cp\\^2 overflow")],
)
def test_huge_values_in_the_data_are_one_clear_error(cp: float, degree: int, what: str) -> None:
    from tinygrad_edu.models.data import lecture_cp_split
    from tinygrad_edu.models.regression import fit_regression, polynomial_terms

    split = lecture_cp_split()
    split.train.x_cp[0] = cp  # a 1e308 typed into the CSV
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # none leaks before the error
        with pytest.raises(ValueError, match=rf"{what}.*rescale the column"):
            fit_regression(polynomial_terms(degree), split.train, split.test)
